package itemcodec

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// timeLayouts has a time field in each layout, behind a pointer and in a list.
type timeLayouts struct {
	ID       string           `dynamo:"id,hash"`
	Default  time.Time        `dynamo:"default"`
	Named    time.Time        `dynamo:"named,layout=rfc3339nano"`
	PynamoDB time.Time        `dynamo:"py,layout=pynamodb"`
	UTC      time.Time        `dynamo:"utc,layout=utcnano"`
	Ptr      *time.Time       `dynamo:"ptr,layout=pynamodb"`
	List     []time.Time      `dynamo:"list,layout=pynamodb"`
	Inner    timeLayoutsInner `dynamo:"inner"`
}

type timeLayoutsInner struct {
	At time.Time `dynamo:"at,layout=pynamodb"`
}

func TestTimeLayoutEncode(t *testing.T) {
	zone := time.FixedZone("", 2*3600)
	at := time.Date(2024, 3, 4, 7, 6, 7, 123456789, zone)
	v := timeLayouts{ID: "x", Default: at, Named: at, PynamoDB: at, UTC: at, Ptr: &at, List: []time.Time{at}, Inner: timeLayoutsInner{at}}
	c, err := Compile(reflect.TypeFor[timeLayouts]())
	if err != nil {
		t.Fatal(err)
	}
	item, err := c.Encode(reflect.ValueOf(v), 0)
	if err != nil {
		t.Fatal(err)
	}
	const py = "2024-03-04T05:06:07.123456+0000"
	for _, tc := range []struct {
		name string
		got  types.AttributeValue
		want string
	}{
		{"default", item["default"], "2024-03-04T07:06:07.123456789+02:00"},
		{"named", item["named"], "2024-03-04T07:06:07.123456789+02:00"},
		{"py", item["py"], py},
		{"utc", item["utc"], "2024-03-04T05:06:07.123456789Z"},
		{"ptr", item["ptr"], py},
		{"list", item["list"].(*types.AttributeValueMemberL).Value[0], py},
		{"inner.at", item["inner"].(*types.AttributeValueMemberM).Value["at"], py},
	} {
		s, ok := tc.got.(*types.AttributeValueMemberS)
		if !ok || s.Value != tc.want {
			t.Errorf("attribute %s = %#v, want S %q", tc.name, tc.got, tc.want)
		}
	}
	// The default layout is guregu's.
	want, err := dynamo.MarshalItem(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := item["default"].(*types.AttributeValueMemberS).Value; got != want["default"].(*types.AttributeValueMemberS).Value {
		t.Errorf("default layout = %q, guregu writes %q", got, want["default"])
	}
	// utcnano is fixed width: a whole second keeps its nine zeros.
	v.UTC = time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	item, err = c.Encode(reflect.ValueOf(v), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := item["utc"].(*types.AttributeValueMemberS).Value, "2024-03-04T05:06:07.000000000Z"; got != want {
		t.Errorf("utcnano of a whole second = %q, want %q", got, want)
	}
}

func TestTimeDecodeVariants(t *testing.T) {
	c, err := Compile(reflect.TypeFor[timeLayouts]())
	if err != nil {
		t.Fatal(err)
	}
	micro := time.Date(2024, 3, 4, 5, 6, 7, 123456000, time.UTC)
	whole := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, tc := range []struct {
		text string
		want time.Time
	}{
		{"2024-03-04T05:06:07.123456+0000", micro},
		{"2024-03-04T07:06:07.123456+0200", micro},
		{"2024-03-04T05:06:07.123456Z", micro},
		{"2024-03-04T05:06:07.123456+00:00", micro},
		{"2024-03-04T05:06:07.123456000Z", micro},
		{"2024-03-04T05:06:07Z", whole},
		{"2024-03-04T05:06:07+00:00", whole},
		{"2024-03-04T05:06:07+0000", whole},
		{"2024-03-04T05:06:07", whole},
		{"2024-03-04T05:06:07.123456", micro},
	} {
		s := &types.AttributeValueMemberS{Value: tc.text}
		item := map[string]types.AttributeValue{
			"id": &types.AttributeValueMemberS{Value: "x"}, "default": s, "named": s, "py": s, "utc": s, "ptr": s,
			"list":  &types.AttributeValueMemberL{Value: []types.AttributeValue{s}},
			"inner": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"at": s}},
		}
		var got timeLayouts
		if err := c.Decode(item, reflect.ValueOf(&got).Elem()); err != nil {
			t.Errorf("Decode(%q): %v", tc.text, err)
			continue
		}
		for name, at := range map[string]time.Time{
			"default": got.Default, "named": got.Named, "py": got.PynamoDB, "utc": got.UTC,
			"ptr": *got.Ptr, "list": got.List[0], "inner.at": got.Inner.At,
		} {
			if !at.Equal(tc.want) {
				t.Errorf("Decode(%q): %s = %v, want %v", tc.text, name, at, tc.want)
			}
		}
		// A field with a UTC layout decodes in UTC, as it was written.
		if got.PynamoDB.Location() != time.UTC || got.UTC.Location() != time.UTC {
			t.Errorf("Decode(%q): py in %v, utc in %v, want UTC", tc.text, got.PynamoDB.Location(), got.UTC.Location())
		}
	}
}

