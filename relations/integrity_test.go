package relations

import (
	"errors"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
)

func TestTxErr(t *testing.T) {
	h, err := New(repo[mtDept](t), repo[mtEmp](t), nil)
	if err != nil {
		t.Fatal(err)
	}
	failed := func(kind error) dynamokit.TxReason {
		return dynamokit.TxReason{Code: "ConditionalCheckFailed", Kind: kind}
	}
	fine := dynamokit.TxReason{Code: "None"}
	tests := []struct {
		name    string
		reasons []dynamokit.TxReason
		want    []error
		notWant []error
		msg     string
	}{
		{"child missing", []dynamokit.TxReason{failed(query.ErrNotFound), fine}, []error{ErrChildNotFound}, []error{ErrParentNotFound}, "relations: move: child not found"},
		{"parent missing", []dynamokit.TxReason{fine, failed(nil)}, []error{ErrParentNotFound}, []error{ErrChildNotFound}, "relations: move: parent not found"},
		{"both missing", []dynamokit.TxReason{failed(query.ErrNotFound), failed(nil)}, []error{ErrChildNotFound, ErrParentNotFound}, nil, "relations: move: child not found; parent not found"},
		{"stale child version", []dynamokit.TxReason{failed(query.ErrVersionConflict), fine}, []error{query.ErrVersionConflict}, []error{ErrChildNotFound}, "relations: move: version conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.txErr("move", &dynamokit.TxError{Reasons: tt.reasons}, 0, 1)
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("txErr = %v, want errors.Is %v", err, w)
				}
			}
			for _, w := range tt.notWant {
				if errors.Is(err, w) {
					t.Errorf("txErr = %v, want not errors.Is %v", err, w)
				}
			}
			var te *dynamokit.TxError
			if !errors.As(err, &te) {
				t.Errorf("txErr = %v, want errors.As *dynamokit.TxError", err)
			}
			if got := err.Error(); got != tt.msg {
				t.Errorf("txErr message = %q, want %q", got, tt.msg)
			}
		})
	}
}
