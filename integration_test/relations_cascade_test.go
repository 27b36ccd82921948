package integration_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// writeOps are the operations that write: the first of them a delete
// policy sends is where another writer gets its turn.
var writeOps = []string{"BatchWriteItem", "DeleteItem", "PutItem", "UpdateItem", "TransactWriteItems", "BatchExecuteStatement", "ExecuteStatement"}

// raceChildren is how many children d-1 has in the race tests: more than
// one batch of writes.
const raceChildren = 60

// TestRelationsCascadeRace deletes a department with Cascade while, just
// before the cascade's first write, another writer moves c-00 to d-2 and
// detaches c-01. Both were read as children of d-1, but no longer are when
// the cascade writes: they must survive, and every other child of d-1 must
// be gone.
func TestRelationsCascadeRace(t *testing.T) {
	t.Parallel()
	eachLayout(t, testCascadeRace, testCascadeRace, testCascadeRace)
}

func testCascadeRace[P, C any](t *testing.T, s shape[P, C]) {
	f, other, hook := raceSetup(t, s)
	ctx := t.Context()
	d1, d2 := f.dept(Department{DepartmentID: "d-1"}), f.dept(Department{DepartmentID: "d-2"})
	detach := s.layout != relations.ItemCollection // no detaching there: the link is the key
	hook.arm(func() {
		if err := other.staff.Relink(ctx, f.key("c-00", "d-1"), d2); err != nil {
			t.Errorf("Move(c-00, d-2) between the cascade's read and write: %v", err)
		}
		if detach {
			if err := other.staff.Unlink(ctx, f.key("c-01", "d-1")); err != nil {
				t.Errorf("Detach(c-01) between the cascade's read and write: %v", err)
			}
		}
	})
	var last relations.Progress
	err := f.onDelete(t, relations.Cascade).DeleteParent(ctx, d1, &relations.DeleteOptions{Progress: func(p relations.Progress) { last = p }})
	if err != nil {
		t.Fatalf("Delete(d-1, Cascade): %v", err)
	}
	if !hook.done() {
		t.Fatal("the other writer never got its turn: the cascade sent no write")
	}
	want := map[string]string{"c-00": "d-2"}
	if detach {
		want["c-01"] = ""
	}
	if got := f.owners(t); !mapsEqual(got, want) {
		t.Errorf("employees after the cascade = %v, want only %v (moved away from d-1 before it was deleted)", got, want)
	}
	if want := (relations.Progress{Done: raceChildren - len(want), Skipped: len(want)}); last != want {
		t.Errorf("progress reported %+v, want %+v", last, want)
	}
}

// TestRelationsDetachRace is TestRelationsCascadeRace with the Detach
// policy: the child moved to d-2 stays there, and every other child of d-1
// ends unlinked.
func TestRelationsDetachRace(t *testing.T) {
	t.Parallel()
	eachLayout(t, testDetachRace, testDetachRace, testDetachRace)
}

func testDetachRace[P, C any](t *testing.T, s shape[P, C]) {
	if s.layout == relations.ItemCollection {
		t.Skip("an item collection cannot detach (TestRelationsDelete checks the refusal)")
	}
	f, other, hook := raceSetup(t, s)
	ctx := t.Context()
	d1, d2 := f.dept(Department{DepartmentID: "d-1"}), f.dept(Department{DepartmentID: "d-2"})
	hook.arm(func() {
		if err := other.staff.Relink(ctx, f.key("c-00", "d-1"), d2); err != nil {
			t.Errorf("Move(c-00, d-2) between the detach's read and write: %v", err)
		}
		if err := other.staff.Unlink(ctx, f.key("c-01", "d-1")); err != nil {
			t.Errorf("Detach(c-01) between the detach's read and write: %v", err)
		}
	})
	var last relations.Progress
	err := f.onDelete(t, relations.Detach).DeleteParent(ctx, d1, &relations.DeleteOptions{Progress: func(p relations.Progress) { last = p }})
	if err != nil {
		t.Fatalf("Delete(d-1, Detach): %v", err)
	}
	if !hook.done() {
		t.Fatal("the other writer never got its turn: the detach sent no write")
	}
	want := map[string]string{"c-00": "d-2"}
	for i := 1; i < raceChildren; i++ {
		want[fmt.Sprintf("c-%02d", i)] = ""
	}
	if got := f.owners(t); !mapsEqual(got, want) {
		t.Errorf("employees after the detach = %v, want c-00 in d-2 and the rest in none", got)
	}
	if want := (relations.Progress{Done: raceChildren - 2, Skipped: 2}); last != want {
		t.Errorf("progress reported %+v, want %+v", last, want)
	}
}

