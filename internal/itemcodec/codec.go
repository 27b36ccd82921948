package itemcodec

import (
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// Codec encodes and decodes the items of one struct type. It is immutable
// and safe for concurrent use.
type Codec struct {
	typ  reflect.Type
	plan *plan
	// The type implements guregu/dynamo's item interfaces, which replace
	// field-by-field encoding; the codec then defers to guregu/dynamo.
	marshaler, unmarshaler bool
}

var (
	typeItemMarshaler   = reflect.TypeFor[dynamo.ItemMarshaler]()
	typeItemUnmarshaler = reflect.TypeFor[dynamo.ItemUnmarshaler]()
)

// Compile returns the codec of the struct type t. It returns an error for a
// type that is not a struct, and for a time layout option that the codec
// cannot apply (see the layout option). It compiles on every call: the
// caller keeps the result, as internal/mapping keeps one codec in the
// mapping of each model type, so there is one cache of them. The walk of
// each struct type it reads is cached by internal/structtag.
func Compile(t reflect.Type) (*Codec, error) {
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("itemcodec: %v is not a struct type", t)
	}
	p, err := compile(t)
	if err != nil {
		return nil, err
	}
	return &Codec{
		typ:         t,
		plan:        p,
		marshaler:   t.Implements(typeItemMarshaler),
		unmarshaler: reflect.PointerTo(t).Implements(typeItemUnmarshaler),
	}, nil
}

// Encode returns the item of v, a value of the codec's type, as
// guregu/dynamo's MarshalItem would. The map has room for extra more
// attributes, for a caller that adds its own.
func (c *Codec) Encode(v reflect.Value, extra int) (map[string]types.AttributeValue, error) {
	if v.Type() != c.typ {
		return nil, fmt.Errorf("itemcodec: encode: value of type %s is not a %s", v.Type(), c.typ)
	}
	if c.marshaler {
		return dynamo.MarshalItem(v.Interface())
	}
	if !v.CanAddr() {
		addressable := reflect.New(c.typ).Elem()
		addressable.Set(v)
		v = addressable
	}
	item, err := c.plan.encode(v.Addr().UnsafePointer(), extra)
	if err != nil {
		return nil, fmt.Errorf("itemcodec: %w", err)
	}
	return item, nil
}

// Decode sets v, an addressable value of the codec's type, from item, as
// guregu/dynamo's UnmarshalItem would; a time field also reads the other
// common ISO 8601 forms (see the layout option). An attribute that cannot
// be decoded returns a *[DecodeError] naming the field.
func (c *Codec) Decode(item map[string]types.AttributeValue, v reflect.Value) error {
	if v.Type() != c.typ || !v.CanSet() {
		return fmt.Errorf("itemcodec: decode: want a settable %s, got %s", c.typ, v.Type())
	}
	if c.unmarshaler {
		return dynamo.UnmarshalItem(item, v.Addr().Interface())
	}
	if err := c.plan.decode(v.Addr().UnsafePointer(), item); err != nil {
		if fe, ok := err.(*fieldError); ok {
			return &DecodeError{Type: c.typ, Field: fe.goPath, Attribute: fe.path, Err: fe.err}
		}
		return fmt.Errorf("itemcodec: %w", err)
	}
	return nil
}
