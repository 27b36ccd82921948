package integration_test

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
)

// restrictRuns is how many times TestRelationsRestrictRace races, per
// layout: 6 runs in all. Each run is about a hundred transactions on an
// engine that serves one request at a time. The race is forced on every
// run (see below), so more runs repeat the same interleaving.
const restrictRuns = 2

// restrictWriters is how many goroutines link and relink children into
// the parent being deleted.
const restrictWriters = 32

// TestRelationsRestrictRace deletes a parent under Restrict while 32
// goroutines link new children to it and relink children of another
// parent into it, restrictRuns times in each layout, and counts the
// orphans each run leaves by scanning the child table: there must be none,
// over the 6 runs.
//
// The race is forced, not left to the scheduler: the delete's DeleteItem
// is held back until the writers have linked at least one child, so on
// every run a child arrives after anything the delete could have read
// and before its write. With DYNAMOKIT_OLD_RESTRICT=1 the delete is the
// one relations had before the children counter (count the children with
// a Query, then an unconditional DeleteItem), to show that the test finds
// the orphans it left.
func TestRelationsRestrictRace(t *testing.T) {
	t.Parallel()
	eachLayout(t, testRestrictRace, testRestrictRace, testRestrictRace)
}

// TestRelationsRestrictRacePlain is TestRelationsRestrictRace with the
// writers going around the relation's verbs, through the child's plain
// query.Table: Create of a new child linked to the parent, and a Put (in
// an item collection) or an Update of the link (in the other layouts)
// moving a child into it. The relation's write checks keep these writes
// as safe as Link and Relink: 0 orphans.
func TestRelationsRestrictRacePlain(t *testing.T) {
	t.Parallel()
	eachLayout(t, testRestrictRacePlain, testRestrictRacePlain, testRestrictRacePlain)
}

func testRestrictRace[P, C any](t *testing.T, s shape[P, C]) { restrictRace(t, s, false) }

func testRestrictRacePlain[P, C any](t *testing.T, s shape[P, C]) { restrictRace(t, s, true) }

func restrictRace[P, C any](t *testing.T, s shape[P, C], plain bool) {
	old := os.Getenv("DYNAMOKIT_OLD_RESTRICT") == "1"
	hook := &interleaver{}
	f := setup(t, s, graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		hook.next = o.HTTPClient
		o.HTTPClient = hook
	})))
	other := f.over(t, graphClient(t)) // the writers' connection, not held back
	_, bulk := f.unchecked(t)          // loads the movers; Recount counts them
	ctx := t.Context()
	home := f.dept(Department{"home", "Home"})
	if err := f.depts.Create(ctx, &home); err != nil {
		t.Fatal(err)
	}
	// restrict is the delete under test: one attempt.
	restrict := func(parent P) error {
		if !old {
			return f.staff.DeleteParent(ctx, parent, nil)
		}
		n, err := f.staff.Children(parent).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return &relations.RestrictError{Kind: relations.ErrHasChildren, Count: n}
		}
		return f.depts.Delete(ctx, parent)
	}
	total, deleted := 0, 0
	for run := range restrictRuns {
		id := fmt.Sprintf("d-%02d", run)
		parent := f.dept(Department{id, "Racing"})
		if err := f.depts.Create(ctx, &parent); err != nil {
			t.Fatal(err)
		}
		// The children the writers relink start in home: written in a
		// batch, then counted into home's counter.
		movers := make([]C, restrictWriters)
		for i := range movers {
			movers[i] = f.emp(Employee{fmt.Sprintf("%s-m%02d", id, i), "Mover", "home"})
		}
		if err := bulk.BatchPut(ctx, movers, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := other.staff.Recount(ctx, home); err != nil {
			t.Fatal(err)
		}

		var (
			wg       sync.WaitGroup
			linked   = make(chan struct{})
			once     sync.Once
			refused  atomic.Int64
			finished atomic.Int64
			errs     = make(chan error, 2*restrictWriters)
		)
		start := make(chan struct{})
		for i := range restrictWriters {
			wg.Go(func() {
				defer finished.Add(1)
				<-start
				c := f.emp(Employee{EmployeeID: fmt.Sprintf("%s-n%02d", id, i), EmployeeName: "New"})
				writes := []func() error{
					func() error { return other.staff.Link(ctx, &c, parent) },
					func() error { return other.staff.Relink(ctx, movers[i], parent) },
				}
				if plain {
					linked := f.emp(Employee{EmployeeID: fmt.Sprintf("%s-n%02d", id, i), EmployeeName: "New", DepartmentID: id})
					writes[0] = func() error { return other.emps.Create(ctx, &linked) }
					writes[1] = func() error {
						return other.emps.Update(movers[i]).Set("department_id", id).Run(ctx)
					}
					if s.layout == relations.ItemCollection {
						// The link is the key: a Put in the parent's
						// partition is the child's arrival.
						moved := f.emp(Employee{EmployeeID: fmt.Sprintf("%s-m%02d", id, i), EmployeeName: "Mover", DepartmentID: id})
						writes[1] = func() error { return other.emps.Put(ctx, &moved) }
					}
				}
				for _, write := range writes {
					err := write()
					switch {
					case err == nil:
						once.Do(func() { close(linked) })
					case errors.Is(err, relations.ErrParentNotFound):
						refused.Add(1) // the parent is gone: nothing was written
					case isTxConflict(err):
					default:
						errs <- err
					}
				}
			})
		}
		// The writers start just before the delete's DeleteItem, which
		// waits until one of them has linked a child.
		hook.before("DeleteItem", func() {
			close(start)
			<-linked
		})
		err := restrict(parent)
		if !hook.done() {
			close(start)
			wg.Wait()
			t.Fatalf("run %d: the restrict delete sent no DeleteItem: %v", run, err)
		}
		// Keep deleting while the writers race, leaving them room: the
		// engine serves one request at a time.
		for errors.Is(err, relations.ErrHasChildren) && finished.Load() < restrictWriters {
			time.Sleep(5 * time.Millisecond)
			err = restrict(parent)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("run %d: writer: %v", run, err)
		}
		if err != nil && !errors.Is(err, relations.ErrHasChildren) {
			t.Fatalf("run %d: restrict delete: %v", run, err)
		}
		_, gerr := f.depts.Get(ctx, parent)
		gone := gerr != nil
		if gone {
			deleted++
		}
		orphans := 0
		for e, d := range f.owners(t) {
			if d == id && gone {
				orphans++
				t.Logf("run %d: %s points at the deleted %s", run, e, id)
			}
		}
		total += orphans
		t.Logf("run %d: parent deleted %v, %d writes refused for a missing parent, %d orphans", run, gone, refused.Load(), orphans)
	}
	t.Logf("%d runs (old restrict: %v, plain writers: %v): %d parents deleted, %d orphans", restrictRuns, old, plain, deleted, total)
	if total != 0 {
		t.Errorf("%d runs left %d orphans, want 0", restrictRuns, total)
	}
}
