package migrate

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/relations"
)

// The writes of one item. Each is a draft of package txn with the
// runner's model, so the client's write rules (a relations.Graph) apply to
// it exactly as to a write of package query: a rewrite in place is one
// PutItem (or UpdateItem, for a parent whose counter it keeps), unless the
// rules add items; a re-key is one TransactWriteItems that deletes the old
// item and creates the new one, with what the rules add.

// maxCondAttrs is how many attributes the "still as read" condition
// compares one by one; an item with more is compared by its version
// attribute, and one without is not rewritten (DynamoDB limits a
// condition expression to 4 KB).
const maxCondAttrs = 80

// keyOf returns the key attributes of an item under the model.
func (r *Runner) keyOf(item Item) Item {
	k := make(Item, 2)
	for _, a := range [2]*mapping.Attribute{r.m.Key.Hash, r.m.Key.Range} {
		if a != nil {
			if v, ok := item[a.Name]; ok {
				k[a.Name] = v
			}
		}
	}
	return k
}

// asRead is the condition that the item is as it was read: every
// attribute equal (and none added), or, for a big item, its version.
func (r *Runner) asRead(old Item) ([]expression.ConditionBuilder, error) {
	names := slices.Sorted(maps.Keys(old))
	if len(names) > maxCondAttrs {
		v := r.m.Version
		if v == nil || old[v.Name] == nil {
			return nil, errors.New("migrate: the item has more than 80 attributes and no version attribute, so no condition can tell that it is unchanged")
		}
		return []expression.ConditionBuilder{expression.NameNoDotSplit(v.Name).Equal(expression.Value(old[v.Name]))}, nil
	}
	out := make([]expression.ConditionBuilder, 0, len(names)+len(r.m.Attributes))
	for _, n := range names {
		out = append(out, expression.NameNoDotSplit(n).Equal(expression.Value(old[n])))
	}
	// Equality cannot see an attribute added since the read: the model's
	// attributes the item lacked must still be missing.
	for _, a := range r.m.Attributes {
		if _, ok := old[a.Name]; !ok {
			out = append(out, expression.AttributeNotExists(expression.NameNoDotSplit(a.Name)))
		}
	}
	return out, nil
}

func noUndo() {}

// action is a planned or unplanned draft as a WriteTx action.
type action struct{ w *txn.Write }

// TxWrite returns the draft.
func (a action) TxWrite(k txn.Key) (*txn.Write, error) {
	if !k.Sealed() {
		return nil, txn.ErrUnsealed
	}
	return a.w, nil
}

// rewrite writes new in place of old, which has the same key.
func (r *Runner) rewrite(ctx context.Context, old, new Item, extra []dynamokit.TxAction) error {
	conds, err := r.asRead(old)
	if err != nil {
		return err
	}
	key := r.keyOf(old)
	// The put sets what changed and what the model declares, keeps the
	// stored attributes outside the model it does not mention (such as a
	// relation's counter, which a put may not set), and removes the ones
	// the step dropped.
	item := make(Item, len(new))
	var removed []string
	for n, v := range new {
		if r.m.Attribute(n) != nil || key[n] != nil || old[n] == nil || !itemcodec.EqualValues(old[n], v) {
			item[n] = v
		}
	}
	for n := range old {
		if _, ok := new[n]; !ok && r.m.Attribute(n) == nil {
			removed = append(removed, n)
		}
	}
	w := &txn.Write{Op: txn.OpPut, What: "migrate " + r.table, Model: r.pub, Table: r.table, Key: key,
		Item: item, Attrs: new, Conds: conds, KeepOther: true, Undo: noUndo,
		Fail: func(map[string]types.AttributeValue) error { return errChanged }}
	if len(removed) > 0 {
		var upd expression.UpdateBuilder
		for _, n := range slices.Sorted(slices.Values(removed)) {
			upd = upd.Remove(expression.NameNoDotSplit(n))
		}
		w.Update = &upd
	}
	if len(extra) > 0 {
		return r.c.WriteTx(ctx, nil, append([]dynamokit.TxAction{action{w}}, extra...)...)
	}
	return r.send(ctx, w)
}

// rekey deletes old and creates new, whose key differs, in one
// transaction.
func (r *Runner) rekey(ctx context.Context, old, new Item, extra []dynamokit.TxAction) error {
	conds, err := r.asRead(old)
	if err != nil {
		return err
	}
	del := &txn.Write{Op: txn.OpDelete, What: "migrate: delete the old item of " + r.table, Model: r.pub, Table: r.table,
		Key: r.keyOf(old), Conds: conds, Undo: noUndo,
		Fail: func(map[string]types.AttributeValue) error { return errChanged }}
	item := maps.Clone(new)
	create := &txn.Write{Op: txn.OpCreate, What: "migrate: create the new item of " + r.table, Model: r.pub, Table: r.table,
		Key: r.keyOf(new), Item: item, Attrs: item, Undo: noUndo,
		Conds: []expression.ConditionBuilder{expression.AttributeNotExists(expression.NameNoDotSplit(r.m.Key.Hash.Name))},
		Fail:  func(map[string]types.AttributeValue) error { return errTargetExists }}
	return r.c.WriteTx(ctx, nil, append([]dynamokit.TxAction{action{del}, action{create}}, extra...)...)
}

