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

// Name returns the expression name of a top-level attribute, for the
// conditions given to [Query.Filter], [Scan.Filter], [Update.If],
// [Repo.Delete] and [Repo.Check]. Unlike expression.Name it never splits
// attr at dots, so it works for every attribute name a model may have
// ("a.b", "#x", "first name"); like every name and value, it is sent as a
// placeholder.
func Name(attr string) expression.NameBuilder { return expression.NameNoDotSplit(attr) }

// name is [Name] for the package's own use.
func name(attr string) expression.NameBuilder { return expression.NameNoDotSplit(attr) }

// and joins conditions; expression.And needs at least two.
func and(conds []expression.ConditionBuilder) expression.ConditionBuilder {
	if len(conds) == 1 {
		return conds[0]
	}
	return expression.And(conds[0], conds[1], conds[2:]...)
}

// marshal encodes a caller's value with guregu/dynamo's rules, so values in
// expressions match values in items. A types.AttributeValue is used as is,
// and nil (or a value dynamo omits, such as "") becomes NULL.
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

var typeTime = reflect.TypeFor[time.Time]()

// encodeValue encodes v as the value of attribute a, the way the whole
// item would be encoded: a set attribute becomes a set, a unixtime (or TTL)
// time a number of seconds. It returns nil for a value an item would omit
// (nil, "", an empty set, a zero unixtime): an update removes the attribute
// instead.
//
// The value must read back into the attribute's field: a value that would
// make the stored item undecodable (a string for an int field, say) is an
// error, before any request.
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
	switch {
	case a.Set:
		return setOf(v)
	case a.UnixTime && rv.Type() == typeTime:
		t := rv.Interface().(time.Time)
		if t.IsZero() {
			return nil, nil
		}
		return &types.AttributeValueMemberN{Value: itoa(t.Unix())}, nil
	}
	return dynamo.Marshal(v)
}

// setOf encodes elems as one string, number or binary set. Each element may
// be a scalar, a slice or array of scalars, or a set; they are flattened,
// and must all have the same type. It returns nil for no elements, since
// DynamoDB has no empty sets.
func setOf(elems ...any) (types.AttributeValue, error) {
	var (
		kind    string
		strs    []string
		binary  [][]byte
		addElem func(av types.AttributeValue) error
	)
	same := func(k string) error {
		if kind != "" && kind != k {
			return fmt.Errorf("query: set elements of different types (%s and %s)", kind, k)
		}
		kind = k
		return nil
	}
	addElem = func(av types.AttributeValue) error {
		switch x := av.(type) {
		case *types.AttributeValueMemberS:
			strs = append(strs, x.Value)
			return same("S")
		case *types.AttributeValueMemberN:
			strs = append(strs, x.Value)
			return same("N")
		case *types.AttributeValueMemberB:
			binary = append(binary, x.Value)
			return same("B")
		case *types.AttributeValueMemberSS:
			strs = append(strs, x.Value...)
			return same("S")
		case *types.AttributeValueMemberNS:
			strs = append(strs, x.Value...)
			return same("N")
		case *types.AttributeValueMemberBS:
			binary = append(binary, x.Value...)
			return same("B")
		case *types.AttributeValueMemberL:
			for _, e := range x.Value {
				switch e.(type) {
				case *types.AttributeValueMemberL, *types.AttributeValueMemberSS, *types.AttributeValueMemberNS, *types.AttributeValueMemberBS:
					return fmt.Errorf("query: a set element cannot be a list or a set")
				}
				if err := addElem(e); err != nil {
					return err
				}
			}
			return nil
		case nil:
			return nil
		}
		return fmt.Errorf("query: a set element must be a string, number or binary, not %T", av)
	}
	for _, e := range elems {
		if rv := reflect.ValueOf(e); rv.Kind() == reflect.Map && isSetElem(rv.Type().Elem()) {
			// map[K]struct{} and map[K]bool are sets, as with the set
			// option of guregu/dynamo.
			for it := rv.MapRange(); it.Next(); {
				if v := it.Value(); v.Kind() == reflect.Bool && !v.Bool() {
					continue
				}
				av, err := dynamo.Marshal(it.Key().Interface())
				if err != nil {
					return nil, fmt.Errorf("query: set element: %w", err)
				}
				if err := addElem(av); err != nil {
					return nil, err
				}
			}
			continue
		}
		av, ok := e.(types.AttributeValue)
		if !ok {
			var err error
			if av, err = dynamo.Marshal(e); err != nil {
				return nil, fmt.Errorf("query: set element: %w", err)
			}
		}
		if err := addElem(av); err != nil {
			return nil, err
		}
	}
	switch {
	case kind == "S" && len(strs) > 0:
		return &types.AttributeValueMemberSS{Value: unique(strs)}, nil
	case kind == "N" && len(strs) > 0:
		return &types.AttributeValueMemberNS{Value: unique(strs)}, nil
	case kind == "B" && len(binary) > 0:
		slices.SortFunc(binary, bytes.Compare)
		return &types.AttributeValueMemberBS{Value: slices.CompactFunc(binary, bytes.Equal)}, nil
	}
	return nil, nil
}

// isSetElem reports whether a map with values of type t is a set, as with
// guregu/dynamo's set option: map[K]struct{} or map[K]bool.
func isSetElem(t reflect.Type) bool {
	return t.Kind() == reflect.Bool || t.Kind() == reflect.Struct && t.NumField() == 0
}

// unique sorts s and drops repeated elements, which DynamoDB rejects in a
// set. Sets have no order, so sorting only makes requests deterministic.
func unique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
