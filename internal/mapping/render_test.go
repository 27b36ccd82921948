package mapping_test

import (
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"testing/quick"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
)

// ordered has a sort key made of a time, a padded integer and a string.
type ordered struct {
	_        struct{}  `dynamo:"pk,hash" template:"ORD#{customer}#{order}"`
	_        struct{}  `dynamo:"sk,range" template:"AT#{at}#{seq:6}#{name}"`
	_        struct{}  `dynamo:"gsi1pk" index:"gsi1,hash" template:"AT#{at}"`
	Customer string    `dynamo:"customer"`
	Order    string    `dynamo:"order"`
	At       time.Time `dynamo:"at"`
	Seq      uint32    `dynamo:"seq"`
	Name     string    `dynamo:"name"`
}

func (ordered) TableName() string { return "t" }

func keyString(t *testing.T, m *mapping.Model, attr string, v any) (string, error) {
	t.Helper()
	av, err := m.Value(attr, v)
	if err != nil {
		return "", err
	}
	s, ok := av.(*types.AttributeValueMemberS)
	if !ok {
		return "", mapping.ErrEmptyKey
	}
	return s.Value, nil
}

// TestTemplateRendering checks how each kind of source renders in a key.
func TestTemplateRendering(t *testing.T) {
	m := mapping.MustOf[ordered]()
	paris := time.FixedZone("CET", 3600)
	base := ordered{Customer: "c", Order: "o", At: time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC), Seq: 42, Name: "n"}
	with := func(f func(*ordered)) ordered { v := base; f(&v); return v }
	tests := []struct {
		name string
		attr string
		v    ordered
		want string // "" for an error
		is   error  // the error it matches, when want is ""
	}{
		{"utc, fixed nanoseconds", "sk", base, "AT#2026-03-03T10:00:00.000000000Z#000042#n", nil},
		{"another zone is rendered in UTC", "sk", with(func(v *ordered) { v.At = time.Date(2026, 3, 3, 11, 0, 0, 0, paris) }), "AT#2026-03-03T10:00:00.000000000Z#000042#n", nil},
		{"a fraction", "sk", with(func(v *ordered) { v.At = v.At.Add(500 * time.Millisecond) }), "AT#2026-03-03T10:00:00.500000000Z#000042#n", nil},
		{"a separator in a string is escaped", "pk", with(func(v *ordered) { v.Customer = "acme#1" }), "ORD#acme%231#o", nil},
		{"the escape character is escaped", "pk", with(func(v *ordered) { v.Customer = "50%" }), "ORD#50%25#o", nil},
		{"the last string needs no escape of the separator", "pk", with(func(v *ordered) { v.Order = "1#2" }), "ORD#c#1#2", nil},
		{"a zero time is an empty key", "sk", with(func(v *ordered) { v.At = time.Time{} }), "", mapping.ErrEmptyKey},
		{"a zero integer is an empty key", "sk", with(func(v *ordered) { v.Seq = 0 }), "", mapping.ErrEmptyKey},
		{"an integer wider than declared", "sk", with(func(v *ordered) { v.Seq = 1234567 }), "", nil},
		{"a year after 9999", "sk", with(func(v *ordered) { v.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keyString(t, m, tt.attr, tt.v)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Errorf("Value(%s) = %q, %v; want %q", tt.attr, got, err, tt.want)
				}
				return
			}
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Errorf("Value(%s) = %q, %v; want an error matching %v", tt.attr, got, err, tt.is)
			}
		})
	}
	if _, err := m.KeyOf(with(func(v *ordered) { v.At = time.Time{} })); !errors.Is(err, mapping.ErrEmptyKey) {
		t.Errorf("KeyOf(zero time) = %v, want ErrEmptyKey", err)
	}
	item, err := m.Encode(with(func(v *ordered) { v.At = time.Time{}; v.Seq = 0 }))
	if !errors.Is(err, mapping.ErrEmptyKey) {
		t.Errorf("Encode(zero time in the table key) = %v, %v; want ErrEmptyKey", item, err)
	}
}

