package integration_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	mig "github.com/dynamokit/dynamokit/migrate"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// The models of the migration tests: one single table ("org"), a
// department with many employees found through gsi1 (inverted index),
// counted on the department's item. MigDept is the parent throughout;
// MigEmpV1 is the employee as the table holds it, and MigEmpV2 the same
// employee once a tenant joins its partition key.

type MigDept struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"#META"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"#META"`
	_ struct{} `dynamo:"entity" template:"Dept" dynamokit:"type"`

	DepartmentID string `dynamo:"department_id"`
	Name         string `dynamo:"name"`
}

func (MigDept) TableName() string { return "org" }

type MigEmpV1 struct {
	_ struct{} `dynamo:"pk,hash" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"sk,range" template:"#EMP"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Emp" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	Name         string `dynamo:"name"`
	DepartmentID string `dynamo:"department_id,omitempty"`
}

func (MigEmpV1) TableName() string { return "org" }

type MigEmpV2 struct {
	_ struct{} `dynamo:"pk,hash" template:"T#{tenant_id}#EMP#{employee_id}"`
	_ struct{} `dynamo:"sk,range" template:"#EMP"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Emp" dynamokit:"type"`

	TenantID     string `dynamo:"tenant_id"`
	EmployeeID   string `dynamo:"employee_id"`
	Name         string `dynamo:"name"`
	DepartmentID string `dynamo:"department_id,omitempty"`
}

func (MigEmpV2) TableName() string { return "org" }

// addTenant is the migration of the tests: every employee joins tenant
// "acme", and its key is rendered anew.
var addTenant = mig.Migration{
	ID:          "2026-12-employee-tenant",
	Description: "employees: tenant_id = acme, pk = T#acme#EMP#{employee_id}",
	Step: mig.Typed(func(_ context.Context, e *MigEmpV2) error {
		if e.TenantID == "" {
			e.TenantID = "acme"
		}
		return nil
	}),
}

// migWorld is a populated table with the old shape, a client that writes
// old-shape items (app), and a client whose graph knows the new shape
// (db), both keeping the relation's counter.
type migWorld struct {
	app   *dynamokit.Client
	db    *dynamokit.Client
	depts *query.Table[MigDept]
	v1    *query.Table[MigEmpV1]
	staff *relations.HasMany[MigDept, MigEmpV2]
	v2    *query.Table[MigEmpV2]
	oldRl *relations.HasMany[MigDept, MigEmpV1]
	nDept int
	nEmp  int
}

