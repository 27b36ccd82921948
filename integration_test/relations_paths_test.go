package integration_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// TestRelationsWritePaths writes children and parents through their plain
// query.Tables, around the relation's verbs, in each layout, and checks
// that every path keeps the relation whole (the parent exists, the
// counters are exact, a parent with children is not deleted) or is
// refused with an error naming the call to use, and what each path costs
// in requests and write units (counted as DynamoDB bills them: 1 per
// single write, 2 per item of a transaction).
func TestRelationsWritePaths(t *testing.T) {
	t.Parallel()
	eachLayout(t, testWritePaths, testWritePaths, testWritePaths)
}

func testWritePaths[P, C any](t *testing.T, s shape[P, C]) {
	m := &meter{requests: map[string]int{}}
	f := setup(t, s, graphClient(t, dynamokit.WithHook(m.hook)))
	ctx := t.Context()
	f.seed(t) // d-1: e-1, e-2; d-2: e-3, e-4, e-5
	d1, d2 := f.dept(Department{DepartmentID: "d-1"}), f.dept(Department{DepartmentID: "d-2"})
	ic := s.layout == relations.ItemCollection
	counts := func() [2]int {
		t.Helper()
		var out [2]int
		for i, d := range []P{d1, d2} {
			n, err := f.staff.CountChildren(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = n
		}
		return out
	}
	type cost struct {
		requests map[string]int
		units    int
	}
	tests := []struct {
		name    string
		skip    bool // not possible in an item collection
		run     func() error
		wantErr error  // nil: succeeds
		naming  string // what a refusal's message must name
		cost    cost
		counts  [2]int // CountChildren of d-1, d-2 afterwards
	}{
		{name: "Create of a child of a missing parent",
			run: func() error {
				c := f.emp(Employee{"e-9", "Nobody's", "d-404"})
				return f.emps.Create(ctx, &c)
			},
			wantErr: relations.ErrParentNotFound,
			cost:    cost{map[string]int{"TransactWriteItems": 1}, 4}, counts: [2]int{2, 3}},
		{name: "Create of a child",
			run: func() error {
				c := f.emp(Employee{"e-6", "Frank", "d-1"})
				return f.emps.Create(ctx, &c)
			},
			cost: cost{map[string]int{"TransactWriteItems": 1}, 4}, counts: [2]int{3, 3}},
		{name: "Put of a child, same parent",
			run: func() error {
				c := f.emp(Employee{"e-6", "Frank Jr", "d-1"})
				return f.emps.Put(ctx, &c)
			},
			cost: cost{map[string]int{"GetItem": 1, "TransactWriteItems": 1}, 4}, counts: [2]int{3, 3}},
		{name: "Put of a child that moves it", skip: ic,
			run: func() error {
				c := f.emp(Employee{"e-6", "Frank", "d-2"})
				return f.emps.Put(ctx, &c)
			},
			cost: cost{map[string]int{"GetItem": 1, "TransactWriteItems": 1}, 6}, counts: [2]int{2, 4}},
		{name: "Put of a child that moves it to a missing parent", skip: ic,
			run: func() error {
				c := f.emp(Employee{"e-6", "Frank", "d-404"})
				return f.emps.Put(ctx, &c)
			},
			wantErr: relations.ErrParentNotFound,
			cost:    cost{map[string]int{"GetItem": 1, "TransactWriteItems": 1}, 6}, counts: [2]int{2, 4}},
		{name: "Update of the link", skip: ic,
			run: func() error {
				return f.emps.Update(f.key("e-6", "")).Set("department_id", "d-1").Run(ctx)
			},
			cost: cost{map[string]int{"GetItem": 1, "TransactWriteItems": 1}, 6}, counts: [2]int{3, 3}},
		{name: "Update of the link to a missing parent", skip: ic,
			run: func() error {
				return f.emps.Update(f.key("e-6", "")).Set("department_id", "d-404").Run(ctx)
			},
			wantErr: relations.ErrParentNotFound,
			cost:    cost{map[string]int{"GetItem": 1, "TransactWriteItems": 1}, 6}, counts: [2]int{3, 3}},
		{name: "Update that removes the link", skip: ic,
			run: func() error {
				return f.emps.Update(f.key("e-6", "")).Remove("department_id").Run(ctx)
			},
			cost: cost{map[string]int{"GetItem": 1, "TransactWriteItems": 1}, 4}, counts: [2]int{2, 3}},
		{name: "Update of another attribute",
			run: func() error {
				return f.emps.Update(f.key("e-3", "d-2")).Set("employee_name", "Carol").Run(ctx)
			},
			cost: cost{map[string]int{"UpdateItem": 1}, 1}, counts: [2]int{map[bool]int{false: 2, true: 3}[ic], 3}},
		{name: "Delete of a child",
			run:  func() error { return f.emps.Delete(ctx, f.key("e-3", "d-2")) },
			cost: cost{map[string]int{"GetItem": 1, "TransactWriteItems": 1}, 4}, counts: [2]int{map[bool]int{false: 2, true: 3}[ic], 2}},
		{name: "BatchPut of children",
			run: func() error {
				return f.emps.BatchPut(ctx, []C{f.emp(Employee{"e-7", "G", "d-1"})}, nil)
			},
			wantErr: relations.ErrNeedsRelation, naming: "HasMany.Link",
			cost: cost{map[string]int{}, 0}, counts: [2]int{map[bool]int{false: 2, true: 3}[ic], 2}},
		{name: "BatchDelete of children",
			run:     func() error { return f.emps.BatchDelete(ctx, []C{f.key("e-4", "d-2")}, nil) },
			wantErr: relations.ErrNeedsRelation, naming: "HasMany.DeleteChild",
			cost: cost{map[string]int{}, 0}, counts: [2]int{map[bool]int{false: 2, true: 3}[ic], 2}},
		{name: "WriteTx creating a child of a missing parent",
			run: func() error {
				c := f.emp(Employee{"e-8", "H", "d-404"})
				return f.emps.Client().WriteTx(ctx, nil, f.emps.TxCreate(&c))
			},
			wantErr: relations.ErrParentNotFound,
			cost:    cost{map[string]int{"TransactWriteItems": 1}, 4}, counts: [2]int{map[bool]int{false: 2, true: 3}[ic], 2}},
		{name: "Put of a parent keeps its counter",
			run: func() error {
				d := f.dept(Department{"d-2", "Renamed"})
				return f.depts.Put(ctx, &d)
			},
			cost: cost{map[string]int{"UpdateItem": 1}, 1}, counts: [2]int{map[bool]int{false: 2, true: 3}[ic], 2}},
		{name: "BatchPut of parents",
			run:     func() error { return f.depts.BatchPut(ctx, []P{f.dept(Department{"d-2", "Again"})}, nil) },
			wantErr: relations.ErrNeedsRelation, naming: "Table.Put",
			cost: cost{map[string]int{}, 0}, counts: [2]int{map[bool]int{false: 2, true: 3}[ic], 2}},
		{name: "Delete of a parent with children, Restrict",
			run:     func() error { return f.depts.Delete(ctx, d2) },
			wantErr: relations.ErrHasChildren,
			cost:    cost{map[string]int{"DeleteItem": 1}, 1}, counts: [2]int{map[bool]int{false: 2, true: 3}[ic], 2}},
	}
	for _, tt := range tests {
		if tt.skip {
			continue
		}
		m.take()
		err := tt.run()
		reqs, units := m.take()
		switch {
		case tt.wantErr == nil && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
			t.Errorf("%s = %v, want %v", tt.name, err, tt.wantErr)
		case tt.naming != "" && !strings.Contains(err.Error(), tt.naming):
			t.Errorf("%s = %v, want a message naming %s", tt.name, err, tt.naming)
		}
		t.Logf("%s: %v, %d write units; %v", tt.name, reqs, units, err)
		if diff := cmp.Diff(tt.cost.requests, reqs); diff != "" || units != tt.cost.units {
			t.Errorf("%s: %v, %d write units, want %v, %d", tt.name, reqs, units, tt.cost.requests, tt.cost.units)
		}
		if got := counts(); got != tt.counts {
			t.Errorf("%s: CountChildren(d-1, d-2) = %v, want %v", tt.name, got, tt.counts)
		}
		if got, want := [2]int{len(f.children(t, "d-1")), len(f.children(t, "d-2"))}, tt.counts; got != want {
			t.Errorf("%s: children of d-1, d-2 = %v, want %v (the counters)", tt.name, got, want)
		}
	}

	// A Create of a parent starts its counter: Restrict deletes it with
	// one conditional DeleteItem.
	d3 := f.dept(Department{"d-3", "New"})
	if err := f.depts.Create(ctx, &d3); err != nil {
		t.Fatal(err)
	}
	m.take()
	if err := f.depts.Delete(ctx, d3); err != nil {
		t.Errorf("Delete of a parent without children, Restrict: %v", err)
	}
	if reqs, units := m.take(); !cmp.Equal(reqs, map[string]int{"DeleteItem": 1}) || units != 1 {
		t.Errorf("Delete of a parent without children: %v, %d write units, want 1 DeleteItem, 1", reqs, units)
	}
	if _, err := f.depts.Get(ctx, d3); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(d-3) after its delete = %v, want ErrNotFound", err)
	}

	// Under Cascade, a plain Delete of a parent is refused before any
	// request: the cascade is DeleteParent's.
	f.onDelete(t, relations.Cascade)
	m.take()
	err := f.depts.Delete(ctx, d1)
	if !errors.Is(err, relations.ErrNeedsRelation) || !strings.Contains(err.Error(), "HasMany.DeleteParent") {
		t.Errorf("Delete of a parent under Cascade = %v, want ErrNeedsRelation naming HasMany.DeleteParent", err)
	}
	if reqs, _ := m.take(); len(reqs) != 0 {
		t.Errorf("refused Delete of a parent sent %v", reqs)
	}
}
