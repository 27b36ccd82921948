package query

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// TxGet is [Table.Get] as a read of [dynamokit.Client.ReadTx]: the item
// with key's key is read into *dst.
func (r *Table[T]) TxGet(key T, dst *T) dynamokit.TxRead { return txGet[T]{r: r, key: key, dst: dst} }

type txGet[T any] struct {
	r   *Table[T]
	key T
	dst *T
}

// TxRead builds the read.
func (g txGet[T]) TxRead(seal txn.Key) (txn.Read, error) {
	if !seal.Sealed() {
		return txn.Read{}, txn.ErrUnsealed
	}
	if g.dst == nil {
		return txn.Read{}, wrap("TransactGetItems", g.r.table, errNilItem, nil)
	}
	k, err := g.r.m.KeyOf(&g.key)
	if err != nil {
		return txn.Read{}, wrap("TransactGetItems", g.r.table, err, nil)
	}
	return txn.Read{
		Item:  types.TransactGetItem{Get: &types.Get{TableName: aws.String(g.r.table), Key: k}},
		Table: g.r.table,
		Store: g.store,
	}, nil
}

func (g txGet[T]) store(item map[string]types.AttributeValue) (bool, error) {
	if item == nil || !g.r.m.IsEntity(item) {
		return false, nil
	}
	v, err := g.r.decode(item)
	if err != nil {
		return false, err
	}
	*g.dst = v
	return true, nil
}