func newMigWorld(t *testing.T, depts, perDept int, opts ...dynamokit.Option) migWorld {
	t.Helper()
	e := newEnv(t, must[MigDept](t), must[MigEmpV2](t))
	ctx := context.Background()
	w := migWorld{app: e.db, nDept: depts, nEmp: depts * perDept}
	var err error
	w.depts = mustTable[MigDept](t, w.app)
	w.v1 = mustTable[MigEmpV1](t, w.app)
	w.oldRl, err = relations.Declare(w.depts, w.v1, relations.Spec{Layout: relations.InvertedIndex, Index: "gsi1", Counter: "employees"})
	if err != nil {
		t.Fatal(err)
	}
	for d := range depts {
		dept := MigDept{DepartmentID: fmt.Sprintf("d%d", d), Name: fmt.Sprintf("Dept %d", d)}
		if err := w.depts.Create(ctx, &dept); err != nil {
			t.Fatal(err)
		}
		for i := range perDept {
			emp := MigEmpV1{EmployeeID: fmt.Sprintf("e%d-%d", d, i), Name: fmt.Sprintf("Emp %d.%d", d, i)}
			if err := w.oldRl.Link(ctx, &emp, dept); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.db = graphClient(t, append([]dynamokit.Option{dynamokit.WithNamer(e.names)}, opts...)...)
	w.v2 = mustTable[MigEmpV2](t, w.db)
	w.staff, err = relations.Declare(mustTable[MigDept](t, w.db), w.v2, relations.Spec{Layout: relations.InvertedIndex, Index: "gsi1", Counter: "employees"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func mustTable[T any](t testing.TB, c *dynamokit.Client) *query.Table[T] {
	t.Helper()
	tb, err := query.NewTable[T](c)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// rawItems returns every item of the table.
func rawItems(t *testing.T, c *dynamokit.Client, table string) []map[string]types.AttributeValue {
	t.Helper()
	var out []map[string]types.AttributeValue
	var start map[string]types.AttributeValue
	for {
		page, err := c.Executor().Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), ExclusiveStartKey: start, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
		if start = page.LastEvaluatedKey; start == nil {
			return out
		}
	}
}

func sOf(av types.AttributeValue) string {
	if s, ok := av.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// checkMigrated checks that the table holds exactly the employees want
// (by ID, with their names), all in the new shape, each department's
// counter equal to its children, and the children found through the
// index.
func (w migWorld) checkMigrated(t *testing.T, want map[string]string) {
	t.Helper()
	ctx := context.Background()
	got := map[string]string{}
	perDept := map[string]int{}
	for _, it := range rawItems(t, w.db, w.v2.TableName()) {
		if sOf(it["entity"]) != "Emp" {
			continue
		}
		id := sOf(it["employee_id"])
		if !strings.HasPrefix(sOf(it["pk"]), "T#acme#EMP#") || sOf(it["tenant_id"]) != "acme" {
			t.Errorf("employee %s not migrated: pk %q tenant %q", id, sOf(it["pk"]), sOf(it["tenant_id"]))
		}
		if _, dup := got[id]; dup {
			t.Errorf("employee %s twice", id)
		}
		got[id] = sOf(it["name"])
		perDept[sOf(it["department_id"])]++
	}
	if len(got) != len(want) {
		t.Errorf("%d employees, want %d", len(got), len(want))
	}
	for id, name := range want {
		if got[id] != name {
			t.Errorf("employee %s: name %q, want %q", id, got[id], name)
		}
	}
	for d := range w.nDept {
		dept := MigDept{DepartmentID: fmt.Sprintf("d%d", d)}
		n, err := w.staff.CountChildren(ctx, dept)
		if err != nil {
			t.Fatal(err)
		}
		kids, err := w.staff.Children(dept).Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != perDept[dept.DepartmentID] || len(kids) != n {
			t.Errorf("department %s: counter %d, children %d, want %d", dept.DepartmentID, n, len(kids), perDept[dept.DepartmentID])
		}
		for _, k := range kids {
			if _, err := w.v2.Get(ctx, k); err != nil {
				t.Errorf("child %s: get by its new key: %v", k.EmployeeID, err)
			}
		}
	}
}

func (w migWorld) names() map[string]string {
	out := map[string]string{}
	for d := range w.nDept {
		for i := range w.nEmp / w.nDept {
			out[fmt.Sprintf("e%d-%d", d, i)] = fmt.Sprintf("Emp %d.%d", d, i)
		}
	}
	return out
}

// migRequests counts the migRequests of a client by operation.
type migRequests struct {
	mu  sync.Mutex
	ops map[string]int
}

func (r *migRequests) hook(_ context.Context, req *dynamokit.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ops == nil {
		r.ops = map[string]int{}
	}
	r.ops[req.Op]++
}

func (r *migRequests) writes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for op, c := range r.ops {
		switch op {
		case "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem":
			n += c
		}
	}
	return n
}

func TestMigrateRekeyKeepsRelations(t *testing.T) {
	w := newMigWorld(t, 2, 5)
	ctx := context.Background()
	var reports []mig.Progress
	r := newRunner[MigEmpV2](t, w.db, &mig.Options{Segments: 3, PageSize: 4, Progress: func(p mig.Progress) { reports = append(reports, p) }}, addTenant)
	got, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := got[0]
	// Items created under their new keys may be scanned again, later in
	// the scan, and are then skipped as migrated.
	if p.Scanned < 10 || p.Changed != 10 || p.Scanned != p.Changed+p.Skipped || p.Failed != 0 || !p.Done {
		t.Errorf("Run = %+v, want 10 changed", p)
	}
	if p.WriteUnits <= 0 || p.Requests == 0 {
		t.Errorf("Run = %+v, want units and migRequests counted", p)
	}
	if len(reports) == 0 || !reports[len(reports)-1].Done {
		t.Errorf("progress reports %v, want a last one that is done", reports)
	}
	w.checkMigrated(t, w.names())

	// A rerun is a no-op: the migration is done, no item is written.
	var reqs migRequests
	r2 := newRunner[MigEmpV2](t, w.db.With(dynamokit.WithHook(reqs.hook)), nil, addTenant)
	again, err := r2.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !again[0].Done || again[0].Scanned != 0 || reqs.ops["Scan"] != 0 {
		t.Errorf("rerun = %+v, migRequests %v: want done with nothing scanned", again[0], reqs.ops)
	}
	if ok, err := r2.Applied(ctx, addTenant.ID); err != nil || !ok {
		t.Errorf("Applied = %v, %v, want true", ok, err)
	}
}

func TestMigrateRerunSkipsMigratedItems(t *testing.T) {
	// Under another ID (a record lost, or a migration registered twice by
	// mistake), the same step finds every item migrated and writes none.
	w := newMigWorld(t, 1, 4)
	ctx := context.Background()
	run := func(id string, c *dynamokit.Client) mig.Progress {
		t.Helper()
		r, err := mig.New[MigEmpV2](c, nil)
		if err != nil {
			t.Fatal(err)
		}
		mg := addTenant
		mg.ID = id
		if err := r.Register(mg); err != nil {
			t.Fatal(err)
		}
		got, err := r.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return got[0]
	}
	run("first", w.db)
	var reqs migRequests
	p := run("second", w.db.With(dynamokit.WithHook(reqs.hook)))
	if p.Scanned != 4 || p.Changed != 0 || p.Skipped != 4 || p.WriteUnits != 0 {
		t.Errorf("second run = %+v, want 4 skipped", p)
	}
	// Writes: the record only (take the lease, one checkpoint per segment, finish).
	if n := reqs.ops["TransactWriteItems"] + reqs.ops["PutItem"] + reqs.ops["DeleteItem"]; n != 0 {
		t.Errorf("second run wrote items: %v", reqs.ops)
	}
	w.checkMigrated(t, w.names())
}

func TestMigrateInterruptedResumes(t *testing.T) {
	w := newMigWorld(t, 2, 6)
	ctx, cancel := context.WithCancel(context.Background())
	var txs atomic.Int32
	stopAfter := func(_ context.Context, req *dynamokit.Request) {
		if req.Op == "TransactWriteItems" && txs.Add(1) == 5 {
			cancel()
		}
	}
	opts := &mig.Options{Segments: 2, PageSize: 2, Concurrency: 1, Lease: 2 * time.Second}
	r, err := mig.New[MigEmpV2](w.db.With(dynamokit.WithHook(stopAfter)), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Register(addTenant); err != nil {
		t.Fatal(err)
	}
	got, err := r.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want it cancelled", err)
	}
	if got[0].Changed >= 12 || got[0].Done {
		t.Fatalf("interrupted run = %+v, want part of the items", got[0])
	}
	// The interrupted runner's lease holds until it expires; a runner
	// under the same owner name (the same process, restarted with its
	// name) takes it at once. Another waits for the expiry.
	var reqs migRequests
	r2 := newRunner[MigEmpV2](t, w.db.With(dynamokit.WithHook(reqs.hook)), &mig.Options{Owner: r.Owner()}, addTenant)
	rest, err := r2.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rest[0].Changed+got[0].Changed < 12 || rest[0].Changed == 12 {
		t.Errorf("resumed run = %+v after %+v: want it to finish what the first left", rest[0], got[0])
	}
	if reqs.ops["TransactWriteItems"] > 12-int(got[0].Changed)+1 {
		t.Errorf("resumed run sent %d transactions, after %d items changed: it did not resume", reqs.ops["TransactWriteItems"], got[0].Changed)
	}
	w.checkMigrated(t, w.names())
}

func TestMigrateRacesApplicationWrites(t *testing.T) {
	w := newMigWorld(t, 2, 4)
	ctx := context.Background()
	want := w.names()
	// Right after the runner's first page is read, the application
	// renames an employee of that page, deletes another, and adds one
	// (in the old shape, as a process not yet upgraded would).
	var once sync.Once
	raced := make(chan error, 1)
	race := func(_ context.Context, req *dynamokit.Request) {
		if req.Op != "Scan" || req.Err != nil {
			return
		}
		once.Do(func() {
			in := req.Input.(*dynamodb.ScanInput)
			_ = in
			var errs []error
			e, err := w.v1.Get(ctx, MigEmpV1{EmployeeID: "e0-1"})
			if err == nil {
				e.Name = "Renamed meanwhile"
				err = w.v1.Put(ctx, &e)
			}
			errs = append(errs, err)
			errs = append(errs, w.oldRl.DeleteChild(ctx, MigEmpV1{EmployeeID: "e1-2"}))
			errs = append(errs, w.oldRl.Link(ctx, &MigEmpV1{EmployeeID: "e1-9", Name: "Newcomer"}, MigDept{DepartmentID: "d1"}))
			raced <- errors.Join(errs...)
		})
	}
	r := newRunner[MigEmpV2](t, w.db.With(dynamokit.WithHook(race)), &mig.Options{Segments: 1, PageSize: 100}, addTenant)
	got, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-raced; err != nil {
		t.Fatal(err)
	}
	want["e0-1"] = "Renamed meanwhile"
	delete(want, "e1-2")
	// The newcomer was written after the page that would have held it
	// was read, or in it: either way a run picks it up; the one page of
	// this run was read before, so a second registration migrates it.
	if got[0].Failed != 0 || got[0].Skipped != 1 {
		t.Errorf("Run = %+v, want the deleted item skipped and none failed", got[0])
	}
	mg := addTenant
	mg.ID = "again"
	r2 := newRunner[MigEmpV2](t, w.db, nil, mg)
	if _, err := r2.Run(ctx); err != nil {
		t.Fatal(err)
	}
	want["e1-9"] = "Newcomer"
	w.checkMigrated(t, want)
}

func TestMigrateLease(t *testing.T) {
	w := newMigWorld(t, 1, 3)
	ctx := context.Background()
	newRunner := func(c *dynamokit.Client) *mig.Runner {
		t.Helper()
		r := newRunner[MigEmpV2](t, c, &mig.Options{Lease: time.Minute}, addTenant)
		return r
	}
	second := newRunner(w.db)
	// While the first runner scans, the second tries: the lease is held.
	var secondErr error
	var once sync.Once
	race := func(_ context.Context, req *dynamokit.Request) {
		if req.Op == "Scan" {
			once.Do(func() { _, secondErr = second.Run(ctx) })
		}
	}
	first := newRunner(w.db.With(dynamokit.WithHook(race)))
	got, err := first.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var le *mig.LeaseError
	if !errors.Is(secondErr, mig.ErrLeaseHeld) || !errors.As(secondErr, &le) || le.Owner != first.Owner() {
		t.Errorf("second runner: %v, want ErrLeaseHeld naming %s", secondErr, first.Owner())
	}
	if got[0].Changed != 3 {
		t.Errorf("first runner = %+v, want 3 changed", got[0])
	}
	// Once done, the second runner finds it applied and does nothing.
	again, err := second.Run(ctx)
	if err != nil || !again[0].Done || again[0].Changed != 0 {
		t.Errorf("second runner after = %+v, %v: want done, nothing changed", again, err)
	}
	w.checkMigrated(t, w.names())
}

func TestMigrateExpiredLeaseIsTaken(t *testing.T) {
	w := newMigWorld(t, 1, 2)
	ctx, cancel := context.WithCancel(context.Background())
	crash := func(_ context.Context, req *dynamokit.Request) {
		if req.Op == "Scan" {
			cancel() // the runner "crashes" after taking the lease
		}
	}
	r := newRunner[MigEmpV2](t, w.db.With(dynamokit.WithHook(crash)), &mig.Options{Lease: time.Minute}, addTenant)
	if _, err := r.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want cancelled", err)
	}
	fresh := func(now func() time.Time) error {
		r := newRunner[MigEmpV2](t, w.db.With(dynamokit.WithClock(now)), &mig.Options{Lease: time.Minute}, addTenant)
		_, err := r.Run(context.Background())
		return err
	}
	if err := fresh(time.Now); !errors.Is(err, mig.ErrLeaseHeld) {
		t.Fatalf("another runner within the lease: %v, want ErrLeaseHeld", err)
	}
	if err := fresh(func() time.Time { return time.Now().Add(2 * time.Minute) }); err != nil {
		t.Fatalf("another runner after the lease expired: %v", err)
	}
	w.checkMigrated(t, w.names())
}

func TestMigrateDryRunWritesNothing(t *testing.T) {
	w := newMigWorld(t, 1, 3)
	ctx := context.Background()
	before := rawItems(t, w.db, w.v2.TableName())
	var reqs migRequests
	r := newRunner[MigEmpV2](t, w.db.With(dynamokit.WithHook(reqs.hook)), &mig.Options{Examples: 2}, addTenant)
	plans, err := r.DryRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := plans[0]
	if d.Changed != 3 || d.Rekeyed != 3 || len(d.Examples) != 2 {
		t.Errorf("DryRun = %+v, want 3 changed and re-keyed, 2 examples", d)
	}
	ex := d.Examples[0]
	if !ex.Rekeyed || sOf(ex.After["tenant_id"]) != "acme" || ex.Before["tenant_id"] != nil || !strings.Contains(ex.String(), `+ tenant_id: "acme"`) {
		t.Errorf("example %s, want tenant_id added and re-keyed", ex)
	}
	if n := reqs.writes(); n != 0 {
		t.Errorf("dry run sent %d writes: %v", n, reqs.ops)
	}
	if after := rawItems(t, w.db, w.v2.TableName()); len(after) != len(before) {
		t.Errorf("dry run: %d items, before %d", len(after), len(before))
	}
	if ok, err := r.Applied(ctx, addTenant.ID); err != nil || ok {
		t.Errorf("Applied after a dry run = %v, %v", ok, err)
	}
}

// MigDeptV2 re-keys the department itself (its sort key): a parent with
// children, which the relation's rules refuse to delete.
type MigDeptV2 struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"#DEPT"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"#META"`
	_ struct{} `dynamo:"entity" template:"Dept" dynamokit:"type"`

	DepartmentID string `dynamo:"department_id"`
	Name         string `dynamo:"name"`
}

func (MigDeptV2) TableName() string { return "org" }

func TestMigrateRekeyedParentIsRefused(t *testing.T) {
	w := newMigWorld(t, 1, 2)
	ctx := context.Background()
	// An empty department as well, which can move.
	if err := w.depts.Create(ctx, &MigDept{DepartmentID: "empty"}); err != nil {
		t.Fatal(err)
	}
	db := graphClient(t, dynamokit.WithNamer(w.db.Namer()))
	if _, err := relations.Declare(mustTable[MigDeptV2](t, db), mustTable[MigEmpV1](t, db), relations.Spec{Layout: relations.InvertedIndex, Index: "gsi1", Counter: "employees"}); err != nil {
		t.Fatal(err)
	}
	r := newRunner[MigDeptV2](t, db, nil, mig.Migration{ID: "dept-sk", Step: mig.RenderKeys[MigDeptV2]()})
	got, err := r.Run(ctx)
	var ie *mig.IncompleteError
	if !errors.As(err, &ie) || ie.Failed != 1 || !errors.Is(err, mig.ErrIncomplete) {
		t.Fatalf("Run = %v, want one item left", err)
	}
	if reason := ie.Failures[0].Reason; !strings.Contains(reason, "has many") || !strings.Contains(ie.Failures[0].Key, "DEPT#d0") {
		t.Errorf("failure %+v, want the relation named", ie.Failures[0])
	}
	if got[0].Changed != 1 {
		t.Errorf("Run = %+v, want the empty department moved", got[0])
	}
	if ok, _ := r.Applied(ctx, "dept-sk"); ok {
		t.Error("a migration that left items is marked applied")
	}
	t.Log(err)
}

func TestMigrateLostLeaseStops(t *testing.T) {
	w := newMigWorld(t, 1, 6)
	ctx := context.Background()
	newRunner := func(c *dynamokit.Client) *mig.Runner {
		t.Helper()
		r := newRunner[MigEmpV2](t, c, &mig.Options{Lease: time.Minute, Segments: 1, PageSize: 3}, addTenant)
		return r
	}
	// While the first runner is on its first page, a second one whose
	// clock is past the first's lease takes the migration over and
	// finishes it; the first finds its lease gone at its checkpoint.
	late := newRunner(w.db.With(dynamokit.WithClock(func() time.Time { return time.Now().Add(2 * time.Minute) })))
	var lateErr error
	var once sync.Once
	takeOver := func(_ context.Context, req *dynamokit.Request) {
		if req.Op == "Scan" {
			once.Do(func() { _, lateErr = late.Run(ctx) })
		}
	}
	_, err := newRunner(w.db.With(dynamokit.WithHook(takeOver))).Run(ctx)
	if lateErr != nil {
		t.Fatalf("the runner that took over: %v", lateErr)
	}
	if !errors.Is(err, mig.ErrLeaseLost) {
		t.Fatalf("the stalled runner: %v, want ErrLeaseLost", err)
	}
	w.checkMigrated(t, w.names())
}

// MigName is a uniqueness record of an employee's name, beside the
// employees in their table: what an Also step backfills.
type MigName struct {
	_ struct{} `dynamo:"pk,hash" template:"NAME#{name}"`
	_ struct{} `dynamo:"sk,range" template:"#UNIQUE"`
	_ struct{} `dynamo:"entity" template:"Name" dynamokit:"type"`

	Name  string `dynamo:"name"`
	Owner string `dynamo:"owner"`
}

func (MigName) TableName() string { return "org" }

func TestMigrateAlsoBackfillsRecords(t *testing.T) {
	w := newMigWorld(t, 1, 3)
	ctx := context.Background()
	// A duplicate name.
	if err := w.oldRl.Link(ctx, &MigEmpV1{EmployeeID: "dup", Name: "Emp 0.1"}, MigDept{DepartmentID: "d0"}); err != nil {
		t.Fatal(err)
	}
	names := mustTable[MigName](t, w.db)
	claim := mig.Also("claim names", func(_ context.Context, it mig.Item) ([]dynamokit.TxAction, error) {
		rec := MigName{Name: sOf(it["name"]), Owner: sOf(it["employee_id"])}
		mine := query.Or(query.Name("owner").AttributeNotExists(), query.Name("owner").Equal(query.Value(rec.Owner)))
		return []dynamokit.TxAction{names.TxPut(&rec, mine)}, nil
	})
	r := newRunner[MigEmpV2](t, w.db, nil, mig.Migration{ID: "names", Step: claim})
	for run := range 2 { // the second run retries the duplicate, and claims nothing twice
		got, err := r.Run(ctx)
		var ie *mig.IncompleteError
		if !errors.As(err, &ie) || ie.Failed != 1 {
			t.Fatalf("run %d: %v, want the duplicate reported", run, err)
		}
		if got[0].Failed != 1 || got[0].Skipped != 3 || got[0].Changed != 0 {
			t.Errorf("run %d = %+v, want 3 claimed (items unchanged), 1 failed", run, got[0])
		}
	}
	n := 0
	for _, it := range rawItems(t, w.db, names.TableName()) {
		if sOf(it["entity"]) == "Name" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d name records, want 3", n)
	}
}

func TestMigrateTakenKey(t *testing.T) {
	w := newMigWorld(t, 1, 3)
	ctx := context.Background()
	dept := MigDept{DepartmentID: "d0"}
	// The application wrote e0-2 in the new shape already, as the step
	// would: its old item only goes.
	if err := w.staff.Link(ctx, &MigEmpV2{TenantID: "acme", EmployeeID: "e0-2", Name: "Emp 0.2"}, dept); err != nil {
		t.Fatal(err)
	}
	// A step that sends e0-1 to e0-0's new key: whichever comes second
	// finds another item there, and neither is overwritten nor deleted.
	collide := mig.Migration{ID: "collide", Step: mig.Typed(func(_ context.Context, e *MigEmpV2) error {
		e.TenantID = "acme"
		if e.EmployeeID == "e0-1" {
			e.EmployeeID = "e0-0"
		}
		return nil
	})}
	r := newRunner[MigEmpV2](t, w.db, nil, collide)
	got, err := r.Run(ctx)
	var ie *mig.IncompleteError
	if !errors.As(err, &ie) || ie.Failed != 1 || !strings.Contains(ie.Failures[0].Reason, "holds another item") {
		t.Fatalf("Run = %v, want the collision reported", err)
	}
	if got[0].Changed != 1 || got[0].Skipped < 1 {
		t.Errorf("Run = %+v, want one moved and the one written by the application skipped", got[0])
	}
	var emps []string
	for _, it := range rawItems(t, w.db, w.v2.TableName()) {
		if sOf(it["entity"]) == "Emp" {
			emps = append(emps, sOf(it["pk"])+"/"+sOf(it["name"]))
		}
	}
	if len(emps) != 3 {
		t.Errorf("employees %v, want 3: none lost, none doubled", emps)
	}
	if n, err := w.staff.CountChildren(ctx, dept); err != nil || n != 3 {
		t.Errorf("counter %d, %v, want 3", n, err)
	}
}

func TestMigrateWriteBudget(t *testing.T) {
	// Three re-keys of a counted child cost 6 write units each; at 6 units
	// per second (a second's burst included), the third waits about a
	// second for the first two.
	w := newMigWorld(t, 1, 3)
	r := newRunner[MigEmpV2](t, w.db, &mig.Options{Segments: 1, WriteUnitsPerSecond: 6}, addTenant)
	got, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p := got[0]
	if p.WriteUnits < 18 || p.Elapsed < 900*time.Millisecond {
		t.Errorf("Run = %+v (%s): want at least 18 units spent over about a second", p, p.Elapsed)
	}
	w.checkMigrated(t, w.names())
}

func TestMigrateRewriteInPlace(t *testing.T) {
	// The departments, parents whose counter the relation keeps, get their
	// name upper-cased and lose an attribute the model does not declare.
	w := newMigWorld(t, 2, 2)
	ctx := context.Background()
	table := w.v2.TableName()
	for d := range 2 {
		_, err := w.db.Executor().UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table),
			Key:              map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: fmt.Sprintf("DEPT#d%d", d)}, "sk": &types.AttributeValueMemberS{Value: "#META"}},
			UpdateExpression: aws.String("SET legacy = :x"), ExpressionAttributeValues: map[string]types.AttributeValue{":x": &types.AttributeValueMemberS{Value: "old"}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	upper := mig.Chain(
		mig.Func("upper-case names", func(_ context.Context, it mig.Item) (mig.Item, error) {
			it["name"] = &types.AttributeValueMemberS{Value: strings.ToUpper(sOf(it["name"]))}
			return it, nil
		}),
		mig.Drop("legacy"),
	)
	r := newRunner[MigDept](t, w.db, nil, mig.Migration{ID: "upper", Step: upper}, mig.Migration{ID: "upper-again", Step: upper})
	got, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Changed != 2 || got[1].Changed != 0 || got[1].Skipped != 2 {
		t.Errorf("Run = %+v, want 2 changed, then 2 skipped", got)
	}
	for d := range 2 {
		dept := MigDept{DepartmentID: fmt.Sprintf("d%d", d)}
		v, err := w.depts.Get(ctx, dept)
		if err != nil || v.Name != fmt.Sprintf("DEPT %d", d) {
			t.Errorf("department %d: %+v, %v", d, v, err)
		}
		if n, err := w.staff.CountChildren(ctx, dept); err != nil || n != 2 {
			t.Errorf("department %d: counter %d, %v, want 2", d, n, err)
		}
	}
	for _, it := range rawItems(t, w.db, table) {
		if it["legacy"] != nil {
			t.Errorf("item %s keeps legacy", sOf(it["pk"]))
		}
	}
}

// newRunner returns a runner of T's items on c with opts, with migs
// registered, or fails t.
func newRunner[T any](t testing.TB, c *dynamokit.Client, opts *mig.Options, migs ...mig.Migration) *mig.Runner {
	t.Helper()
	r, err := mig.New[T](c, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Register(migs...); err != nil {
		t.Fatal(err)
	}
	return r
}
