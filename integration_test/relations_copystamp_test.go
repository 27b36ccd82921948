package integration_test

import (
	"testing"

	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// TestCopiesTokenAfterStampDropped: Spec.Copies's stamp doc says a Put
// that drops the stamp "only makes the tokens of earlier fan-outs start
// over". But a parent created by Table.Create has no stamp, so a token
// taken before its first UpdateParent carries the empty stamp; when a
// writer that does not know the stamp (pynamodb's save, a plain Put)
// writes the parent back with the old values, that old token matches
// again. Sequence: d-1 "A" with 120 current children, a SyncCopies token
// after its first page (stamp "", values A); UpdateParent to "B"
// (completed: 120 hold B); a plain Put of d-1 with name "A" (stamp gone);
// SyncCopies(Resume: the old token) skips the first 99 children, which
// hold "B", and returns nil.
func TestCopiesTokenAfterStampDropped(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d1 := Department{DepartmentID: "d-1"}
	f := newCopyFixture(t)
	f.seed(t, []Department{{"d-1", "A"}}, map[string]string{"d-1": "a-"}, map[string]int{"d-1": resumeChildren})
	var old string
	if _, err := f.staff.SyncCopies(ctx, d1, &relations.SyncOptions{Concurrency: 1, Progress: func(p relations.Progress) {
		if old == "" {
			old = p.Resume
		}
	}}); err != nil || old == "" {
		t.Fatalf("SyncCopies(d-1) = %v, token %q; want nil and a token after the first page", err, old)
	}
	if _, err := f.staff.UpdateParent(ctx, d1, func(u *query.Update[Department]) *query.Update[Department] {
		return u.Set("department_name", "B")
	}, nil); err != nil {
		t.Fatalf("UpdateParent(d-1, B): %v", err)
	}
	if got := f.holding(t); got["B"] != resumeChildren {
		t.Fatalf("after the rename to B, copies hold %v, want %d B", got, resumeChildren)
	}
	// Another program saves the whole parent back with the old name, as
	// pynamodb's save does: the stamp (unknown to it) is gone.
	if err := f.renamer.Put(ctx, &Department{"d-1", "A"}); err != nil {
		t.Fatalf("plain Put of d-1: %v", err)
	}
	p, err := f.staff.SyncCopies(ctx, d1, &relations.SyncOptions{Resume: old})
	if err != nil {
		t.Fatalf("SyncCopies(d-1, old token): %v", err)
	}
	if got := f.holding(t); got["A"] != resumeChildren {
		t.Errorf("SyncCopies(d-1, a token of the fan-out before the rename) = %+v, nil; copies hold %v, want %d A", p, got, resumeChildren)
	}
}
