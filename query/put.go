package query

import (
	"context"
	"fmt"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
)

// Create writes item only if no item with its key exists; otherwise it
// returns [dynamokit.ErrAlreadyExists] and changes nothing. It fills the model's
// created and updated attributes and sets a version attribute to 1, in item
// itself.
//
// It calls PutItem with a condition:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
func (r *Table[T]) Create(ctx context.Context, item *T) (err error) {
	ctx, op := clientlink.Start(ctx, r.c, "Table.Create", r.table)
	defer op.End(&err)
	w, err := r.createWrite(item)
	if err != nil {
		return wrap("PutItem", r.table, err, nil)
	}
	_, err = r.send(ctx, w, types.ReturnValueNone, "")
	return err
}

// createWrite is the draft of a Create of item. It sets item's created,
// updated and version attributes; the draft's Undo restores them.
func (r *Table[T]) createWrite(item *T) (*txn.Write, error) {
	if item == nil {
		return nil, errNilItem
	}
	restore := r.snapshot(item)
	err := r.stamp(item, true)
	if err == nil && r.m.Version != nil {
		err = r.setVersion(reflect.ValueOf(item).Elem(), 1)
	}
	var w *txn.Write
	if err == nil {
		w, err = r.putWrite("create", item, []expression.ConditionBuilder{r.keyMissing()}, dynamokit.ErrAlreadyExists)
	}
	if err != nil {
		restore()
		return nil, err
	}
	w.Undo = restore
	return w, nil
}

// Put writes item, replacing any item with the same key. It fills the
// updated attribute (and created, when zero). For a versioned model, Put
// succeeds only if the stored version equals item's version (or, for
// version 0, if no item exists) and then increments item's version;
// otherwise it returns [dynamokit.ErrVersionConflict].
//
// It calls PutItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
func (r *Table[T]) Put(ctx context.Context, item *T) (err error) {
	ctx, op := clientlink.Start(ctx, r.c, "Table.Put", r.table)
	defer op.End(&err)
	w, err := r.putVersioned(item, nil, dynamokit.ErrVersionConflict)
	if err != nil {
		return wrap("PutItem", r.table, err, nil)
	}
	_, err = r.send(ctx, w, types.ReturnValueNone, "")
	return err
}

// putVersioned is the draft of a put of item with the version check (if
// any) and the extra conditions conds, all joined with AND, whose failure
// means kind. It sets item's updated (and created) stamp and version; the
// draft's Undo restores them.
func (r *Table[T]) putVersioned(item *T, conds []expression.ConditionBuilder, kind error) (*txn.Write, error) {
	if item == nil {
		return nil, errNilItem
	}
	restore := r.snapshot(item)
	if err := r.stamp(item, false); err != nil {
		restore()
		return nil, err
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
			return nil, err
		}
	}
	w, err := r.putWrite("put", item, all, kind)
	if err != nil {
		restore()
		return nil, err
	}
	w.Undo = restore
	return w, nil
}

// putWrite is the draft of a put of item under conds, whose failure means
// kind.
func (r *Table[T]) putWrite(op string, item *T, conds []expression.ConditionBuilder, kind error) (*txn.Write, error) {
	av, err := r.m.Encode(item)
	if err != nil {
		return nil, err
	}
	if err := r.checkKey(av); err != nil {
		return nil, err
	}
	w := r.draft(op, r.keyOfItem(av))
	w.Item, w.Attrs, w.Conds = av, av, conds
	w.Fail = func(map[string]types.AttributeValue) error { return kind }
	return w, nil
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

// checkKey returns an error matching [model.ErrEmptyKey] when the encoded item
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
		return fmt.Errorf("query: %s: %w %s", r.m.Type, errtext.Quoted{Err: model.ErrEmptyKey}, a.Name)
	}
	return nil
}
