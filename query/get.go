package query

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/rawread"
)

// ReadOption changes how an item is read.
type ReadOption func(*readOptions)

type readOptions struct {
	consistent bool
}

// Consistent asks for a strongly consistent read.
func Consistent() ReadOption { return func(o *readOptions) { o.consistent = true } }

// Get returns the item whose key equals the key fields of key. It returns
// [ErrNotFound] when there is none, and [ErrEmptyKey] when a key field of
// key is empty. Reads are eventually consistent unless [Consistent] is
// given.
//
// It calls GetItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
func (r *Table[T]) Get(ctx context.Context, key T, opts ...ReadOption) (_ T, err error) {
	ctx, op := r.c.StartOperation(ctx, "Table.Get", r.table)
	defer op.End(&err)
	var zero T
	in, err := r.getInput(&key, opts)
	if err != nil {
		return zero, wrap("get", r.table, err, nil)
	}
	out, err := r.c.GetItem(ctx, in)
	if err != nil {
		return zero, wrapKey("get", r.table, in.Key, err, nil)
	}
	if out.Item == nil || !r.m.IsEntity(out.Item) {
		return zero, &dynamokit.Error{Op: "get", Table: r.table, Key: in.Key, Kind: ErrNotFound}
	}
	v, err := r.decode(out.Item)
	if err != nil {
		return zero, wrap("get", r.table, err, nil)
	}
	return v, nil
}

func (r *Table[T]) getInput(key *T, opts []ReadOption) (*dynamodb.GetItemInput, error) {
	var o readOptions
	for _, opt := range opts {
		opt(&o)
	}
	k, err := r.m.KeyOf(key)
	if err != nil {
		return nil, err
	}
	return rawread.GetInput(rawread.Read{Table: r.table, Consistent: o.consistent}, k)
}
