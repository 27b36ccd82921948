package integration_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
)

// bigDepartment has this many employees in TestRelationsDelete: several
// query pages of bigPage, a dozen batch requests and four cascade
// transactions.
const bigDepartment = 300

// bigPage is the page size TestRelationsDelete pages d-big's children with.
const bigPage = 50

// TestRelationsDelete checks pagination and the delete policies in each
// layout, with a department of over a thousand employees.
func TestRelationsDelete(t *testing.T) {
	t.Parallel()
	eachLayout(t, testDelete, testDelete, testDelete)
}

func testDelete[P, C any](t *testing.T, s shape[P, C]) {
	f := setup(t, s, nil)
	ctx := t.Context()
	f.seed(t)
	// d-big and its children are written around the relation, as before
	// it was declared: d-big has no counter.
	plain, bulk := f.unchecked(t)
	big := f.dept(Department{"d-big", "Everyone"})
	if err := plain.Create(ctx, &big); err != nil {
		t.Fatal(err)
	}
	staff := make([]C, bigDepartment)
	for i := range staff {
		staff[i] = f.emp(Employee{fmt.Sprintf("b-%04d", i), "Worker", "d-big"})
	}
	if err := bulk.BatchPut(ctx, staff, nil); err != nil {
		t.Fatal(err)
	}

	// Pagination: every child exactly once, in pages of bigPage.
	seen := map[string]bool{}
	pages := 0
	for cursor := ""; ; {
		page, err := f.staff.Children(big).PageSize(bigPage).Page(ctx, cursor)
		if err != nil {
			t.Fatalf("Page %d: %v", pages, err)
		}
		pages++
		for _, c := range page.Items {
			id := f.plainEmp(c).EmployeeID
			if seen[id] {
				t.Fatalf("Page %d: %s seen twice", pages, id)
			}
			seen[id] = true
		}
		if cursor = page.Next; cursor == "" || pages > 10 {
			break
		}
	}
	if len(seen) != bigDepartment || pages < 5 {
		t.Errorf("paged through %d children in %d pages, want %d in at least 5", len(seen), pages, bigDepartment)
	}

	// Restrict refuses, and says how many children it saw: the children
	// were written around the relation, so d-big has no counter and they
	// are counted with a Query.
	err := f.staff.DeleteParent(ctx, big, nil)
	var hc *relations.RestrictError
	if !errors.Is(err, relations.ErrHasChildren) || !errors.As(err, &hc) || hc.Count != bigDepartment {
		t.Fatalf("Delete(d-big, Restrict) = %v, want a RestrictError with %d children", err, bigDepartment)
	}
	if _, err := f.depts.Get(ctx, big); err != nil {
		t.Fatalf("d-big after a refused delete: %v", err)
	}

	// Cascade, interrupted after its first batch: the rest stays.
	cctx, cancel := context.WithCancel(ctx)
	batches := 0
	cascade := f.onDelete(t, relations.Cascade)
	err = cascade.DeleteParent(cctx, big, &relations.DeleteOptions{Progress: func(relations.Progress) {
		batches++
		cancel()
	}})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted cascade = %v, want context.Canceled", err)
	}
	left := f.count(t, big)
	if batches != 1 || left == 0 || left >= bigDepartment {
		t.Errorf("after an interrupted cascade: %d batches, %d children left, want 1 batch and some children deleted", batches, left)
	}
	if _, err := f.depts.Get(ctx, big); err != nil {
		t.Fatalf("d-big after an interrupted cascade: %v", err)
	}

	// Run again: it continues and completes.
	var last relations.Progress
	if err := cascade.DeleteParent(ctx, big, &relations.DeleteOptions{Progress: func(p relations.Progress) { last = p }}); err != nil {
		t.Fatalf("Delete(d-big, Cascade) again: %v", err)
	}
	// The cascade writes one transaction at a time, and the interrupted
	// one stopped before sending its next: the counter is exact, and this
	// run deletes every child left.
	if want := (relations.Progress{Done: left}); last != want {
		t.Errorf("second cascade reported %+v, want %+v", last, want)
	}
	if n := f.count(t, big); n != 0 {
		t.Errorf("d-big has %d children after the cascade, want 0", n)
	}
	if _, err := f.depts.Get(ctx, big); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(d-big) after the cascade = %v, want ErrNotFound", err)
	}
	// A cascade of a parent that is gone is a no-op.
	if err := cascade.DeleteParent(ctx, big, nil); err != nil {
		t.Errorf("Delete(d-big, Cascade) a third time = %v", err)
	}
	if got := f.children(t, "d-2"); len(got) != 3 {
		t.Errorf("Children(d-2) after deleting d-big = %v, want the seed's 3", got)
	}

	// Restrict deletes a parent without children.
	d1 := f.dept(Department{DepartmentID: "d-1"})
	if err := f.staff.DeleteParent(ctx, d1, nil); !errors.Is(err, relations.ErrHasChildren) {
		t.Errorf("Delete(d-1, Restrict) = %v, want ErrHasChildren", err)
	}
	if err := f.staff.DeleteChild(ctx, f.key("e-1", "d-1")); err != nil {
		t.Fatal(err)
	}
	// A child deleted through the plain table takes 1 from its parent's
	// counter as well, in the same transaction: the counter stays exact.
	if err := f.emps.Delete(ctx, f.key("e-2", "d-1")); err != nil {
		t.Fatal(err)
	}
	if n, err := f.staff.CountChildren(ctx, d1); err != nil || n != 0 {
		t.Errorf("CountChildren(d-1) after a plain Delete of its last child = %d, %v, want 0", n, err)
	}
	if err := f.staff.DeleteParent(ctx, d1, nil); err != nil {
		t.Errorf("Delete(d-1 without children, Restrict) = %v", err)
	}
	if _, err := f.depts.Get(ctx, d1); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(d-1) after Delete(Restrict) = %v, want ErrNotFound", err)
	}

	// Detach: every child stays, pointing nowhere.
	const more = 260 // several batches of updates
	extra := make([]C, more)
	for i := range extra {
		extra[i] = f.emp(Employee{fmt.Sprintf("x-%04d", i), "Extra", "d-2"})
	}
	_, bulk = f.unchecked(t) // a bulk load: not checked, counted by Recount
	if err := bulk.BatchPut(ctx, extra, nil); err != nil {
		t.Fatal(err)
	}
	d2 := f.dept(Department{DepartmentID: "d-2"})
	if n, err := f.staff.Recount(ctx, d2); err != nil || n != 3+more {
		t.Fatalf("Recount(d-2) = %d, %v, want %d", n, err, 3+more)
	}
	if s.layout == relations.ItemCollection {
		if _, err := relations.Declare(f.depts, f.emps, s.spec(relations.Detach)); !errors.Is(err, relations.ErrCannotDetach) {
			t.Errorf("Declare(OnDelete: Detach) in an item collection = %v, want ErrCannotDetach", err)
		}
		return
	}
	progress := 0
	err = f.onDelete(t, relations.Detach).DeleteParent(ctx, d2, &relations.DeleteOptions{Progress: func(p relations.Progress) { progress = p.Done }})
	if err != nil {
		t.Fatalf("Delete(d-2, Detach): %v", err)
	}
	if _, err := f.depts.Get(ctx, d2); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(d-2) after Delete(Detach) = %v, want ErrNotFound", err)
	}
	all, err := f.emps.Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(all), 3+more; got != want {
		t.Errorf("%d employees after Delete(d-2, Detach), want %d", got, want)
	}
	if progress != 3+more {
		t.Errorf("Delete(d-2, Detach) reported %d children done, want %d", progress, 3+more)
	}
	for _, c := range all {
		if e := f.plainEmp(c); e.DepartmentID == "d-2" {
			t.Errorf("%s still points at the deleted d-2", e.EmployeeID)
		}
	}
	if n := f.count(t, d2); n != 0 {
		t.Errorf("d-2 has %d children after Delete(Detach), want 0", n)
	}
}

// count returns how many children parent has.
func (f fixture[P, C]) count(t *testing.T, parent P) int {
	t.Helper()
	n, err := f.staff.CountChildren(t.Context(), parent)
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	return n
}
