package query

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// The write path. Every write of a Table is first a draft (a *txn.Write:
// the item, update and conditions as expression builders); the write rules
// of the client ([dynamokit.WithRules]) are applied to the draft by
// txn.Plan, which adds their conditions and counters to it and returns the
// other items they need; only then is the request built, once. A write
// the rules add nothing to is one PutItem, UpdateItem or DeleteItem, at
// its usual cost; one they add items to is one TransactWriteItems.

// rules returns the write rules of the Table's client (nil: none).
func (r *Table[T]) rules() txn.Rules {
	return clientlink.WriteRules(r.c)
}

// draft returns a write of the Table's model.
func (r *Table[T]) draft(op string, key mapping.Item) *txn.Write {
	return &txn.Write{Op: op, What: op + " " + r.table, Model: r.pub, Table: r.table, Key: key, Undo: noUndo}
}

// send plans the single write w and sends it: alone when the rules add no
// other item, else in one TransactWriteItems with those items. rv asks an
// update for the item after it (types.ReturnValueNone: nothing); noTx,
// when set, refuses before any request a write the rules add items to,
// for a call whose result a transaction cannot give. On failure w.Undo
// has been called.
func (r *Table[T]) send(ctx context.Context, w *txn.Write, rv types.ReturnValue, noTx string) (map[string]types.AttributeValue, error) {
	all, err := txn.Plan(ctx, r.rules(), []*txn.Write{w})
	if err != nil {
		w.Undo()
		return nil, refused(apiOp(w.Op), r.table, w.Key, err)
	}
	if len(all) > 1 {
		if noTx != "" {
			w.Undo()
			return nil, &dynamokit.Error{Op: txOp, Table: r.table, Key: w.Key, Err: errors.New(noTx)}
		}
		w.Planned, w.With = true, all[1:]
		err := r.c.WriteTx(ctx, nil, planned{w})
		if err == nil {
			return nil, nil
		}
		var te *dynamokit.TxError
		if errors.As(err, &te) {
			for _, reason := range te.Reasons {
				if reason.Failed() {
					return nil, &dynamokit.Error{Op: txOp, Table: r.table, Key: w.Key, Kind: reason.Kind, Err: te}
				}
			}
		}
		return nil, txFailure(r.table, w.Key, err)
	}
	it, err := w.TransactItem()
	if err != nil {
		w.Undo()
		return nil, wrapKey(apiOp(w.Op), r.table, w.Key, err, nil)
	}
	var out map[string]types.AttributeValue
	switch {
	case it.Put != nil:
		_, err = r.c.Executor().PutItem(ctx, &dynamodb.PutItemInput{
			TableName: it.Put.TableName, Item: it.Put.Item, ConditionExpression: it.Put.ConditionExpression,
			ExpressionAttributeNames: it.Put.ExpressionAttributeNames, ExpressionAttributeValues: it.Put.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: it.Put.ReturnValuesOnConditionCheckFailure,
		})
	case it.Update != nil:
		var o *dynamodb.UpdateItemOutput
		o, err = r.c.Executor().UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: it.Update.TableName, Key: it.Update.Key, UpdateExpression: it.Update.UpdateExpression,
			ConditionExpression: it.Update.ConditionExpression, ExpressionAttributeNames: it.Update.ExpressionAttributeNames,
			ExpressionAttributeValues:           it.Update.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: it.Update.ReturnValuesOnConditionCheckFailure,
			ReturnValues:                        rv,
		})
		if o != nil {
			out = o.Attributes
		}
	case it.Delete != nil:
		_, err = r.c.Executor().DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: it.Delete.TableName, Key: it.Delete.Key, ConditionExpression: it.Delete.ConditionExpression,
			ExpressionAttributeNames: it.Delete.ExpressionAttributeNames, ExpressionAttributeValues: it.Delete.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: it.Delete.ReturnValuesOnConditionCheckFailure,
		})
	default:
		w.Planned = true
		if err = r.c.WriteTx(ctx, nil, planned{w}); err != nil {
			w.Undo()
			return nil, txFailure(r.table, w.Key, err)
		}
	}
	if err == nil {
		return out, nil
	}
	w.Undo()
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil, wrapKey(apiOp(w.Op), r.table, w.Key, err, w.Failure(ccf.Item))
	}
	return nil, wrapKey(apiOp(w.Op), r.table, w.Key, err, nil)
}

// txOp is the DynamoDB operation of a write sent in a transaction.
const txOp = "TransactWriteItems"

// apiOp is the DynamoDB operation that sends a write of kind op (one of
// the txn Op constants) alone; a check or an add goes in a transaction.
func apiOp(op string) string {
	switch op {
	case txn.OpCreate, txn.OpPut:
		return "PutItem"
	case txn.OpUpdate:
		return "UpdateItem"
	case txn.OpDelete:
		return "DeleteItem"
	}
	return txOp
}

// txFailure is the error of a write sent by WriteTx: WriteTx's own
// *dynamokit.Error, which already says what failed, as it is; any other
// error as an error of the transaction on the item with key.
func txFailure(table string, key mapping.Item, err error) error {
	var e *dynamokit.Error
	if errors.As(err, &e) && (e.Op != txOp || e.Key != nil || e.Kind != nil) {
		return err // a request's or a rule's error, already described
	}
	return wrapKey(txOp, table, key, err, nil)
}

// planned is a write the rules have been applied to, sent by WriteTx with
// the items they added.
type planned struct{ w *txn.Write }

// TxWrite returns the write.
func (p planned) TxWrite(k txn.Key) (*txn.Write, error) {
	if !k.Sealed() {
		return nil, txn.ErrUnsealed
	}
	return p.w, nil
}

// refused makes a refusal of the rules an error of op; another error of
// the rules that holds no *dynamokit.Error (a write only a relation's verb
// may make, such as a Delete of an edge) is an error of op on table and
// key (nil for a batch), which it refused before any request.
func refused(op, table string, key mapping.Item, err error) error {
	var (
		rf *txn.Refusal
		e  *dynamokit.Error
	)
	switch {
	case errors.As(err, &rf):
		return &dynamokit.Error{Op: op, Table: rf.Table, Key: rf.Key, Err: rf}
	case errors.As(err, &e):
		return err // a rule's request failed, and its error says so
	}
	return &dynamokit.Error{Op: op, Table: table, Key: key, Err: errtext.Quoted{Err: err}}
}
