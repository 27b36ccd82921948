package integration_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// TenantDepartment is a department of one tenant: two tenants may each have
// a department "d1", and they are different departments.
type TenantDepartment struct {
	TenantID     string `dynamo:"tenant_id,hash"`
	DepartmentID string `dynamo:"department_id,range"`
	Name         string `dynamo:"name"`
}

func (TenantDepartment) TableName() string { return "tenant_department" }

// TenantEmployee is found by its department through by-department, whose
// partition key is two typed attributes: the tenant and the department,
// together the key of the employee's department.
type TenantEmployee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	TenantID     string `dynamo:"tenant_id,omitempty" index:"by-department,hash"`
	DepartmentID string `dynamo:"department_id,omitempty" index:"by-department,hash"`
	Name         string `dynamo:"name" index:"by-department,range"`
}

func (TenantEmployee) TableName() string { return "tenant_employee" }

// tenantStaff declares the relation of tenant-scoped departments and
// employees with policy onDelete, over tables of its own.
func tenantStaff(t *testing.T, onDelete relations.Policy) (*relations.HasMany[TenantDepartment, TenantEmployee], *query.Table[TenantDepartment], *query.Table[TenantEmployee]) {
	t.Helper()
	e := newEnv(t, must[TenantDepartment](t), must[TenantEmployee](t))
	departments := tableOf[TenantDepartment](t, e, nil, nil)
	employees := tableOf[TenantEmployee](t, e, nil, nil)
	staff, err := relations.Declare(departments, employees, relations.Spec{
		Layout:   relations.MultiTable,
		Index:    "by-department",
		OnDelete: onDelete,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []TenantDepartment{
		{TenantID: "acme", DepartmentID: "d1", Name: "Acme sales"},
		{TenantID: "acme", DepartmentID: "d2", Name: "Acme support"},
		{TenantID: "globex", DepartmentID: "d1", Name: "Globex sales"},
	} {
		if err := departments.Create(t.Context(), &d); err != nil {
			t.Fatal(err)
		}
	}
	return staff, departments, employees
}

// TestRelationsMultiKeyIndex relates tenant-scoped departments and their
// employees through a child index keyed by tenant and department: links,
// lists, moves within a tenant and to another tenant's department with the
// same department_id (a different parent), refuses a missing parent, keeps
// both counters on a plain Put that moves a child, and deletes under
// Restrict, Cascade and Detach.
func TestRelationsMultiKeyIndex(t *testing.T) {
	t.Parallel()
	acme1 := TenantDepartment{TenantID: "acme", DepartmentID: "d1"}
	acme2 := TenantDepartment{TenantID: "acme", DepartmentID: "d2"}
	globex1 := TenantDepartment{TenantID: "globex", DepartmentID: "d1"}
	names := func(t *testing.T, kids []TenantEmployee) []string {
		t.Helper()
		var out []string
		for _, k := range kids {
			out = append(out, k.Name)
		}
		return out
	}

	t.Run("restrict", func(t *testing.T) {
		t.Parallel()
		staff, departments, employees := tenantStaff(t, relations.Restrict)
		ctx := t.Context()
		children := func(d TenantDepartment) []string {
			t.Helper()
			kids, err := staff.Children(d).Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return names(t, kids)
		}
		counts := func(want ...int) {
			t.Helper()
			for i, d := range []TenantDepartment{acme1, acme2, globex1} {
				if n, err := staff.CountChildren(ctx, d); err != nil || n != want[i] {
					t.Errorf("CountChildren(%s/%s) = %d, %v; want %d", d.TenantID, d.DepartmentID, n, err, want[i])
				}
			}
		}

		ann := TenantEmployee{EmployeeID: "e1", Name: "Ann"}
		bob := TenantEmployee{EmployeeID: "e2", Name: "Bob"}
		for _, e := range []*TenantEmployee{&ann, &bob} {
			if err := staff.Link(ctx, e, acme1); err != nil {
				t.Fatal(err)
			}
		}
		if ann.TenantID != "acme" || ann.DepartmentID != "d1" {
			t.Errorf("Link set the link to %s/%s, want acme/d1", ann.TenantID, ann.DepartmentID)
		}
		lost := TenantEmployee{EmployeeID: "e3", Name: "Cy"}
		if err := staff.Link(ctx, &lost, TenantDepartment{TenantID: "acme", DepartmentID: "d9"}); !errors.Is(err, relations.ErrParentNotFound) {
			t.Errorf("Link to a missing department = %v, want ErrParentNotFound", err)
		}
		if _, err := employees.Get(ctx, lost); !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Get of the refused child = %v, want ErrNotFound", err)
		}
		if diff := cmp.Diff(children(acme1), []string{"Ann", "Bob"}); diff != "" {
			t.Errorf("Children(acme/d1) (-got +want):\n%s", diff)
		}
		if got := children(globex1); got != nil {
			t.Errorf("Children(globex/d1) = %v, want none: same department_id, another tenant", got)
		}
		counts(2, 0, 0)

		page, err := staff.Children(acme1).PageSize(1).Page(ctx, "")
		if err != nil || len(page.Items) != 1 || page.Items[0].Name != "Ann" || page.Next == "" {
			t.Fatalf("Children(acme/d1).PageSize(1).Page = %+v, %v; want Ann and a cursor", page, err)
		}
		page, err = staff.Children(acme1).PageSize(1).Page(ctx, page.Next)
		if err != nil || len(page.Items) != 1 || page.Items[0].Name != "Bob" {
			t.Fatalf("Children(acme/d1).PageSize(1).Page(next) = %+v, %v; want Bob", page, err)
		}

		bobs, err := staff.Children(acme1).SortKey("name", query.Equal, "Bob").Collect(ctx)
		if err != nil || !slices.Equal(names(t, bobs), []string{"Bob"}) {
			t.Errorf("Children(acme/d1).SortKey(name = Bob) = %v, %v; want [Bob]", names(t, bobs), err)
		}

		// Within the tenant, then to another tenant's d1: a different parent.
		if err := staff.Relink(ctx, ann, acme2); err != nil {
			t.Fatal(err)
		}
		ann.DepartmentID = "d2" // as stored: Relink takes the child by value
		if err := staff.Relink(ctx, bob, globex1); err != nil {
			t.Fatal(err)
		}
		counts(0, 1, 1)
		if got := children(globex1); !slices.Equal(got, []string{"Bob"}) {
			t.Errorf("Children(globex/d1) = %v, want [Bob]", got)
		}
		if got := children(acme1); got != nil {
			t.Errorf("Children(acme/d1) = %v, want none", got)
		}
		bob, err = employees.Get(ctx, bob)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := staff.ParentOf(ctx, bob); err != nil || p.Name != "Globex sales" {
			t.Errorf("ParentOf(Bob) = %+v, %v; want Globex sales", p, err)
		}
		all, err := staff.ChildrenOf(ctx, []TenantDepartment{acme1, acme2, globex1})
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		for _, kids := range all {
			got = append(got, names(t, kids))
		}
		if diff := cmp.Diff(got, [][]string{nil, {"Ann"}, {"Bob"}}); diff != "" {
			t.Errorf("ChildrenOf (-got +want):\n%s", diff)
		}

		// A plain Put that changes one link attribute is a move: both
		// counters follow, and a missing parent is refused.
		bob.TenantID = "acme"
		if err := employees.Put(ctx, &bob); err != nil {
			t.Fatal(err)
		}
		counts(1, 1, 0)
		if got := children(acme1); !slices.Equal(got, []string{"Bob"}) {
			t.Errorf("Children(acme/d1) after the Put = %v, want [Bob]", got)
		}
		bob.DepartmentID = "d9"
		if err := employees.Put(ctx, &bob); !errors.Is(err, relations.ErrParentNotFound) {
			t.Errorf("Put to a missing department = %v, want ErrParentNotFound", err)
		}
		counts(1, 1, 0)

		if err := staff.DeleteParent(ctx, acme1, nil); !errors.Is(err, relations.ErrHasChildren) {
			t.Errorf("DeleteParent(acme/d1) with a child = %v, want ErrHasChildren", err)
		}
		if err := departments.Delete(ctx, acme1); !errors.Is(err, relations.ErrHasChildren) {
			t.Errorf("plain Delete(acme/d1) with a child = %v, want ErrHasChildren", err)
		}
		if err := staff.DeleteParent(ctx, globex1, nil); err != nil {
			t.Errorf("DeleteParent(globex/d1) without children = %v", err)
		}
		if err := staff.Unlink(ctx, ann); err != nil {
			t.Fatal(err)
		}
		if n, err := staff.CountChildren(ctx, acme2); err != nil || n != 0 {
			t.Errorf("CountChildren(acme/d2) after Unlink = %d, %v; want 0", n, err)
		}
		rep, err := staff.Audit(ctx, nil)
		if err != nil || len(rep.Drift) != 0 || len(rep.Dangling) != 0 {
			t.Errorf("Audit = %+v, %v; want no drift and nothing dangling", rep, err)
		}
	})

	// Cascade and Detach leave the children of the other tenant's d1 alone.
	for _, policy := range []relations.Policy{relations.Cascade, relations.Detach} {
		t.Run(policy.String(), func(t *testing.T) {
			t.Parallel()
			staff, departments, employees := tenantStaff(t, policy)
			ctx := t.Context()
			ann := TenantEmployee{EmployeeID: "e1", Name: "Ann"}
			bob := TenantEmployee{EmployeeID: "e2", Name: "Bob"}
			cy := TenantEmployee{EmployeeID: "e3", Name: "Cy"}
			for _, l := range []struct {
				e *TenantEmployee
				d TenantDepartment
			}{{&ann, acme1}, {&bob, acme1}, {&cy, globex1}} {
				if err := staff.Link(ctx, l.e, l.d); err != nil {
					t.Fatal(err)
				}
			}
			if err := staff.DeleteParent(ctx, acme1, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := departments.Get(ctx, acme1); !errors.Is(err, dynamokit.ErrNotFound) {
				t.Errorf("Get of the deleted department = %v, want ErrNotFound", err)
			}
			left, err := employees.Scan().Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(left, func(a, b TenantEmployee) int { return strings.Compare(a.EmployeeID, b.EmployeeID) })
			want := []TenantEmployee{cy}
			if policy == relations.Detach {
				want = []TenantEmployee{{EmployeeID: "e1", Name: "Ann"}, {EmployeeID: "e2", Name: "Bob"}, cy}
			}
			if diff := cmp.Diff(left, want); diff != "" {
				t.Errorf("employees after DeleteParent (-got +want):\n%s", diff)
			}
			if n, err := staff.CountChildren(ctx, globex1); err != nil || n != 1 {
				t.Errorf("CountChildren(globex/d1) = %d, %v; want 1", n, err)
			}
		})
	}
}
