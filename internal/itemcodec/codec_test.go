package itemcodec

import (
	"reflect"
	"testing"
)

func TestForRejectsNonStructs(t *testing.T) {
	for _, typ := range []reflect.Type{nil, reflect.TypeFor[int](), reflect.TypeFor[*Employee]()} {
		if c, err := Compile(typ); err == nil {
			t.Errorf("Compile(%v) = %v, want an error", typ, c)
		}
	}
}

func TestEncodeDecodeWrongType(t *testing.T) {
	c, err := Compile(reflect.TypeFor[Employee]())
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

// BenchmarkCompile measures compiling the codec of the struct with every
// kind of field (its walk cached by internal/structtag, as after the first
// call).
func BenchmarkCompile(b *testing.B) {
	typ := reflect.TypeFor[Kitchen]()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(typ); err != nil {
			b.Fatal(err)
		}
	}
}
