package query

import (
	"context"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
)

// Create writes item only if no item with its key exists; otherwise it
// returns [ErrAlreadyExists] and changes nothing. It fills the model's
// created and updated attributes and sets a version attribute to 1, in item
// itself.
//
// It calls PutItem with a condition:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
func (r *Table[T]) Create(ctx context.Context, item *T) error {
	in, restore, err := r.createInput(item)
	if err != nil {
		return wrap("create", r.table, err, nil)
	}
	if r.c.HasWriteChecks(r.pub) {
		if done, err := r.checked(ctx, r.putWrite("create", in, restore, ErrAlreadyExists), ""); done {
			return err
		}
	}
	if _, err := r.c.PutItem(ctx, in); err != nil {
		restore()
		return wrapKey("create", r.table, r.keyOfItem(in.Item), err, ErrAlreadyExists)
	}
	return nil
}

func (r *Table[T]) createInput(item *T) (*dynamodb.PutItemInput, func(), error) {
	if item == nil {
		return nil, func() {}, errNilItem
	}
	restore := r.snapshot(item)
	err := r.stamp(item, true)
	if err == nil && r.m.Version != nil {
		err = r.setVersion(reflect.ValueOf(item).Elem(), 1)
	}
	var in *dynamodb.PutItemInput
	if err == nil {
		in, err = r.putInput(item, r.keyMissing(), true)
	}
	if err != nil {
		restore()
		return nil, func() {}, err
	}
	return in, restore, nil
}

// Put writes item, replacing any item with the same key. It fills the
// updated attribute (and created, when zero). For a versioned model, Put
// succeeds only if the stored version equals item's version (or, for
// version 0, if no item exists) and then increments item's version;
// otherwise it returns [ErrVersionConflict].
//
// It calls PutItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
func (r *Table[T]) Put(ctx context.Context, item *T) error {
	in, restore, err := r.putVersioned(item, nil)
	if err != nil {
		return wrap("put", r.table, err, nil)
	}
	if r.c.HasWriteChecks(r.pub) {
		kind := ErrVersionConflict
		if r.m.Version == nil {
			kind = ErrConditionFailed
		}
		if done, err := r.checked(ctx, r.putWrite("put", in, restore, kind), ""); done {
			return err
		}
	}
	if _, err := r.c.PutItem(ctx, in); err != nil {
		restore()
		return wrapKey("put", r.table, r.keyOfItem(in.Item), err, ErrVersionConflict)
	}
	return nil
}

// putVersioned builds a put of item with the version check (if any) and
// the extra conditions conds, all joined with AND.
func (r *Table[T]) putVersioned(item *T, conds []expression.ConditionBuilder) (*dynamodb.PutItemInput, func(), error) {
	if item == nil {
		return nil, func() {}, errNilItem
	}
	restore := r.snapshot(item)
	if err := r.stamp(item, false); err != nil {
		restore()
		return nil, func() {}, err
	}
	all := conds
	if r.m.Version != nil {
		rv := reflect.ValueOf(item).Elem()
		v := r.version(rv)
		cond := r.keyMissing()
		if v != 0 {
			cond = name(r.m.Version.Name).Equal(expression.Value(&types.AttributeValueMemberN{Value: itoa(v)}))
		}
		all = append(all[:len(all):len(all)], cond)
		if err := r.setVersion(rv, v+1); err != nil {
			restore()
			return nil, func() {}, err
		}
	}
	var cond expression.ConditionBuilder
	if len(all) > 0 {
		cond = and(all)
	}
	in, err := r.putInput(item, cond, len(all) > 0)
	if err != nil {
		restore()
		return nil, func() {}, err
	}
	return in, restore, nil
}

// snapshot saves the fields a write may change, to restore them when the
// write fails, so a failed call leaves the caller's value as it was. A
// shallow copy is enough: the write sets fields through
// [mapping.Attribute.SettableFieldOf] and fresh, which replace embedded
// pointers and pointer fields rather than write through them, so nothing
// the copy shares with item changes.
func (r *Table[T]) snapshot(item *T) func() {
	saved := *item
	return func() { *item = saved }
}

func (r *Table[T]) putInput(item *T, cond expression.ConditionBuilder, hasCond bool) (*dynamodb.PutItemInput, error) {
	av, err := r.m.Encode(item)
	if err != nil {
		return nil, err
	}
	if err := r.checkKey(av); err != nil {
		return nil, err
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(r.table), Item: av}
	if hasCond {
		expr, err := expression.NewBuilder().WithCondition(cond).Build()
		if err != nil {
			return nil, err
		}
		in.ConditionExpression = expr.Condition()
		in.ExpressionAttributeNames = expr.Names()
		in.ExpressionAttributeValues = expr.Values()
	}
	return in, nil
}

// checkKey returns an error matching [ErrEmptyKey] when the encoded item
// lacks a key attribute. Encode leaves out, or writes as NULL or as an
// empty string or binary, every key value [mapping.Model.KeyOf] reports as
// empty, so the key need not be encoded a second time.
func (r *Table[T]) checkKey(item map[string]types.AttributeValue) error {
	for _, a := range [2]*mapping.Attribute{r.m.Key.Hash, r.m.Key.Range} {
		if a == nil {
			continue
		}
		switch av := item[a.Name].(type) {
		case nil, *types.AttributeValueMemberNULL: // empty
		case *types.AttributeValueMemberS:
			if av.Value != "" {
				continue
			}
		case *types.AttributeValueMemberB:
			if len(av.Value) > 0 {
				continue
			}
		default:
			continue
		}
		return fmt.Errorf("query: %s: key attribute %s: %w", r.m.Type, a.Name, ErrEmptyKey)
	}
	return nil
}
