package dynamokit

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"github.com/dynamokit/dynamokit/internal/mapping"
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
	// attributes it sets, with NULL for those it removes (not those in
	// Unknown); nil for a delete.
	Item map[string]types.AttributeValue
	// Unknown names, for an update, the attributes it changes to a value
	// that depends on the stored item, and so is not in Item: those it
	// adds to (a number or a set), removes set elements from, appends or
	// prepends to, or sets only if they have no value (SetIfNotExists).
	// A check that keeps an invariant over an attribute must refuse an
	// update that names it here, or read the item after the write.
	Unknown []string
	// Batch reports whether the write is part of a batch write, which
	// cannot take extra items: a check that returns any refuses it.
	Batch bool
	// KeepOther is set by a check, on a put, to keep the attributes of the
	// stored item that are not the model's (such as the children counter
	// package relations keeps on a parent): the put is then sent as one
	// UpdateItem that sets every attribute of the item and removes the
	// model's attributes it lacks, with the put's condition. It costs the
	// same request and write units as the put. A batch put cannot do it
	// and is refused.
	KeepOther bool
	// Extra is set by a check, on a create, to attributes to write with
	// the new item that are not the model's (such as a children counter
	// starting at 0). They cost nothing more than their size.
	Extra map[string]types.AttributeValue
}

