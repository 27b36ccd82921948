package itemcodec

import (
	"fmt"
	"reflect"
	"slices"
	"unsafe"

	"github.com/dynamokit/dynamokit/internal/structtag"
)

// Field is where one field of a struct type sits: its index path (as
// reflect.Value.FieldByIndex takes it) and the offsets and embedded
// pointers the plan follows to reach it. Every field of a compiled plan
// carries one, so reading, writing, encoding and decoding a field all
// follow the same path. It is immutable.
//
// Unlike reflect.Value.FieldByIndex, a Field never panics on a nil
// embedded pointer: [Field.Value] reads through it as the zero value, and
// [Field.Settable] allocates it.
type Field struct {
	path   path           // the field's location as offsets and hops
	typ    reflect.Type   // the field's type
	owner  reflect.Type   // the outermost struct type
	index  []int          // the same location as an index path from owner
	elems  []reflect.Type // the type each hop of path points to
	goName string         // the Go field name, for errors
	// tag is the field's parsed tags, from internal/structtag.
	tag *structtag.Tag
	// keyType is the DynamoDB type the field's encoder writes, set when
	// the plan settles.
	keyType KeyType
}

// child returns the location of sf, the field at index i of the struct at f.
func (f Field) child(sf reflect.StructField, i int) Field {
	return Field{
		owner:  f.owner,
		goName: sf.Name,
		typ:    sf.Type,
		index:  append(f.index[:len(f.index):len(f.index)], i),
		path:   f.path.child(sf.Offset, false),
		elems:  f.elems,
	}
}

// embedded returns the location of the struct that the embedded field at f
// holds: f itself, or what f points to.
func (f Field) embedded() Field {
	if f.typ.Kind() == reflect.Pointer {
		return f.deref()
	}
	return f
}

// deref returns the location of the struct that the pointer at f points to.
func (f Field) deref() Field {
	elem := f.typ.Elem()
	return Field{
		owner:  f.owner,
		goName: f.goName,
		typ:    elem,
		index:  f.index,
		path:   f.path.child(0, true),
		elems:  append(f.elems[:len(f.elems):len(f.elems)], elem),
	}
}

// Type returns the field's type.
func (f *Field) Type() reflect.Type { return f.typ }

// Tag returns the field's parsed tags: the very ones the model reads, since
// internal/structtag parses each struct type once. The caller must not
// modify them.
func (f *Field) Tag() *structtag.Tag { return f.tag }

// Index returns the field's index path from the outermost struct. The
// caller must not modify it.
func (f *Field) Index() []int { return f.index }

// Value returns the field in v, a value of the struct type the field
// belongs to. A nil embedded pointer on the way reads as the zero value of
// the field's type. When v is addressable, the result shares v's memory; it
// is not for setting: see [Field.Settable]. It returns an error for a value
// of another type.
func (f *Field) Value(v reflect.Value) (reflect.Value, error) {
	fv, _, err := f.Lookup(v)
	return fv, err
}

// Lookup is [Field.Value], and also reports whether the field is reached:
// ok is false when a nil embedded pointer hides it, so that, like the
// encoder, a caller can leave it out.
func (f *Field) Lookup(v reflect.Value) (fv reflect.Value, ok bool, err error) {
	if err := f.check(v); err != nil {
		return reflect.Value{}, false, err
	}
	if !v.CanAddr() {
		fv, err := v.FieldByIndexErr(f.index)
		if err != nil {
			return reflect.Zero(f.typ), false, nil // behind a nil embedded pointer
		}
		return fv, true, nil
	}
	at := f.path.addr(v.Addr().UnsafePointer())
	if at == nil {
		return reflect.Zero(f.typ), false, nil
	}
	return reflect.NewAt(f.typ, at).Elem(), true, nil
}

// Settable returns the field in v, a settable value of the struct type the
// field belongs to, ready to be set. Each embedded pointer on the way is
// first replaced by a pointer to a copy of the struct it points to (to a
// new zero struct when it is nil), so setting the field changes v alone:
// never a value that shared those pointers with v, such as the value v was
// copied from. Without embedded pointers it allocates nothing. It returns
// an error for a value of another type or one that cannot be set.
func (f *Field) Settable(v reflect.Value) (reflect.Value, error) {
	if err := f.check(v); err != nil {
		return reflect.Value{}, err
	}
	if !v.CanSet() {
		return reflect.Value{}, fmt.Errorf("itemcodec: %s.%s: the %s value cannot be set", f.owner, f.goName, f.owner)
	}
	base := v.Addr().UnsafePointer()
	for i, h := range f.path.hops {
		slot := (*unsafe.Pointer)(unsafe.Add(base, h))
		cp := reflect.New(f.elems[i])
		if *slot != nil {
			cp.Elem().Set(reflect.NewAt(f.elems[i], *slot).Elem())
		}
		*slot = cp.UnsafePointer()
		base = *slot
	}
	return reflect.NewAt(f.typ, unsafe.Add(base, f.path.off)).Elem(), nil
}

// check returns an error unless v is a value of the field's owner type.
func (f *Field) check(v reflect.Value) error {
	if !v.IsValid() {
		return fmt.Errorf("itemcodec: %s.%s: no value", f.owner, f.goName)
	}
	if v.Type() != f.owner {
		return fmt.Errorf("itemcodec: %s.%s: a value of type %s is not a %s", f.owner, f.goName, v.Type(), f.owner)
	}
	return nil
}

// Field returns the field at index (an index path from the codec's type,
// as reflect.Value.FieldByIndex takes it) among the fields the codec
// encodes or decodes. It returns an error for a field that guregu/dynamo
// neither encodes nor decodes, such as one named "-".
func (c *Codec) Field(index []int) (*Field, error) {
	for _, s := range c.plan.dec {
		if s.field != nil && slices.Equal(s.field.acc.index, index) {
			return s.field.acc, nil
		}
	}
	for _, f := range c.plan.enc {
		if slices.Equal(f.acc.index, index) {
			return f.acc, nil
		}
	}
	return nil, fmt.Errorf("itemcodec: %s has no field at index %v that guregu/dynamo encodes or decodes", c.typ, index)
}
