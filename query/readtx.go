package query

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// TxRead is one read of a [ReadTx], made with [Repo.TxGet]. Only this
// package implements it.
type TxRead interface {
	txGet() (types.TransactGetItem, error)
	// store decodes item (nil: there was none) into the read's
	// destination and reports whether there was one.
	store(item map[string]types.AttributeValue) (found bool, err error)
	table() string
}

// TxGet is [Repo.Get] as a read of a [ReadTx]: the item with key's key is
// read into *dst.
func (r *Repo[T]) TxGet(key T, dst *T) TxRead { return txGet[T]{r: r, key: key, dst: dst} }

type txGet[T any] struct {
	r   *Repo[T]
	key T
	dst *T
}

func (g txGet[T]) table() string { return g.r.table }

func (g txGet[T]) txGet() (types.TransactGetItem, error) {
	if g.dst == nil {
		return types.TransactGetItem{}, errNilItem
	}
	k, err := g.r.m.KeyOf(&g.key)
	if err != nil {
		return types.TransactGetItem{}, err
	}
	return types.TransactGetItem{Get: &types.Get{TableName: aws.String(g.r.table), Key: k}}, nil
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

// ReadTx reads items atomically, from one or more tables: every item as
// it is at one point in time, even while transactions write them. Each
// item found is stored in its read's destination; if any is missing, the
// others are still stored and ReadTx returns [ErrNotFound], naming the
// table of the first missing one, and leaves the missing ones' destinations
// unchanged. It returns [ErrTooManyActions] for more than [MaxTxActions]
// reads, and a *[TxError] when DynamoDB cancels the reads (for instance
// because a transaction was writing one of the items).
//
// It calls TransactGetItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
func ReadTx(ctx context.Context, db *dynamo.DB, reads ...TxRead) error {
	in, err := readTxInput(reads)
	if err != nil {
		return err
	}
	out, err := db.Client().TransactGetItems(ctx, in)
	if err != nil {
		var tce *types.TransactionCanceledException
		if errors.As(err, &tce) {
			te := &TxError{Err: err, Reasons: make([]TxReason, len(reads))}
			for i := range te.Reasons {
				te.Reasons[i].Action = "get " + reads[i].table()
				if i < len(tce.CancellationReasons) {
					te.Reasons[i].Code = aws.ToString(tce.CancellationReasons[i].Code)
					te.Reasons[i].Message = aws.ToString(tce.CancellationReasons[i].Message)
				}
			}
			return te
		}
		return &OpError{Op: "read transaction", Err: err}
	}
	var missing error
	for i, rd := range reads {
		var item map[string]types.AttributeValue
		if i < len(out.Responses) {
			item = out.Responses[i].Item
		}
		found, err := rd.store(item)
		if err != nil {
			return wrap("read transaction", rd.table(), err, nil)
		}
		if !found && missing == nil {
			missing = &OpError{Op: "read transaction", Table: rd.table(), Kind: ErrNotFound}
		}
	}
	return missing
}

// readTxInput builds the TransactGetItems request without I/O.
func readTxInput(reads []TxRead) (*dynamodb.TransactGetItemsInput, error) {
	if len(reads) == 0 {
		return nil, errors.New("query: read transaction with no reads")
	}
	if len(reads) > MaxTxActions {
		return nil, fmt.Errorf("%w: %d, at most %d", ErrTooManyActions, len(reads), MaxTxActions)
	}
	in := &dynamodb.TransactGetItemsInput{TransactItems: make([]types.TransactGetItem, len(reads))}
	for i, rd := range reads {
		if rd == nil {
			return nil, fmt.Errorf("query: read %d is nil", i)
		}
		item, err := rd.txGet()
		if err != nil {
			return nil, fmt.Errorf("query: read %d (get %s): %w", i, rd.table(), trimmed{err})
		}
		in.TransactItems[i] = item
	}
	return in, nil
}
