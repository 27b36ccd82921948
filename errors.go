package dynamokit

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
)

var (
	// ErrTableNotFound is returned by every operation on a table that does
	// not exist (or is not active yet), on DynamoDB and on local engines
	// alike: DynamoDB's ResourceNotFoundException.
	ErrTableNotFound = errors.New("dynamokit: table not found")
	// ErrNotFound is returned when an item that must exist does not: a
	// get, an update or a checked delete of a missing item. Package query
	// documents which calls return it.
	ErrNotFound = errors.New("dynamokit: item not found")
	// ErrAlreadyExists is returned by a create when an item with the same
	// key exists.
	ErrAlreadyExists = errors.New("dynamokit: item already exists")
	// ErrConditionFailed is returned when a condition of a write does not
	// hold; a *[TxError] matches it when a condition of one of its actions
	// did not hold.
	ErrConditionFailed = errors.New("dynamokit: condition failed")
	// ErrVersionConflict is returned by a write of a versioned model when
	// the stored version differs from the version of the value given.
	ErrVersionConflict = errors.New("dynamokit: version conflict")
	// ErrTooManyActions is returned by [Client.WriteTx] and [Client.ReadTx]
	// for more than [MaxTxActions] actions, before any request is sent.
	ErrTooManyActions = errors.New("dynamokit: too many actions in one transaction")
)

// Error is the error of a failed operation, shared by every dynamokit
// package. Kind is one of the sentinel errors (or nil) and Err the cause;
// errors.Is and errors.As see both. It is always returned as a pointer.
type Error struct {
	Op    string                          // the operation, such as "get", "query" or "PutItem"
	Table string                          // the table name, or ""
	Key   map[string]types.AttributeValue // the key of the item, when the operation has one
	Kind  error                           // a sentinel such as [ErrNotFound], or nil
	Err   error                           // the cause, such as the SDK error; may be nil
}

// Error implements the error interface. The message names the package
// once: "dynamokit: get users {id: 7}: item not found".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("dynamokit: ")
	b.WriteString(e.Op)
	if e.Table != "" {
		b.WriteString(" ")
		b.WriteString(e.Table)
	}
	if len(e.Key) > 0 {
		b.WriteString(" ")
		b.WriteString(FormatKey(e.Key))
	}
	var msg string
	switch {
	case e.Kind == model.ErrEmptyKey && e.Err != nil:
		// The cause names the attribute: "key attribute customer_id: ...".
		msg = Trim(e.Err.Error())
	case e.Kind != nil:
		msg = Trim(e.Kind.Error())
		var inner *Error
		if errors.As(e.Err, &inner) {
			msg += ": " + Trim(e.Err.Error())
		}
	case e.Err != nil:
		msg = Trim(e.Err.Error())
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

// prefixes are the package names an error message of dynamokit starts
// with.
var prefixes = []string{"dynamokit: ", "query: ", "relations: ", "schema: ", "model: "}

// Trim returns msg without the package prefixes it starts with, for a
// message quoted inside another that already names the package.
func Trim(msg string) string {
	for {
		trimmed := msg
		for _, p := range prefixes {
			trimmed = strings.TrimPrefix(trimmed, p)
		}
		if trimmed == msg {
			return msg
		}
		msg = trimmed
	}
}

// trimmed is an error quoted inside another of dynamokit: its message
// loses the package prefix the outer message already has.
type trimmed struct{ error }

func (t trimmed) Error() string { return Trim(t.error.Error()) }
func (t trimmed) Unwrap() error { return t.error }

// FormatKey formats a key for a message: {id: 7, sk: "A#1"}.
func FormatKey(key map[string]types.AttributeValue) string {
	names := make([]string, 0, len(key))
	for k := range key {
		names = append(names, k)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("{")
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
		b.WriteString(": ")
		switch v := key[n].(type) {
		case *types.AttributeValueMemberS:
			fmt.Fprintf(&b, "%q", v.Value)
		case *types.AttributeValueMemberN:
			b.WriteString(v.Value)
		case *types.AttributeValueMemberB:
			fmt.Fprintf(&b, "0x%x", v.Value)
		default:
			fmt.Fprintf(&b, "%T", v)
		}
	}
	b.WriteString("}")
	return b.String()
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
