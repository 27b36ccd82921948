package dynamokit

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
)

// Write is a write as a [WriteCheck] sees it.
type Write struct {
	// Op is "create", "put", "update" or "delete".
	Op string
	// Model is the model of the item written, and Table its table.
	Model *model.Model
	Table string
	// Key is the key of the item written.
	Key map[string]types.AttributeValue
	// Item is the whole item of a create or put; for an update, the
	// attributes it sets, with NULL for those it removes (not those it adds
	// to, whose new value is unknown); nil for a delete.
	Item map[string]types.AttributeValue
	// Batch reports whether the write is part of a batch write, which
	// cannot take extra items: a check that returns any refuses it.
	Batch bool
}

// CheckItem is an item a [WriteCheck] adds to a write's transaction.
type CheckItem struct {
	// Item is the action: usually a ConditionCheck (that a parent
	// exists) or an Update (of a counter).
	Item types.TransactWriteItem
	// What describes it in a *[TxError], such as "check parent departments".
	What string
	// Err is the error a failed condition of Item means, such as a
	// "parent not found" sentinel of the package that registered the
	// check; nil means [ErrConditionFailed].
	Err error
}

// WriteCheck is consulted on every write of a model through package query:
// Create, Put, Update, Delete, BatchPut, BatchDelete and the actions of
// [Client.WriteTx]. It may return items to add to the write; then a
// single write is sent as one TransactWriteItems with them, and the
// actions of a WriteTx get them in the same transaction. A batch write
// that gets extra items is refused with an error naming the call to use
// instead. In a WriteTx, a ConditionCheck a check returns on an item that
// the transaction already puts, checks or updates (another action, or the
// item of an earlier check, such as one parent of two new children) is
// dropped, since DynamoDB allows one operation per item in a transaction;
// on an item an action deletes, it cannot hold afterwards, so the
// transaction is refused before any request, with the item's
// [CheckItem.Err]. Other repeated items are sent and refused by DynamoDB, so a check that
// updates a shared item must not return it twice. A check refuses a write
// by returning an error, which is
// returned to the caller as it is, before any request. A check that
// returns no items leaves the write as it is, at its usual cost.
type WriteCheck func(ctx context.Context, w *Write) ([]CheckItem, error)

// AddWriteCheck registers check for the writes of m's items through c
// (and every copy of c made with [Client.With]). It is meant for packages
// that keep an invariant over writes, such as relations' referential
// integrity; register before the client is used concurrently.
func (c *Client) AddWriteCheck(m *model.Model, check WriteCheck) {
	if m == nil || check == nil {
		return
	}
	if c.checks == nil { // a Client not made by New or NewFromClient
		c.checks = &checks{}
	}
	c.checks.mu.Lock()
	defer c.checks.mu.Unlock()
	if c.checks.byTyp == nil {
		c.checks.byTyp = map[*model.Model][]WriteCheck{}
	}
	c.checks.byTyp[m] = append(slices.Clip(c.checks.byTyp[m]), check)
}

// HasWriteChecks reports whether a write check is registered for m.
func (c *Client) HasWriteChecks(m *model.Model) bool {
	if c == nil || c.checks == nil {
		return false
	}
	c.checks.mu.RLock()
	defer c.checks.mu.RUnlock()
	return len(c.checks.byTyp[m]) > 0
}

// CheckWrite runs the write checks of w's model and returns the writes
// they add. batch names the write as part of a batch, which refuses any
// addition. Only dynamokit's packages call it.
func (c *Client) CheckWrite(ctx context.Context, w txn.Write, batch bool) ([]txn.Write, error) {
	if w.Model == nil || c == nil || c.checks == nil {
		return nil, nil
	}
	c.checks.mu.RLock()
	list := c.checks.byTyp[w.Model]
	c.checks.mu.RUnlock()
	if len(list) == 0 {
		return nil, nil
	}
	table := c.TableName(w.Model)
	cw := &Write{Op: w.Op, Model: w.Model, Table: table, Key: w.Key, Item: w.Attrs, Batch: batch}
	var out []txn.Write
	for _, check := range list {
		items, err := check(ctx, cw)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			kind := it.Err
			if kind == nil {
				kind = ErrConditionFailed
			}
			out = append(out, txn.Write{
				Item: it.Item, Undo: func() {}, What: it.What,
				Fail: func(map[string]types.AttributeValue) error { return kind },
			})
		}
	}
	if batch && len(out) > 0 {
		return nil, &Error{Op: "batch " + w.Op, Table: table, Key: w.Key, Err: fmt.Errorf("%s needs a transaction (%s): write it with Table.%s or Client.WriteTx instead", w.Op, out[0].What, singleCall(w.Op))}
	}
	return out, nil
}

// singleCall names the call of package query that makes a write of op
// alone.
func singleCall(op string) string {
	switch op {
	case "put":
		return "Put"
	case "delete":
		return "Delete"
	}
	return "Create"
}
