package integration_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// rulesFixture is departments and employees related with copies of the
// department's name, on a client that enforces the relation's graph and
// records its requests.
type rulesFixture struct {
	c     *dynamokit.Client
	rec   *recorder
	depts *query.Table[Department]
	emps  *query.Table[CopyEmployee]
	staff *relations.HasMany[Department, CopyEmployee]
}

func newRulesFixture(t *testing.T) rulesFixture {
	t.Helper()
	e := newEnv(t, must[Department](t), must[CopyEmployee](t))
	f := rulesFixture{rec: &recorder{}}
	f.c = e.db.With(dynamokit.WithHook(f.rec.hook))
	var err error
	if f.depts, err = query.NewTable[Department](f.c); err != nil {
		t.Fatal(err)
	}
	if f.emps, err = query.NewTable[CopyEmployee](f.c); err != nil {
		t.Fatal(err)
	}
	f.staff, err = relations.Declare(f.depts, f.emps, relations.Spec{
		Layout: relations.MultiTable, Index: "department-employee-index",
		Copies: map[string]string{"department_name": "department_name"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f rulesFixture) count(t *testing.T, d string) int {
	t.Helper()
	n, err := f.staff.CountChildren(t.Context(), Department{DepartmentID: d})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRulesTxAdd: TxAdd is a write like the others; the graph's rules see
// it. Adding to a child's link or to a parent's children counter is
// refused before any request, and both counters stay right.
func TestRulesTxAdd(t *testing.T) {
	t.Parallel()
	f := newRulesFixture(t)
	ctx := t.Context()
	hr := Department{DepartmentID: "hr", DepartmentName: "HR"}
	if err := f.depts.Create(ctx, &hr); err != nil {
		t.Fatal(err)
	}
	e := CopyEmployee{EmployeeID: "e-1", DepartmentID: "hr", DepartmentName: "HR"}
	if err := f.emps.Create(ctx, &e); err != nil {
		t.Fatal(err)
	}
	f.rec.take()
	for name, action := range map[string]dynamokit.TxAction{
		"add to the child's link":     f.emps.TxAdd(CopyEmployee{EmployeeID: "e-1"}, "department_id", 1),
		"add to the children counter": f.depts.TxAdd(hr, "child_count", -1),
	} {
		err := f.c.WriteTx(ctx, nil, action)
		if !errors.Is(err, relations.ErrNeedsRelation) {
			t.Errorf("%s: WriteTx = %v, want ErrNeedsRelation", name, err)
		}
	}
	if got := opsOf(f.rec.take()); len(got) != 0 {
		t.Errorf("refused writes sent %v, want nothing", got)
	}
	if n := f.count(t, "hr"); n != 1 {
		t.Errorf("hr counts %d children, want 1", n)
	}
	// Restrict still holds: the counter was not lowered behind its back.
	if err := f.depts.Delete(ctx, hr); !errors.Is(err, relations.ErrHasChildren) {
		t.Errorf("Delete(hr) with a child = %v, want ErrHasChildren", err)
	}
	// An add to another attribute of either passes, as one transaction
	// action each.
	if err := f.c.WriteTx(ctx, nil, f.depts.TxAdd(hr, "visits", 1), f.emps.TxAdd(CopyEmployee{EmployeeID: "e-1"}, "visits", 1)); err != nil {
		t.Errorf("WriteTx of adds to other attributes = %v", err)
	}
}

// TestRulesConditionMerged: a rule's condition on an item the transaction
// already writes is merged into that write, never dropped: a copy its
// parent does not hold is refused in a transaction as it is alone.
func TestRulesConditionMerged(t *testing.T) {
	t.Parallel()
	f := newRulesFixture(t)
	ctx := t.Context()
	hr := Department{DepartmentID: "hr", DepartmentName: "HR"}
	if err := f.depts.Create(ctx, &hr); err != nil {
		t.Fatal(err)
	}
	e := CopyEmployee{EmployeeID: "e-1", DepartmentID: "hr", DepartmentName: "HR"}
	if err := f.emps.Create(ctx, &e); err != nil {
		t.Fatal(err)
	}
	bogus := func() *query.Update[CopyEmployee] {
		return f.emps.Update(CopyEmployee{EmployeeID: "e-1"}).Set("department_name", "Bogus")
	}
	if err := bogus().Run(ctx); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("Update of the copy alone = %v, want ErrParentNotFound (copies differ)", err)
	}
	err := f.c.WriteTx(ctx, nil, f.depts.TxAdd(hr, "visits", 1), bogus())
	if !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("WriteTx(add to hr, update of the copy) = %v, want ErrParentNotFound (copies differ)", err)
	}
	got, err := f.emps.Consistent().Get(ctx, CopyEmployee{EmployeeID: "e-1"})
	if err != nil || got.DepartmentName != "HR" {
		t.Errorf("e-1 after the refused writes = %+v, %v; want its copy HR", got, err)
	}
	// The same with a check of the parent, which the rule's condition
	// joins.
	err = f.c.WriteTx(ctx, nil, f.depts.Check(hr), bogus())
	if !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("WriteTx(check hr, update of the copy) = %v, want ErrParentNotFound (copies differ)", err)
	}
}

// TestRulesOneTransaction: the rules of several writes in one transaction
// are merged by item: a parent created in the same transaction as its
// children gets its counter in the item, several children of one parent
// change its counter once, and a transaction that deletes a parent its
// children need is refused before any request.
func TestRulesOneTransaction(t *testing.T) {
	t.Parallel()
	f := newRulesFixture(t)
	ctx := t.Context()
	hr := Department{DepartmentID: "hr", DepartmentName: "HR"}
	kid := func(id, dept, name string) *CopyEmployee {
		return &CopyEmployee{EmployeeID: id, DepartmentID: dept, DepartmentName: name}
	}
	if err := f.c.WriteTx(ctx, nil, f.depts.TxCreate(&hr), f.emps.TxCreate(kid("e-1", "hr", "HR")), f.emps.TxCreate(kid("e-2", "hr", "HR"))); err != nil {
		t.Fatalf("WriteTx(create hr and two of its employees) = %v", err)
	}
	if n := f.count(t, "hr"); n != 2 {
		t.Errorf("hr counts %d children, want 2", n)
	}
	f.rec.take()
	if err := f.c.WriteTx(ctx, nil, f.emps.TxCreate(kid("e-3", "hr", "HR")), f.emps.TxCreate(kid("e-4", "hr", "HR")), f.emps.TxCreate(kid("e-5", "hr", "HR"))); err != nil {
		t.Fatalf("WriteTx(three employees of hr) = %v", err)
	}
	reqs := f.rec.take()
	if len(reqs) != 1 || reqs[0].Op != "TransactWriteItems" {
		t.Fatalf("requests = %v, want one TransactWriteItems", opsOf(reqs))
	}
	if n := f.count(t, "hr"); n != 5 {
		t.Errorf("hr counts %d children, want 5", n)
	}
	// A child's copy checked against the item the transaction writes.
	it := Department{DepartmentID: "it", DepartmentName: "IT"}
	err := f.c.WriteTx(ctx, nil, f.depts.TxCreate(&it), f.emps.TxCreate(kid("e-6", "it", "Bogus")))
	if !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("WriteTx(create it, an employee with another copy) = %v, want ErrParentNotFound (copies differ)", err)
	}
	// A parent deleted with a child linked to it.
	ops := Department{DepartmentID: "ops", DepartmentName: "Ops"}
	if err := f.depts.Create(ctx, &ops); err != nil {
		t.Fatal(err)
	}
	f.rec.take()
	err = f.c.WriteTx(ctx, nil, f.depts.TxDelete(ops), f.emps.TxCreate(kid("e-7", "ops", "Ops")))
	if !errors.Is(err, relations.ErrParentNotFound) || !strings.Contains(err.Error(), "deletes") {
		t.Errorf("WriteTx(delete ops, create e-7 in ops) = %v, want ErrParentNotFound naming the delete", err)
	}
	if got := opsOf(f.rec.take()); len(got) != 0 {
		t.Errorf("refused transaction sent %v, want nothing", got)
	}
}

