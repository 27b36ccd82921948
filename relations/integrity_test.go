package relations

import (
	"errors"
	"testing"

	"github.com/dynamokit/dynamokit/query"
)

func TestTxErr(t *testing.T) {
	h, err := Declare(repo[mtDept](t), repo[mtEmp](t), Spec{Layout: MultiTable, Index: "by-dept"})
	if err != nil {
		t.Fatal(err)
	}
	failed := func(kind error) query.TxReason {
		return query.TxReason{Code: "ConditionalCheckFailed", Kind: kind}
	}
	fine := query.TxReason{Code: "None"}
	tests := []struct {
		name    string
		reasons []query.TxReason
		want    []error
		notWant []error
		msg     string
	}{
		{"child missing", []query.TxReason{failed(query.ErrNotFound), fine}, []error{ErrChildNotFound}, []error{ErrParentNotFound}, "relations: move: child not found"},
		{"parent missing", []query.TxReason{fine, failed(nil)}, []error{ErrParentNotFound}, []error{ErrChildNotFound}, "relations: move: parent not found"},
		{"both missing", []query.TxReason{failed(query.ErrNotFound), failed(nil)}, []error{ErrChildNotFound, ErrParentNotFound}, nil, "relations: move: child not found; parent not found"},
		{"stale link", []query.TxReason{failed(query.ErrConditionFailed), fine}, []error{ErrStaleLink}, []error{ErrChildNotFound}, "relations: move: child's link changed since it was read"},
		{"stale child version", []query.TxReason{failed(query.ErrVersionConflict), fine}, []error{query.ErrVersionConflict}, []error{ErrChildNotFound}, "relations: move: version conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.txErr("move", &query.TxError{Reasons: tt.reasons}, 0, 1)
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
			var te *query.TxError
			if !errors.As(err, &te) {
				t.Errorf("txErr = %v, want errors.As *query.TxError", err)
			}
			if got := err.Error(); got != tt.msg {
				t.Errorf("txErr message = %q, want %q", got, tt.msg)
			}
		})
	}
}
