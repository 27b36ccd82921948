package query

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// checked runs the write checks of the client on the single write w. When
// they add items, it sends w with them as one TransactWriteItems and
// reports done, with the error w would have returned on its own (or the
// error of the added item whose condition failed). When they add none, it
// reports not done: the caller sends w as usual, at its usual cost.
//
// noTx, when set, refuses a write the checks add items to, before any
// request, with an error saying so: for a call whose result a transaction
// cannot give.
func (r *Table[T]) checked(ctx context.Context, w txn.Write, noTx string) (done bool, err error) {
	w2, extra, err := r.c.CheckWrite(ctx, w, false)
	if err != nil {
		w.Undo()
		return true, err
	}
	changed := w2.Item != w.Item
	if len(extra) == 0 && !changed {
		return false, nil
	}
	if noTx != "" {
		w.Undo()
		return true, &dynamokit.Error{Op: w.Op, Table: r.table, Key: w.Key, Err: errors.New(noTx)}
	}
	if len(extra) == 0 {
		// A check changed the write alone (a condition, a put that keeps
		// other attributes): still one request.
		return true, r.sendOne(ctx, w2)
	}
	err = r.c.SendTx(ctx, nil, append([]txn.Write{w2}, extra...))
	if err == nil {
		return true, nil
	}
	w.Undo()
	var te *dynamokit.TxError
	if errors.As(err, &te) {
		for _, reason := range te.Reasons {
			if reason.Failed() {
				return true, &dynamokit.Error{Op: w.Op, Table: r.table, Key: w.Key, Kind: reason.Kind, Err: te}
			}
		}
	}
	return true, wrap(w.Op, r.table, err, nil)
}

// sendOne sends the built write w as a single request: PutItem,
// UpdateItem or DeleteItem.
func (r *Table[T]) sendOne(ctx context.Context, w txn.Write) error {
	var err error
	switch it := w.Item; {
	case it.Put != nil:
		_, err = r.c.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: it.Put.TableName, Item: it.Put.Item, ConditionExpression: it.Put.ConditionExpression,
			ExpressionAttributeNames: it.Put.ExpressionAttributeNames, ExpressionAttributeValues: it.Put.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: it.Put.ReturnValuesOnConditionCheckFailure,
		})
	case it.Update != nil:
		_, err = r.c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: it.Update.TableName, Key: it.Update.Key, UpdateExpression: it.Update.UpdateExpression,
			ConditionExpression: it.Update.ConditionExpression, ExpressionAttributeNames: it.Update.ExpressionAttributeNames,
			ExpressionAttributeValues:           it.Update.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: it.Update.ReturnValuesOnConditionCheckFailure,
		})
	case it.Delete != nil:
		_, err = r.c.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: it.Delete.TableName, Key: it.Delete.Key, ConditionExpression: it.Delete.ConditionExpression,
			ExpressionAttributeNames: it.Delete.ExpressionAttributeNames, ExpressionAttributeValues: it.Delete.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: it.Delete.ReturnValuesOnConditionCheckFailure,
		})
	default:
		return r.c.SendTx(ctx, nil, []txn.Write{w})
	}
	if err == nil {
		return nil
	}
	w.Undo()
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) && w.Fail != nil {
		return &dynamokit.Error{Op: w.Op, Table: r.table, Key: w.Key, Kind: w.Fail(ccf.Item), Err: err}
	}
	return wrap(w.Op, r.table, err, nil)
}
