package integration_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// CopyEmployee keeps a copy of its department's name (Spec.Copies), in
// the multi-table layout.
type CopyEmployee struct {
	EmployeeID     string `dynamo:"employee_id,hash"`
	DepartmentID   string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
	DepartmentName string `dynamo:"department_name"`
}

func (CopyEmployee) TableName() string { return "employee" }

// CopyUnit and CopyMember are an item collection whose children copy the
// parent's name.
type CopyUnit struct {
	_        struct{} `dynamo:"pk,hash" template:"UNIT#{unit_id}"`
	_        struct{} `dynamo:"sk,range" template:"#META"`
	_        struct{} `dynamo:"entity" template:"Unit" dynamokit:"type"`
	UnitID   string   `dynamo:"unit_id"`
	UnitName string   `dynamo:"unit_name"`
}

func (CopyUnit) TableName() string { return "units" }

type CopyMember struct {
	_        struct{} `dynamo:"pk,hash" template:"UNIT#{unit_id}"`
	_        struct{} `dynamo:"sk,range" template:"MEMBER#{member_id}"`
	_        struct{} `dynamo:"entity" template:"Member" dynamokit:"type"`
	MemberID string   `dynamo:"member_id"`
	UnitID   string   `dynamo:"unit_id"`
	UnitName string   `dynamo:"unit_name"`
}

func (CopyMember) TableName() string { return "units" }

// turns is an SDK HTTP client that runs another writer's turn just before
// the n-th request of op, for each n it is given. Requests of op sent
// meanwhile wait for the turn to end. The turn must use another
// connection.
type turns struct {
	next dynamodb.HTTPClient
	op   string

	mu   sync.Mutex
	n    int
	at   map[int]func()
	ran  int
	lose map[int]bool
}

// set replaces the turns, and counts requests of op from 0 again.
func (h *turns) set(op string, at map[int]func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.op, h.at, h.n, h.ran, h.lose = op, at, 0, 0, nil
}

// loseAnswers makes the engine apply the n-th request of op, for each n
// given, and its answer be lost: the caller gets a 500 instead.
func (h *turns) loseAnswers(at ...int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lose = map[int]bool{}
	for _, n := range at {
		h.lose[n] = true
	}
}

// sent returns how many requests of op were sent since set.
func (h *turns) sent() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// done returns how many turns have run.
func (h *turns) done() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ran
}

// Do implements dynamodb.HTTPClient.
func (h *turns) Do(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	lose := false
	if operation(r) == h.op {
		h.n++
		if turn := h.at[h.n]; turn != nil {
			turn()
			h.ran++
		}
		lose = h.lose[h.n]
	}
	h.mu.Unlock()
	resp, err := h.next.Do(r)
	if err != nil || !lose {
		return resp, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return dynamoError(r, http.StatusInternalServerError, "InternalServerError"), nil
}

// copyFixture is a multi-table department/employee relation whose
// employees copy department_name, on a connection whose requests turns
// can hold back, and the same relation on a second connection.
type copyFixture struct {
	depts      *query.Table[Department]
	emps       *query.Table[CopyEmployee]
	staff      *relations.HasMany[Department, CopyEmployee]
	otherDepts *query.Table[Department]
	otherStaff *relations.HasMany[Department, CopyEmployee]
	// bulk is the employees' table over a client no relation is declared
	// on, for bulk loads (a BatchPut of children is refused where one is).
	bulk *query.Table[CopyEmployee]
	// renamer is the departments' table over a client no relation is
	// declared on: a rename whose fan-out has not run yet (a plain Update
	// of a copied attribute is refused where the relation is declared).
	renamer *query.Table[Department]
	hook    *turns
}

func newCopyFixture(t *testing.T, opts ...dynamokit.Option) copyFixture {
	t.Helper()
	hook := &turns{}
	opts = append(opts, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		hook.next = o.HTTPClient
		o.HTTPClient = hook
	}))
	db := graphClient(t, opts...)
	e := newEnv(t, must[Department](t), must[CopyEmployee](t))
	spec := relations.Spec{
		Layout: relations.MultiTable,
		Index:  "department-employee-index",
		Copies: map[string]string{"department_name": "department_name"},
	}
	f := copyFixture{hook: hook}
	f.depts, f.emps = tableOf[Department](t, e, db, nil), tableOf[CopyEmployee](t, e, db, nil)
	var err error
	if f.staff, err = relations.Declare(f.depts, f.emps, spec); err != nil {
		t.Fatal(err)
	}
	f.bulk = tableOf[CopyEmployee](t, e, graphClient(t), nil)
	f.renamer = tableOf[Department](t, e, graphClient(t), nil)
	other := graphClient(t)
	f.otherDepts = tableOf[Department](t, e, other, nil)
	if f.otherStaff, err = relations.Declare(f.otherDepts, tableOf[CopyEmployee](t, e, other, nil), spec); err != nil {
		t.Fatal(err)
	}
	return f
}

