package query

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
)

var (
	// ErrNotFound is returned by [Repo.Get] and [ReadTx] when no item has
	// the key, by [Update.Run] when the item to update does not exist, and
	// by [Repo.Delete] when a condition or version check was given and
	// the item does not exist.
	ErrNotFound = errors.New("query: item not found")
	// ErrAlreadyExists is returned by [Repo.Create] when an item with the
	// same key exists.
	ErrAlreadyExists = errors.New("query: item already exists")
	// ErrConditionFailed is returned when a condition given with
	// [Update.If] or [Repo.Delete] does not hold; a *[TxError] matches it
	// when a condition of one of its actions did not hold.
	ErrConditionFailed = errors.New("query: condition failed")
	// ErrVersionConflict is returned by [Repo.Put], [Update.Run] and
	// [Repo.Delete] on a versioned model when the stored version differs
	// from the version of the value given (the version the caller read).
	ErrVersionConflict = errors.New("query: version conflict")
	// ErrEmptyKey is returned, before any request is sent, when a key
	// attribute of the given value is empty (missing, an empty string or
	// binary, NULL, or computed from an attribute that is). It is the same
	// error as [model.ErrEmptyKey].
	ErrEmptyKey = model.ErrEmptyKey
	// ErrBadCursor is returned by [Query.Page] and [Scan.Page] when a page
	// cursor is malformed, tampered with, belongs to another query, or
	// holds a position DynamoDB would refuse for the query (another
	// partition, outside the sort-key condition, a number out of range).
	// No request is sent.
	ErrBadCursor = errors.New("query: invalid cursor")
)

// OpError is the error of a failed operation. Kind is one of the sentinel
// errors (or nil), and Err the underlying error; errors.Is and errors.As see
// both. It is always returned as a pointer.
type OpError struct {
	Op    string // the operation, such as "get" or "create"
	Table string // the table name
	Kind  error  // a sentinel such as ErrNotFound, or nil
	Err   error  // the cause, such as the SDK error; may be nil
}

// Error implements the error interface.
func (e *OpError) Error() string {
	var msg string
	switch {
	case e.Kind == ErrEmptyKey && e.Err != nil:
		// The cause names the attribute: "key attribute customer_id: ...".
		msg = trimmed{e.Err}.Error()
	case e.Kind != nil:
		msg = strings.TrimPrefix(e.Kind.Error(), "query: ")
	case e.Err != nil:
		msg = trimmed{e.Err}.Error()
	}
	if e.Table == "" {
		return fmt.Sprintf("query: %s: %s", e.Op, msg)
	}
	return fmt.Sprintf("query: %s %s: %s", e.Op, e.Table, msg)
}

// Unwrap returns the sentinel and the cause.
func (e *OpError) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// trimmed is an error of this package wrapped by another: its message
// loses the "query: " prefix the outer message already has.
type trimmed struct{ error }

func (t trimmed) Error() string { return strings.TrimPrefix(t.error.Error(), "query: ") }
func (t trimmed) Unwrap() error { return t.error }

// wrap turns an SDK or encoding error into an *OpError. condKind is the
// sentinel a failed condition means for this call.
func wrap(op, table string, err error, condKind error) error {
	if err == nil {
		return nil
	}
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		return &OpError{Op: op, Table: table, Kind: condKind, Err: err}
	case errors.Is(err, model.ErrEmptyKey):
		return &OpError{Op: op, Table: table, Kind: ErrEmptyKey, Err: err}
	}
	return &OpError{Op: op, Table: table, Err: err}
}

// IsConditionFailed reports whether err means a DynamoDB condition did not
// hold, whatever sentinel it was reported as: [ErrConditionFailed],
// [ErrAlreadyExists], [ErrVersionConflict], or a raw SDK
// ConditionalCheckFailedException.
func IsConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.Is(err, ErrConditionFailed) || errors.Is(err, ErrAlreadyExists) ||
		errors.Is(err, ErrVersionConflict) || errors.As(err, &ccf)
}

// WrittenError is returned by [Update.Value] when the update was written
// but the item DynamoDB returned does not decode into the model: for
// example, another program stored an attribute of a type the model's field
// cannot hold. The write happened: the item's version (if any) and every
// changed attribute moved, so a retry with the version the caller held is
// a version conflict. Key is the written item's key and Item the whole item
// as DynamoDB returned it (holding, for a versioned model, the new
// version); Err is the decode error. It matches none of the sentinels that
// say a write did not happen ([ErrNotFound], [ErrVersionConflict],
// [ErrConditionFailed]). It is always returned as a pointer; match it with
// errors.As.
type WrittenError struct {
	Op    string                          // the operation, "update"
	Table string                          // the table name
	Key   map[string]types.AttributeValue // the key of the item written
	Item  map[string]types.AttributeValue // the item after the write, as DynamoDB returned it
	Err   error                           // why Item does not decode
}

// Error implements the error interface.
func (e *WrittenError) Error() string {
	return fmt.Sprintf("query: %s %s: item written, but it does not decode: %v", e.Op, e.Table, trimmed{e.Err})
}

// Unwrap returns the decode error.
func (e *WrittenError) Unwrap() error { return e.Err }
