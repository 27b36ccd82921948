package itemcodec

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFieldCodecIsTheItemsEncoder: encoding each field of a value on its
// own gives exactly the attribute the whole item holds, for every kitchen
// value (specialised fields, fallbacks, sets, unixtime, omitempty, null).
func TestFieldCodecIsTheItemsEncoder(t *testing.T) {
	c, err := Compile(reflect.TypeFor[Kitchen]())
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range kitchens() {
		rv := reflect.ValueOf(k)
		item, err := c.Encode(rv, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range c.plan.enc {
			fc, err := c.FieldCodec(f.acc.index)
			if err != nil {
				t.Fatal(err)
			}
			fv, ok, err := f.acc.Lookup(rv)
			if err != nil || !ok {
				continue // behind a nil embedded pointer: not in the item
			}
			got, err := fc.Encode(fv)
			if err != nil {
				t.Fatalf("%s: FieldCodec(%s).Encode() error = %v", name, f.name, err)
			}
			if diff := cmp.Diff(item[f.name], got, sameItem); diff != "" {
				t.Errorf("%s: FieldCodec(%s).Encode() differs from the item's attribute (-item +field):\n%s", name, f.name, diff)
			}
			if _, err := fc.EncodeOperand(fv); err != nil {
				t.Errorf("%s: FieldCodec(%s).EncodeOperand() error = %v", name, f.name, err)
			}
		}
	}
}

func TestFieldCodecWrongType(t *testing.T) {
	c, err := Compile(reflect.TypeFor[Kitchen]())
	if err != nil {
		t.Fatal(err)
	}
	fc, err := c.FieldCodec(c.plan.enc[0].acc.index)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fc.Encode(reflect.ValueOf(struct{}{})); err == nil {
		t.Error("Encode(struct{}{}) error = nil, want one")
	}
	if _, err := c.FieldCodec([]int{999}); err == nil {
		t.Error("FieldCodec([999]) error = nil, want one")
	}
}
