package itemcodec

import (
	"reflect"
	"testing"
)

func TestForRejectsNonStructs(t *testing.T) {
	for _, typ := range []reflect.Type{nil, reflect.TypeFor[int](), reflect.TypeFor[*Employee]()} {
		if c, err := For(typ); err == nil {
			t.Errorf("For(%v) = %v, want an error", typ, c)
		}
	}
}

func TestEncodeDecodeWrongType(t *testing.T) {
	c, err := For(reflect.TypeFor[Employee]())
	if err != nil {
		t.Fatal(err)
	}
	var n Node
	if _, err := c.Encode(reflect.ValueOf(n), 0); err == nil {
		t.Error("Encode(Node) with an Employee codec succeeded")
	}
	if err := c.Decode(nil, reflect.ValueOf(&n).Elem()); err == nil {
		t.Error("Decode into a Node with an Employee codec succeeded")
	}
	var e Employee
	if err := c.Decode(nil, reflect.ValueOf(e)); err == nil {
		t.Error("Decode into an unaddressable Employee succeeded")
	}
}

// BenchmarkFor measures a cached codec (hit) and compiling one (miss), for
// the struct with every kind of field.
func BenchmarkFor(b *testing.B) {
	typ := reflect.TypeFor[Kitchen]()
	b.Run("hit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := For(typ); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("miss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			compile(typ)
		}
	})
}
