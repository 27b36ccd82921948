package integration_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// TestEdgeForeignWriter is TestRelationsForeignWriter for a many-to-many
// relation: a writer on a client without the relation (as a service that
// does not use dynamokit) creates enrollments, one of them to a course
// that does not exist, without the edge counters. Then a Restrict delete
// of a student is refused while its edge exists, naming the edge; an
// Unlink through the relation drives two counters below 0, which read as
// ErrCounterDrift naming RecountFrom and RecountTo; RecountFrom repairs
// one end; and the audit finds the other two counters and the dangling
// edge, and repairs them.
func TestEdgeForeignWriter(t *testing.T) {
	t.Parallel()
	f := edgeSetup(t, ownTables, nil)
	ctx := t.Context()
	m := f.declare(t, relations.EdgeSpec{OnDeleteTo: relations.Cascade})
	f.create(t, []string{"s-1", "s-2"}, []string{"c-1", "c-2"})
	foreign := f.over(t, graphClient(t))
	for _, e := range []Enrollment{{"s-1", "c-1", ""}, {"s-2", "c-1", ""}, {"s-1", "c-404", ""}} {
		if err := foreign.edges.Create(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}

	// Restrict sees the edge the counter does not count.
	err := m.DeleteFrom(ctx, Student{StudentID: "s-2"}, nil)
	var he *relations.RestrictError
	if !errors.As(err, &he) || !errors.Is(err, relations.ErrCounterDrift) || he.Example != "course_id=c-1, student_id=s-2" || he.Count != 1 {
		t.Errorf("DeleteFrom(s-2, Restrict, counter 0, 1 edge written around) = %v, want a *RestrictError naming course_id=c-1, student_id=s-2 and matching ErrCounterDrift", err)
	}
	if _, err := f.students.Get(ctx, Student{StudentID: "s-2"}); err != nil {
		t.Errorf("Get(s-2) after the refused delete = %v", err)
	}

	// An unlink of an uncounted edge: both counters read as drift.
	if err := m.Unlink(ctx, Student{StudentID: "s-1"}, Course{CourseID: "c-1"}); err != nil {
		t.Fatal(err)
	}
	if n, err := m.CountFrom(ctx, Student{StudentID: "s-1"}); !errors.Is(err, relations.ErrCounterDrift) || n != 0 || !strings.Contains(err.Error(), "is -1, below 0") || !strings.Contains(err.Error(), "run ManyToMany.RecountFrom") {
		t.Errorf("CountFrom(s-1, counter -1) = %d, %v; want 0 and ErrCounterDrift naming -1 and ManyToMany.RecountFrom", n, err)
	}
	if n, err := m.CountTo(ctx, Course{CourseID: "c-1"}); !errors.Is(err, relations.ErrCounterDrift) || n != 0 || !strings.Contains(err.Error(), "run ManyToMany.RecountTo") {
		t.Errorf("CountTo(c-1, counter -1) = %d, %v; want 0 and ErrCounterDrift naming ManyToMany.RecountTo", n, err)
	}
	if n, err := m.RecountFrom(ctx, Student{StudentID: "s-2"}); err != nil || n != 1 {
		t.Errorf("RecountFrom(s-2) = %d, %v; want 1", n, err)
	}
	if _, err := m.RecountTo(ctx, Course{CourseID: "c-404"}); !errors.Is(err, relations.ErrEndNotFound) {
		t.Errorf("RecountTo(a missing course) = %v, want ErrEndNotFound", err)
	}

	wantDrift := []relations.Drift{
		{Side: "to", Item: "course_id=c-1", Stored: -1, HasCounter: true, Counted: 1},
		{Side: "from", Item: "student_id=s-1", Stored: -1, HasCounter: true, Counted: 1},
	}
	wantDangling := []relations.Dangling{{Side: "to", Item: "course_id=c-404, student_id=s-1", Missing: "course_id=c-404"}}
	rep, err := m.Audit(ctx, nil)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if diff := cmp.Diff(wantDrift, sortedDrift(rep.Drift)); diff != "" {
		t.Errorf("Audit drift (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantDangling, rep.Dangling); diff != "" {
		t.Errorf("Audit dangling (-want +got):\n%s", diff)
	}
	if rep.Checked != 4 || rep.Scanned != 2 {
		t.Errorf("Audit checked %d ends and scanned %d edges, want 4 and 2", rep.Checked, rep.Scanned)
	}

	// Repair: the counters are set to the count, then the dangling edge
	// (its missing end is a course, declared Cascade) is unlinked, which
	// takes it off s-1's repaired counter.
	rep, err = m.Audit(ctx, &relations.AuditOptions{Repair: true, RepairDangling: true})
	if err != nil {
		t.Fatalf("Audit(Repair): %v", err)
	}
	if len(rep.Drift) != 2 || !rep.Drift[0].Repaired || !rep.Drift[1].Repaired || len(rep.Dangling) != 1 || !rep.Dangling[0].Repaired {
		t.Errorf("Audit(Repair) = %+v, want 2 drifts and 1 dangling edge, all repaired", *rep)
	}
	if got, want := f.pairs(t), []string{"s-2-c-1:"}; !slices.Equal(got, want) {
		t.Errorf("edges after the repair = %v, want %v", got, want)
	}
	for _, c := range []struct {
		count func() (int, error)
		name  string
		want  int
	}{
		{func() (int, error) { return m.CountFrom(ctx, Student{StudentID: "s-1"}) }, "CountFrom(s-1)", 0},
		{func() (int, error) { return m.CountFrom(ctx, Student{StudentID: "s-2"}) }, "CountFrom(s-2)", 1},
		{func() (int, error) { return m.CountTo(ctx, Course{CourseID: "c-1"}) }, "CountTo(c-1)", 1},
	} {
		if n, err := c.count(); err != nil || n != c.want {
			t.Errorf("%s after the repair = %d, %v; want %d", c.name, n, err, c.want)
		}
	}
	if rep, err := m.Audit(ctx, nil); err != nil || len(rep.Drift)+len(rep.Dangling) != 0 {
		t.Errorf("Audit after the repair = %+v, %v; want nothing found", rep, err)
	}
}
