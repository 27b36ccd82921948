package itemcodec

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

// FuzzDecode decodes items built from the fuzzer's bytes into the test
// types. The codec must never panic; where guregu/dynamo decodes the item,
// the codec must decode it to the same value, and where guregu returns an
// error, so must the codec.
//
//	go test -run '^$' -fuzz FuzzDecode -fuzztime 60s ./internal/itemcodec
func FuzzDecode(f *testing.F) {
	for _, v := range kitchens() {
		_, item := encodeBoth(f, v)
		f.Add(seedOf(item))
	}
	f.Add([]byte{})
	// A time only the codec reads: pynamodb's layout.
	f.Add(seedOf(map[string]types.AttributeValue{"hired": &types.AttributeValueMemberS{Value: "2024-03-04T05:06:07.123456+0000"}}))
	f.Add([]byte("\x05\x01\x02abc\x03\x04\x05\x06\x07\x08\x09"))
	names := attributeNames()
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &itemGen{data: data, names: names}
		item := g.item()
		checkDecode[Employee](t, item)
		checkDecode[Kitchen](t, item)
		checkDecode[Node](t, item)
		checkDecode[Tricky](t, item)
	})
}

func checkDecode[T any](t *testing.T, item map[string]types.AttributeValue) {
	t.Helper()
	got, want, gotErr, wantErr := decodeBoth(t, item, *new(T))
	switch {
	case errors.Is(wantErr, errGureguPanicked):
		return // guregu cannot decode it; the codec just must not panic
	case errors.As(wantErr, new(*time.ParseError)) && gotErr == nil:
		// The codec reads more time forms than guregu: with them rewritten
		// in guregu's layout, both must agree.
		if norm, changed := normalizeTimes(item); changed {
			checkDecode[T](t, norm)
			return
		}
		t.Fatalf("%T: guregu failed with %v, codec succeeded; item %#v", got, wantErr, item)
	case wantErr != nil && gotErr == nil:
		t.Fatalf("%T: guregu failed with %v, codec succeeded; item %#v", got, wantErr, item)
	case wantErr == nil && gotErr != nil:
		t.Fatalf("%T: codec failed with %v, guregu succeeded; item %#v", got, gotErr, item)
	case wantErr == nil:
		if diff := cmp.Diff(want, got, sameValue); diff != "" {
			t.Fatalf("%T: decoded values differ (-guregu +codec):\n%s\nitem %#v", got, diff, item)
		}
	}
}

// normalizeTimes returns item with every string that only the codec reads
// as a time (see parseTime) rewritten in guregu's layout, and whether any
// was.
func normalizeTimes(item map[string]types.AttributeValue) (map[string]types.AttributeValue, bool) {
	out := make(map[string]types.AttributeValue, len(item))
	changed := false
	for k, av := range item {
		var c bool
		out[k], c = normalizeTime(av)
		changed = changed || c
	}
	return out, changed
}

func normalizeTime(av types.AttributeValue) (types.AttributeValue, bool) {
	switch av := av.(type) {
	case *types.AttributeValueMemberS:
		var t time.Time
		if t.UnmarshalText([]byte(av.Value)) != nil && parseTime(&t, av.Value, layoutRFC3339Nano) == nil {
			return &types.AttributeValueMemberS{Value: t.Format(time.RFC3339Nano)}, true
		}
	case *types.AttributeValueMemberL:
		l := make([]types.AttributeValue, len(av.Value))
		changed := false
		for i, v := range av.Value {
			var c bool
			l[i], c = normalizeTime(v)
			changed = changed || c
		}
		return &types.AttributeValueMemberL{Value: l}, changed
	case *types.AttributeValueMemberM:
		m, changed := normalizeTimes(av.Value)
		return &types.AttributeValueMemberM{Value: m}, changed
	}
	return av, false
}

// attributeNames lists the attribute names of the test types, so generated
// items hit real fields.
func attributeNames() []string {
	var names []string
	for _, typ := range []reflect.Type{
		reflect.TypeFor[Employee](), reflect.TypeFor[Kitchen](), reflect.TypeFor[Node](),
		reflect.TypeFor[Tricky](), reflect.TypeFor[Inner](),
	} {
		c, err := Compile(typ)
		if err != nil {
			panic(err)
		}
		for _, s := range c.plan.dec {
			if s.field != nil {
				names = append(names, s.field.name)
			}
		}
	}
	return names
}

// seedOf returns fuzz input that itemGen turns into roughly item: it is
// only a starting point for the fuzzer.
func seedOf(item map[string]types.AttributeValue) []byte {
	var b []byte
	b = append(b, byte(len(item)))
	names := attributeNames()
	for name, av := range item {
		for i, n := range names {
			if n == name {
				b = append(b, byte(i))
				break
			}
		}
		b = appendSeed(b, av)
	}
	return b
}

