package mapping_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/guregu/dynamo/v2"
)

type layoutUnknown struct {
	ID string    `dynamo:"id,hash"`
	At time.Time `dynamo:"at,layout=iso"`
}

func (layoutUnknown) TableName() string { return "t" }

type layoutNotTime struct {
	ID   string `dynamo:"id,hash"`
	Name string `dynamo:"name,layout=pynamodb"`
}

func (layoutNotTime) TableName() string { return "t" }

type layoutUnixTime struct {
	ID string    `dynamo:"id,hash"`
	At time.Time `dynamo:"at,unixtime,layout=pynamodb"`
}

func (layoutUnixTime) TableName() string { return "t" }

type layoutTTL struct {
	ID      string    `dynamo:"id,hash"`
	Expires time.Time `dynamo:"exp,layout=pynamodb" dynamokit:"ttl"`
}

func (layoutTTL) TableName() string { return "t" }

type pyOrder struct {
	OrderID   string      `dynamo:"order_id,hash"`
	Line      int         `dynamo:"line,range"`
	OrderedAt time.Time   `dynamo:"ordered_at,layout=pynamodb" index:"by-date,range"`
	Shipped   *time.Time  `dynamo:"shipped,layout=utcnano"`
	Store     string      `dynamo:"store" index:"by-date,hash"`
	History   []time.Time `dynamo:"history,layout=pynamodb,omitempty"`
}

func (pyOrder) TableName() string { return "orders" }

// TestLayoutInKeys: a time in a key is written in the field's layout, the
// same as in the item, and guregu still reads and writes the struct.
func TestLayoutInKeys(t *testing.T) {
	m := mapping.MustOf[pyOrder]()
	at := time.Date(2024, 3, 4, 6, 6, 7, 123456789, time.FixedZone("", 3600))
	o := pyOrder{OrderID: "o-1", Line: 2, OrderedAt: at, Store: "s", Shipped: &at}
	const want = "2024-03-04T05:06:07.123456+0000"
	item, err := m.Encode(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := item["ordered_at"].(*types.AttributeValueMemberS).Value; got != want {
		t.Errorf("Encode: ordered_at = %q, want %q", got, want)
	}
	key, err := m.IndexKeyOf("by-date", o)
	if err != nil {
		t.Fatal(err)
	}
	if got := key["ordered_at"].(*types.AttributeValueMemberS).Value; got != want {
		t.Errorf("IndexKeyOf: ordered_at = %q, want %q", got, want)
	}
	var back pyOrder
	if err := m.Decode(item, &back); err != nil {
		t.Fatal(err)
	}
	// pynamodb's layout keeps microseconds.
	if !back.OrderedAt.Equal(at.Truncate(time.Microsecond)) || !back.Shipped.Equal(at) {
		t.Errorf("Decode: ordered_at %v, shipped %v, want %v", back.OrderedAt, back.Shipped, at)
	}
	// guregu ignores the option: it writes its own layout, which dynamokit reads.
	gitem, err := dynamo.MarshalItem(o)
	if err != nil {
		t.Fatalf("guregu cannot marshal a struct with the layout option: %v", err)
	}
	if err := m.Decode(gitem, &back); err != nil || !back.OrderedAt.Equal(at) {
		t.Errorf("Decode(guregu's item) = %v, ordered_at %v; want %v", err, back.OrderedAt, at)
	}
}

// TestDecodeErrorNamesKey: a field that cannot decode names the type, the
// field, the attribute and the item's key.
func TestDecodeErrorNamesKey(t *testing.T) {
	m := mapping.MustOf[pyOrder]()
	item := mapping.Item{
		"order_id":   &types.AttributeValueMemberS{Value: "o-1"},
		"line":       &types.AttributeValueMemberN{Value: "2"},
		"ordered_at": &types.AttributeValueMemberS{Value: "last tuesday"},
	}
	var o pyOrder
	err := m.Decode(item, &o)
	var de *mapping.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("Decode = %v (%T), want a *mapping.DecodeError", err, err)
	}
	if de.Type != reflect.TypeFor[pyOrder]() || de.Field != "OrderedAt" || de.Attribute != "ordered_at" || de.Err == nil {
		t.Errorf("DecodeError = %+v, want pyOrder.OrderedAt, attribute ordered_at, with a cause", de)
	}
	if len(de.Key) != 2 || de.Key["order_id"] == nil || de.Key["line"] == nil {
		t.Errorf("DecodeError.Key = %v, want order_id and line", de.Key)
	}
	const prefix = `model: decode mapping_test.pyOrder.OrderedAt (item order_id="o-1", line=2): attribute ordered_at: `
	if got := err.Error(); len(got) < len(prefix) || got[:len(prefix)] != prefix {
		t.Errorf("Error() = %q, want the prefix %q", got, prefix)
	}
}

func TestDecodeErrorMessage(t *testing.T) {
	typ := reflect.TypeFor[pyOrder]()
	cause := errors.New("bad")
	for _, tc := range []struct {
		name string
		err  *mapping.DecodeError
		want string
	}{
		{"no key", &mapping.DecodeError{Type: typ, Field: "A.B", Attribute: "a.b", Err: cause},
			"model: decode mapping_test.pyOrder.A.B (item without its key): attribute a.b: bad"},
		{"key made by the caller", &mapping.DecodeError{Type: typ, Field: "A", Attribute: "a", Err: cause, Key: mapping.Item{
			"pk": &types.AttributeValueMemberS{Value: "x"}, "bin": &types.AttributeValueMemberB{Value: []byte{1, 2}},
		}}, `model: decode mapping_test.pyOrder.A (item bin=0102, pk="x"): attribute a: bad`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
			if !errors.Is(tc.err, cause) {
				t.Errorf("errors.Is(%v, cause) = false, want true", tc.err)
			}
		})
	}
}
