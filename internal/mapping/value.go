package mapping

import (
	"fmt"
	"math"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ValueError is returned for a Go value that an attribute cannot hold:
// a value of another type than the attribute's field, or a number that
// does not fit it. Update operands and condition values are checked this
// way before they are encoded. It is always returned as a pointer.
type ValueError struct {
	Type      reflect.Type // the model type
	Attribute string       // the attribute's DynamoDB name
	Want      reflect.Type // the type the attribute holds (an element's type when Elem is set)
	Got       reflect.Type // the value's type; nil for nil
	Elem      bool         // the value was given as an element of a set or list
	Reason    string       // why a value of a convertible type was refused, or ""
}

// Error implements the error interface.
func (e *ValueError) Error() string {
	what := "values"
	if e.Elem {
		what = "elements"
	}
	if e.Reason != "" {
		return fmt.Sprintf("model: attribute %s of %s holds %s of type %s: %s", e.Attribute, e.Type, what, e.Want, e.Reason)
	}
	got := "nil"
	if e.Got != nil {
		got = e.Got.String()
	}
	return fmt.Sprintf("model: attribute %s of %s holds %s of type %s, not %s", e.Attribute, e.Type, what, e.Want, got)
}

var typeString = reflect.TypeFor[string]()

// Convert returns v as a value of the attribute's field type, for
// [Attribute.Encode]: v must be of that type, a pointer to it (for a
// pointer field, the type it points to), or a value of a predeclared Go
// type of the same kind that converts without loss (the int of an
// untyped constant for an int64 field, a string for a named string type).
// A computed attribute holds strings. It returns the invalid
// reflect.Value for nil, or a nil pointer given for a field that is not a
// pointer: no value. Any other value is a
// *[ValueError] naming the attribute and the type it holds.
func (a *Attribute) Convert(v any) (reflect.Value, error) {
	want := a.GoType
	if a.Computed() {
		want = typeString
	}
	rv := reflect.ValueOf(v)
	out, reason, ok := convert(rv, want)
	if !ok {
		return reflect.Value{}, &ValueError{Type: a.owner, Attribute: a.Name, Want: want, Got: typeOf(rv), Reason: reason}
	}
	return out, nil
}

// Elements returns a value of the attribute's field type (a slice, or a
// map used as a set) that holds elems. Each element is converted as
// [Attribute.Convert] converts a value, to the element type; an element
// that is itself a value of the field's type adds all of its elements.
func (a *Attribute) Elements(elems []any) (reflect.Value, error) {
	t := a.GoType
	var et reflect.Type
	switch {
	case t == nil:
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		et = t.Elem()
	case t.Kind() == reflect.Map && (t.Elem().Kind() == reflect.Bool || t.Elem().Kind() == reflect.Struct && t.Elem().NumField() == 0):
		et = t.Key()
	}
	if et == nil {
		return reflect.Value{}, fmt.Errorf("model: attribute %s of %s is not a set or a list", a.Name, a.owner)
	}
	var out reflect.Value
	if t.Kind() == reflect.Slice {
		out = reflect.MakeSlice(t, 0, len(elems))
	} else {
		out = reflect.MakeMapWithSize(t, len(elems))
	}
	add := func(e reflect.Value) {
		if out.Kind() == reflect.Slice {
			out = reflect.Append(out, e)
			return
		}
		if t.Elem().Kind() == reflect.Bool {
			out.SetMapIndex(e, reflect.ValueOf(true).Convert(t.Elem()))
		} else {
			out.SetMapIndex(e, reflect.Zero(t.Elem()))
		}
	}
	for _, e := range elems {
		rv := reflect.ValueOf(e)
		if all, _, ok := convert(rv, t); ok && all.IsValid() {
			if all.Kind() == reflect.Slice {
				for i := range all.Len() {
					add(all.Index(i))
				}
			} else {
				for it := all.MapRange(); it.Next(); {
					if v := it.Value(); v.Kind() == reflect.Bool && !v.Bool() {
						continue
					}
					add(it.Key())
				}
			}
			continue
		}
		ev, reason, ok := convert(rv, et)
		if !ok || !ev.IsValid() {
			return reflect.Value{}, &ValueError{Type: a.owner, Attribute: a.Name, Want: et, Got: typeOf(rv), Elem: true, Reason: reason}
		}
		add(ev)
	}
	return out, nil
}

// Encode returns fv, a value from [Attribute.Convert] or
// [Attribute.Elements], as an item holds it: encoded by the field's own
// encoder, with every option of its tag (set, unixtime, omitempty, null,
// a custom marshaler...). It returns nil when an item would hold no
// attribute for it, and for the invalid reflect.Value.
func (a *Attribute) Encode(fv reflect.Value) (types.AttributeValue, error) {
	return a.encode(fv, true)
}

// EncodeOperand is [Attribute.Encode] without the omitempty option, for a
// value compared with the attribute: 0 is less than 1 even when an item
// would leave a 0 out.
func (a *Attribute) EncodeOperand(fv reflect.Value) (types.AttributeValue, error) {
	return a.encode(fv, false)
}

func (a *Attribute) encode(fv reflect.Value, omitEmpty bool) (types.AttributeValue, error) {
	if !fv.IsValid() {
		return nil, nil
	}
	if a.codec == nil {
		if fv.Type() != typeString {
			return nil, &ValueError{Type: a.owner, Attribute: a.Name, Want: typeString, Got: fv.Type()}
		}
		if fv.String() == "" {
			return nil, nil
		}
		return &types.AttributeValueMemberS{Value: fv.String()}, nil
	}
	var (
		av  types.AttributeValue
		err error
	)
	if omitEmpty {
		av, err = a.codec.Encode(fv)
	} else {
		av, err = a.codec.EncodeOperand(fv)
	}
	if err != nil {
		return nil, fmt.Errorf("model: attribute %s of %s: %w", a.Name, a.owner, err)
	}
	return av, nil
}

func typeOf(rv reflect.Value) reflect.Type {
	if !rv.IsValid() {
		return nil
	}
	return rv.Type()
}

// convert returns rv as a value of type t, by the rules of
// [Attribute.Convert]; the invalid Value for nil or a nil pointer. ok is
// false when it cannot, with a reason when the types were convertible.
func convert(rv reflect.Value, t reflect.Type) (out reflect.Value, reason string, ok bool) {
	if !rv.IsValid() {
		return rv, "", true
	}
	vt := rv.Type()
	switch {
	case vt == t:
		return rv, "", true
	case vt.AssignableTo(t):
		out := reflect.New(t).Elem()
		out.Set(rv)
		return out, "", true
	case vt.Kind() == reflect.Pointer && t.Kind() != reflect.Pointer:
		if rv.IsNil() {
			if _, _, ok := convert(reflect.Zero(vt.Elem()), t); ok {
				return reflect.Value{}, "", true
			}
			return reflect.Value{}, "", false
		}
		return convert(rv.Elem(), t)
	case t.Kind() == reflect.Pointer && vt.Kind() != reflect.Pointer:
		ev, reason, ok := convert(rv, t.Elem())
		if !ok || !ev.IsValid() {
			return ev, reason, ok
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(ev)
		return p, "", true
	case vt.PkgPath() != "" || vt.Name() == "":
		return reflect.Value{}, "", false // only predeclared types convert
	}
	switch k := t.Kind(); {
	case k == reflect.String && vt.Kind() == reflect.String,
		k == reflect.Bool && vt.Kind() == reflect.Bool:
		return rv.Convert(t), "", true
	case isInt(k), isUint(k), isFloat(k):
		return convertNumber(rv, t)
	}
	return reflect.Value{}, "", false
}

func isInt(k reflect.Kind) bool  { return k >= reflect.Int && k <= reflect.Int64 }
func isUint(k reflect.Kind) bool { return k >= reflect.Uint && k <= reflect.Uintptr }
func isFloat(k reflect.Kind) bool {
	return k == reflect.Float32 || k == reflect.Float64
}

// convertNumber converts the number rv to the number type t, refusing a
// value that would change on the way.
func convertNumber(rv reflect.Value, t reflect.Type) (reflect.Value, string, bool) {
	vk, k := rv.Kind(), t.Kind()
	out := reflect.New(t).Elem()
	bad := func() (reflect.Value, string, bool) {
		return reflect.Value{}, fmt.Sprintf("%v does not fit", rv), false
	}
	switch {
	case isInt(vk):
		n := rv.Int()
		switch {
		case isInt(k) && !out.OverflowInt(n):
			out.SetInt(n)
		case isUint(k) && n >= 0 && !out.OverflowUint(uint64(n)):
			out.SetUint(uint64(n))
		case isFloat(k):
			out.SetFloat(float64(n))
		default:
			return bad()
		}
	case isUint(vk):
		n := rv.Uint()
		switch {
		case isInt(k) && n <= math.MaxInt64 && !out.OverflowInt(int64(n)):
			out.SetInt(int64(n))
		case isUint(k) && !out.OverflowUint(n):
			out.SetUint(n)
		case isFloat(k):
			out.SetFloat(float64(n))
		default:
			return bad()
		}
	case isFloat(vk):
		f := rv.Float()
		switch {
		case isFloat(k) && !out.OverflowFloat(f):
			out.SetFloat(f)
		case isInt(k) && f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 && !out.OverflowInt(int64(f)):
			out.SetInt(int64(f))
		case isUint(k) && f == math.Trunc(f) && f >= 0 && f < math.MaxUint64 && !out.OverflowUint(uint64(f)):
			out.SetUint(uint64(f))
		default:
			return bad()
		}
	default:
		return reflect.Value{}, "", false
	}
	return out, "", true
}
