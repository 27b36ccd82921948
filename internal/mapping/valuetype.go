package mapping

import (
	"encoding"
	"reflect"
)

var textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()

// ValueType returns the DynamoDB type the attribute's values are written
// as, for tools that show a model: its key type ("S", "N", "B") when it has
// one, else "BOOL", "L", "M", "SS", "NS" or "BS" read from the field's Go
// type, as guregu/dynamo encodes it. It returns "" when the value decides
// (an interface, or a type whose own marshalling method picks the type
// value by value). It is a description, not a promise about every value:
// an empty set, for one, is omitted, not written as a set.
func (a *Attribute) ValueType() string {
	if a.Type != "" {
		return string(a.Type)
	}
	if a.dynamic || a.GoType == nil {
		return ""
	}
	t := deref(a.GoType)
	if t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		return string(String)
	}
	switch t.Kind() {
	case reflect.Bool:
		return "BOOL"
	case reflect.Slice, reflect.Array:
		if a.Set {
			return setType(deref(t.Elem()))
		}
		return "L"
	case reflect.Map:
		if a.Set {
			return setType(deref(t.Key()))
		}
		return "M"
	case reflect.Struct:
		return "M"
	case reflect.Interface:
		return ""
	}
	return ""
}

// setType is the set type whose members are of Go type t.
func setType(t reflect.Type) string {
	switch {
	case t.Kind() == reflect.String, t.Implements(textMarshaler):
		return "SS"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "BS"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64:
		return "NS"
	}
	return ""
}
