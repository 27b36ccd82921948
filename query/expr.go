package query

import (
	"bytes"
	"reflect"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
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

// encodeValue encodes v as attribute a's field encodes it in an item: v
// must be of the field's Go type (see [model.Attribute.Convert]). It
// returns nil for a value an item would omit.
func encodeValue(a *model.Attribute, v any) (types.AttributeValue, error) {
	fv, err := a.Convert(v)
	if err != nil {
		return nil, err
	}
	return a.Encode(fv)
}

var typeTime = reflect.TypeFor[time.Time]()