// TestRulesPublicLink: linking inside a user's transaction is a plain
// write of the child's link: the graph adds the checks and counters. A
// move between two departments, in a transaction with another write,
// keeps both counters.
func TestRulesPublicLink(t *testing.T) {
	t.Parallel()
	f := newRulesFixture(t)
	ctx := t.Context()
	for _, d := range []Department{{"hr", "HR"}, {"it", "IT"}} {
		if err := f.depts.Create(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	e := CopyEmployee{EmployeeID: "e-1", DepartmentID: "hr", DepartmentName: "HR"}
	if err := f.emps.Create(ctx, &e); err != nil {
		t.Fatal(err)
	}
	other := CopyEmployee{EmployeeID: "e-2"}
	err := f.c.WriteTx(ctx, nil,
		f.emps.Update(CopyEmployee{EmployeeID: "e-1"}).Set("department_id", "it").Set("department_name", "IT"),
		f.emps.TxCreate(&other))
	if err != nil {
		t.Fatalf("WriteTx(move e-1 to it, create e-2) = %v", err)
	}
	if a, b := f.count(t, "hr"), f.count(t, "it"); a != 0 || b != 1 {
		t.Errorf("counts after the move: hr %d, it %d; want 0 and 1", a, b)
	}
	err = f.c.WriteTx(ctx, nil, f.emps.Update(CopyEmployee{EmployeeID: "e-2"}).Set("department_id", "nowhere"))
	if !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("WriteTx(link e-2 to a missing department) = %v, want ErrParentNotFound", err)
	}
}
