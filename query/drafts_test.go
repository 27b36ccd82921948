package query

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// The tests below render drafts into the requests a write sends alone,
// with no write rules.

func putRequest(w *txn.Write) (*dynamodb.PutItemInput, error) {
	it, err := w.TransactItem()
	if err != nil {
		return nil, err
	}
	p := it.Put
	return &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression,
		ExpressionAttributeNames: p.ExpressionAttributeNames, ExpressionAttributeValues: p.ExpressionAttributeValues,
		ReturnValuesOnConditionCheckFailure: p.ReturnValuesOnConditionCheckFailure}, nil
}

func (r *Table[T]) testPut(item *T, conds []expression.ConditionBuilder) (*dynamodb.PutItemInput, func(), error) {
	w, err := r.putVersioned(item, conds, dynamokit.ErrVersionConflict)
	if err != nil {
		return nil, func() {}, err
	}
	in, err := putRequest(w)
	return in, w.Undo, err
}

func (r *Table[T]) testCreate(item *T) (*dynamodb.PutItemInput, func(), error) {
	w, err := r.createWrite(item)
	if err != nil {
		return nil, func() {}, err
	}
	in, err := putRequest(w)
	return in, w.Undo, err
}

func (r *Table[T]) testDelete(key *T, conds []Cond) (*dynamodb.DeleteItemInput, error) {
	w, err := r.deleteWrite(key, conds)
	if err != nil {
		return nil, err
	}
	it, err := w.TransactItem()
	if err != nil {
		return nil, err
	}
	d := it.Delete
	return &dynamodb.DeleteItemInput{TableName: d.TableName, Key: d.Key, ConditionExpression: d.ConditionExpression,
		ExpressionAttributeNames: d.ExpressionAttributeNames, ExpressionAttributeValues: d.ExpressionAttributeValues,
		ReturnValuesOnConditionCheckFailure: d.ReturnValuesOnConditionCheckFailure}, nil
}

func (u *Update[T]) input() (*dynamodb.UpdateItemInput, error) {
	w, err := u.write()
	if err != nil {
		return nil, err
	}
	it, err := w.TransactItem()
	if err != nil {
		return nil, err
	}
	x := it.Update
	return &dynamodb.UpdateItemInput{TableName: x.TableName, Key: x.Key, UpdateExpression: x.UpdateExpression,
		ConditionExpression: x.ConditionExpression, ExpressionAttributeNames: x.ExpressionAttributeNames,
		ExpressionAttributeValues: x.ExpressionAttributeValues, ReturnValuesOnConditionCheckFailure: x.ReturnValuesOnConditionCheckFailure}, nil
}