func appendSeed(b []byte, av types.AttributeValue) []byte {
	switch av := av.(type) {
	case *types.AttributeValueMemberS:
		return append(append(b, 0, 0xff, byte(len(av.Value))), av.Value...)
	case *types.AttributeValueMemberN:
		return append(append(b, 1, 0xff, byte(len(av.Value))), av.Value...)
	case *types.AttributeValueMemberB:
		return append(append(b, 2, byte(len(av.Value))), av.Value...)
	case *types.AttributeValueMemberBOOL:
		if av.Value {
			return append(b, 3, 1)
		}
		return append(b, 3, 0)
	case *types.AttributeValueMemberNULL:
		return append(b, 4)
	case *types.AttributeValueMemberL:
		b = append(b, 5, byte(len(av.Value)))
		for _, v := range av.Value {
			b = appendSeed(b, v)
		}
		return b
	case *types.AttributeValueMemberM:
		b = append(b, 6, byte(len(av.Value)))
		for _, v := range av.Value {
			b = append(b, 0)
			b = appendSeed(b, v)
		}
		return b
	case *types.AttributeValueMemberSS:
		b = append(b, 7, byte(len(av.Value)))
		for _, s := range av.Value {
			b = append(append(b, 0xff, byte(len(s))), s...)
		}
		return b
	case *types.AttributeValueMemberNS:
		b = append(b, 8, byte(len(av.Value)))
		for _, s := range av.Value {
			b = append(append(b, 0xff, byte(len(s))), s...)
		}
		return b
	case *types.AttributeValueMemberBS:
		b = append(b, 9, byte(len(av.Value)))
		for _, s := range av.Value {
			b = append(append(b, byte(len(s))), s...)
		}
		return b
	}
	return b
}

// itemGen turns fuzz bytes into an item. Reads past the end yield zeros,
// so every input makes an item.
type itemGen struct {
	data  []byte
	names []string
	depth int
}

func (g *itemGen) byte() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

func (g *itemGen) bytes() []byte {
	n := min(int(g.byte()), len(g.data))
	b := g.data[:n:n]
	g.data = g.data[n:]
	return b
}

// interesting are numbers and times at the edges of the decoders.
var interesting = []string{
	"0", "-0", "1", "-1", "1.5", "1e3", "-1e-3", "+1", " 1", "1_000", "0x10", "",
	"127", "128", "-129", "255", "256", "65536", "4294967296",
	"9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551615",
	"18446744073709551616", "3.4028235e38", "1e400", "1e-400", "NaN", "Inf", "-Inf",
	"2024-02-29T13:14:15.123456789Z", "2024-02-29T13:14:15+01:00", "0001-01-01T00:00:00Z",
	"2024-13-01T00:00:00Z", "2024-02-29 13:14:15Z", "2024-02-29T24:00:00Z", "9999-12-31T23:59:59.999999999-23:59",
	"id:x", "aws:y",
}

// text returns an interesting string (selector below len(interesting)) or
// raw bytes from the input.
func (g *itemGen) text() string {
	if i := int(g.byte()); i < len(interesting) {
		return interesting[i]
	}
	return string(g.bytes())
}

func (g *itemGen) name() string {
	if i := int(g.byte()); i < len(g.names) {
		return g.names[i]
	}
	return string(g.bytes())
}

func (g *itemGen) item() map[string]types.AttributeValue {
	n := int(g.byte() % 24)
	item := make(map[string]types.AttributeValue, n)
	for range n {
		item[g.name()] = g.value()
	}
	return item
}

func (g *itemGen) value() types.AttributeValue {
	g.depth++
	defer func() { g.depth-- }()
	shape := g.byte() % 10
	if g.depth > 4 && shape >= 5 {
		shape = 4
	}
	switch shape {
	case 0:
		return &types.AttributeValueMemberS{Value: g.text()}
	case 1:
		return &types.AttributeValueMemberN{Value: g.text()}
	case 2:
		return &types.AttributeValueMemberB{Value: g.bytes()}
	case 3:
		return &types.AttributeValueMemberBOOL{Value: g.byte()&1 == 1}
	case 4:
		return &types.AttributeValueMemberNULL{Value: true}
	case 5:
		l := make([]types.AttributeValue, g.byte()%6)
		for i := range l {
			l[i] = g.value()
		}
		return &types.AttributeValueMemberL{Value: l}
	case 6:
		n := int(g.byte() % 6)
		m := make(map[string]types.AttributeValue, n)
		for range n {
			m[g.name()] = g.value()
		}
		return &types.AttributeValueMemberM{Value: m}
	case 7:
		ss := make([]string, g.byte()%5)
		for i := range ss {
			ss[i] = g.text()
		}
		return &types.AttributeValueMemberSS{Value: ss}
	case 8:
		ns := make([]string, g.byte()%5)
		for i := range ns {
			ns[i] = g.text()
		}
		return &types.AttributeValueMemberNS{Value: ns}
	default:
		bs := make([][]byte, g.byte()%5)
		for i := range bs {
			bs[i] = g.bytes()
		}
		return &types.AttributeValueMemberBS{Value: bs}
	}
}