// TestTemplateCollision: two sources that differ never share a key, such
// as customer acme#1's order 2 and customer acme's order 1#2.
func TestTemplateCollision(t *testing.T) {
	m := mapping.MustOf[ordered]()
	a, errA := m.KeyOf(ordered{Customer: "acme#1", Order: "2", At: time.Unix(1, 0), Seq: 1, Name: "x"})
	b, errB := m.KeyOf(ordered{Customer: "acme", Order: "1#2", At: time.Unix(1, 0), Seq: 1, Name: "x"})
	if errA != nil || errB != nil || reflect.DeepEqual(a["pk"], b["pk"]) {
		t.Errorf("KeyOf(acme#1, 2) = %v, %v; KeyOf(acme, 1#2) = %v, %v; want two different keys", a["pk"], errA, b["pk"], errB)
	}
}

// Templates the model refuses, with the reason.
type (
	intNoWidth struct {
		_   struct{} `dynamo:"pk,hash" template:"N#{seq}"`
		Seq int      `dynamo:"seq"`
	}
	floatRef struct {
		_ struct{} `dynamo:"pk,hash" template:"F#{f:8}"`
		F float64  `dynamo:"f"`
	}
	widthOnString struct {
		_ struct{} `dynamo:"pk,hash" template:"S#{s:8}"`
		S string   `dynamo:"s"`
	}
	adjacentStrings struct {
		_ struct{} `dynamo:"pk,hash" template:"S#{a}{b}"`
		A string   `dynamo:"a"`
		B string   `dynamo:"b"`
	}
	letterSeparator struct {
		_ struct{} `dynamo:"pk,hash" template:"S#{a}x{b}"`
		A string   `dynamo:"a"`
		B string   `dynamo:"b"`
	}
	badWidth struct {
		_   struct{} `dynamo:"pk,hash" template:"N#{seq:x}"`
		Seq int      `dynamo:"seq"`
	}
	tooWide struct {
		_   struct{} `dynamo:"pk,hash" template:"N#{seq:21}"`
		Seq int      `dynamo:"seq"`
	}
	highSortSeparator struct {
		ID string   `dynamo:"id,hash"`
		_  struct{} `dynamo:"sk,range" template:"S|{a}|{b}"`
		A  string   `dynamo:"a"`
		B  string   `dynamo:"b"`
	}
	highIndexSortSeparator struct {
		ID string   `dynamo:"id,hash"`
		_  struct{} `dynamo:"gsk" index:"g,range" template:"S:{a}:x"`
		G  string   `dynamo:"g" index:"g,hash"`
		A  string   `dynamo:"a"`
	}
)

func (intNoWidth) TableName() string             { return "t" }
func (floatRef) TableName() string               { return "t" }
func (widthOnString) TableName() string          { return "t" }
func (adjacentStrings) TableName() string        { return "t" }
func (letterSeparator) TableName() string        { return "t" }
func (badWidth) TableName() string               { return "t" }
func (tooWide) TableName() string                { return "t" }
func (highSortSeparator) TableName() string      { return "t" }
func (highIndexSortSeparator) TableName() string { return "t" }

func TestTemplateRefused(t *testing.T) {
	tests := []struct {
		typ    reflect.Type
		reason string
	}{
		{reflect.TypeFor[intNoWidth](), "declare a width, such as {seq:10}"},
		{reflect.TypeFor[floatRef](), "float"},
		{reflect.TypeFor[widthOnString](), "only an integer reference takes a width"},
		{reflect.TypeFor[adjacentStrings](), "must be followed by literal text"},
		{reflect.TypeFor[letterSeparator](), "must begin with an ASCII punctuation character"},
		{reflect.TypeFor[badWidth](), "width"},
		{reflect.TypeFor[tooWide](), "width"},
		{reflect.TypeFor[highSortSeparator](), "a sort key must separate {a} with a byte below %"},
		{reflect.TypeFor[highIndexSortSeparator](), "a sort key must separate {a} with a byte below %"},
	}
	for _, tt := range tests {
		t.Run(tt.typ.Name(), func(t *testing.T) {
			_, err := mapping.For(tt.typ)
			var te *mapping.TagError
			if !errors.As(err, &te) || !strings.Contains(te.Reason, tt.reason) {
				t.Errorf("For(%s) = %v, want a TagError containing %q", tt.typ, err, tt.reason)
			}
		})
	}
}

// Property tests: string order is value order, and distinct sources
// render to distinct keys.

type (
	timeKey struct {
		_  struct{}  `dynamo:"pk,hash" template:"T#{at}#"`
		At time.Time `dynamo:"at"`
	}
	intKey struct {
		_ struct{} `dynamo:"pk,hash" template:"N#{n:20}#"`
		N uint64   `dynamo:"n"`
	}
	strKey struct {
		_ struct{} `dynamo:"pk,hash" template:"S#{a}#{b}"`
		A string   `dynamo:"a"`
		B string   `dynamo:"b"`
	}
)

