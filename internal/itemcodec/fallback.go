package itemcodec

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// fallback hands one field to guregu/dynamo. It wraps the field in a
// one-field struct with the same type and tag options, so guregu applies
// the same rules (omitempty, null, set, ...) it applies to the original.
type fallback struct {
	typ     reflect.Type // the field's type
	wrapper reflect.Type // struct{ F typ `dynamo:"F,options"` }
}

// wrapped is the attribute name of the wrapper's field.
const wrapped = "F"

func newFallback(t reflect.Type, fl flags) *fallback {
	return &fallback{typ: t, wrapper: reflect.StructOf([]reflect.StructField{{
		Name: wrapped,
		Type: t,
		Tag:  reflect.StructTag(`dynamo:"` + fl.tag(wrapped) + `"`),
	}})}
}

// encode returns the field at p encoded by guregu/dynamo, or nil when guregu
// leaves it out of the item.
func (fb *fallback) encode(p unsafe.Pointer) (av types.AttributeValue, err error) {
	defer recoverInto(&err)
	w := reflect.New(fb.wrapper)
	w.Elem().Field(0).Set(reflect.NewAt(fb.typ, p).Elem())
	item, err := dynamo.MarshalItem(w.Interface())
	if err != nil {
		return nil, err
	}
	return item[wrapped], nil
}

// decode sets the field at p from av (nil when the item lacks the
// attribute) as guregu/dynamo would, starting from the field's value.
func (fb *fallback) decode(p unsafe.Pointer, av types.AttributeValue) (err error) {
	defer recoverInto(&err)
	w := reflect.New(fb.wrapper)
	fv := reflect.NewAt(fb.typ, p).Elem()
	w.Elem().Field(0).Set(fv)
	item := make(map[string]types.AttributeValue, 1)
	if av != nil {
		item[wrapped] = av
	}
	if err := dynamo.UnmarshalItem(item, w.Interface()); err != nil {
		return err
	}
	fv.Set(w.Elem().Field(0))
	return nil
}

// recoverInto turns a panic inside guregu/dynamo, which it raises on some
// malformed input, into an error.
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("guregu/dynamo panicked: %v", r)
	}
}
