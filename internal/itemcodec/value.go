package itemcodec

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// FieldCodec encodes values of one field on their own, exactly as the
// field is encoded inside an item: with the same compiled encoder, or the
// same guregu/dynamo fallback, and the same tag options. It is what
// update operands and condition values go through, so they cannot
// disagree with the items. It is immutable.
type FieldCodec struct {
	f       *field
	operand *fallback // f.fb without omitempty; nil without a fallback
}

// FieldCodec returns the codec of the field at index (an index path from
// the codec's type), which must be a field the codec encodes.
func (c *Codec) FieldCodec(index []int) (*FieldCodec, error) {
	var f *field
	for _, e := range c.plan.enc {
		if slices.Equal(e.acc.index, index) {
			f = e
			break
		}
	}
	if f == nil {
		for _, s := range c.plan.dec {
			if s.field != nil && slices.Equal(s.field.acc.index, index) {
				f = s.field
				break
			}
		}
	}
	if f == nil {
		return nil, fmt.Errorf("itemcodec: %s has no field at index %v that guregu/dynamo encodes", c.typ, index)
	}
	fc := &FieldCodec{f: f}
	if f.fb != nil {
		fc.operand = newFallback(f.acc.typ, f.flags&^flagOmitEmpty)
	}
	return fc, nil
}

// Type returns the field's type: the type of the values Encode takes.
func (fc *FieldCodec) Type() reflect.Type { return fc.f.acc.typ }

// Encode returns v, a value of the field's type, as an item would hold
// it, omitempty included: nil when the item would hold no attribute.
func (fc *FieldCodec) Encode(v reflect.Value) (types.AttributeValue, error) {
	return fc.encode(v, true)
}

// EncodeOperand is [FieldCodec.Encode] without the omitempty option: the
// value an item would hold if it kept the attribute, which is what a
// comparison needs (0 is less than 1 even when an item omits a 0). It
// returns nil only for a value no item can hold, such as an empty string
// without allowempty.
func (fc *FieldCodec) EncodeOperand(v reflect.Value) (types.AttributeValue, error) {
	return fc.encode(v, false)
}

func (fc *FieldCodec) encode(v reflect.Value, omitEmpty bool) (types.AttributeValue, error) {
	f := fc.f
	if v.Type() != f.acc.typ {
		return nil, fmt.Errorf("itemcodec: %s.%s: a value of type %s is not a %s", f.acc.owner, f.acc.goName, v.Type(), f.acc.typ)
	}
	if !v.CanAddr() {
		cp := reflect.New(v.Type()).Elem()
		cp.Set(v)
		v = cp
	}
	p := v.Addr().UnsafePointer()
	var (
		av  types.AttributeValue
		err error
	)
	switch {
	case f.fb != nil && omitEmpty:
		av, err = f.fb.encode(p)
	case f.fb != nil:
		av, err = fc.operand.encode(p)
	default:
		if omitEmpty && f.flags&flagOmitEmpty != 0 && f.node.isZero(p) {
			return nil, nil
		}
		var sl slab
		av, err = f.node.encode(p, &sl)
		if av == nil && f.flags&flagNull != 0 {
			av = &types.AttributeValueMemberNULL{Value: true}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("itemcodec: %w", wrapField(f, err))
	}
	return av, nil
}
