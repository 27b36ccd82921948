package integration_test

import (
	"errors"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// renameTo is an UpdateParent change that sets the department's name.
func renameTo(name string) func(*query.Update[Department]) *query.Update[Department] {
	return func(u *query.Update[Department]) *query.Update[Department] { return u.Set("department_name", name) }
}

// TestCopiesOlderFanOutLoses: the fan-out writes each child with its own
// UpdateItem, which cannot check the parent. A newer UpdateParent that
// runs to its end in the middle of an older fan-out's page must still win:
// none of the older fan-out's later writes lands (each is conditional on
// the child's stamp as read, which the newer fan-out changed), and the
// older call, finding the newer stamp on the parent, finishes against the
// newer values, writing nothing.
func TestCopiesOlderFanOutLoses(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const n = 60
	d1 := Department{DepartmentID: "d-1"}
	f := newCopyFixture(t)
	f.seed(t, []Department{{"d-1", "HR"}}, map[string]string{"d-1": "a-"}, map[string]int{"d-1": n})
	// UpdateItem 1 renames d-1 to People; 2 to 11 write ten children of
	// its first page of 25. Before 12, another program renames d-1 to
	// Staff and fans that out to every child.
	f.hook.set("UpdateItem", map[int]func(){12: func() {
		p, err := f.otherStaff.UpdateParent(ctx, d1, renameTo("Staff"), nil)
		if err != nil || p != (relations.Progress{Done: n}) {
			t.Errorf("the newer UpdateParent(d-1, Staff) = %+v, %v; want %d updated", p, err, n)
		}
	}})
	p, err := f.staff.UpdateParent(ctx, d1, renameTo("People"), &relations.SyncOptions{Concurrency: 1})
	if err != nil {
		t.Fatalf("the older UpdateParent(d-1, People): %v", err)
	}
	if f.hook.done() != 1 {
		t.Fatal("the newer rename never ran")
	}
	// Ten writes landed before the newer rename, none after; the second
	// pass, against Staff, finds every child current.
	if want := (relations.Progress{Done: 10, Current: n}); p != want {
		t.Errorf("the older UpdateParent(d-1, People) = %+v, want %+v (a write of it landed after the newer rename)", p, want)
	}
	if got := f.holding(t); got["Staff"] != n {
		t.Errorf("copies hold %v, want %d Staff", got, n)
	}
}

// TestCopiesHeldWriteRenamedBack holds back the older fan-out's first
// write, already built, while another program renames the parent back to
// the value that child holds, and moves that child out before the newer
// fan-out reads it and back in after. The held write's condition (the
// child's link, copies and stamp as read) would hold on the link and the
// copies: only the stamp tells. The newer fan-out stamped every other
// child, and the move gave the child a new stamp of its own, so the held
// write fails; without the stamps it would write the older name over a
// copy a finished fan-out left right, and only the older call's final
// check of the parent would repair it.
func TestCopiesHeldWriteRenamedBack(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const n = 30
	d1, d2 := Department{DepartmentID: "d-1"}, Department{DepartmentID: "d-2"}
	f := newCopyFixture(t)
	f.seed(t, []Department{{"d-1", "A"}, {"d-2", "IT"}}, map[string]string{"d-1": "a-"}, map[string]int{"d-1": n})
	// The child of the older fan-out's first write: the first of its
	// first page, one write at a time.
	first, err := f.otherStaff.Children(d1).PageSize(copiesPage).Page(ctx, "")
	if err != nil || len(first.Items) == 0 {
		t.Fatalf("the first page of d-1: %+v, %v", first, err)
	}
	x := first.Items[0].EmployeeID
	copyOf := func(id string) CopyEmployee {
		got, err := f.bulk.Consistent().Get(ctx, CopyEmployee{EmployeeID: id}) // not through the held client
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	f.hook.set("UpdateItem", map[int]func(){
		// UpdateItem 1 renames d-1 to B; 2, the write of x, is held.
		2: func() {
			if err := f.otherStaff.Relink(ctx, CopyEmployee{EmployeeID: x}, d2); err != nil {
				t.Errorf("Relink(%s, d-2): %v", x, err)
			}
			if p, err := f.otherStaff.UpdateParent(ctx, d1, renameTo("A"), nil); err != nil || p != (relations.Progress{Done: n - 1}) {
				t.Errorf("UpdateParent(d-1, A) = %+v, %v; want %d updated", p, err, n-1)
			}
			if err := f.otherStaff.Relink(ctx, CopyEmployee{EmployeeID: x}, d1); err != nil {
				t.Errorf("Relink(%s, d-1): %v", x, err)
			}
		},
		// The held write has been answered.
		3: func() {
			if got := copyOf(x); got.DepartmentID != "d-1" || got.DepartmentName != "A" {
				t.Errorf("after the held write, %s = %+v, want in d-1 with the copy A", x, got)
			}
		},
	})
	p, err := f.staff.UpdateParent(ctx, d1, renameTo("B"), &relations.SyncOptions{Concurrency: 1})
	if err != nil {
		t.Fatalf("UpdateParent(d-1, B): %v", err)
	}
	if f.hook.done() != 2 {
		t.Fatalf("%d of the 2 turns ran", f.hook.done())
	}
	// The first pass wrote nothing; the second, against A, rewrites x
	// only, whose stamp is its move's.
	if want := (relations.Progress{Done: 1, Current: n - 1}); p != want {
		t.Errorf("UpdateParent(d-1, B) = %+v, want %+v", p, want)
	}
	if got := f.holding(t); got["A"] != n {
		t.Errorf("copies hold %v, want %d A", got, n)
	}
}

// TestCopiesLostAnswer loses the answer to a write of the fan-out after
// the engine applied it: the write is not sent again blindly. The child
// is read back, found written, and counted; every child is written once.
func TestCopiesLostAnswer(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const n = 30
	d1 := Department{DepartmentID: "d-1"}
	f := newCopyFixture(t)
	f.seed(t, []Department{{"d-1", "HR"}}, map[string]string{"d-1": "a-"}, map[string]int{"d-1": n})
	f.hook.set("UpdateItem", nil)
	f.hook.loseAnswers(3) // UpdateItem 1 renames d-1; 3 writes the second child
	p, err := f.staff.UpdateParent(ctx, d1, renameTo("People"), &relations.SyncOptions{Concurrency: 1})
	if err != nil {
		t.Fatalf("UpdateParent(d-1, People) with a lost answer: %v", err)
	}
	if want := (relations.Progress{Done: n}); p != want {
		t.Errorf("UpdateParent(d-1, People) = %+v, want %+v", p, want)
	}
	if sent := f.hook.sent(); sent != n+1 {
		t.Errorf("%d UpdateItem sent, want %d: the parent's and one per child", sent, n+1)
	}
	if got := f.holding(t); got["People"] != n {
		t.Errorf("copies hold %v, want %d People", got, n)
	}
	// A lost answer of the parent's own update is the caller's to resolve.
	f.hook.set("UpdateItem", nil)
	f.hook.loseAnswers(1)
	_, err = f.staff.UpdateParent(ctx, d1, renameTo("Staff"), nil)
	if err == nil || !errors.Is(err, dynamokit.ErrUnknownOutcome) {
		t.Errorf("UpdateParent(d-1, Staff) whose UpdateItem's answer is lost = %v, want ErrUnknownOutcome", err)
	}
}