// raceSetup creates departments d-1, with raceChildren employees c-00,
// c-01, ..., and d-2, and returns the fixture on a connection whose writes
// hook can hold back, and the same tables on a second connection.
func raceSetup[P, C any](t *testing.T, s shape[P, C]) (f, other fixture[P, C], hook *interleaver) {
	t.Helper()
	hook = &interleaver{ops: writeOps}
	f = setup(t, s, graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		hook.next = o.HTTPClient
		o.HTTPClient = hook
	})))
	other = f.over(t, graphClient(t))
	ctx := t.Context()
	for _, d := range []Department{{"d-1", "One"}, {"d-2", "Two"}} {
		p := f.dept(d)
		if err := f.depts.Create(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	kids := make([]C, raceChildren)
	for i := range kids {
		kids[i] = f.emp(Employee{fmt.Sprintf("c-%02d", i), "Worker", "d-1"})
	}
	_, bulk := f.unchecked(t) // a bulk load: not checked, counted by Recount
	if err := bulk.BatchPut(ctx, kids, nil); err != nil {
		t.Fatal(err)
	}
	// Children written around the relation: count them once (the
	// backfill of a parent that had children before the relation).
	if _, err := f.staff.Recount(ctx, f.dept(Department{DepartmentID: "d-1"})); err != nil {
		t.Fatal(err)
	}
	return f, other, hook
}

// owners maps every employee id to its department ("" for none), read
// with a strongly consistent scan.
func (f fixture[P, C]) owners(t *testing.T) map[string]string {
	t.Helper()
	all, err := f.emps.Consistent().Scan().Collect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(all))
	for _, c := range all {
		e := f.plainEmp(c)
		out[e.EmployeeID] = e.DepartmentID
	}
	return out
}