func (timeKey) TableName() string { return "t" }
func (intKey) TableName() string  { return "t" }
func (strKey) TableName() string  { return "t" }

func quickConfig(seed int64) *quick.Config {
	return &quick.Config{MaxCount: 2000, Rand: rand.New(rand.NewSource(seed))}
}

func TestTemplateOrderProperty(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("A", 3600), time.FixedZone("B", -9*3600-1800), time.FixedZone("C", 14*3600)}
	tm := mapping.MustOf[timeKey]()
	anyTime := func(sec int64, nsec uint32, zone uint8) time.Time {
		// Years 1 to 9999 (second 1 of year 1 onwards, as the zero time is empty).
		const lo, hi = -62135596799, 253402300799
		sec = lo + int64(uint64(sec)%uint64(hi-lo))
		return time.Unix(sec, int64(nsec%1e9)).In(zones[int(zone)%len(zones)])
	}
	timeOrder := func(s1, s2 int64, n1, n2 uint32, z1, z2 uint8) bool {
		a, b := anyTime(s1, n1, z1), anyTime(s2, n2, z2)
		ka, err1 := keyString(t, tm, "pk", timeKey{At: a})
		kb, err2 := keyString(t, tm, "pk", timeKey{At: b})
		return err1 == nil && err2 == nil && strings.Compare(ka, kb) == a.Compare(b)
	}
	if err := quick.Check(timeOrder, quickConfig(1)); err != nil {
		t.Errorf("times: %v", err)
	}
	im := mapping.MustOf[intKey]()
	intOrder := func(a, b uint64) bool {
		a, b = a|1, b|1 // zero is an empty key
		ka, err1 := keyString(t, im, "pk", intKey{N: a})
		kb, err2 := keyString(t, im, "pk", intKey{N: b})
		return err1 == nil && err2 == nil && strings.Compare(ka, kb) == cmpUint(a, b)
	}
	if err := quick.Check(intOrder, quickConfig(2)); err != nil {
		t.Errorf("integers: %v", err)
	}
	sm := mapping.MustOf[strKey]()
	// Any strings, separator, escape and bytes below the separator included:
	// the order of (a, b) pairs.
	strOrder := func(a1, b1, a2, b2 string) bool {
		a1, b1, a2, b2 = tokens(a1), tokens(b1), tokens(a2), tokens(b2)
		ka, err1 := keyString(t, sm, "pk", strKey{A: a1, B: b1})
		kb, err2 := keyString(t, sm, "pk", strKey{A: a2, B: b2})
		want := strings.Compare(a1, a2)
		if want == 0 {
			want = strings.Compare(b1, b2)
		}
		return err1 == nil && err2 == nil && strings.Compare(ka, kb) == want
	}
	if err := quick.Check(strOrder, quickConfig(3)); err != nil {
		t.Errorf("strings: %v", err)
	}
	// The hierarchical case docs/tags.md names: a city that extends another
	// by a space sorts after it, as its value does.
	ny, err1 := keyString(t, sm, "pk", strKey{A: "New York", B: "1"})
	n, err2 := keyString(t, sm, "pk", strKey{A: "New", B: "9"})
	if err1 != nil || err2 != nil || ny <= n {
		t.Errorf("New York renders %q, New %q (errors %v, %v); want New York after New", ny, n, err1, err2)
	}
}

