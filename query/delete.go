package query

import (
	"context"
	"errors"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
)

// Delete removes the item with key's key. Deleting an item that does not
// exist is not an error, as in DynamoDB.
//
// With conditions (see [Cond]), the item is deleted only if all hold; otherwise it returns [ErrConditionFailed]. For a versioned
// model and a key whose version is not 0, the stored version must match, or
// it returns [ErrVersionConflict]. A condition or version check on an item
// that does not exist returns [ErrNotFound]: pass [Table.KeyExists] to ask
// for that alone.
//
// It calls DeleteItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
func (r *Table[T]) Delete(ctx context.Context, key T, conds ...Cond) error {
	in, err := r.deleteInput(&key, conds)
	if err != nil {
		return wrap("delete", r.table, err, nil)
	}
	if r.c.HasWriteChecks(r.pub) {
		if done, err := r.checked(ctx, r.deleteWrite(in, key), ""); done {
			return err
		}
	}
	_, err = r.c.DeleteItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return &dynamokit.Error{Op: "delete", Table: r.table, Key: in.Key, Kind: r.conditionKind(ccf.Item, r.version(reflect.ValueOf(&key).Elem())), Err: err}
	}
	return wrapKey("delete", r.table, in.Key, err, nil)
}

// deleteInput builds the DeleteItem request without I/O.
func (r *Table[T]) deleteInput(key *T, conds []Cond) (*dynamodb.DeleteItemInput, error) {
	k, err := r.m.KeyOf(key)
	if err != nil {
		return nil, err
	}
	all, err := bindConds(r.m, "condition", conds)
	if err != nil {
		return nil, err
	}
	in := &dynamodb.DeleteItemInput{TableName: aws.String(r.table), Key: k}
	if r.m.Version != nil {
		if v := r.version(reflect.ValueOf(key).Elem()); v != 0 {
			all = append(all[:len(all):len(all)], name(r.m.Version.Name).Equal(expression.Value(&types.AttributeValueMemberN{Value: itoa(v)})))
		}
	}
	if len(all) > 0 {
		expr, err := expression.NewBuilder().WithCondition(and(all)).Build()
		if err != nil {
			return nil, err
		}
		in.ConditionExpression = expr.Condition()
		in.ExpressionAttributeNames = expr.Names()
		in.ExpressionAttributeValues = expr.Values()
		in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	return in, nil
}