func mapsEqual(a, b map[string]string) bool {
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

// meter is a client hook (dynamokit.WithHook) that counts requests by
// operation and the write units DynamoDB would bill for them, for items of
// at most 1 KB, from each request's input (moto reports no consumed
// capacity for batch writes and transactions, see docs/testing.md):
//
//   - PutItem, UpdateItem, DeleteItem: 1, also when the condition fails;
//   - BatchWriteItem: 1 per put or delete request in it;
//   - TransactWriteItems: 2 per action (DynamoDB prepares, then commits,
//     every item), counted as sent; a cancelled transaction is counted
//     the same, which is an upper bound.
type meter struct {
	mu         sync.Mutex
	requests   map[string]int
	writeUnits int
}

// hook counts one request.
func (m *meter) hook(_ context.Context, r *dynamokit.Request) {
	units := 0
	switch in := r.Input.(type) {
	case *dynamodb.PutItemInput, *dynamodb.UpdateItemInput, *dynamodb.DeleteItemInput:
		units = 1
	case *dynamodb.BatchWriteItemInput:
		for _, reqs := range in.RequestItems {
			units += len(reqs)
		}
	case *dynamodb.TransactWriteItemsInput:
		units = 2 * len(in.TransactItems)
	}
	m.mu.Lock()
	m.requests[r.Op]++
	m.writeUnits += units
	m.mu.Unlock()
}

// take returns the requests and write units counted since the last take.
func (m *meter) take() (map[string]int, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	reqs, units := m.requests, m.writeUnits
	m.requests, m.writeUnits = map[string]int{}, 0
	return reqs, units
}

// costChildren is the size of the department TestRelationsCascadeCost
// deletes.
const costChildren = 1000

// TestRelationsCascadeCost measures the requests and write units of a
// cascade of a department with costChildren employees, in each layout.
func TestRelationsCascadeCost(t *testing.T) {
	t.Parallel()
	eachLayout(t, testCascadeCost, testCascadeCost, testCascadeCost)
}

func testCascadeCost[P, C any](t *testing.T, s shape[P, C]) {
	m := &meter{requests: map[string]int{}}
	f := setup(t, s, graphClient(t, dynamokit.WithHook(m.hook)))
	ctx := t.Context()
	d1 := f.dept(Department{"d-1", "One"})
	if err := f.depts.Create(ctx, &d1); err != nil {
		t.Fatal(err)
	}
	kids := make([]C, costChildren)
	for i := range kids {
		kids[i] = f.emp(Employee{fmt.Sprintf("c-%04d", i), "Worker", "d-1"})
	}
	_, bulk := f.unchecked(t) // a bulk load: not checked, counted by Recount
	if err := bulk.BatchPut(ctx, kids, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.staff.Recount(ctx, d1); err != nil {
		t.Fatal(err)
	}
	m.take()
	if err := f.onDelete(t, relations.Cascade).DeleteParent(ctx, d1, nil); err != nil {
		t.Fatal(err)
	}
	reqs, units := m.take()
	total := 0
	for _, n := range reqs {
		total += n
	}
	t.Logf("cascade of %d children: %d requests %v, %d write units; per child %.3f requests, %.3f write units",
		costChildren, total, reqs, units, float64(total)/costChildren, float64(units)/costChildren)
	// A GetItem of the counter, a Query of the children, one UpdateItem
	// that marks the parent, a DeleteItem per child (on condition it still
	// points at the parent) and one UpdateItem per page of 100 that
	// subtracts the page from the counter; in the child-index layouts, a
	// BatchGetItem that reads each page again strongly by key and one
	// more UpdateItem that records it first; then a delete of the parent
	// conditional on the counter (docs/relations.md). Before: transactions
	// of 99 deletes and the counter, 2,023 write units (2.023 a child).
	pages := (costChildren + 99) / 100
	want := map[string]int{"GetItem": 1, "Query": 1, "UpdateItem": 1 + pages, "DeleteItem": costChildren + 1}
	if s.layout != relations.ItemCollection {
		want["BatchGetItem"] = pages
		want["UpdateItem"] += pages
	}
	if diff := cmp.Diff(want, reqs); diff != "" {
		t.Errorf("cascade of %d children: requests (-want +got):\n%s", costChildren, diff)
	}
	if want := want["UpdateItem"] + want["DeleteItem"]; units != want {
		t.Errorf("cascade of %d children: %d write units, want %d", costChildren, units, want)
	}
	if per := float64(units) / costChildren; per > 1.2 {
		t.Errorf("cascade of %d children: %.3f write units a child, want at most 1.2", costChildren, per)
	}
	if n := f.count(t, d1); n != 0 {
		t.Errorf("d-1 has %d children after the cascade, want 0", n)
	}
}

// TestRelationsCascadeRaceChildTable is TestRelationsCascadeRace for the
// other item collection: orders in a table of their own keyed by
// customer_id. An order moved to Bob between the cascade's read of Ada's
// orders and its first delete survives.
func TestRelationsCascadeRaceChildTable(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, must[Customer](t), must[CustomerOrder](t))
	hook := &interleaver{ops: writeOps}
	customers, orders, bought := customerOrders(t, graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		hook.next = o.HTTPClient
		o.HTTPClient = hook
	})), e.names)
	_, _, other := customerOrders(t, e.db, e.names)
	ada, bob := Customer{"c-1", "Ada"}, Customer{"c-2", "Bob"}
	for _, c := range []Customer{ada, bob} {
		if err := customers.Create(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var placed []CustomerOrder
	for i := range raceChildren {
		placed = append(placed, CustomerOrder{CustomerID: "c-1", OrderedAt: day.Add(time.Duration(i) * time.Hour), OrderID: fmt.Sprintf("o-%02d", i)})
	}
	bulk := tableOf[CustomerOrder](t, e, graphClient(t), nil) // a bulk load: not checked, counted by Recount
	if err := bulk.BatchPut(ctx, placed, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := bought.Recount(ctx, ada); err != nil {
		t.Fatal(err)
	}
	hook.arm(func() {
		if err := other.Relink(ctx, placed[0], bob); err != nil {
			t.Errorf("Move(o-00, Bob) between the cascade's read and write: %v", err)
		}
	})
	var last relations.Progress
	if err := bought.DeleteParent(ctx, ada, &relations.DeleteOptions{Progress: func(p relations.Progress) { last = p }}); err != nil {
		t.Fatalf("Delete(Ada, Cascade): %v", err)
	}
	if !hook.done() {
		t.Fatal("the other writer never got its turn: the cascade sent no write")
	}
	left, err := orders.Consistent().Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].OrderID != "o-00" || left[0].CustomerID != "c-2" {
		t.Errorf("orders after the cascade = %+v, want only o-00, Bob's", left)
	}
	if want := (relations.Progress{Done: raceChildren - 1, Skipped: 1}); last != want {
		t.Errorf("progress reported %+v, want %+v", last, want)
	}
}

// customerOrders returns the tables of customers and of orders keyed by
// customer, and their relation, on db.
func customerOrders(t *testing.T, db *dynamokit.Client, names model.Namer) (*query.Table[Customer], *query.Table[CustomerOrder], *relations.HasMany[Customer, CustomerOrder]) {
	t.Helper()
	customers, err := query.NewTable[Customer](db.With(dynamokit.WithNamer(names)))
	if err != nil {
		t.Fatal(err)
	}
	orders, err := query.NewTable[CustomerOrder](db.With(dynamokit.WithNamer(names)))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := relations.Declare(customers, orders, relations.Spec{Layout: relations.ItemCollection, OnDelete: relations.Cascade})
	if err != nil {
		t.Fatal(err)
	}
	if got := rel.Describe().Layout; got != relations.ItemCollection {
		t.Fatalf("Layout() = %v, want %v", got, relations.ItemCollection)
	}
	return customers, orders, rel
}