// tokens maps s onto a short alphabet biased towards the bytes rendering
// must escape (below and at the separator, the escape itself) and the ones
// it must not (letters, bytes above the escape, multi-byte runes), keeping
// it non-empty, as the empty string is an empty key.
func tokens(s string) string {
	alphabet := []string{"\x00", "\t", " ", "!", "\"", "#", "$", "%", "&", "0", "A", "a", "z", "~", "\x7f", "é"}
	var sb strings.Builder
	for _, c := range []byte(s) {
		sb.WriteString(alphabet[int(c)%len(alphabet)])
	}
	if sb.Len() == 0 {
		return "a"
	}
	return sb.String()
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestTemplateInjectiveProperty: distinct strings, separators and escape
// characters included, never render to the same key.
func TestTemplateInjectiveProperty(t *testing.T) {
	sm := mapping.MustOf[strKey]()
	pick := func(s string) string { // bias towards the separator and the escape
		var sb strings.Builder
		for _, c := range []byte(s) {
			sb.WriteByte("#%2a3b"[int(c)%6])
		}
		return sb.String() + "x"
	}
	distinct := func(a1, b1, a2, b2 string) bool {
		a1, b1, a2, b2 = pick(a1), pick(b1), pick(a2), pick(b2)
		ka, err1 := keyString(t, sm, "pk", strKey{A: a1, B: b1})
		kb, err2 := keyString(t, sm, "pk", strKey{A: a2, B: b2})
		return err1 == nil && err2 == nil && (ka == kb) == (a1 == a2 && b1 == b2)
	}
	if err := quick.Check(distinct, quickConfig(4)); err != nil {
		t.Error(err)
	}
	// Splits of one string are the sharpest case: every split renders apart.
	const s = "a#b%#23c"
	seen := make(map[string]int)
	for i := 1; i < len(s); i++ {
		k, err := keyString(t, sm, "pk", strKey{A: s[:i], B: s[i:]})
		if err != nil {
			t.Fatal(err)
		}
		if j, dup := seen[k]; dup {
			t.Errorf("split %d and split %d of %q both render %q", j, i, s, k)
		}
		seen[k] = i
	}
}

// place has a hierarchical sort key.
type place struct {
	_     struct{} `dynamo:"pk,hash" template:"COUNTRY#{country}"`
	_     struct{} `dynamo:"sk,range" template:"STATE#{state}#CITY#{city}#{id}"`
	Cntry string   `dynamo:"country"`
	State string   `dynamo:"state"`
	City  string   `dynamo:"city"`
	ID    string   `dynamo:"id"`
}

func (place) TableName() string { return "t" }

func TestKeyPrefix(t *testing.T) {
	m := mapping.MustOf[place]()
	tests := []struct {
		name     string
		v        place
		want     string
		complete bool
		err      string
	}{
		{"nothing set", place{}, "STATE#", false, ""},
		{"a state", place{State: "CA"}, "STATE#CA#CITY#", false, ""},
		{"a state with the separator", place{State: "C#A"}, "STATE#C%23A#CITY#", false, ""},
		{"a city", place{State: "CA", City: "SF"}, "STATE#CA#CITY#SF#", false, ""},
		{"the whole key", place{State: "CA", City: "SF", ID: "1"}, "STATE#CA#CITY#SF#1", true, ""},
		{"a city without its state", place{City: "SF"}, "", false, "city is set but state, which comes before it, is not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, complete, err := m.KeyPrefix("sk", tt.v)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("KeyPrefix(sk, %+v) = %q, %v, %v; want an error containing %q", tt.v, got, complete, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want || complete != tt.complete {
				t.Errorf("KeyPrefix(sk, %+v) = %q, %v, %v; want %q, %v", tt.v, got, complete, err, tt.want, tt.complete)
			}
		})
	}
	if _, _, err := m.KeyPrefix("state", place{}); err == nil {
		t.Error("KeyPrefix(state) = nil error, want one: state is not computed")
	}
}

// sparseAt keys an index on a time that may be zero.
type sparseAt struct {
	_      struct{}  `dynamo:"gsi1pk" index:"gsi1,hash" template:"SHIPPED#{shipped}"`
	ID     string    `dynamo:"id,hash"`
	Shippd time.Time `dynamo:"shipped"`
	Seq    int       `dynamo:"seq"`
}

func (sparseAt) TableName() string { return "t" }

// TestTemplateSparseAndNegative: a zero time leaves an index key out, and
// a negative integer is refused with the field named.
func TestTemplateSparseAndNegative(t *testing.T) {
	item, err := mapping.MustOf[sparseAt]().Encode(sparseAt{ID: "1"})
	if _, ok := item["gsi1pk"]; err != nil || ok {
		t.Errorf("Encode(zero shipped) = %v, %v; want an item without gsi1pk", item, err)
	}
	_, err = mapping.MustOf[benchOrder]().KeyOf(benchOrder{Customer: "c", Order: "o", At: time.Unix(1, 0), Seq: -1, Name: "n"})
	if err == nil || !strings.Contains(err.Error(), "attribute seq: negative value -1") {
		t.Errorf("KeyOf(seq -1) = %v, want an error naming seq and its negative value", err)
	}
}
