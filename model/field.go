package model

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/dynamokit/dynamokit/internal/itemcodec"
)

// errComputed is returned by the field accessors of a computed attribute.
var errComputed = errors.New("a computed attribute has no field")

// bindFields gives every plain attribute the accessor of its field in the
// codec's compiled plan, so that reading and writing a field follow the
// path that encoding and decoding follow.
func (b *builder) bindFields() error {
	c, err := itemcodec.For(b.t)
	if err != nil {
		return b.fail("", "", err.Error())
	}
	for _, a := range b.m.Attributes {
		a.owner = b.t
		if a.Template != nil {
			continue
		}
		if a.field, err = c.Field(a.Index); err != nil {
			return b.fail(a.Field, "", "guregu/dynamo neither encodes nor decodes this field")
		}
		if a.codec, err = c.FieldCodec(a.Index); err != nil {
			return b.fail(a.Field, "", "guregu/dynamo does not encode this field")
		}
	}
	return nil
}

// FieldOf returns the attribute's field in v, a struct value of the
// model's type. An embedded pointer on the way is read through, and a nil
// one reads as the zero value of the field's type: unlike
// reflect.Value.FieldByIndex, it never panics. When v is addressable the
// result shares its memory; to set the field use
// [Attribute.SettableFieldOf]. It returns an error for a computed attribute
// or a value of another type.
func (a *Attribute) FieldOf(v reflect.Value) (reflect.Value, error) {
	if a.field == nil {
		return reflect.Value{}, fmt.Errorf("model: attribute %s: %w", a.Name, errComputed)
	}
	f, err := a.field.Value(v)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("model: attribute %s: %w", a.Name, err)
	}
	return f, nil
}

// SettableFieldOf returns the attribute's field in v, a settable struct
// value of the model's type, ready to be set. Each embedded pointer on the
// way is first replaced by a pointer to a copy of the struct it points to
// (a new one when it is nil), so setting the field changes v alone and never
// a value that shares those pointers, such as the value v was copied from:
// a shallow copy of a model value may be written through this way. Without
// embedded pointers it allocates nothing. It returns an error for a
// computed attribute, or a value of another type or that cannot be set.
func (a *Attribute) SettableFieldOf(v reflect.Value) (reflect.Value, error) {
	if a.field == nil {
		return reflect.Value{}, fmt.Errorf("model: attribute %s: %w", a.Name, errComputed)
	}
	f, err := a.field.Settable(v)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("model: attribute %s: %w", a.Name, err)
	}
	return f, nil
}
