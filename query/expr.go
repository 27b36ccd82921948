package query

import (
	"bytes"
	"reflect"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/guregu/dynamo/v2"
)

// name is the SDK name of a top-level attribute, never split at dots.
func name(attr string) expression.NameBuilder { return expression.NameNoDotSplit(attr) }

// and joins conditions; expression.And needs at least two.
func and(conds []expression.ConditionBuilder) expression.ConditionBuilder {
	if len(conds) == 1 {
		return conds[0]
	}
	return expression.And(conds[0], conds[1], conds[2:]...)
}

// marshal encodes a value compared with a [Path], which names no field,
// with guregu/dynamo's rules for its Go type. A types.AttributeValue is
// used as is, and nil (or a value dynamo omits, such as "") becomes NULL.
func marshal(v any) (types.AttributeValue, error) {
	if av, ok := v.(types.AttributeValue); ok {
		return av, nil
	}
	av, err := dynamo.Marshal(v)
	if err != nil {
		return nil, err
	}
	if av == nil {
		return &types.AttributeValueMemberNULL{Value: true}, nil
	}
	return av, nil
}

// uniqueSet drops repeated elements from a set value, which DynamoDB
// rejects (the item encoder, like guregu/dynamo, keeps them). Sets have
// no order, so sorting only makes requests deterministic.
func uniqueSet(av types.AttributeValue) types.AttributeValue {
	switch x := av.(type) {
	case *types.AttributeValueMemberSS:
		slices.Sort(x.Value)
		x.Value = slices.Compact(x.Value)
	case *types.AttributeValueMemberNS:
		slices.Sort(x.Value)
		x.Value = slices.Compact(x.Value)
	case *types.AttributeValueMemberBS:
		slices.SortFunc(x.Value, bytes.Compare)
		x.Value = slices.CompactFunc(x.Value, bytes.Equal)
	}
	return av
}

// encodeValue encodes v as the value of attribute a for a sort-key range
// and a timestamp, by the attribute's own field encoder, as conditions and
// update operands are (see [Cond] and [Update.Set]): a unixtime time becomes
// seconds, a time with a layout is written in it, a MarshalText type as its
// text. v must be of the field's type, a pointer to it, or a plain Go value
// of the same kind that converts without loss; anything else is an error
// naming the attribute and the type it holds, before any request. A raw
// types.AttributeValue is passed through. It returns nil for a nil pointer.
func encodeValue(a *mapping.Attribute, v any) (types.AttributeValue, error) {
	if av, ok := v.(types.AttributeValue); ok {
		return av, nil
	}
	if rv := reflect.ValueOf(v); !rv.IsValid() || rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, nil
	}
	fv, err := a.Convert(v)
	if err != nil {
		return nil, err
	}
	return a.EncodeOperand(fv)
}

var typeTime = reflect.TypeFor[time.Time]()