func TestDecodeErrorNamesField(t *testing.T) {
	c, err := Compile(reflect.TypeFor[timeLayouts]())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		item      map[string]types.AttributeValue
		field     string
		attribute string
	}{
		{"top", map[string]types.AttributeValue{"py": &types.AttributeValueMemberS{Value: "yesterday"}}, "PynamoDB", "py"},
		{"nested", map[string]types.AttributeValue{"inner": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"at": &types.AttributeValueMemberS{Value: "2024-13-04T05:06:07Z"}}}}, "Inner.At", "inner.at"},
		{"wrong type", map[string]types.AttributeValue{"default": &types.AttributeValueMemberBOOL{Value: true}}, "Default", "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v timeLayouts
			err := c.Decode(tc.item, reflect.ValueOf(&v).Elem())
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode = %v, want a *DecodeError", err)
			}
			if de.Type != reflect.TypeFor[timeLayouts]() || de.Field != tc.field || de.Attribute != tc.attribute || de.Err == nil {
				t.Errorf("Decode = %+v, want Type timeLayouts, Field %s, Attribute %s and a cause", de, tc.field, tc.attribute)
			}
		})
	}
}

// lostLayout nests a layout in a struct that guregu/dynamo encodes, since
// the codec does not specialise netip.Addr; guregu would ignore the layout.
type lostLayout struct {
	Inner struct {
		At   time.Time  `dynamo:"at,layout=pynamodb"`
		Addr netip.Addr `dynamo:"addr"`
	} `dynamo:"inner"`
}

type lostLayoutPtr struct {
	At **time.Time `dynamo:"at,layout=utcnano"`
}

// TestLayoutNeverLost: a layout on a field that guregu/dynamo would encode
// is refused, rather than silently ignored.
func TestLayoutNeverLost(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[lostLayout](), reflect.TypeFor[lostLayoutPtr]()} {
		for range 2 { // the error is cached too
			if c, err := Compile(typ); err == nil {
				t.Errorf("Compile(%v) = %v, want an error about the lost layout", typ, c)
			}
		}
	}
}

// TestTimeLayoutRoundTrip: every layout reads back what it writes, to its
// precision, for times across the years it can write and in any offset;
// and utcnano's strings sort in time order.
func TestTimeLayoutRoundTrip(t *testing.T) {
	c, err := Compile(reflect.TypeFor[timeLayouts]())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var prev time.Time
	var prevUTC string
	for range 2000 {
		at := time.Unix(rng.Int64N(253402300800+62135596800)-62135596800, rng.Int64N(1e9)).
			In(time.FixedZone("", (rng.IntN(48)-24)*1800))
		v := timeLayouts{Default: at, Named: at, PynamoDB: at, UTC: at, Ptr: &at, List: []time.Time{at}, Inner: timeLayoutsInner{at}}
		item, err := c.Encode(reflect.ValueOf(v), 0)
		if err != nil {
			t.Fatalf("Encode(%v): %v", at, err)
		}
		var back timeLayouts
		if err := c.Decode(item, reflect.ValueOf(&back).Elem()); err != nil {
			t.Fatalf("Decode(Encode(%v)): %v", at, err)
		}
		micro := at.Truncate(time.Microsecond)
		for name, pair := range map[string][2]time.Time{
			"default": {back.Default, at}, "named": {back.Named, at}, "utc": {back.UTC, at},
			"py": {back.PynamoDB, micro}, "ptr": {*back.Ptr, micro}, "list": {back.List[0], micro}, "inner.at": {back.Inner.At, micro},
		} {
			if !pair[0].Equal(pair[1]) {
				t.Errorf("%s: Decode(Encode(%v)) = %v, want %v", name, at, pair[0], pair[1])
			}
		}
		s := item["utc"].(*types.AttributeValueMemberS).Value
		if !prev.IsZero() && (s < prevUTC) != at.Before(prev) && !at.Equal(prev) {
			t.Errorf("utcnano %q < %q is %v, but %v before %v is %v", s, prevUTC, s < prevUTC, at, prev, at.Before(prev))
		}
		prev, prevUTC = at, s
	}
}
