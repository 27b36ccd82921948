package dynamokit

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
)

func TestTxError(t *testing.T) {
	te := &TxError{Reasons: []TxReason{
		{Action: "create a", Code: "ConditionalCheckFailed", Kind: ErrAlreadyExists},
		{Action: "check b", Code: "None"},
		{Action: "update c", Code: "TransactionConflict"},
	}}
	var err error = te
	for _, tt := range []struct {
		target error
		want   bool
	}{
		{ErrConditionFailed, true},
		{ErrAlreadyExists, true},
		{ErrNotFound, false},
		{ErrVersionConflict, false},
	} {
		if got := errors.Is(err, tt.target); got != tt.want {
			t.Errorf("errors.Is(TxError, %v) = %v, want %v", tt.target, got, tt.want)
		}
	}
	want := "dynamokit: transaction cancelled: action 0 (create a): ConditionalCheckFailed (item already exists); action 2 (update c): TransactionConflict"
	if got := te.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestError(t *testing.T) {
	cause := errors.New("boom")
	key := mapping.Item{"id": &types.AttributeValueMemberS{Value: "7"}, "n": &types.AttributeValueMemberN{Value: "2"}}
	for _, tt := range []struct {
		err  *Error
		want string
	}{
		{&Error{Op: "GetItem", Table: "t", Kind: ErrNotFound, Err: cause}, "dynamokit: GetItem t: item not found"},
		{&Error{Op: "GetItem", Table: "t", Key: key, Kind: ErrNotFound, Err: cause}, `dynamokit: GetItem t {id: "7", n: 2}: item not found`},
		{&Error{Op: "GetItem", Table: "t", Err: cause}, "dynamokit: GetItem t: boom"},
		{&Error{Op: "TransactWriteItems", Err: cause}, "dynamokit: TransactWriteItems: boom"},
		{&Error{Op: "GetItem", Table: "t", Err: fmt.Errorf("query: relations: %w", cause)}, "dynamokit: GetItem t: boom"},
		{
			&Error{Op: "Query", Table: "depts", Kind: errors.New("relations: parent not found"),
				Err: &Error{Op: "GetItem", Table: "depts", Kind: ErrNotFound, Err: cause}},
			"dynamokit: Query depts: parent not found: GetItem depts: item not found",
		},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, cause) {
			t.Errorf("errors.Is(%v, cause) = false", tt.err)
		}
	}
}

func TestKindOf(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want error
	}{
		{&types.ResourceNotFoundException{}, ErrTableNotFound},
		{&types.ConditionalCheckFailedException{}, ErrConditionFailed},
		{errors.New("x"), nil},
	} {
		if got := kindOf(tt.err); got != tt.want {
			t.Errorf("kindOf(%T) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
