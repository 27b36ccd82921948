package query

import (
	"context"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// Delete removes the item with key's key. Deleting an item that does not
// exist is not an error, as in DynamoDB.
//
// With conditions (see [Cond]), the item is deleted only if all hold;
// otherwise it returns [dynamokit.ErrConditionFailed]. For a versioned
// model and a key whose version is not 0, the stored version must match,
// or it returns [dynamokit.ErrVersionConflict]. A condition or version
// check on an item that does not exist returns [dynamokit.ErrNotFound]:
// pass [Table.KeyExists] to ask for that alone.
//
// It calls DeleteItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
func (r *Table[T]) Delete(ctx context.Context, key T, conds ...Cond) (err error) {
	ctx, op := clientlink.Start(ctx, r.c, "Table.Delete", r.table)
	defer op.End(&err)
	w, err := r.deleteWrite(&key, conds)
	if err != nil {
		return wrap("DeleteItem", r.table, err, nil)
	}
	_, err = r.send(ctx, w, types.ReturnValueNone, "")
	return err
}

// deleteWrite is the draft of a delete of key under conds.
func (r *Table[T]) deleteWrite(key *T, conds []Cond) (*txn.Write, error) {
	k, err := r.m.KeyOf(key)
	if err != nil {
		return nil, err
	}
	all, err := bindConds(r.m, "condition", conds)
	if err != nil {
		return nil, err
	}
	want := r.version(reflect.ValueOf(key).Elem())
	if r.m.Version != nil && want != 0 {
		all = append(all[:len(all):len(all)], name(r.m.Version.Name).Equal(expression.Value(&types.AttributeValueMemberN{Value: itoa(want)})))
	}
	w := r.draft("delete", k)
	w.Conds = all
	w.Fail = func(old map[string]types.AttributeValue) error { return r.conditionKind(old, want) }
	return w, nil
}
