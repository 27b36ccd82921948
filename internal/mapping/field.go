package mapping

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/dynamokit/dynamokit/internal/itemcodec"
)

// errComputed is returned by the field accessors of a computed attribute.
var errComputed = errors.New("a computed attribute has no field")

// bindField gives the plain attribute a the accessor of its field in the
// codec's compiled plan, so that reading and writing a field follow the
// path that encoding and decoding follow, and takes a's DynamoDB type from
// the encoder the codec uses for the field: a key is declared in the table
// with the type its values are written as.
func (b *builder) bindField(a *Attribute) error {
	f, err := b.codec.Field(a.Index)
	if err != nil {
		return b.fail(a.Field, "", "guregu/dynamo neither encodes nor decodes this field")
	}
	a.field = f
	a.owner = b.t
	if a.codec, err = b.codec.FieldCodec(a.Index); err != nil {
		return b.fail(a.Field, "", "guregu/dynamo does not encode this field")
	}
	switch k := f.KeyType(); k {
	case itemcodec.KeyS:
		a.Type = String
	case itemcodec.KeyN:
		a.Type = Number
	case itemcodec.KeyB:
		a.Type = Binary
	case itemcodec.Dynamic:
		a.dynamic = true
	}
	return nil
}

// notKeyable says why no key can be a, an attribute without a Type.
func (a *Attribute) notKeyable() string {
	t := a.GoType.String()
	switch {
	case a.dynamic && deref(a.GoType).Kind() == reflect.Interface:
		return t + ": the type of each value decides its DynamoDB type (want a string, number or []byte type)"
	case a.dynamic:
		return t + ": its MarshalDynamo or MarshalDynamoDBAttributeValue method picks the type value by value, so the table's key type cannot be known (key on a string, number or []byte type, or one with a MarshalText method, written as a string)"
	}
	return t + " (want a string, number or []byte, or a type with a MarshalText method)"
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
