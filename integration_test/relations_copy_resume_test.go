package integration_test

import (
	"context"
	"testing"

	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// resumeChildren is how many employees the resume tests give d-1: one
// page of 25 (one write at a time) and 95 more.
const resumeChildren = 120

// renameInterrupted renames d-1 to name with UpdateParent, one
// transaction at a time, and cancels the call once its first page of
// children is written; it returns the resume token of that page.
func (f copyFixture) renameInterrupted(t *testing.T, name string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var token string
	_, err := f.staff.UpdateParent(ctx, Department{DepartmentID: "d-1"}, func(u *query.Update[Department]) *query.Update[Department] {
		return u.Set("department_name", name)
	}, &relations.SyncOptions{Concurrency: 1, Progress: func(p relations.Progress) {
		if token == "" {
			token = p.Resume
			cancel()
		}
	}})
	if err == nil || token == "" {
		t.Fatalf("UpdateParent(d-1, %s) cancelled after its first page = %v, token %q: want an error and a token", name, err, token)
	}
	return token
}

// holding counts d-1's employees by the name their copy holds.
func (f copyFixture) holding(t *testing.T) map[string]int {
	t.Helper()
	emps, err := f.emps.Consistent().Scan().Collect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range emps {
		n[e.DepartmentName]++
	}
	return n
}

// TestCopiesResumeToken checks that a SyncCopies resume token skips the
// children it had done only while its fan-out is the parent's current
// one. Renamed A → B (interrupted after 25 of 120), B → A (completed), and
// A → B again (interrupted right after its UpdateItem), the first token's
// values match the parent's again, but its 25 children hold A: a resume
// with it must leave none of them behind. Before the token carried the
// parent's fan-out stamp, it returned nil with those children holding A.
// (TestCopiesSyncResume checks that a token of the current fan-out
// resumes it.)
func TestCopiesResumeToken(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d1 := Department{DepartmentID: "d-1"}
	f := newCopyFixture(t)
	f.seed(t, []Department{{"d-1", "A"}}, map[string]string{"d-1": "a-"}, map[string]int{"d-1": resumeChildren})
	first := f.renameInterrupted(t, "B")
	if got := f.holding(t); got["B"] != copiesPage || got["A"] != resumeChildren-copiesPage {
		t.Fatalf("after the interrupted rename, copies hold %v, want %d B and %d A", got, copiesPage, resumeChildren-copiesPage)
	}
	if _, err := f.staff.UpdateParent(ctx, d1, func(u *query.Update[Department]) *query.Update[Department] {
		return u.Set("department_name", "A")
	}, nil); err != nil {
		t.Fatalf("UpdateParent(d-1, A): %v", err)
	}
	if got := f.holding(t); got["A"] != resumeChildren {
		t.Fatalf("after the completed rename back, copies hold %v, want %d A", got, resumeChildren)
	}
	// The third rename stops right after its UpdateItem: its first
	// Query of the children fails, and no child is written.
	ctx3, cancel := context.WithCancel(ctx)
	defer cancel()
	f.hook.set("Query", map[int]func(){1: cancel})
	if _, err := f.staff.UpdateParent(ctx3, d1, func(u *query.Update[Department]) *query.Update[Department] {
		return u.Set("department_name", "B")
	}, nil); err == nil {
		t.Fatal("UpdateParent(d-1, B) cancelled before its first transaction = nil, want an error")
	}
	f.hook.set("", nil)
	if got := f.holding(t); got["A"] != resumeChildren {
		t.Fatalf("after the third rename's UpdateItem, copies hold %v, want %d A", got, resumeChildren)
	}
	p, err := f.staff.SyncCopies(ctx, d1, &relations.SyncOptions{Resume: first})
	if err != nil {
		t.Fatalf("SyncCopies(d-1, first token): %v", err)
	}
	if bad, _ := f.disagreements(t); len(bad) > 0 {
		t.Errorf("SyncCopies(d-1, first token) = %+v, nil, but %d copies disagree with their department: %v", p, len(bad), bad[:min(len(bad), 3)])
	}
	if want := (relations.Progress{Done: resumeChildren}); p != want {
		t.Errorf("SyncCopies(d-1, first token) = %+v, want %+v (started over)", p, want)
	}
}