// seed creates the departments and n employees of each, whose copies
// hold the department's name as it is then; the counters are recounted.
func (f copyFixture) seed(t *testing.T, depts []Department, prefix map[string]string, n map[string]int) {
	t.Helper()
	ctx := t.Context()
	for _, d := range depts {
		if err := f.depts.Create(ctx, &d); err != nil {
			t.Fatal(err)
		}
		var kids []CopyEmployee
		for i := range n[d.DepartmentID] {
			kids = append(kids, CopyEmployee{fmt.Sprintf("%s%04d", prefix[d.DepartmentID], i), d.DepartmentID, d.DepartmentName})
		}
		if err := f.bulk.BatchPut(ctx, kids, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := f.staff.Recount(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
}

// rename sets a department's name as another program would before its
// own fan-out runs, through a client no relation is declared on.
func (f copyFixture) rename(t *testing.T, id, name string) {
	t.Helper()
	if err := f.renamer.Update(Department{DepartmentID: id}).Set("department_name", name).Run(context.Background()); err != nil {
		t.Errorf("rename %s to %s: %v", id, name, err)
	}
}

// disagreements returns every employee whose copy differs from its
// department's name, as "id: copy (department name)", read with strongly
// consistent scans; and how many employees each department has.
func (f copyFixture) disagreements(t *testing.T) ([]string, map[string]int) {
	t.Helper()
	ctx := t.Context()
	depts, err := f.depts.Consistent().Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, d := range depts {
		names[d.DepartmentID] = d.DepartmentName
	}
	emps, err := f.emps.Consistent().Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	count := map[string]int{}
	for _, e := range emps {
		count[e.DepartmentID]++
		if e.DepartmentID != "" && e.DepartmentName != names[e.DepartmentID] {
			bad = append(bad, fmt.Sprintf("%s in %s: %q (department %q)", e.EmployeeID, e.DepartmentID, e.DepartmentName, names[e.DepartmentID]))
		}
	}
	return bad, count
}

// TestCopiesLinkAndRelink checks that Link and Relink write the parent's
// values into the child's copies, in both the multi-table layout and an
// item collection (where a move re-creates the child), and refuse a
// missing parent.
func TestCopiesLinkAndRelink(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t.Run("multi-table", func(t *testing.T) {
		f := newCopyFixture(t)
		for _, d := range []Department{{"d-1", "HR"}, {"d-2", "IT"}} {
			if err := f.depts.Create(ctx, &d); err != nil {
				t.Fatal(err)
			}
		}
		e := CopyEmployee{EmployeeID: "e-1", DepartmentName: "made up"}
		if err := f.staff.Link(ctx, &e, Department{DepartmentID: "d-1"}); err != nil {
			t.Fatalf("Link(e-1, d-1): %v", err)
		}
		if e.DepartmentName != "HR" {
			t.Errorf("Link(e-1, d-1) left the copy %q in the value, want HR", e.DepartmentName)
		}
		got := func() CopyEmployee {
			got, err := f.emps.Consistent().Get(ctx, CopyEmployee{EmployeeID: "e-1"})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if g := got(); g.DepartmentName != "HR" {
			t.Errorf("after Link(e-1, d-1), e-1's copy = %q, want HR", g.DepartmentName)
		}
		if err := f.staff.Relink(ctx, CopyEmployee{EmployeeID: "e-1"}, Department{DepartmentID: "d-2"}); err != nil {
			t.Fatalf("Relink(e-1, d-2): %v", err)
		}
		if g := got(); g.DepartmentName != "IT" || g.DepartmentID != "d-2" {
			t.Errorf("after Relink(e-1, d-2), e-1 = %+v, want in d-2 with the copy IT", g)
		}
		err := f.staff.Relink(ctx, CopyEmployee{EmployeeID: "e-1"}, Department{DepartmentID: "d-9"})
		if !errors.Is(err, relations.ErrParentNotFound) {
			t.Errorf("Relink(e-1, d-9) = %v, want ErrParentNotFound", err)
		}
		e2 := CopyEmployee{EmployeeID: "e-2"}
		if err := f.staff.Link(ctx, &e2, Department{DepartmentID: "d-9"}); !errors.Is(err, relations.ErrParentNotFound) {
			t.Errorf("Link(e-2, d-9) = %v, want ErrParentNotFound", err)
		}
		if g := got(); g.DepartmentName != "IT" || g.DepartmentID != "d-2" {
			t.Errorf("after the refused moves, e-1 = %+v, want in d-2 with the copy IT", g)
		}
	})
	t.Run("item collection", func(t *testing.T) {
		e := newEnv(t, must[CopyUnit](t), must[CopyMember](t))
		units, members := tableOf[CopyUnit](t, e, nil, nil), tableOf[CopyMember](t, e, nil, nil)
		crew, err := relations.Declare(units, members, relations.Spec{Layout: relations.ItemCollection, Together: true, Copies: map[string]string{"unit_name": "unit_name"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []CopyUnit{{UnitID: "u-1", UnitName: "Alpha"}, {UnitID: "u-2", UnitName: "Bravo"}} {
			if err := units.Create(ctx, &u); err != nil {
				t.Fatal(err)
			}
		}
		m := CopyMember{MemberID: "m-1"}
		if err := crew.Link(ctx, &m, CopyUnit{UnitID: "u-1"}); err != nil {
			t.Fatalf("Link(m-1, u-1): %v", err)
		}
		if err := crew.Relink(ctx, CopyMember{MemberID: "m-1", UnitID: "u-1"}, CopyUnit{UnitID: "u-2"}); err != nil {
			t.Fatalf("Relink(m-1, u-2): %v", err)
		}
		got, err := members.Consistent().Get(ctx, CopyMember{MemberID: "m-1", UnitID: "u-2"})
		if err != nil || got.UnitName != "Bravo" {
			t.Errorf("after Relink(m-1, u-2), m-1 = %+v, %v, want the copy Bravo", got, err)
		}
		// A rename whose fan-out has not run yet: written through a client
		// the relation is not declared on (UpdateParent does both).
		if err := tableOf[CopyUnit](t, e, graphClient(t), nil).Update(CopyUnit{UnitID: "u-2"}).Set("unit_name", "Charlie").Run(ctx); err != nil {
			t.Fatal(err)
		}
		p, err := crew.SyncCopies(ctx, CopyUnit{UnitID: "u-2"}, nil)
		if err != nil || p.Done != 1 {
			t.Errorf("SyncCopies(u-2) = %+v, %v, want 1 updated", p, err)
		}
		got, err = members.Consistent().Get(ctx, CopyMember{MemberID: "m-1", UnitID: "u-2"})
		if err != nil || got.UnitName != "Charlie" {
			t.Errorf("after SyncCopies(u-2), m-1 = %+v, %v, want the copy Charlie", got, err)
		}
	})
}

// TestCopiesLinkRacesRename renames the parent between the read of Link
// (or Relink) and its transaction: the transaction's condition on the
// parent's name fails, and the retry copies the new name. Without that
// condition the child would keep the old name for good.
func TestCopiesLinkRacesRename(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newCopyFixture(t)
	f.seed(t, []Department{{"d-1", "HR"}, {"d-2", "IT"}}, nil, nil)
	f.hook.set("TransactWriteItems", map[int]func(){1: func() { f.rename(t, "d-1", "People") }})
	e := CopyEmployee{EmployeeID: "e-1"}
	if err := f.staff.Link(ctx, &e, Department{DepartmentID: "d-1"}); err != nil {
		t.Fatalf("Link(e-1, d-1): %v", err)
	}
	if f.hook.done() != 1 {
		t.Fatal("the rename never ran")
	}
	if got, err := f.emps.Consistent().Get(ctx, CopyEmployee{EmployeeID: "e-1"}); err != nil || got.DepartmentName != "People" {
		t.Errorf("after Link, e-1 = %+v, %v, want the copy People (d-1 renamed before the link's transaction)", got, err)
	}
	f.hook.set("TransactWriteItems", map[int]func(){1: func() { f.rename(t, "d-2", "Tech") }})
	if err := f.staff.Relink(ctx, CopyEmployee{EmployeeID: "e-1"}, Department{DepartmentID: "d-2"}); err != nil {
		t.Fatalf("Relink(e-1, d-2): %v", err)
	}
	if f.hook.done() != 1 {
		t.Fatal("the rename never ran")
	}
	got, err := f.emps.Consistent().Get(ctx, CopyEmployee{EmployeeID: "e-1"})
	if err != nil || got.DepartmentName != "Tech" {
		t.Errorf("e-1 = %+v, %v, want the copy Tech (d-2 renamed before the move's transaction)", got, err)
	}
	if bad, _ := f.disagreements(t); len(bad) > 0 {
		t.Errorf("copies that disagree with their parent: %v", bad)
	}
}

// syncChildren is how many employees the fan-out tests give d-1.
const syncChildren = 1000

// TestCopiesSyncRace renames a department of 1,000 employees and fans
// the new name out with SyncCopies, while another writer, between its
// writes, moves employees out of and into the department, unlinks one, and
// renames the department again. Afterwards no copy disagrees with its
// department and the moved-out employees keep their new department's
// name. One write at a time, the turns fall at known points and the counts
// are exact; four at once, the same must hold whichever write each turn
// precedes.
func TestCopiesSyncRace(t *testing.T) {
	t.Parallel()
	t.Run("one at a time", func(t *testing.T) {
		// UpdateItem 1 stamps d-1. Turn 2 comes before the first of the
		// 25 writes of the first page: three of them fail, and their
		// children, read again, are skipped; 22 land. Turn 6 renames d-1:
		// the next page's check of the parent sees it, and the pass starts
		// over with the new name, writing the 997 children d-1 then has
		// (1,000 less the 3, with b-0000, without a-0999, which turn 27
		// moves before its page is read).
		p := testCopiesSyncRace(t, 1)
		if want := (relations.Progress{Done: 22 + 997, Skipped: 3}); p != want {
			t.Errorf("SyncCopies(d-1) = %+v, want %+v", p, want)
		}
	})
	t.Run("four at once", func(t *testing.T) { testCopiesSyncRace(t, 4) })
}

func testCopiesSyncRace(t *testing.T, concurrency int) relations.Progress {
	ctx := t.Context()
	f := newCopyFixture(t)
	f.seed(t, []Department{{"d-1", "HR"}, {"d-2", "IT"}}, map[string]string{"d-1": "a-", "d-2": "b-"}, map[string]int{"d-1": syncChildren, "d-2": 10})
	f.rename(t, "d-1", "People")
	d1, d2 := Department{DepartmentID: "d-1"}, Department{DepartmentID: "d-2"}
	var moved []string // the employees moved out of the first page read
	move := func(id string, to Department) {
		if err := f.otherStaff.Relink(ctx, CopyEmployee{EmployeeID: id}, to); err != nil {
			t.Errorf("Relink(%s, %s): %v", id, to.DepartmentID, err)
		}
	}
	f.hook.set("UpdateItem", map[int]func(){
		// UpdateItem 1 stamps d-1, which another program renamed. Before
		// the first write of a child, the first page of d-1's employees
		// has been read: the first two of it leave, the third is
		// unlinked, and b-0000 arrives, with the new name from its move.
		2: func() {
			page, err := f.otherStaff.Children(d1).PageSize(concurrency*copiesPage).Page(ctx, "")
			if err != nil || len(page.Items) < 3 {
				t.Errorf("the first page of d-1: %d employees, %v", len(page.Items), err)
				return
			}
			moved = []string{page.Items[0].EmployeeID, page.Items[1].EmployeeID}
			move(moved[0], d2)
			move(moved[1], d2)
			move("b-0000", d1)
			if err := f.otherStaff.Unlink(ctx, page.Items[2]); err != nil {
				t.Errorf("Unlink(%s): %v", page.Items[2].EmployeeID, err)
			}
		},
		// Later: a second rename. The pass under way must not finish
		// with the older name.
		6: func() { f.rename(t, "d-1", "Staff") },
		// And an employee of a later page leaves.
		27: func() { move("a-0999", d2) },
	})
	var reports []relations.Progress
	p, err := f.staff.SyncCopies(ctx, d1, &relations.SyncOptions{Concurrency: concurrency, Progress: func(p relations.Progress) { reports = append(reports, p) }})
	if err != nil {
		t.Fatalf("SyncCopies(d-1): %v", err)
	}
	if n := f.hook.done(); n != 3 {
		t.Fatalf("%d of the other writer's 3 turns ran", n)
	}
	bad, count := f.disagreements(t)
	if len(bad) > 0 {
		t.Errorf("%d copies disagree with their department after the fan-out: %v", len(bad), bad[:min(len(bad), 5)])
	}
	if want := syncChildren - 3 - 1 + 1; count["d-1"] != want {
		t.Errorf("d-1 has %d employees, want %d", count["d-1"], want)
	}
	if p.Resume != "" || len(reports) == 0 || reports[len(reports)-1] != p {
		t.Errorf("SyncCopies(d-1) = %+v after %d reports, want the last report and no resume token", p, len(reports))
	}
	for _, id := range append(moved, "a-0999") {
		got, err := f.emps.Consistent().Get(ctx, CopyEmployee{EmployeeID: id})
		if err != nil || got.DepartmentID != "d-2" || got.DepartmentName != "IT" {
			t.Errorf("%s = %+v, %v, want in d-2 with the copy IT", id, got, err)
		}
	}
	t.Logf("SyncCopies(d-1), %d at once: %+v over %d reports", concurrency, p, len(reports))
	return p
}

// TestCopiesSyncResume interrupts a fan-out after its first page and
// resumes it with the token of its last progress report: the resumed
// call starts after the children already done. A token made before
// another rename is ignored, and the call starts over.
func TestCopiesSyncResume(t *testing.T) {
	t.Parallel()
	f := newCopyFixture(t)
	f.seed(t, []Department{{"d-1", "HR"}}, map[string]string{"d-1": "a-"}, map[string]int{"d-1": syncChildren})
	f.rename(t, "d-1", "People")
	d1 := Department{DepartmentID: "d-1"}
	ctx, cancel := context.WithCancel(t.Context())
	var last relations.Progress
	_, err := f.staff.SyncCopies(ctx, d1, &relations.SyncOptions{Concurrency: 2, Progress: func(p relations.Progress) {
		last = p
		cancel() // the process stops after the first page
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted SyncCopies = %v, want context.Canceled", err)
	}
	firstPage := 2 * copiesPage // 25 children a page per write in flight, 2 at once
	if last.Done != firstPage || last.Resume == "" {
		t.Fatalf("last progress before the interruption = %+v, want %d updated and a resume token", last, firstPage)
	}
	bad, _ := f.disagreements(t)
	if len(bad) != syncChildren-firstPage {
		t.Errorf("after the interruption %d copies disagree, want %d", len(bad), syncChildren-firstPage)
	}
	p, err := f.staff.SyncCopies(t.Context(), d1, &relations.SyncOptions{Resume: last.Resume})
	if err != nil {
		t.Fatalf("resumed SyncCopies: %v", err)
	}
	if want := (relations.Progress{Done: syncChildren - firstPage}); p != want {
		t.Errorf("resumed SyncCopies = %+v, want %+v (nothing read twice)", p, want)
	}
	if bad, _ := f.disagreements(t); len(bad) > 0 {
		t.Errorf("%d copies disagree after the resumed fan-out: %v", len(bad), bad[:min(len(bad), 5)])
	}
	// The same token after another rename: every child is read again.
	f.rename(t, "d-1", "Staff")
	p, err = f.staff.SyncCopies(t.Context(), d1, &relations.SyncOptions{Resume: last.Resume})
	if err != nil {
		t.Fatalf("SyncCopies with a token of an older name: %v", err)
	}
	if want := (relations.Progress{Done: syncChildren}); p != want {
		t.Errorf("SyncCopies with a token of an older name = %+v, want %+v", p, want)
	}
	// Nothing to do: every child is read, none written.
	p, err = f.staff.SyncCopies(t.Context(), d1, nil)
	if want := (relations.Progress{Current: syncChildren}); err != nil || p != want {
		t.Errorf("SyncCopies when up to date = %+v, %v, want %+v", p, err, want)
	}
	if _, err := f.staff.SyncCopies(t.Context(), Department{DepartmentID: "d-9"}, nil); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("SyncCopies(d-9) = %v, want ErrParentNotFound", err)
	}
}

// copiesPage is how many children a page of SyncCopies holds per write
// in flight (SyncOptions.Concurrency).
const copiesPage = 25

// TestCopiesCost measures what copying costs: a Link and a Relink with
// copies, and the rename of a department of 1,000 employees (its fan-out
// after another program's rename, and a whole UpdateParent), in requests
// and write units (the meter's rule: 2 per action of a transaction, 1 per
// single write).
func TestCopiesCost(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := &meter{requests: map[string]int{}}
	f := newCopyFixture(t, dynamokit.WithHook(m.hook))
	f.seed(t, []Department{{"d-1", "HR"}, {"d-2", "IT"}}, map[string]string{"d-1": "a-"}, map[string]int{"d-1": syncChildren})
	m.take()
	e := CopyEmployee{EmployeeID: "e-1"}
	if err := f.staff.Link(ctx, &e, Department{DepartmentID: "d-2"}); err != nil {
		t.Fatal(err)
	}
	reqs, units := m.take()
	if want := map[string]int{"GetItem": 1, "TransactWriteItems": 1}; !mapsEqualInt(reqs, want) || units != 4 {
		t.Errorf("Link with a copy sent %v for %d write units, want %v for 4", reqs, units, want)
	}
	if err := f.staff.Relink(ctx, CopyEmployee{EmployeeID: "e-1"}, Department{DepartmentID: "d-1"}); err != nil {
		t.Fatal(err)
	}
	reqs, units = m.take()
	if want := map[string]int{"GetItem": 2, "TransactWriteItems": 1}; !mapsEqualInt(reqs, want) || units != 6 {
		t.Errorf("Relink with a copy sent %v for %d write units, want %v for 6", reqs, units, want)
	}
	n := syncChildren + 1
	pages := (n + dynamokit.DefaultConcurrency*copiesPage - 1) / (dynamokit.DefaultConcurrency * copiesPage) // DefaultConcurrency writes in flight by default
	// Per child one conditional UpdateItem (1 write unit); per page one
	// Query, and one GetItem of the parent before its writes; one GetItem
	// to begin and one after the last write.
	want := map[string]int{"GetItem": 2 + pages, "Query": pages, "UpdateItem": n}

	f.rename(t, "d-1", "People") // its fan-out is what is measured
	m.take()
	var used dynamokit.Capacity
	p, err := f.staff.SyncCopies(dynamokit.WithCapacity(ctx, &used), Department{DepartmentID: "d-1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reqs, units = m.take()
	// d-1 was renamed by another program, so it has no stamp yet: the
	// fan-out stamps it first, in one UpdateItem more (1 write unit), so
	// that its resume tokens name this fan-out.
	want["UpdateItem"]++
	if !mapsEqualInt(reqs, want) || p != (relations.Progress{Done: n}) {
		t.Errorf("SyncCopies of %d children sent %v (%+v), want %v", n, reqs, p, want)
	}
	if want := n + 1; units != want {
		t.Errorf("SyncCopies of %d children: %d write units, want %d", n, units, want)
	}
	t.Logf("fan-out of %d children after a rename by another program: %v, %d requests, %d write units (%.3f per child, %.4f requests per child); engine-reported capacity read %.1f write %.1f",
		n, reqs, total(reqs), units, float64(units)/float64(n), float64(total(reqs))/float64(n), used.Total().Read, used.Total().Write)

	// The whole rename: the parent's UpdateItem (which stamps it), then
	// the same fan-out.
	p, err = f.staff.UpdateParent(ctx, Department{DepartmentID: "d-1"}, func(u *query.Update[Department]) *query.Update[Department] {
		return u.Set("department_name", "Staff")
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reqs, units = m.take()
	if !mapsEqualInt(reqs, want) || p != (relations.Progress{Done: n}) {
		t.Errorf("UpdateParent of a parent of %d children sent %v (%+v), want %v", n, reqs, p, want)
	}
	if want := n + 1; units != want {
		t.Errorf("UpdateParent of a parent of %d children: %d write units, want %d", n, units, want)
	}
	t.Logf("UpdateParent of a parent of %d children: %v, %d requests, %d write units (%.3f per child)",
		n, reqs, total(reqs), units, float64(units)/float64(n))

	// Nothing to do: the children are read, none written, and the
	// parent is read only once.
	p, err = f.staff.SyncCopies(ctx, Department{DepartmentID: "d-1"}, nil)
	reqs, units = m.take()
	if want := map[string]int{"GetItem": 1, "Query": pages}; err != nil || !mapsEqualInt(reqs, want) || units != 0 || p != (relations.Progress{Current: n}) {
		t.Errorf("SyncCopies when current = %+v, %v, sent %v for %d write units; want %d current, %v for 0", p, err, reqs, units, n, want)
	}
}

// total is the number of requests in reqs.
func total(reqs map[string]int) int {
	n := 0
	for _, v := range reqs {
		n += v
	}
	return n
}

func mapsEqualInt(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestCopiesPlainWrites: where the relation is declared, a plain write of a
// parent cannot leave its children's copies stale: an Update of a copied
// attribute is refused, naming UpdateParent; a Put that keeps it passes, one
// that changes it is refused; UpdateParent renames and syncs the copies.
func TestCopiesPlainWrites(t *testing.T) {
	t.Parallel()
	f := newCopyFixture(t)
	ctx := t.Context()
	f.seed(t, []Department{{"d-1", "HR"}}, map[string]string{"d-1": "e"}, map[string]int{"d-1": 3})
	err := f.depts.Update(Department{DepartmentID: "d-1"}).Set("department_name", "People").Run(ctx)
	if !errors.Is(err, relations.ErrNeedsRelation) || !strings.Contains(err.Error(), "HasMany.UpdateParent") {
		t.Errorf("plain Update of a copied attribute = %v, want ErrNeedsRelation naming HasMany.UpdateParent", err)
	}
	if err := f.depts.Put(ctx, &Department{DepartmentID: "d-1", DepartmentName: "HR"}); err != nil {
		t.Errorf("plain Put that keeps the copied attribute = %v, want nil", err)
	}
	if err := f.depts.Put(ctx, &Department{DepartmentID: "d-1", DepartmentName: "People"}); !errors.Is(err, relations.ErrNeedsRelation) {
		t.Errorf("plain Put that changes the copied attribute = %v, want ErrNeedsRelation", err)
	}
	if bad, _ := f.disagreements(t); len(bad) != 0 {
		t.Errorf("after the refused writes, copies disagree: %v", bad)
	}
	prog, err := f.staff.UpdateParent(ctx, Department{DepartmentID: "d-1"}, func(u *query.Update[Department]) *query.Update[Department] {
		return u.Set("department_name", "People")
	}, nil)
	if err != nil || prog.Done != 3 {
		t.Fatalf("UpdateParent(d-1, People) = %+v, %v; want 3 copies updated", prog, err)
	}
	if bad, _ := f.disagreements(t); len(bad) != 0 {
		t.Errorf("after UpdateParent, copies disagree: %v", bad)
	}
	// Nor can a plain write of a child set copies its parent does not hold.
	stray := CopyEmployee{EmployeeID: "x-1", DepartmentID: "d-1", DepartmentName: "made up"}
	if err := f.emps.Create(ctx, &stray); !errors.Is(err, relations.ErrParentNotFound) || !strings.Contains(err.Error(), "Spec.Copies") {
		t.Errorf("plain Create of a child with a made-up copy = %v, want ErrParentNotFound naming Spec.Copies", err)
	}
	if err := f.emps.Update(CopyEmployee{EmployeeID: "e0000"}).Set("department_name", "made up").Run(ctx); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("plain Update of a copy = %v, want ErrParentNotFound", err)
	}
	if bad, _ := f.disagreements(t); len(bad) != 0 {
		t.Errorf("after the refused child writes, copies disagree: %v", bad)
	}
	if n, err := f.staff.CountChildren(ctx, Department{DepartmentID: "d-1"}); err != nil || n != 3 {
		t.Errorf("CountChildren after the plain Put = %d, %v; want 3 (the counter kept)", n, err)
	}
}