// CheckItem is an item a [WriteCheck] adds to a write's transaction.
type CheckItem struct {
	// Item is the action: usually a ConditionCheck (that a parent
	// exists) or an Update (of a counter). A ConditionCheck on the item
	// written itself (same table and key) is not sent as an item of its
	// own, which DynamoDB would refuse, but joined with AND to the
	// write's condition; if the write had no condition of its own, a
	// failure is reported as Err.
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

// CheckWrite runs the write checks of w's model and returns w as they
// changed it (a condition joined to its own, a put made an update that
// keeps other attributes) and the writes they add. Two checks that add
// the same item add it once. batch names the write as part of a batch,
// which refuses any addition or change. Only dynamokit's packages call
// it.
func (c *Client) CheckWrite(ctx context.Context, w txn.Write, batch bool) (txn.Write, []txn.Write, error) {
	if w.Model == nil || c == nil || c.checks == nil {
		return w, nil, nil
	}
	c.checks.mu.RLock()
	list := c.checks.byTyp[w.Model]
	c.checks.mu.RUnlock()
	if len(list) == 0 {
		return w, nil, nil
	}
	table := c.TableName(w.Model)
	cw := &Write{Op: w.Op, Model: w.Model, Table: table, Key: w.Key, Item: w.Attrs, Unknown: w.Unknown, Batch: batch}
	var (
		out     []txn.Write
		merged  int
		changed bool
	)
	for _, check := range list {
		items, err := check(ctx, cw)
		if err != nil {
			return w, nil, err
		}
		for _, it := range items {
			kind := it.Err
			if kind == nil {
				kind = ErrConditionFailed
			}
			if cc := it.Item.ConditionCheck; cc != nil && aws.ToString(cc.TableName) == table && errtext.FormatKey(cc.Key) == errtext.FormatKey(w.Key) {
				if !batch {
					merged++
					w = joinCondition(w, cc, merged, kind)
				}
				changed = true
				continue
			}
			if slices.ContainsFunc(out, func(x txn.Write) bool { return reflect.DeepEqual(x.Item, it.Item) }) {
				continue
			}
			out = append(out, txn.Write{
				Item: it.Item, Undo: func() {}, What: it.What,
				Fail: func(map[string]types.AttributeValue) error { return kind },
			})
		}
	}
	if len(cw.Extra) > 0 && w.Op == "create" && w.Item.Put != nil {
		p := *w.Item.Put
		p.Item = maps.Clone(p.Item)
		maps.Copy(p.Item, cw.Extra)
		w.Item = types.TransactWriteItem{Put: &p}
		changed = true
	}
	if cw.KeepOther && w.Op == "put" {
		if w.Item.Put != nil {
			w.Item = types.TransactWriteItem{Update: putAsUpdate(w.Item.Put, w.Key, mapping.Must(w.Model))}
		}
		changed = true
	}
	if batch && (len(out) > 0 || changed) {
		what := "a condition on the item"
		if len(out) > 0 {
			what = out[0].What
		}
		return w, nil, &Error{Op: "batch " + w.Op, Table: table, Key: w.Key, Err: fmt.Errorf("%s needs a transaction (%s): write it with Table.%s or Client.WriteTx instead", w.Op, what, singleCall(w.Op))}
	}
	return w, out, nil
}

// placeholder matches the name and value placeholders of an expression.
var placeholder = regexp.MustCompile(`[#:][A-Za-z0-9_]+`)

// joinCondition returns w with the condition of cc joined to its own with
// AND, cc's placeholders renamed apart with n.
func joinCondition(w txn.Write, cc *types.ConditionCheck, n int, kind error) txn.Write {
	var (
		cond   **string
		names  *map[string]string
		values *map[string]types.AttributeValue
		rv     *types.ReturnValuesOnConditionCheckFailure
	)
	it := w.Item
	switch {
	case it.Put != nil:
		p := *it.Put
		it.Put = &p
		cond, names, values, rv = &p.ConditionExpression, &p.ExpressionAttributeNames, &p.ExpressionAttributeValues, &p.ReturnValuesOnConditionCheckFailure
	case it.Update != nil:
		u := *it.Update
		it.Update = &u
		cond, names, values, rv = &u.ConditionExpression, &u.ExpressionAttributeNames, &u.ExpressionAttributeValues, &u.ReturnValuesOnConditionCheckFailure
	case it.Delete != nil:
		d := *it.Delete
		it.Delete = &d
		cond, names, values, rv = &d.ConditionExpression, &d.ExpressionAttributeNames, &d.ExpressionAttributeValues, &d.ReturnValuesOnConditionCheckFailure
	default:
		return w
	}
	prefix := "c" + strconv.Itoa(n) + "x"
	added := placeholder.ReplaceAllStringFunc(aws.ToString(cc.ConditionExpression), func(t string) string {
		if _, ok := cc.ExpressionAttributeNames[t]; ok {
			return t[:1] + prefix + t[1:]
		}
		if _, ok := cc.ExpressionAttributeValues[t]; ok {
			return t[:1] + prefix + t[1:]
		}
		return t
	})
	n2 := maps.Clone(*names)
	if n2 == nil {
		n2 = map[string]string{}
	}
	for k, v := range cc.ExpressionAttributeNames {
		n2[k[:1]+prefix+k[1:]] = v
	}
	*names = n2
	if len(cc.ExpressionAttributeValues) > 0 {
		v2 := maps.Clone(*values)
		if v2 == nil {
			v2 = map[string]types.AttributeValue{}
		}
		for k, v := range cc.ExpressionAttributeValues {
			v2[k[:1]+prefix+k[1:]] = v
		}
		*values = v2
	}
	fail := w.Fail
	if *cond == nil {
		fail = func(map[string]types.AttributeValue) error { return kind }
		*cond = aws.String(added)
	} else {
		*cond = aws.String("(" + **cond + ") AND (" + added + ")")
	}
	*rv = types.ReturnValuesOnConditionCheckFailureAllOld
	w.Item, w.Fail = it, fail
	return w
}

// putAsUpdate is the put p of the item with key key of model m as an
// update that sets every attribute of the item, removes the model's
// attributes the item lacks and keeps every other attribute, with p's
// condition.
func putAsUpdate(p *types.Put, key map[string]types.AttributeValue, m *mapping.Model) *types.Update {
	names := maps.Clone(p.ExpressionAttributeNames)
	if names == nil {
		names = map[string]string{}
	}
	values := maps.Clone(p.ExpressionAttributeValues)
	if values == nil {
		values = map[string]types.AttributeValue{}
	}
	var set, remove []string
	n := 0
	placeholderOf := func(attr string) string {
		n++
		ph := "#u" + strconv.Itoa(n)
		names[ph] = attr
		return ph
	}
	for _, attr := range slices.Sorted(maps.Keys(p.Item)) {
		if _, ok := key[attr]; ok {
			continue
		}
		ph := placeholderOf(attr)
		values[":u"+ph[2:]] = p.Item[attr]
		set = append(set, ph+" = :u"+ph[2:])
	}
	for _, a := range m.Attributes {
		if _, ok := key[a.Name]; ok {
			continue
		}
		if _, ok := p.Item[a.Name]; !ok {
			remove = append(remove, placeholderOf(a.Name))
		}
	}
	var expr []string
	if len(set) > 0 {
		expr = append(expr, "SET "+strings.Join(set, ", "))
	}
	if len(remove) > 0 {
		expr = append(expr, "REMOVE "+strings.Join(remove, ", "))
	}
	u := &types.Update{
		TableName:                           p.TableName,
		Key:                                 key,
		ConditionExpression:                 p.ConditionExpression,
		ReturnValuesOnConditionCheckFailure: p.ReturnValuesOnConditionCheckFailure,
	}
	if len(expr) > 0 {
		u.UpdateExpression = aws.String(strings.Join(expr, " "))
	}
	if len(names) > 0 {
		u.ExpressionAttributeNames = names
	}
	if len(values) > 0 {
		u.ExpressionAttributeValues = values
	}
	return u
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
