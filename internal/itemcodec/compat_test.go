package itemcodec

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/benchmodel"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/guregu/dynamo/v2"
)

// sameValue compares structs and items field by field, unexported fields
// included.
var sameValue = cmp.Options{
	cmp.Exporter(func(reflect.Type) bool { return true }),
	cmpopts.EquateNaNs(),
}

// sameItem compares items, sets in any order: guregu/dynamo writes
// map-backed sets in map order.
var sameItem = cmp.Options{
	sameValue,
	cmpopts.SortSlices(func(a, b string) bool { return a < b }),
	cmpopts.SortSlices(func(a, b []byte) bool { return bytes.Compare(a, b) < 0 }),
}

// encodeBoth encodes v with the codec and with guregu/dynamo.
func encodeBoth[T any](t testing.TB, v T) (got, want map[string]types.AttributeValue) {
	t.Helper()
	c, err := Compile(reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	got, err = c.Encode(reflect.ValueOf(&v).Elem(), 0)
	if err != nil {
		t.Fatalf("codec: Encode(%+v): %v", v, err)
	}
	want, err = dynamo.MarshalItem(v)
	if err != nil {
		t.Fatalf("dynamo.MarshalItem(%+v): %v", v, err)
	}
	return got, want
}

// errGureguPanicked is decodeBoth's wantErr when guregu/dynamo panicked.
var errGureguPanicked = errors.New("guregu/dynamo panicked")

// decodeBoth decodes item with the codec and with guregu/dynamo, each into
// its own copy of start.
func decodeBoth[T any](t testing.TB, item map[string]types.AttributeValue, start T) (got, want T, gotErr, wantErr error) {
	t.Helper()
	c, err := Compile(reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	got, want = start, start
	gotErr = c.Decode(item, reflect.ValueOf(&got).Elem())
	func() {
		defer func() {
			if r := recover(); r != nil {
				wantErr = fmt.Errorf("%w: %v", errGureguPanicked, r)
			}
		}()
		wantErr = dynamo.UnmarshalItem(item, &want)
	}()
	return got, want, gotErr, wantErr
}

// checkCompat checks that the codec encodes every value as guregu/dynamo
// does, and that the item either library writes decodes to the same struct
// with both, starting from every value (so the rules for absent attributes
// apply to set fields too).
func checkCompat[T any](t *testing.T, values map[string]T) {
	t.Helper()
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			got, want := encodeBoth(t, v)
			if diff := cmp.Diff(want, got, sameItem); diff != "" {
				t.Errorf("Encode(%s) differs from dynamo.MarshalItem (-guregu +codec):\n%s", name, diff)
			}
			for writer, item := range map[string]map[string]types.AttributeValue{"codec": got, "guregu": want} {
				for startName, start := range values {
					got, want, gotErr, wantErr := decodeBoth(t, item, start)
					if gotErr != nil || wantErr != nil {
						t.Errorf("decode %s item of %s into %s: codec error %v, guregu error %v", writer, name, startName, gotErr, wantErr)
						continue
					}
					if diff := cmp.Diff(want, got, sameValue); diff != "" {
						t.Errorf("Decode(%s item of %s) into %s differs from dynamo.UnmarshalItem (-guregu +codec):\n%s", writer, name, startName, diff)
					}
				}
			}
		})
	}
}

func TestCompatKitchen(t *testing.T) { checkCompat(t, kitchens()) }

func TestCompatRecursive(t *testing.T) {
	checkCompat(t, map[string]Node{
		"zero":  {},
		"chain": {Name: "a", Next: &Node{Name: "b", Next: &Node{}}},
		"tree":  {Children: []Node{{Name: "c", Children: []Node{{}}}, {Next: &Node{Name: "d"}}}},
	})
}

func TestCompatEmbedded(t *testing.T) {
	checkCompat(t, map[string]Tricky{
		"zero": {},
		"full": {
			Shared: "outer", Base: Base{ID: "id", Shared: "inner"}, Other: Base{ID: "o"},
			PtrBase: &PtrBase{PB: "pb", Shared: "ps"}, ID2: "id2",
		},
	})
	checkCompat(t, map[string]Claimless{
		"zero": {},
		"full": {Base: Base{ID: "id"}, BaseName: "bn", hiddenPtr: &hiddenPtr{HP: "hp"}},
	})
}

func TestCompatEmployee(t *testing.T) {
	checkCompat(t, map[string]Employee{
		"zero": {},
		"full": benchmodel.Sample("R&D", 1),
	})
}

// TestSpecialised pins which fields the codec handles itself: everything but
// the types only guregu/dynamo knows (maps, arrays, interfaces, custom
// marshalers, **T).
func TestSpecialised(t *testing.T) {
	tests := []struct {
		typ  reflect.Type
		want []string // the fields handed to guregu/dynamo
	}{
		{reflect.TypeFor[Employee](), nil},
		{reflect.TypeFor[Node](), nil},
		{reflect.TypeFor[Tricky](), nil},
		{reflect.TypeFor[Kitchen](), []string{
			"MapSetBool", "MapSetStruct", "IntMapSet", "Map", "MapOmit", "MapAllowEmpty", "MapNested",
			"Any", "AnyNull", "Text", "TextPtr", "TextSet", "Custom", "CustomPtr", "AWS",
			"Array", "ByteArray",
		}},
	}
	for _, tt := range tests {
		c, err := Compile(tt.typ)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range c.plan.enc {
			if f.fb != nil {
				got = append(got, f.name)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: fields handed to guregu (-want +got):\n%s", tt.typ, diff)
		}
		for _, s := range c.plan.dec {
			if s.field != nil && (s.field.fb != nil) != contains(tt.want, s.field.name) {
				t.Errorf("%s: field %s: decoder fallback = %v, encoder disagrees", tt.typ, s.field.name, s.field.fb != nil)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		item map[string]types.AttributeValue
		want string
	}{
		{"string from N", map[string]types.AttributeValue{"name": &types.AttributeValueMemberN{Value: "1"}}, "cannot decode N into string"},
		{"int from S", map[string]types.AttributeValue{"age": &types.AttributeValueMemberS{Value: "1"}}, "cannot decode S into int"},
		{"bad int", map[string]types.AttributeValue{"age": &types.AttributeValueMemberN{Value: "1.5"}}, "invalid syntax"},
		{"bad time", map[string]types.AttributeValue{"hired": &types.AttributeValueMemberS{Value: "yesterday"}}, "cannot parse"},
		{"set from M", map[string]types.AttributeValue{"skills": &types.AttributeValueMemberM{}}, "cannot decode M into []string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, gotErr, wantErr := decodeBoth(t, tt.item, Employee{})
			if gotErr == nil || !strings.Contains(gotErr.Error(), tt.want) {
				t.Errorf("Decode error = %v, want one containing %q", gotErr, tt.want)
			}
			if wantErr == nil {
				t.Errorf("dynamo.UnmarshalItem succeeded where the codec failed with %v", gotErr)
			}
		})
	}
}
