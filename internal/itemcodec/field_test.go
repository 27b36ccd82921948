package itemcodec

import (
	"reflect"
	"strings"
	"testing"
)

// Stamps and Deep are embedded by pointer in Nested, Deep twice over.
type Stamps struct {
	Version int `dynamo:"version"`
	*Deep
}

type Deep struct {
	Note string `dynamo:"note"`
}

type Nested struct {
	ID string `dynamo:"id"`
	*Stamps
	Skipped string `dynamo:"-"`
}

// fieldOf returns the accessor of the field of T at index.
func fieldOf[T any](t *testing.T, index ...int) *Field {
	t.Helper()
	c, err := Compile(reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.Field(index)
	if err != nil {
		t.Fatalf("Field(%v): %v", index, err)
	}
	return f
}

func TestFieldValue(t *testing.T) {
	id, version, note := fieldOf[Nested](t, 0), fieldOf[Nested](t, 1, 0), fieldOf[Nested](t, 1, 1, 0)
	full := Nested{ID: "a", Stamps: &Stamps{Version: 3, Deep: &Deep{Note: "n"}}}
	tests := []struct {
		name  string
		v     Nested
		f     *Field
		want  any
		found bool
	}{
		{"plain field", full, id, "a", true},
		{"behind one pointer", full, version, 3, true},
		{"behind two pointers", full, note, "n", true},
		{"nil first pointer", Nested{ID: "a"}, note, "", false},
		{"nil second pointer", Nested{Stamps: &Stamps{Version: 2}}, note, "", false},
		{"nil pointer, int", Nested{}, version, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range []reflect.Value{reflect.ValueOf(&tt.v).Elem(), reflect.ValueOf(tt.v)} {
				got, found, err := tt.f.Lookup(v)
				if err != nil {
					t.Fatalf("Lookup (addressable %v): %v", v.CanAddr(), err)
				}
				if got.Interface() != tt.want || found != tt.found {
					t.Errorf("Lookup (addressable %v) = %v, %v, want %v, %v", v.CanAddr(), got, found, tt.want, tt.found)
				}
				if val, err := tt.f.Value(v); err != nil || val.Interface() != tt.want {
					t.Errorf("Value (addressable %v) = %v, %v, want %v", v.CanAddr(), val, err, tt.want)
				}
			}
		})
	}
}

func TestFieldSettable(t *testing.T) {
	note := fieldOf[Nested](t, 1, 1, 0)
	t.Run("allocates nil pointers", func(t *testing.T) {
		var v Nested
		f, err := note.Settable(reflect.ValueOf(&v).Elem())
		if err != nil {
			t.Fatal(err)
		}
		f.SetString("set")
		if v.Stamps == nil || v.Deep == nil || v.Note != "set" {
			t.Errorf("after setting note on a zero Nested: %+v", v)
		}
	})
	t.Run("leaves shallow copies alone", func(t *testing.T) {
		orig := Nested{ID: "a", Stamps: &Stamps{Version: 3, Deep: &Deep{Note: "old"}}}
		cp := orig // shares Stamps and Deep
		f, err := note.Settable(reflect.ValueOf(&cp).Elem())
		if err != nil {
			t.Fatal(err)
		}
		f.SetString("new")
		if orig.Note != "old" || cp.Note != "new" || cp.Version != 3 {
			t.Errorf("original note %q, copy's note %q and version %d; want old, new, 3", orig.Note, cp.Note, cp.Version)
		}
		if cp.Stamps == orig.Stamps || cp.Deep == orig.Deep {
			t.Error("the copy still shares an embedded pointer it wrote through")
		}
	})
	t.Run("no allocation without embedded pointers", func(t *testing.T) {
		id := fieldOf[Nested](t, 0)
		var v Nested
		rv := reflect.ValueOf(&v).Elem()
		allocs := testing.AllocsPerRun(100, func() {
			f, _ := id.Settable(rv)
			f.SetString("x")
		})
		if allocs != 0 {
			t.Errorf("Settable of a plain field: %v allocations, want 0", allocs)
		}
	})
}

func TestFieldErrors(t *testing.T) {
	note := fieldOf[Nested](t, 1, 1, 0)
	var n Nested
	var e Employee
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"Value of another type", func() error { _, err := note.Value(reflect.ValueOf(e)); return err }, "is not a"},
		{"Value of no value", func() error { _, err := note.Value(reflect.Value{}); return err }, "no value"},
		{"Settable of another type", func() error { _, err := note.Settable(reflect.ValueOf(&e).Elem()); return err }, "is not a"},
		{"Settable of an unaddressable value", func() error { _, err := note.Settable(reflect.ValueOf(n)); return err }, "cannot be set"},
		{"Field skipped by guregu", func() error {
			c, err := Compile(reflect.TypeFor[Nested]())
			if err != nil {
				return err
			}
			_, err = c.Field([]int{2})
			return err
		}, "no field at index [2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if n.Stamps != nil {
		t.Error("a refused Settable allocated")
	}
}

// TestFieldIsThePlansField checks that the accessor is the one the plan
// encodes and decodes with: same index path, same offsets.
func TestFieldIsThePlansField(t *testing.T) {
	c, err := Compile(reflect.TypeFor[Nested]())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range c.plan.enc {
		got, err := c.Field(f.acc.index)
		if err != nil {
			t.Fatalf("Field(%v) of encoded attribute %s: %v", f.acc.index, f.name, err)
		}
		if !reflect.DeepEqual(got, f.acc) || !reflect.DeepEqual(got.path, f.path) {
			t.Errorf("Field(%v) = %+v, want the plan's %+v at %v", f.acc.index, got, f.acc, f.path)
		}
		sf := reflect.TypeFor[Nested]().FieldByIndex(f.acc.index)
		if sf.Type != f.acc.typ {
			t.Errorf("attribute %s: index %v is field %s of type %s, want type %s", f.name, f.acc.index, sf.Name, sf.Type, f.acc.typ)
		}
	}
}
