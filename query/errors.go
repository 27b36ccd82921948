package query

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// ErrBadCursor is returned by [Query.Page] and [Scan.Page] when a page
// cursor is malformed, tampered with, belongs to another query, or holds a
// position DynamoDB would refuse for the query (another partition, outside
// the sort-key condition, a number out of range). No request is sent.
var ErrBadCursor = errors.New("query: invalid cursor")

// wrapKey is wrap for an operation on the item with key: the error names
// it.
func wrapKey(op, table string, key mapping.Item, err error, condKind error) error {
	err = wrap(op, table, err, condKind)
	var e *dynamokit.Error
	if errors.As(err, &e) && e.Key == nil && e.Op == op {
		e.Key = key
	}
	return err
}

// wrap turns an error of the executor, of encoding or of a write check
// into a *dynamokit.Error of operation op. condKind is the sentinel a
// failed condition means for this call. An executor error is flattened:
// its cause becomes the new error's cause.
func wrap(op, table string, err error, condKind error) error {
	if err == nil {
		return nil
	}
	var e *dynamokit.Error
	if errors.As(err, &e) && e.Err != nil && (e.Op == "" || e.Op == op) {
		// The executor's error of this very operation.
		err = e.Err
		if e.Kind != nil && e.Kind != dynamokit.ErrConditionFailed {
			return &dynamokit.Error{Op: op, Table: table, Index: e.Index, Kind: e.Kind, Err: err}
		}
	} else if e != nil {
		return err // a check's or another operation's error, already described
	}
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		if condKind == nil {
			condKind = dynamokit.ErrConditionFailed
		}
		return &dynamokit.Error{Op: op, Table: table, Kind: condKind, Err: err}
	case errors.Is(err, model.ErrEmptyKey):
		return &dynamokit.Error{Op: op, Table: table, Kind: model.ErrEmptyKey, Err: err}
	}
	return &dynamokit.Error{Op: op, Table: table, Err: err}
}

// WrittenError is found (errors.As) beneath the *[dynamokit.Error] that
// [Update.Value] returns when the update was written but the item DynamoDB
// returned does not decode into the model: for example, another program
// stored an attribute of a type the model's field cannot hold. The write
// happened: the item's version (if any) and every changed attribute moved,
// so a retry with the version the caller held is a version conflict. Item
// is the whole item as DynamoDB returned it (holding, for a versioned
// model, the new version); Err is the decode error. The *dynamokit.Error
// names the operation (UpdateItem), the table and the key. It matches none
// of the sentinels that say a write did not happen
// ([dynamokit.ErrNotFound], [dynamokit.ErrVersionConflict],
// [dynamokit.ErrConditionFailed]). It is always a pointer.
type WrittenError struct {
	Item map[string]types.AttributeValue // the item after the write, as DynamoDB returned it
	Err  error                           // why Item does not decode
}

// Error implements the error interface.
func (e *WrittenError) Error() string {
	return fmt.Sprintf("query: item written, but it does not decode: %v", errtext.Quoted{Err: e.Err})
}

// Unwrap returns the decode error.
func (e *WrittenError) Unwrap() error { return e.Err }
