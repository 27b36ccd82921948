package dynamokit

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"github.com/dynamokit/dynamokit/model"
)

var (
	// ErrTableNotFound is returned by every operation on a table that does
	// not exist (or is not active yet), on DynamoDB and on local engines
	// alike: DynamoDB's ResourceNotFoundException.
	ErrTableNotFound = errors.New("dynamokit: table not found")
	// ErrIndexNotFound is returned by a query or scan of a secondary index
	// that the table, which exists, does not have; the *[Error] names the
	// index in its Index field and message. DynamoDB reports it as a
	// ValidationException and moto as a ResourceNotFoundException; both
	// are classified by the request (see [Client]).
	ErrIndexNotFound = errors.New("dynamokit: index not found")
	// ErrNotFound is returned when an item that must exist does not: by
	// query's Table.Get and by [Client.ReadTx] when no item has the key, by
	// query's Update.Run when the item to update does not exist, and by
	// query's Table.Delete when a condition or version check was given and
	// the item does not exist.
	ErrNotFound = errors.New("dynamokit: item not found")
	// ErrAlreadyExists is returned by a create (query's Table.Create) when
	// an item with the same key exists.
	ErrAlreadyExists = errors.New("dynamokit: item already exists")
	// ErrConditionFailed is returned when a condition of a write (query's
	// Update.If, or the condition of a Table.Delete) does not hold; a
	// *[TxError] matches it when a condition of one of its actions did not
	// hold.
	ErrConditionFailed = errors.New("dynamokit: condition failed")
	// ErrVersionConflict is returned by a write of a versioned model
	// (query's Table.Put, Update.Run and Table.Delete) when the stored
	// version differs from the version of the value given (the version the
	// caller read).
	ErrVersionConflict = errors.New("dynamokit: version conflict")
	// ErrTooManyActions is returned by [Client.WriteTx] and [Client.ReadTx]
	// for more than [MaxTxActions] actions, before any request is sent.
	ErrTooManyActions = errors.New("dynamokit: too many actions in one transaction")
)

// Error is the error of a failed operation, shared by every dynamokit
// package. Kind is one of the sentinel errors (or nil) and Err the cause;
// errors.Is and errors.As see both. It is always returned as a pointer.
//
// Op is always the name of the DynamoDB API operation that failed, or that
// was refused before it was sent: "GetItem", "PutItem", "UpdateItem",
// "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
// "TransactWriteItems", "TransactGetItems", or a schema operation such as
// "CreateTable". A Table.Create, Put or Delete is a "PutItem" or
// "DeleteItem", a count is a "Query" or "Scan", and a write the write
// rules turn into a transaction is a "TransactWriteItems".
//
// Relation names the relation whose verb failed, such as "Department has
// many Employee": package relations sets it on every error its verbs
// return. An error a verb meets before or without a request (a missing
// parent, a refusal) is wrapped in an Error with no Op, whose message is
// the cause's; errors.As finds the Error, errors.Is the cause's sentinel.
type Error struct {
	Op    string                          // the DynamoDB API operation, such as "GetItem" or "Query"
	Table string                          // the table name, or ""
	Index string                          // the secondary index, set with [ErrIndexNotFound]
	Key   map[string]types.AttributeValue // the key of the item, when the operation has one
	Kind  error                           // a sentinel such as [ErrNotFound], or nil
	Err   error                           // the cause, such as the SDK error; may be nil

	Relation string // the relation whose verb failed, or ""
}

// Error implements the error interface. The message names the package
// once: "dynamokit: GetItem users {id: 7}: item not found".
func (e *Error) Error() string {
	if e.Op == "" && e.Kind == nil && e.Err != nil {
		return errtext.Once(e.Err.Error()) // a verb's error, wrapped to name its relation
	}
	var b strings.Builder
	b.WriteString("dynamokit: ")
	b.WriteString(e.Op)
	if e.Table != "" {
		b.WriteString(" ")
		b.WriteString(e.Table)
	}
	if e.Index != "" {
		b.WriteString(" index ")
		b.WriteString(e.Index)
	}
	if len(e.Key) > 0 {
		b.WriteString(" ")
		b.WriteString(errtext.FormatKey(e.Key))
	}
	var msg string
	switch {
	case e.Kind == model.ErrEmptyKey && e.Err != nil:
		// The cause names the attribute: "empty key attribute customer_id".
		msg = errtext.Trim(e.Err.Error())
	case e.Kind != nil:
		msg = errtext.Trim(e.Kind.Error())
		var inner *Error
		var unknown *UnknownOutcomeError
		switch {
		case errors.As(e.Err, &inner):
			msg += ": " + errtext.Trim(e.Err.Error())
		case errors.As(e.Err, &unknown) && unknown.Err != nil:
			msg += ": " + errtext.Trim(unknown.Err.Error()) // what was lost, and how
		}
	case e.Err != nil:
		msg = errtext.Trim(e.Err.Error())
	}
	if e.Table != "" {
		// A cause that names the table again, such as a unique value's
		// clash ("users: email ... is held by ..."), names it once.
		msg = strings.TrimPrefix(msg, e.Table+": ")
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	return b.String()
}

// Unwrap returns the sentinel and the cause.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// missingIndex refines err, the classified error of a failed request k,
// when k names a secondary index (a Query or Scan with IndexName) and
// failed as a missing resource (moto) or an invalid request (DynamoDB): it
// asks DescribeTable, without hooks or retries, whether the table exists
// and has the index, rather than reading the error's message. A table that
// exists without the index makes the error [ErrIndexNotFound]; otherwise
// err is returned as it is.
func (c *Client) missingIndex(ctx context.Context, k call, err error) error {
	var index string
	switch in := k.input.(type) {
	case *dynamodb.QueryInput:
		index = aws.ToString(in.IndexName)
	case *dynamodb.ScanInput:
		index = aws.ToString(in.IndexName)
	}
	var e *Error
	var api smithy.APIError
	if index == "" || !errors.As(err, &e) || e.Kind != nil && e.Kind != ErrTableNotFound ||
		!errors.As(err, &api) || api.ErrorCode() != "ResourceNotFoundException" && api.ErrorCode() != "ValidationException" {
		return err
	}
	out, derr := c.api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(k.table)})
	if derr != nil || out.Table == nil {
		return err
	}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		if aws.ToString(g.IndexName) == index {
			return err
		}
	}
	for _, l := range out.Table.LocalSecondaryIndexes {
		if aws.ToString(l.IndexName) == index {
			return err
		}
	}
	return &Error{Op: e.Op, Table: e.Table, Index: index, Kind: ErrIndexNotFound, Err: e.Err}
}
