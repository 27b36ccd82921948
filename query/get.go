package query

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/rawread"
)

// Get returns the item whose key equals the key fields of key. It returns
// [dynamokit.ErrNotFound] when there is none, and [model.ErrEmptyKey] when
// a key field of key is empty. The read is eventually consistent, or strongly consistent
// through the [Table.Consistent] view.
//
// It calls GetItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
func (r *Table[T]) Get(ctx context.Context, key T) (_ T, err error) {
	ctx, op := clientlink.Start(ctx, r.c, "Table.Get", r.table)
	defer op.End(&err)
	var zero T
	in, err := r.getInput(&key)
	if err != nil {
		return zero, wrap("GetItem", r.table, err, nil)
	}
	out, err := r.c.Executor().GetItem(ctx, in)
	if err != nil {
		return zero, wrapKey("GetItem", r.table, in.Key, err, nil)
	}
	if out.Item == nil || !r.m.IsEntity(out.Item) {
		return zero, &dynamokit.Error{Op: "GetItem", Table: r.table, Key: in.Key, Kind: dynamokit.ErrNotFound}
	}
	v, err := r.decode(out.Item)
	if err != nil {
		return zero, wrap("GetItem", r.table, err, nil)
	}
	return v, nil
}

func (r *Table[T]) getInput(key *T) (*dynamodb.GetItemInput, error) {
	k, err := r.m.KeyOf(key)
	if err != nil {
		return nil, err
	}
	return rawread.GetInput(rawread.Read{Table: r.table, Consistent: r.consistent}, k)
}
