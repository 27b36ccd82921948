package integration_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// TestRelationsSeed runs the seed scenario's assertions in each layout.
func TestRelationsSeed(t *testing.T) {
	t.Parallel()
	eachLayout(t, testSeed, testSeed, testSeed)
}

func testSeed[P, C any](t *testing.T, s shape[P, C]) {
	f := setup(t, s, nil)
	ctx := t.Context()
	f.seed(t)

	existing := f.dept(Department{"d-1", "Other"})
	if err := f.depts.Create(ctx, &existing); !errors.Is(err, dynamokit.ErrAlreadyExists) {
		t.Errorf("Create(existing department) = %v, want ErrAlreadyExists", err)
	}
	orphan := f.emp(Employee{"e-6", "Frank", ""})
	if err := f.staff.Link(ctx, &orphan, f.dept(Department{DepartmentID: "d-404"})); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("Link(employee, d-404) = %v, want ErrParentNotFound", err)
	}
	if got := f.plainEmp(orphan).DepartmentID; got != "" {
		t.Errorf("employee after a refused Link points at %q, want it unchanged", got)
	}
	dup := f.emp(Employee{"e-1", "Alice again", ""})
	if err := f.staff.Link(ctx, &dup, f.dept(Department{DepartmentID: "d-1"})); !errors.Is(err, dynamokit.ErrAlreadyExists) {
		t.Errorf("Link(existing employee) = %v, want ErrAlreadyExists", err)
	}
	counts := func(when string, want map[string]int) {
		t.Helper()
		for d, n := range want {
			if got := f.count(t, f.dept(Department{DepartmentID: d})); got != n {
				t.Errorf("CountChildren(%s) %s = %d, want %d", d, when, got, n)
			}
		}
	}
	counts("after the seed", map[string]int{"d-1": 2, "d-2": 3, "d-404": 0})

	ds, err := f.depts.Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]Department, len(ds))
	for i, d := range ds {
		plain[i] = f.plainDept(d)
	}
	slices.SortFunc(plain, func(a, b Department) int { return strings.Compare(a.DepartmentID, b.DepartmentID) })
	if diff := cmp.Diff(seedDepartments, plain); diff != "" {
		t.Errorf("scan departments (-want +got):\n%s", diff)
	}
	es, err := f.emps.Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.ids(es), employeeIDs(seedEmployees); !slices.Equal(got, want) {
		t.Errorf("scan employees = %v, want %v", got, want)
	}

	if got, want := f.children(t, "d-1"), []string{"e-1", "e-2"}; !slices.Equal(got, want) {
		t.Errorf("Children(d-1) = %v, want %v", got, want)
	}
	if got, want := f.children(t, "d-2"), []string{"e-3", "e-4", "e-5"}; !slices.Equal(got, want) {
		t.Errorf("Children(d-2) = %v, want %v", got, want)
	}
	if got := f.children(t, "d-404"); len(got) != 0 {
		t.Errorf("Children(d-404) = %v, want none", got)
	}

	d2 := f.dept(Department{DepartmentID: "d-2"})
	if err := f.staff.Relink(ctx, f.key("e-1", "d-1"), d2); err != nil {
		t.Fatalf("Move(e-1, d-2) = %v", err)
	}
	if err := f.staff.Relink(ctx, f.key("e-999", "d-1"), d2); !errors.Is(err, relations.ErrChildNotFound) {
		t.Errorf("Move(e-999, d-2) = %v, want ErrChildNotFound", err)
	}
	if err := f.staff.Relink(ctx, f.key("e-2", "d-1"), f.dept(Department{DepartmentID: "d-404"})); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("Move(e-2, d-404) = %v, want ErrParentNotFound", err)
	}
	if _, err := f.emps.Get(ctx, f.key("e-999", "d-2")); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(e-999) = %v, want ErrNotFound (a failed move must not create an item)", err)
	}
	// Moving to the parent it already has changes nothing.
	if err := f.staff.Relink(ctx, f.key("e-3", "d-2"), d2); err != nil {
		t.Errorf("Move(e-3, d-2), its own department = %v", err)
	}
	counts("after the moves", map[string]int{"d-1": 1, "d-2": 4})

	alice, err := f.emps.Get(ctx, f.key("e-1", "d-2"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Employee{"e-1", "Alice", "d-2"}, f.plainEmp(alice)); diff != "" {
		t.Errorf("Alice after move (-want +got):\n%s", diff)
	}
	if s.layout == relations.ItemCollection {
		if _, err := f.emps.Get(ctx, f.key("e-1", "d-1")); !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Get(e-1 in d-1) after the move = %v, want ErrNotFound", err)
		}
	}
	bob, err := f.emps.Get(ctx, f.key("e-2", "d-1"))
	if err != nil {
		t.Fatalf("Bob after a refused move: %v", err)
	}
	if got := f.plainEmp(bob).DepartmentID; got != "d-1" {
		t.Errorf("Bob.DepartmentID = %q after a refused move, want d-1", got)
	}
	if got, want := f.children(t, "d-2"), []string{"e-1", "e-3", "e-4", "e-5"}; !slices.Equal(got, want) {
		t.Errorf("Children(d-2) after move = %v, want %v", got, want)
	}

	parent, err := f.staff.ParentOf(ctx, alice)
	if err != nil || f.plainDept(parent).DepartmentName != "IT" {
		t.Errorf("Parent(Alice) = %v, %v, want IT", parent, err)
	}
	p, kids, err := f.staff.ParentWithChildren(ctx, d2)
	if err != nil {
		t.Fatalf("ParentWithChildren(d-2): %v", err)
	}
	if got, want := f.plainDept(p), (Department{"d-2", "IT"}); got != want {
		t.Errorf("ParentWithChildren(d-2) parent = %v, want %v", got, want)
	}
	if got, want := f.ids(kids), []string{"e-1", "e-3", "e-4", "e-5"}; !slices.Equal(got, want) {
		t.Errorf("ParentWithChildren(d-2) children = %v, want %v", got, want)
	}
	if _, _, err := f.staff.ParentWithChildren(ctx, f.dept(Department{DepartmentID: "d-404"})); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("ParentWithChildren(d-404) = %v, want ErrParentNotFound", err)
	}

	many, err := f.staff.ChildrenOf(ctx, []P{f.dept(Department{DepartmentID: "d-1"}), d2, f.dept(Department{DepartmentID: "d-404"})})
	if err != nil {
		t.Fatalf("ChildrenOf: %v", err)
	}
	if got, want := [][]string{f.ids(many[0]), f.ids(many[1]), f.ids(many[2])}, [][]string{{"e-2"}, {"e-1", "e-3", "e-4", "e-5"}, {}}; !cmp.Equal(got, want) {
		t.Errorf("ChildrenOf(d-1, d-2, d-404) = %v, want %v", got, want)
	}

	err = f.staff.Unlink(ctx, f.key("e-5", "d-2"))
	if s.layout == relations.ItemCollection {
		if !errors.Is(err, relations.ErrCannotDetach) {
			t.Errorf("Detach in an item collection = %v, want ErrCannotDetach", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Detach(e-5) = %v", err)
	}
	if err := f.staff.Unlink(ctx, f.key("e-999", "")); !errors.Is(err, relations.ErrChildNotFound) {
		t.Errorf("Detach(e-999) = %v, want ErrChildNotFound", err)
	}
	edward, err := f.emps.Get(ctx, f.key("e-5", ""))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Employee{"e-5", "Edward", ""}, f.plainEmp(edward)); diff != "" {
		t.Errorf("Edward after Detach (-want +got):\n%s", diff)
	}
	if _, err := f.staff.ParentOf(ctx, edward); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("Parent(detached Edward) = %v, want ErrParentNotFound", err)
	}
	if got, want := f.children(t, "d-2"), []string{"e-1", "e-3", "e-4"}; !slices.Equal(got, want) {
		t.Errorf("Children(d-2) after Detach(e-5) = %v, want %v", got, want)
	}
	counts("after unlinking e-5", map[string]int{"d-1": 1, "d-2": 3})
	// Linking a detached child back: its stored link is empty, so the
	// value's empty link is current.
	if err := f.staff.Relink(ctx, edward, d2); err != nil {
		t.Errorf("Relink(detached Edward, d-2) = %v", err)
	}
	// A stale link is refused: e-1 is no longer in d-1.
	if err := f.staff.Relink(ctx, f.key("e-1", "d-1"), d2); !errors.Is(err, relations.ErrStaleLink) {
		t.Errorf("Relink(e-1 as if still in d-1) = %v, want ErrStaleLink", err)
	}
	counts("after relinking e-5", map[string]int{"d-1": 1, "d-2": 4})
}
