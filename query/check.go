package query

import (
	"context"
	"errors"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// checked runs the write checks of the client on the single write w. When
// they add items, it sends w with them as one TransactWriteItems and
// reports done, with the error w would have returned on its own (or the
// error of the added item whose condition failed). When they add none, it
// reports not done: the caller sends w as usual, at its usual cost.
//
// noTx, when set, refuses a write the checks add items to, before any
// request, with an error saying so: for a call whose result a transaction
// cannot give.
func (r *Table[T]) checked(ctx context.Context, w txn.Write, noTx string) (done bool, err error) {
	extra, err := r.c.CheckWrite(ctx, w, false)
	if err != nil {
		w.Undo()
		return true, err
	}
	if len(extra) == 0 {
		return false, nil
	}
	if noTx != "" {
		w.Undo()
		return true, &dynamokit.Error{Op: w.Op, Table: r.table, Key: w.Key, Err: errors.New(noTx)}
	}
	err = r.c.SendTx(ctx, nil, append([]txn.Write{w}, extra...))
	if err == nil {
		return true, nil
	}
	w.Undo()
	var te *dynamokit.TxError
	if errors.As(err, &te) {
		for _, reason := range te.Reasons {
			if reason.Failed() {
				return true, &dynamokit.Error{Op: w.Op, Table: r.table, Key: w.Key, Kind: reason.Kind, Err: te}
			}
		}
	}
	return true, wrap(w.Op, r.table, err, nil)
}
