package query

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/dynamokit/dynamokit/internal/rawread"
)

// Applied finds out whether a write of this table whose outcome is unknown
// (err matches [dynamokit.ErrUnknownOutcome]) was applied. It answers for
// a Create or a Put (one PutItem, a relation's parent included): true
// when the lost answer said so (a 2xx status), otherwise by reading the
// item (a strongly consistent GetItem) and comparing it with the item the
// write sent, created, updated and version attributes included. For a
// conditional Delete it reports whether the item is gone, by this delete
// or another.
//
// false means the item is not as the write left it: the write was not
// applied, or another writer changed the item since. A request held up on
// the way may still land after the read; a Create or a versioned Put
// cannot land twice (its condition fails the second time), so calling it
// again and then Applied again is safe. An update, an ADD above all,
// cannot be told apart from another writer's: Applied returns an error
// for it, and for an error that is not an unknown outcome of this table,
// a *[dynamokit.Error] of GetItem, without sending it.
//
// It calls GetItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
func (r *Table[T]) Applied(ctx context.Context, err error) (_ bool, rerr error) {
	ctx, op := clientlink.Start(ctx, r.c, "Table.Applied", r.table)
	defer op.End(&rerr)
	var u *dynamokit.UnknownOutcomeError
	if !errors.As(err, &u) || u.Table != r.table {
		return false, &dynamokit.Error{Op: "GetItem", Table: r.table, Err: fmt.Errorf("applied: not an unknown outcome of a write of this table: %w", err)}
	}
	var key map[string]types.AttributeValue
	switch {
	case u.Op == "PutItem" && u.Item != nil:
		key = r.keyOfItem(u.Item)
	case u.Op == "DeleteItem" && u.Key != nil:
		key = u.Key
	default:
		return false, &dynamokit.Error{Op: "GetItem", Table: r.table, Err: fmt.Errorf("applied: cannot tell whether %s was applied: read the item", u.Op)}
	}
	if u.Applied() {
		return true, nil
	}
	stored, gerr := rawread.Get(ctx, r.c.Executor(), rawread.Read{Table: r.table, Consistent: true}, key)
	if gerr != nil {
		return false, wrapKey("GetItem", r.table, key, gerr, nil)
	}
	if u.Op == "DeleteItem" {
		return stored == nil, nil
	}
	return itemcodec.EqualItems(stored, u.Item), nil
}
