package query

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
)

const allOld = types.ReturnValuesOnConditionCheckFailureAllOld

func noUndo() {}

// TxWrite builds the update as an action of [dynamokit.Client.WriteTx].
func (u *Update[T]) TxWrite(k txn.Key) (*txn.Write, error) {
	if !k.Sealed() {
		return nil, txn.ErrUnsealed
	}
	w, err := u.write()
	if err != nil {
		return nil, wrap(txOp, u.r.table, fmt.Errorf("update: %w", errtext.Quoted{Err: err}), nil)
	}
	return w, nil
}

// txAction is a [dynamokit.TxAction] built by a function.
type txAction struct {
	table string
	what  string // such as "delete"; the error names the table
	build func() (*txn.Write, error)
}

// TxWrite builds the action.
func (t txAction) TxWrite(k txn.Key) (*txn.Write, error) {
	if !k.Sealed() {
		return nil, txn.ErrUnsealed
	}
	w, err := t.build()
	if err != nil {
		// An error of the transaction, on this action's table.
		return nil, wrap(txOp, t.table, fmt.Errorf("%s: %w", t.what, errtext.Quoted{Err: err}), nil)
	}
	return w, nil
}

// TxCreate is [Table.Create] as a transaction action: it fails the
// transaction if an item with item's key exists ([dynamokit.ErrAlreadyExists]).
// item's created, updated and version attributes are set by
// [dynamokit.Client.WriteTx], and restored if the transaction fails.
func (r *Table[T]) TxCreate(item *T) dynamokit.TxAction {
	return txAction{r.table, "create", func() (*txn.Write, error) { return r.createWrite(item) }}
}

// TxPut is [Table.Put] as a transaction action, with the same version check
// ([dynamokit.ErrVersionConflict]). Extra conditions, joined with AND, must also hold
// (else [dynamokit.ErrConditionFailed]). Like [Table.TxCreate], it sets item's
// attributes when the transaction is built and restores them if it fails.
func (r *Table[T]) TxPut(item *T, conds ...Cond) dynamokit.TxAction {
	kind := dynamokit.ErrVersionConflict
	if len(conds) > 0 {
		kind = dynamokit.ErrConditionFailed
	}
	return txAction{r.table, "put", func() (*txn.Write, error) {
		bound, err := bindConds(r.m, "condition", conds)
		if err != nil {
			return nil, err
		}
		return r.putVersioned(item, bound, kind)
	}}
}

// keyOfItem returns the key attributes of an encoded item.
func (r *Table[T]) keyOfItem(item mapping.Item) mapping.Item {
	k := make(mapping.Item, 2)
	for _, a := range [2]*mapping.Attribute{r.m.Key.Hash, r.m.Key.Range} {
		if a != nil {
			k[a.Name] = item[a.Name]
		}
	}
	return k
}

// TxDelete is [Table.Delete] as a transaction action, with the same
// conditions and version check.
func (r *Table[T]) TxDelete(key T, conds ...Cond) dynamokit.TxAction {
	return txAction{r.table, "delete", func() (*txn.Write, error) { return r.deleteWrite(&key, conds) }}
}

// Check is a transaction action that writes nothing and fails the
// transaction unless the item with key's key exists ([dynamokit.ErrNotFound]) and
// every condition holds ([dynamokit.ErrConditionFailed]).
func (r *Table[T]) Check(key T, conds ...Cond) dynamokit.TxAction {
	return txAction{r.table, "check", func() (*txn.Write, error) {
		k, err := r.m.KeyOf(&key)
		if err != nil {
			return nil, err
		}
		bound, err := bindConds(r.m, "condition", conds)
		if err != nil {
			return nil, err
		}
		w := r.draft("check", k)
		w.Conds = append(append([]expression.ConditionBuilder{r.keyExists()}, r.isEntity()...), bound...)
		w.Fail = func(old map[string]types.AttributeValue) error { return r.conditionKind(old, 0) }
		return w, nil
	}}
}

// TxAdd is a transaction action that adds n to the number attribute attr
// of the existing item with key's key (a missing attribute counts as 0)
// and changes nothing else: not the version, not the updated stamp. attr
// need not be an attribute of the model. The action fails the transaction
// when the item does not exist or is of another entity type
// ([dynamokit.ErrNotFound]), or when a condition does not hold
// ([dynamokit.ErrConditionFailed]); it never creates an item. Like every write, it
// passes the client's write rules: adding to a counter a relation keeps,
// or to a link attribute, is refused.
func (r *Table[T]) TxAdd(key T, attr string, n int64, conds ...Cond) dynamokit.TxAction {
	return txAction{r.table, "add to", func() (*txn.Write, error) {
		k, err := r.m.KeyOf(&key)
		if err != nil {
			return nil, err
		}
		if attr == "" {
			return nil, errors.New("query: add: empty attribute name")
		}
		if a := r.m.Attribute(attr); a != nil && inKey(r.m, a) {
			return nil, fmt.Errorf("query: add: %s is part of the key", attr)
		}
		bound, err := bindConds(r.m, "add", conds)
		if err != nil {
			return nil, err
		}
		w := r.draft("add", k)
		w.What = "add to " + r.table
		w.Conds = append(append([]expression.ConditionBuilder{r.keyExists()}, r.isEntity()...), bound...)
		w.Adds = []txn.Delta{{Attr: attr, N: n}}
		w.Unknown = []string{attr}
		w.Fail = func(old map[string]types.AttributeValue) error { return r.conditionKind(old, 0) }
		return w, nil
	}}
}
