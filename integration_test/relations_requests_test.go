package integration_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// counter counts DynamoDB requests by operation, through a client hook
// (dynamokit.WithHook), and how many were in flight at once, through the
// SDK's HTTP client. After meet(n), requests wait until n of them are in
// flight at once, so that requests sent concurrently are seen to overlap,
// however the scheduler runs them, and requests sent one after another
// never do; a hook runs after its request, so this one part stays in the
// HTTP client.
type counter struct {
	next dynamodb.HTTPClient

	mu          sync.Mutex
	ops         map[string]int
	inFlight    int
	maxInFlight int
	meetN       int           // 0: requests do not wait
	met         chan struct{} // closed once meetN requests were in flight at once
}

// meet makes requests wait until n are in flight at once (at most 10
// seconds); n 0 stops it.
func (c *counter) meet(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.meetN, c.met = n, make(chan struct{})
}

// hook counts a request; it is the counter's dynamokit.Hook.
func (c *counter) hook(_ context.Context, r *dynamokit.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops[r.Op]++
}

// Do implements dynamodb.HTTPClient: it tracks the requests in flight.
func (c *counter) Do(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.inFlight++
	c.maxInFlight = max(c.maxInFlight, c.inFlight)
	met, wait := c.met, c.meetN > 0
	if wait && c.inFlight >= c.meetN {
		close(c.met)
		c.meetN = 0
	}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.inFlight--
		c.mu.Unlock()
	}()
	if wait {
		t := time.NewTimer(10 * time.Second)
		defer t.Stop()
		select {
		case <-met:
		case <-t.C:
		case <-r.Context().Done():
		}
	}
	return c.next.Do(r)
}

// take returns the requests counted since the last take, and the most that
// were in flight at once, and starts counting again.
func (c *counter) take() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops, most := c.ops, c.maxInFlight
	c.ops, c.maxInFlight = map[string]int{}, 0
	return ops, most
}

// requests returns how many op requests were counted since the last take.
func (c *counter) requests(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ops[op]
}

// countingDB returns a client of the test engine and the counter of its
// requests.
func countingDB(t *testing.T) (*dynamokit.Client, *counter) {
	t.Helper()
	c := &counter{}
	return countedDB(t, c), c
}

// countedDB returns a client of the test engine whose requests c counts.
func countedDB(t *testing.T, c *counter) *dynamokit.Client {
	t.Helper()
	c.ops = map[string]int{}
	return graphClient(t, dynamokit.WithHook(c.hook), dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		c.next = o.HTTPClient
		o.HTTPClient = c
	}))
}

// TestRelationsRequests counts the DynamoDB requests each operation sends,
// in each layout.
func TestRelationsRequests(t *testing.T) {
	t.Parallel()
	t.Run("multi-table", func(t *testing.T) {
		testRequests(t, multiTable, requests{
			move:               map[string]int{"TransactWriteItems": 1},
			parentWithChildren: map[string]int{"GetItem": 1, "Query": 1},
		})
	})
	t.Run("inverted index", func(t *testing.T) {
		testRequests(t, invertedIndex, requests{
			move:               map[string]int{"TransactWriteItems": 1},
			parentWithChildren: map[string]int{"Query": 1},
		})
	})
	t.Run("item collection", func(t *testing.T) {
		testRequests(t, itemCollection, requests{
			move:               map[string]int{"GetItem": 1, "TransactWriteItems": 1},
			parentWithChildren: map[string]int{"Query": 1},
		})
	})
}

// requests are the requests expected of the operations whose count
// depends on the layout.
type requests struct {
	move, parentWithChildren map[string]int
}

func testRequests[P, C any](t *testing.T, s shape[P, C], want requests) {
	c := &counter{}
	f := setup(t, s, countedDB(t, c))
	ctx := t.Context()
	f.seed(t)
	d1, d2 := f.dept(Department{DepartmentID: "d-1"}), f.dept(Department{DepartmentID: "d-2"})
	check := func(op string, want map[string]int) {
		t.Helper()
		got, _ := c.take()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: requests (-want +got):\n%s", op, diff)
		}
	}

	c.take()
	if err := f.staff.Relink(ctx, f.key("e-1", "d-1"), d2); err != nil {
		t.Fatal(err)
	}
	check("Relink", want.move)

	if _, err := f.staff.Children(d1).Collect(ctx); err != nil {
		t.Fatal(err)
	}
	check("Children", map[string]int{"Query": 1})

	if _, err := f.staff.CountChildren(ctx, d2); err != nil {
		t.Fatal(err)
	}
	check("CountChildren", map[string]int{"GetItem": 1})

	if _, _, err := f.staff.ParentWithChildren(ctx, d2); err != nil {
		t.Fatal(err)
	}
	check("ParentWithChildren", want.parentWithChildren)

	if _, err := f.staff.ParentOf(ctx, f.key("e-1", "d-2")); err != nil {
		t.Fatal(err)
	}
	check("ParentOf", map[string]int{"GetItem": 1})

	// A parent whose counter agrees with its children: its counter is
	// read once, and its children counted once.
	if rep, err := f.staff.AuditParent(ctx, d2, nil); err != nil || rep.Checked != 1 || len(rep.Drift) != 0 {
		t.Fatalf("AuditParent(d-2) = %+v, %v; want one parent checked, no drift", rep, err)
	}
	check("AuditParent", map[string]int{"GetItem": 1, "Query": 1})

	// Twenty parents: twenty queries, run concurrently. The first query
	// waits for a second one to be in flight, which only concurrent
	// queries can give it.
	parents := make([]P, 20)
	for i := range parents {
		parents[i] = f.dept(Department{DepartmentID: []string{"d-1", "d-2"}[i%2]})
	}
	c.meet(2)
	start := time.Now()
	lists, err := f.staff.ChildrenOf(ctx, parents)
	elapsed := time.Since(start)
	c.meet(0)
	if err != nil {
		t.Fatal(err)
	}
	got, most := c.take()
	if diff := cmp.Diff(map[string]int{"Query": 20}, got); diff != "" {
		t.Errorf("ChildrenOf(20 parents): requests (-want +got):\n%s", diff)
	}
	if most <= 1 {
		t.Errorf("ChildrenOf(20 parents): at most %d request in flight, want several", most)
	}
	if len(lists) != 20 || len(lists[1]) != 4 {
		t.Errorf("ChildrenOf(20 parents) = %d lists, the second of %d children, want 20 and 4", len(lists), len(lists[1]))
	}
	t.Logf("ChildrenOf(20 parents): 20 queries, up to %d in flight, %v", most, elapsed.Round(time.Millisecond))
}

