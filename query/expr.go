package query

import (
	"bytes"
	"fmt"
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

// encodeValue encodes v as the value of attribute a for a sort-key range
// and a timestamp: a unixtime (or TTL) time as a number of seconds. It
// returns nil for a value an item would omit (nil, "", a zero unixtime).
//
// The value must read back into the attribute's field: a value that would
// not (a string for an int field, say) is an error, before any request.
// Conditions and update operands do not come here: they go through the
// attribute's own field encoder (see [Cond] and [Update.Set]).
func encodeValue(a *model.Attribute, v any) (types.AttributeValue, error) {
	av, err := encodeRaw(a, v)
	if err != nil || av == nil || a.GoType == nil {
		return av, err
	}
	if err := dynamo.Unmarshal(av, reflect.New(a.GoType).Interface()); err != nil {
		return nil, fmt.Errorf("a %T value cannot be stored in a %s field: %w", v, a.GoType, err)
	}
	return av, nil
}

// encodeRaw is encodeValue without the read-back check.
func encodeRaw(a *model.Attribute, v any) (types.AttributeValue, error) {
	if av, ok := v.(types.AttributeValue); ok {
		return av, nil
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil, nil
	}
	if a.UnixTime && rv.Type() == typeTime {
		t := rv.Interface().(time.Time)
		if t.IsZero() {
			return nil, nil
		}
		return &types.AttributeValueMemberN{Value: itoa(t.Unix())}, nil
	}
	return dynamo.Marshal(v)
}

var typeTime = reflect.TypeFor[time.Time]()