// remove deletes old, on condition that it is as read: the old item of an
// item the application has written under its new key.
func (r *Runner) remove(ctx context.Context, old Item) error {
	conds, err := r.asRead(old)
	if err != nil {
		return err
	}
	del := &txn.Write{Op: txn.OpDelete, What: "migrate: delete the old item of " + r.table, Model: r.pub, Table: r.table,
		Key: r.keyOf(old), Conds: conds, Undo: noUndo,
		Fail: func(map[string]types.AttributeValue) error { return errChanged }}
	return r.send(ctx, del)
}

// check sends extra with the condition that old is as read: an item the
// migration leaves as it is, with the actions of an [Also] step.
func (r *Runner) check(ctx context.Context, old Item, extra []dynamokit.TxAction) error {
	conds, err := r.asRead(old)
	if err != nil {
		return err
	}
	w := &txn.Write{Op: txn.OpCheck, What: "migrate: check " + r.table, Table: r.table, Key: r.keyOf(old), Conds: conds, Undo: noUndo,
		Fail: func(map[string]types.AttributeValue) error { return errChanged }}
	return r.c.WriteTx(ctx, nil, append([]dynamokit.TxAction{action{w}}, extra...)...)
}

// send plans one write under the client's rules and sends it alone, or in
// a transaction with the items the rules add.
func (r *Runner) send(ctx context.Context, w *txn.Write) error {
	all, err := txn.Plan(ctx, clientlink.WriteRules(r.c), []*txn.Write{w})
	if err != nil {
		return err
	}
	if len(all) > 1 {
		w.Planned, w.With = true, all[1:]
		return r.c.WriteTx(ctx, nil, action{w})
	}
	it, err := w.TransactItem()
	if err != nil {
		return err
	}
	switch {
	case it.Put != nil:
		_, err = r.c.Executor().PutItem(ctx, &dynamodb.PutItemInput{
			TableName: it.Put.TableName, Item: it.Put.Item, ConditionExpression: it.Put.ConditionExpression,
			ExpressionAttributeNames: it.Put.ExpressionAttributeNames, ExpressionAttributeValues: it.Put.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: it.Put.ReturnValuesOnConditionCheckFailure,
		})
	case it.Update != nil:
		_, err = r.c.Executor().UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: it.Update.TableName, Key: it.Update.Key, UpdateExpression: it.Update.UpdateExpression,
			ConditionExpression: it.Update.ConditionExpression, ExpressionAttributeNames: it.Update.ExpressionAttributeNames,
			ExpressionAttributeValues:           it.Update.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: it.Update.ReturnValuesOnConditionCheckFailure,
		})
	case it.Delete != nil:
		_, err = r.c.Executor().DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: it.Delete.TableName, Key: it.Delete.Key, ConditionExpression: it.Delete.ConditionExpression,
			ExpressionAttributeNames: it.Delete.ExpressionAttributeNames, ExpressionAttributeValues: it.Delete.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: it.Delete.ReturnValuesOnConditionCheckFailure,
		})
	default:
		w.Planned = true
		return r.c.WriteTx(ctx, nil, action{w})
	}
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return &failed{kind: w.Failure(ccf.Item), err: err}
	}
	return err
}

// failed is a single write whose condition failed, with what it means.
type failed struct {
	kind error
	err  error
}

func (f *failed) Error() string {
	if f.kind != nil {
		return f.kind.Error()
	}
	return f.err.Error()
}

func (f *failed) Unwrap() []error { return []error{f.kind, f.err} }

// outcome is what the failure of an item's write means for the runner.
type outcome int

const (
	outFatal   outcome = iota // stop the run
	outChanged                // the item changed since read (or the outcome is unknown): read it again
	outTarget                 // the new key holds an item
	outItem                   // the item cannot be migrated: count it as failed, go on
)

// classify tells what a write's error means.
func classify(err error) outcome {
	var (
		te  *dynamokit.TxError
		rf  *txn.Refusal
		fld *failed
	)
	switch {
	case errors.As(err, &fld):
		switch {
		case errors.Is(fld.kind, errChanged):
			return outChanged
		case fld.kind != nil:
			return outItem // a rule's condition, such as a relation's
		}
		return outChanged
	case errors.As(err, &te):
		for _, reason := range te.Reasons {
			if !reason.Failed() {
				continue
			}
			switch {
			case errors.Is(reason.Kind, errChanged):
				return outChanged
			case errors.Is(reason.Kind, errTargetExists):
				return outTarget
			}
		}
		if te.Is(dynamokit.ErrConditionFailed) {
			return outItem
		}
		return outChanged // a conflict of transactions: try again
	case errors.Is(err, dynamokit.ErrUnknownOutcome):
		return outChanged
	case errors.As(err, &rf), errors.Is(err, relations.ErrNeedsRelation):
		return outFatal
	}
	return outFatal
}