// TestRelationsWriteCost measures the requests and write units of each
// write of the relation, in each layout, for docs/relations.md: a checked
// write is a transaction, which DynamoDB bills at 2 write units per item
// of up to 1 KB.
func TestRelationsWriteCost(t *testing.T) {
	t.Parallel()
	eachLayout(t, testWriteCost, testWriteCost, testWriteCost)
}

func testWriteCost[P, C any](t *testing.T, s shape[P, C]) {
	m := &meter{requests: map[string]int{}}
	f := setup(t, s, graphClient(t, dynamokit.WithHook(m.hook)))
	ctx := t.Context()
	f.seed(t) // d-1: e-1, e-2; d-2: e-3, e-4, e-5
	d1, d2 := f.dept(Department{DepartmentID: "d-1"}), f.dept(Department{DepartmentID: "d-2"})
	d3, d4 := f.dept(Department{"d-3", "Empty"}), f.dept(Department{"d-4", "Empty, created around the relation"})
	plain, _ := f.unchecked(t)
	if err := plain.Create(ctx, &d4); err != nil { // written before the relation: no counter
		t.Fatal(err)
	}
	ic := s.layout == relations.ItemCollection
	detach := func() *relations.HasMany[P, C] { return f.onDelete(t, relations.Detach) }
	type cost struct {
		requests map[string]int
		units    int
	}
	tests := []struct {
		name string
		run  func() error
		want cost
		skip bool
	}{
		{"Create of a parent", func() error { return f.depts.Create(ctx, &d3) },
			cost{map[string]int{"PutItem": 1}, 1}, false},
		{"Link", func() error {
			c := f.emp(Employee{EmployeeID: "e-6", EmployeeName: "Frank"})
			return f.staff.Link(ctx, &c, d1)
		},
			cost{map[string]int{"TransactWriteItems": 1}, 4}, false},
		{"Relink", func() error { return f.staff.Relink(ctx, f.key("e-6", "d-1"), d2) },
			map[bool]cost{false: {map[string]int{"TransactWriteItems": 1}, 6}, true: {map[string]int{"GetItem": 1, "TransactWriteItems": 1}, 8}}[ic], false},
		{"Unlink", func() error { return f.staff.Unlink(ctx, f.key("e-6", "d-2")) },
			cost{map[string]int{"TransactWriteItems": 1}, 4}, ic},
		{"DeleteChild", func() error { return f.staff.DeleteChild(ctx, f.key("e-5", "d-2")) },
			cost{map[string]int{"TransactWriteItems": 1}, 4}, false},
		{"CountChildren", func() error { _, err := f.staff.CountChildren(ctx, d2); return err },
			cost{map[string]int{"GetItem": 1}, 0}, false},
		// Restrict first looks for one child in the child index (a Query
		// of one item, keys only), which sees children written around the
		// relation: with one, a GetItem reads how many and nothing is
		// written.
		{"DeleteParent, Restrict, with children", func() error { return f.staff.DeleteParent(ctx, d2, nil) },
			cost{map[string]int{"Query": 1, "GetItem": 1}, 0}, false},
		{"DeleteParent, Restrict, no children", func() error { return f.staff.DeleteParent(ctx, d3, nil) },
			cost{map[string]int{"Query": 1, "DeleteItem": 1}, 1}, false},
		// No counter: the Query finds no child, the conditional delete
		// fails, a GetItem finds no counter, and a delete conditional on
		// the counter's absence follows.
		{"DeleteParent, Restrict, no children, no counter", func() error { return f.staff.DeleteParent(ctx, d4, nil) },
			cost{map[string]int{"DeleteItem": 2, "GetItem": 1, "Query": 1}, 2}, false},
		// Detach reads the counter, lists the children, unlinks them in
		// one transaction with the counter's -2, and deletes the parent
		// on condition that its counter is 0.
		{"DeleteParent, Detach, 2 children", func() error { return detach().DeleteParent(ctx, d1, nil) },
			cost{map[string]int{"GetItem": 1, "Query": 1, "TransactWriteItems": 1, "DeleteItem": 1}, 7}, ic},
	}
	for _, tt := range tests {
		if tt.skip {
			continue
		}
		m.take()
		err := tt.run()
		reqs, units := m.take()
		if err != nil && !errors.Is(err, relations.ErrHasChildren) {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		t.Logf("%s: %v, %d write units", tt.name, reqs, units)
		if diff := cmp.Diff(tt.want.requests, reqs); diff != "" || units != tt.want.units {
			t.Errorf("%s: %v, %d write units, want %v, %d", tt.name, reqs, units, tt.want.requests, tt.want.units)
		}
	}
}
