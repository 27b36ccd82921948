package query

import (
	"context"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Delete removes the item with key's key. Deleting an item that does not
// exist is not an error. With conditions, the item is deleted only if all
// hold; otherwise it returns [ErrConditionFailed]. For a versioned model and
// a key whose version is not 0, the stored version must match, or it returns
// [ErrVersionConflict].
//
// It calls DeleteItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
func (r *Repo[T]) Delete(ctx context.Context, key T, conds ...expression.ConditionBuilder) error {
	in, kind, err := r.deleteInput(&key, conds)
	if err != nil {
		return wrap("delete", r.table, err, nil)
	}
	_, err = r.db.Client().DeleteItem(ctx, in)
	return wrap("delete", r.table, err, kind)
}

func (r *Repo[T]) deleteInput(key *T, conds []expression.ConditionBuilder) (*dynamodb.DeleteItemInput, error, error) {
	k, err := r.m.KeyOf(key)
	if err != nil {
		return nil, nil, err
	}
	in := &dynamodb.DeleteItemInput{TableName: aws.String(r.table), Key: k}
	kind := ErrConditionFailed
	all := conds
	if r.m.Version != nil {
		if v := r.version(reflect.ValueOf(key).Elem()); v != 0 {
			all = append(all[:len(all):len(all)], name(r.m.Version.Name).Equal(expression.Value(&types.AttributeValueMemberN{Value: itoa(v)})))
			if len(conds) == 0 {
				kind = ErrVersionConflict
			}
		}
	}
	if len(all) > 0 {
		expr, err := expression.NewBuilder().WithCondition(and(all)).Build()
		if err != nil {
			return nil, nil, err
		}
		in.ConditionExpression = expr.Condition()
		in.ExpressionAttributeNames = expr.Names()
		in.ExpressionAttributeValues = expr.Values()
	}
	return in, kind, nil
}

// and joins conditions; expression.And needs at least two.
func and(conds []expression.ConditionBuilder) expression.ConditionBuilder {
	if len(conds) == 1 {
		return conds[0]
	}
	return expression.And(conds[0], conds[1], conds[2:]...)
}
