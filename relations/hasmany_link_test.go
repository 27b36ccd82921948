package relations

import (
	"errors"
	"testing"

	"github.com/dynamokit/dynamokit"

	"github.com/dynamokit/dynamokit/model"
)

func TestTxErr(t *testing.T) {
	h, err := Declare(tableOf[mtDept](t), tableOf[mtEmp](t), Spec{Layout: MultiTable, Index: "by-dept"})
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
		{"child missing", []dynamokit.TxReason{failed(dynamokit.ErrNotFound), fine}, []error{ErrChildNotFound}, []error{ErrParentNotFound}, "relations: move: child not found"},
		{"parent missing", []dynamokit.TxReason{fine, failed(nil)}, []error{ErrParentNotFound}, []error{ErrChildNotFound}, "relations: move: parent not found: dept_id=d-9"},
		{"both missing", []dynamokit.TxReason{failed(dynamokit.ErrNotFound), failed(nil)}, []error{ErrChildNotFound, ErrParentNotFound}, nil, "relations: move: child not found; parent not found: dept_id=d-9"},
		{"stale link", []dynamokit.TxReason{failed(dynamokit.ErrConditionFailed), fine}, []error{ErrStaleLink}, []error{ErrChildNotFound}, "relations: move: child's link changed since it was read"},
		{"stale child version", []dynamokit.TxReason{failed(dynamokit.ErrVersionConflict), fine}, []error{dynamokit.ErrVersionConflict}, []error{ErrChildNotFound}, "relations: move: version conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.txErr("move", &dynamokit.TxError{Reasons: tt.reasons}, 0, 1, &mtDept{DeptID: "d-9"})
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

func TestLinkActions(t *testing.T) {
	parents, children := tableOf[mtDept](t), tableOf[mtEmp](t)
	h, err := Declare(parents, children, Spec{Layout: MultiTable, Index: "by-dept"})
	if err != nil {
		t.Fatal(err)
	}
	d1, d2 := mtDept{DeptID: "d-1"}, mtDept{DeptID: "d-2"}
	tests := []struct {
		name     string
		from, to *mtDept
		want     int
	}{
		{"link", nil, &d1, 1},
		{"unlink", &d1, nil, 1},
		{"relink", &d1, &d2, 2},
		{"relink to the same parent: a check", &d1, &mtDept{DeptID: "d-1"}, 1},
		{"nothing", nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.linkActions(tt.from, tt.to)
			if err != nil || len(got) != tt.want {
				t.Errorf("LinkActions = %d actions, %v; want %d", len(got), err, tt.want)
			}
		})
	}
	if _, err := h.linkActions(&mtDept{}, &d1); !errors.Is(err, model.ErrEmptyKey) {
		t.Errorf("LinkActions(empty key) = %v, want ErrEmptyKey", err)
	}
}
