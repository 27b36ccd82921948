package relations

import (
	"errors"
	"slices"
	"testing"

	"github.com/dynamokit/dynamokit/model"
)

// TestRefusals covers the calls refused before any request.
func TestRefusals(t *testing.T) {
	ic, err := Declare(tableOf[icDeptMeta](t), tableOf[icEmp](t), Spec{Layout: ItemCollection})
	if err != nil {
		t.Fatal(err)
	}
	mt, err := Declare(tableOf[mtDept](t), tableOf[mtEmp](t), Spec{Layout: MultiTable, Index: "by-dept", OnDelete: Cascade})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"empty parent key", mt.DeleteParent(t.Context(), mtDept{}, nil), model.ErrEmptyKey},
		{"unlink one child in an item collection", ic.Unlink(t.Context(), icEmp{EmpID: "e-1", DeptID: "d-1"}), ErrCannotDetach},
		{"relink to a parent with an empty key", mt.Relink(t.Context(), mtEmp{EmpID: "e-1", DeptID: "d-1"}, mtDept{}), model.ErrEmptyKey},
		{"link to a parent with an empty key", mt.Link(t.Context(), &mtEmp{EmpID: "e-1"}, mtDept{}), ErrParentNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.want) {
				t.Errorf("got %v, want %v", tt.err, tt.want)
			}
		})
	}
}

func TestRestrictError(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{1, "relations: parent has 1 child: unlink or delete the children first (HasMany.Unlink or DeleteChild)"},
		{1200, "relations: parent has 1200 children: unlink or delete the children first (HasMany.Unlink or DeleteChild)"},
	}
	for _, tt := range tests {
		var err error = &RestrictError{Kind: ErrHasChildren, Count: tt.n}
		if got := err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(err, ErrHasChildren) {
			t.Errorf("errors.Is(%v, ErrHasChildren) = false", err)
		}
	}
}

func TestPolicyString(t *testing.T) {
	for p, want := range map[Policy]string{Restrict: "restrict", Cascade: "cascade", Detach: "detach", 7: "Policy(7)"} {
		if got := p.String(); got != want {
			t.Errorf("Policy(%d).String() = %q, want %q", int(p), got, want)
		}
	}
}

func TestSweepAttrs(t *testing.T) {
	mt, err := Declare(tableOf[mtDept](t), tableOf[mtEmp](t), Spec{Layout: MultiTable, Index: "by-dept"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mt.sweepAttrs(), []string{"emp_id", "dept_id"}; !slices.Equal(got, want) {
		t.Errorf("multi-table sweepAttrs() = %v, want %v", got, want)
	}
	ic, err := Declare(tableOf[icDeptMeta](t), tableOf[icEmp](t), Spec{Layout: ItemCollection})
	if err != nil {
		t.Fatal(err)
	}
	if got := ic.sweepAttrs(); !slices.Contains(got, "dept_id") || slices.Contains(got, "pk") {
		t.Errorf("item-collection sweepAttrs() = %v, want the fields its computed key is made of", got)
	}
}
