package integration_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// runForeign runs testdata/pynamodb_foreign.py, the pynamodb service that
// shares the tables, and returns what it printed.
func runForeign(t *testing.T, py pynamodb) map[string]int {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "pynamodb_foreign.py"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), py.python, append([]string{script}, py.args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pynamodb_foreign.py: %v\n%s", err, stderr.String())
	}
	var out map[string]int
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("pynamodb_foreign.py printed %q: %v", stdout.String(), err)
	}
	return out
}

// sortedDrift sorts an audit's drift by item, for comparison.
func sortedDrift(d []relations.Drift) []relations.Drift {
	d = slices.Clone(d)
	slices.SortFunc(d, func(a, b relations.Drift) int { return strings.Compare(a.Item, b.Item) })
	return d
}

// TestRelationsForeignWriter shares the notebook's tables with a pynamodb
// service that moves and creates employees without knowing the
// departments' counters, as the notebook does. dynamokit then deletes the
// two employees it moved, so that the counters drift as reported: d-1
// says 2 and has none, d-2 says -1 and has 1, d-3 says 0 and has 1, and
// e-8 points at a department that does not exist. It shows that:
//
//   - CountChildren never reads a negative counter: it returns
//     ErrCounterDrift, naming Recount;
//   - a Restrict delete is refused while the child index shows a child
//     (d-3, whose counter says 0; d-2, whose counter is negative), naming
//     the child and reporting the drift;
//   - Audit finds the three counters and the dangling e-8, repairs the
//     counters, and resumes from its token.
func TestRelationsForeignWriter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Department](t), must[Employee](t))
	ctx := t.Context()
	py := newPynamoDB(t, dynamotest.EndpointURL(t), e.names("department"), e.names("employee"))
	depts, err := query.NewTable[Department](e.db)
	if err != nil {
		t.Fatal(err)
	}
	emps, err := query.NewTable[Employee](e.db)
	if err != nil {
		t.Fatal(err)
	}
	staff, err := relations.Declare(depts, emps, relations.Spec{Layout: relations.MultiTable, Index: "department-employee-index"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"d-1", "d-2", "d-3"} {
		if err := depts.Create(ctx, &Department{id, "Dept " + id}); err != nil {
			t.Fatal(err)
		}
	}
	for _, emp := range []Employee{{"e-1", "Alice", ""}, {"e-2", "Bob", ""}, {"e-3", "Cathy", ""}} {
		parent := Department{DepartmentID: "d-1"}
		if emp.EmployeeID == "e-3" {
			parent.DepartmentID = "d-2"
		}
		if err := staff.Link(ctx, &emp, parent); err != nil {
			t.Fatal(err)
		}
	}

	// The Python service moves e-1 and e-2 to d-2, creates e-9 in d-3 and
	// e-8 in the missing d-404: one run of the script.
	if got, want := runForeign(t, py), map[string]int{"moved": 2, "created": 2}; !cmp.Equal(got, want) {
		t.Fatalf("pynamodb_foreign.py = %v, want %v", got, want)
	}
	// dynamokit deletes e-1 and e-2 where they now are: d-2 counts -1.
	for _, id := range []string{"e-1", "e-2"} {
		if err := staff.DeleteChild(ctx, Employee{EmployeeID: id}); err != nil {
			t.Fatalf("DeleteChild(%s): %v", id, err)
		}
	}

	// A counter never reads negative.
	n, err := staff.CountChildren(ctx, Department{DepartmentID: "d-2"})
	if !errors.Is(err, relations.ErrCounterDrift) || n != 0 {
		t.Fatalf("CountChildren(d-2, counter -1) = %d, %v; want 0 and ErrCounterDrift", n, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "of department_id=d-2 is -1, below 0") || !strings.Contains(msg, "run HasMany.Recount") {
		t.Errorf("CountChildren(d-2) = %q, want item department_id=d-2, stored -1, naming HasMany.Recount", msg)
	}

	// Restrict refuses while the index shows a child, whatever the counter.
	for _, tt := range []struct{ dept, child string }{{"d-3", "employee_id=e-9"}, {"d-2", "employee_id=e-3"}} {
		err := staff.DeleteParent(ctx, Department{DepartmentID: tt.dept}, nil)
		var hc *relations.RestrictError
		if !errors.As(err, &hc) || !errors.Is(err, relations.ErrHasChildren) || !errors.Is(err, relations.ErrCounterDrift) {
			t.Errorf("DeleteParent(%s, Restrict) = %v, want a *RestrictError that also matches ErrCounterDrift", tt.dept, err)
		} else if hc.Example != tt.child || hc.Count != 1 {
			t.Errorf("DeleteParent(%s, Restrict) = %+v, want 1 child, %s", tt.dept, *hc, tt.child)
		}
		if _, err := depts.Get(ctx, Department{DepartmentID: tt.dept}); err != nil {
			t.Errorf("Get(%s) after the refused delete = %v, want it kept", tt.dept, err)
		}
	}

	// The audit finds the drift and the dangling link; repairs the
	// counters; and reports nothing more after.
	wantDrift := []relations.Drift{
		{Side: "parent", Item: "department_id=d-1", Stored: 2, HasCounter: true, Counted: 0},
		{Side: "parent", Item: "department_id=d-2", Stored: -1, HasCounter: true, Counted: 1},
		{Side: "parent", Item: "department_id=d-3", Stored: 0, HasCounter: true, Counted: 1},
	}
	wantDangling := []relations.Dangling{{Side: "parent", Item: "employee_id=e-8", Missing: "department_id=d-404"}}
	var pages int
	rep, err := staff.Audit(ctx, &relations.AuditOptions{Progress: func(relations.AuditReport) { pages++ }})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if diff := cmp.Diff(wantDrift, sortedDrift(rep.Drift)); diff != "" {
		t.Errorf("Audit drift (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantDangling, rep.Dangling); diff != "" {
		t.Errorf("Audit dangling (-want +got):\n%s", diff)
	}
	if rep.Checked != 3 || rep.Scanned != 3 || rep.Resume != "" || pages == 0 {
		t.Errorf("Audit checked %d parents, scanned %d children, resume %q, %d progress calls; want 3, 3, \"\", some", rep.Checked, rep.Scanned, rep.Resume, pages)
	}

	// An audit stopped after its first page resumes from its token.
	stop, cancel := context.WithCancel(ctx)
	first, err := staff.Audit(stop, &relations.AuditOptions{PageSize: 1, Progress: func(relations.AuditReport) { cancel() }})
	if !errors.Is(err, context.Canceled) || first.Resume == "" {
		t.Fatalf("Audit cancelled after a page = %v, resume %q; want context.Canceled and a token", err, first.Resume)
	}
	rest, err := staff.Audit(ctx, &relations.AuditOptions{PageSize: 1, Resume: first.Resume, Repair: true})
	if err != nil {
		t.Fatalf("Audit(resumed, Repair): %v", err)
	}
	if got := first.Checked + rest.Checked; got != 3 || len(first.Drift)+len(rest.Drift) != 3 || len(rest.Dangling) != 1 {
		t.Errorf("Audit in two runs checked %d parents, found %d+%d drifts and %d dangling; want 3, 3, 1", got, len(first.Drift), len(rest.Drift), len(rest.Dangling))
	}
	for _, d := range first.Drift {
		if d.Repaired {
			t.Errorf("Audit without Repair repaired %+v", d)
		}
	}
	for _, d := range rest.Drift {
		if !d.Repaired {
			t.Errorf("Audit with Repair left %+v", d)
		}
	}
	// The drift of the first run's page was not repaired: repair it alone.
	for _, d := range first.Drift {
		id := strings.TrimPrefix(d.Item, "department_id=")
		if _, err := staff.Recount(ctx, Department{DepartmentID: id}); err != nil {
			t.Fatalf("Recount(%s): %v", id, err)
		}
	}
	for id, want := range map[string]int{"d-1": 0, "d-2": 1, "d-3": 1} {
		if n, err := staff.CountChildren(ctx, Department{DepartmentID: id}); err != nil || n != want {
			t.Errorf("CountChildren(%s) after the repair = %d, %v; want %d", id, n, err, want)
		}
	}
	after, err := staff.Audit(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Drift) != 0 || len(after.Dangling) != 1 {
		t.Errorf("Audit after the repair = %+v, want no drift and e-8 still dangling (Restrict reports it only)", *after)
	}
	if err := staff.DeleteParent(ctx, Department{DepartmentID: "d-1"}, nil); err != nil {
		t.Errorf("DeleteParent(d-1, no children, repaired counter) = %v", err)
	}
	one, err := staff.AuditParent(ctx, Department{DepartmentID: "d-404"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantDangling, one.Dangling); diff != "" {
		t.Errorf("AuditParent(d-404) dangling (-want +got):\n%s", diff)
	}
}
