package integration_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
)

// TestRelationsConcurrentMoves has 16 goroutines move the same employees
// between departments at once, in each layout. Afterwards every employee
// exists once, in one existing department, and is listed by exactly that
// department.
func TestRelationsConcurrentMoves(t *testing.T) {
	t.Parallel()
	eachLayout(t, testConcurrentMoves, testConcurrentMoves, testConcurrentMoves)
}

func testConcurrentMoves[P, C any](t *testing.T, s shape[P, C]) {
	const (
		workers = 16
		moves   = 4 // per worker
	)
	f := setup(t, s, nil)
	ctx := t.Context()
	f.seed(t) // d-1 and d-2, five employees
	d3 := f.dept(Department{"d-3", "Ops"})
	if err := f.depts.Create(ctx, &d3); err != nil {
		t.Fatal(err)
	}
	depts := []string{"d-1", "d-2", "d-3"}
	var conflicts, stale atomic.Int64

	// move moves employee id to dept. In an item collection the employee's
	// key holds its department, which another worker may have changed:
	// then look for it in the other departments.
	//
	// The attempts are bounded by progress, not by luck: an employee is
	// always in exactly one department, so len(depts) attempts in a row
	// that all miss it mean another worker moved it meanwhile, and there
	// are workers*moves moves in all. On a serial engine such as moto,
	// which never reports a transaction conflict, a move that needs more
	// attempts than this bound is a bug, never bad luck. (On DynamoDB a
	// conflict means another move holds the item, and counts too.)
	maxAttempts := (workers*moves + 1) * len(depts)
	move := func(id, dept string) error {
		from := rand.N(len(depts))
		for attempt := 0; attempt < maxAttempts; attempt++ {
			guess := depts[(from+attempt)%len(depts)]
			err := f.staff.Relink(ctx, f.key(id, guess), f.dept(Department{DepartmentID: dept}))
			switch {
			case err == nil:
				return nil
			case isTxConflict(err):
				conflicts.Add(1)
			case errors.Is(err, relations.ErrChildNotFound), errors.Is(err, relations.ErrStaleLink):
				stale.Add(1)
			default:
				return err
			}
		}
		return fmt.Errorf("move %s to %s: too many retries", id, dept)
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range moves {
				e := seedEmployees[rand.N(len(seedEmployees))].EmployeeID
				if err := move(e, depts[rand.N(len(depts))]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d moves, %d transaction conflicts retried, %d stale keys re-read", workers*moves, conflicts.Load(), stale.Load())

	all, err := f.emps.Consistent().Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.ids(all), employeeIDs(seedEmployees); !slices.Equal(got, want) {
		t.Errorf("employees after the moves = %v, want each of %v once", got, want)
	}
	owner := map[string]string{}
	for _, c := range all {
		e := f.plainEmp(c)
		owner[e.EmployeeID] = e.DepartmentID
		if !slices.Contains(depts, e.DepartmentID) {
			t.Errorf("%s belongs to %q, not an existing department", e.EmployeeID, e.DepartmentID)
		}
	}
	parents := make([]P, len(depts))
	for i, d := range depts {
		parents[i] = f.dept(Department{DepartmentID: d})
	}
	lists, err := f.staff.ChildrenOf(ctx, parents)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]int{}
	for i, kids := range lists {
		for _, id := range f.ids(kids) {
			listed[id]++
			if owner[id] != depts[i] {
				t.Errorf("%s is listed by %s but belongs to %s", id, depts[i], owner[id])
			}
		}
	}
	for _, e := range seedEmployees {
		if listed[e.EmployeeID] != 1 {
			t.Errorf("%s is listed by %d departments, want 1", e.EmployeeID, listed[e.EmployeeID])
		}
	}
}

// isTxConflict reports whether err is a transaction that lost a race with
// another write to the same item, which a retry may get past.
func isTxConflict(err error) bool {
	var te *dynamokit.TxError
	if errors.As(err, &te) {
		for _, r := range te.Reasons {
			if r.Code == "TransactionConflict" {
				return true
			}
		}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "TransactionConflictException", "TransactionInProgressException":
			return true
		}
	}
	return false
}
