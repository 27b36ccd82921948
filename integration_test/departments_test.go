package integration_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// The seed notebook's models.
type Department struct {
	DepartmentID   string `dynamo:"department_id,hash"`
	DepartmentName string `dynamo:"department_name"`
}

func (Department) TableName() string { return "department" }

type Employee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
}

func (Employee) TableName() string { return "employee" }

var (
	seedDepartments = []Department{{"d-1", "HR"}, {"d-2", "IT"}}
	seedEmployees   = []Employee{
		{"e-1", "Alice", "d-1"}, {"e-2", "Bob", "d-1"},
		{"e-3", "Cathy", "d-2"}, {"e-4", "David", "d-2"}, {"e-5", "Edward", "d-2"},
	}
)

func employeeIDs(es []Employee) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.EmployeeID
	}
	slices.Sort(ids)
	return ids
}

// TestDepartments is the seed notebook, asserted: create, list, children
// through the GSI, moves that succeed and moves that must fail.
func TestDepartments(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Department](t), must[Employee](t))
	ctx := t.Context()
	depts, err := query.NewTable[Department](e.db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	emps, err := query.NewTable[Employee](e.db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	staff, err := relations.Declare(depts, emps, relations.Spec{Layout: relations.MultiTable, Index: "department-employee-index"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := staff.Describe().Layout, relations.MultiTable; got != want {
		t.Errorf("Layout() = %v, want %v", got, want)
	}
	if got, want := staff.Describe().Index, "department-employee-index"; got != want {
		t.Errorf("Index() = %q, want %q", got, want)
	}

	for _, d := range seedDepartments {
		if err := depts.Create(ctx, &d); err != nil {
			t.Fatalf("Create(%v): %v", d, err)
		}
	}
	for _, emp := range seedEmployees {
		if err := staff.Link(ctx, &emp, Department{DepartmentID: emp.DepartmentID}); err != nil {
			t.Fatalf("Create(%v): %v", emp, err)
		}
	}
	// The notebook's new_department returns None for an existing id.
	if err := depts.Create(ctx, &Department{"d-1", "Other"}); !errors.Is(err, dynamokit.ErrAlreadyExists) {
		t.Errorf("Create(existing) = %v, want ErrAlreadyExists", err)
	}
	// A new employee of a missing department is refused.
	if err := staff.Link(ctx, &Employee{EmployeeID: "e-6", EmployeeName: "Frank"}, Department{DepartmentID: "d-404"}); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("Create(employee of d-404) = %v, want ErrParentNotFound", err)
	}

	allDepts, err := depts.Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(allDepts, func(a, b Department) int { return strings.Compare(a.DepartmentID, b.DepartmentID) })
	if diff := cmp.Diff(seedDepartments, allDepts); diff != "" {
		t.Errorf("scan departments (-want +got):\n%s", diff)
	}
	allEmps, err := emps.Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := employeeIDs(allEmps), employeeIDs(seedEmployees); !slices.Equal(got, want) {
		t.Errorf("scan employees = %v, want %v", got, want)
	}

	children := func(dept string) []string {
		t.Helper()
		es, err := staff.Children(Department{DepartmentID: dept}).Collect(ctx)
		if err != nil {
			t.Fatalf("Children(%s): %v", dept, err)
		}
		return employeeIDs(es)
	}
	// The notebook's helper always queried d-1; each department gets its own.
	if got, want := children("d-1"), []string{"e-1", "e-2"}; !slices.Equal(got, want) {
		t.Errorf("Children(d-1) = %v, want %v", got, want)
	}
	if got, want := children("d-2"), []string{"e-3", "e-4", "e-5"}; !slices.Equal(got, want) {
		t.Errorf("Children(d-2) = %v, want %v", got, want)
	}

	if err := staff.Relink(ctx, Employee{EmployeeID: "e-1"}, Department{DepartmentID: "d-2"}); err != nil {
		t.Fatalf("Move(e-1, d-2) = %v", err)
	}
	if err := staff.Relink(ctx, Employee{EmployeeID: "e-999"}, Department{DepartmentID: "d-2"}); !errors.Is(err, relations.ErrChildNotFound) {
		t.Errorf("Move(e-999, d-2) = %v, want ErrChildNotFound", err)
	}
	// The notebook would have accepted this move.
	if err := staff.Relink(ctx, Employee{EmployeeID: "e-2"}, Department{DepartmentID: "d-404"}); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("Move(e-2, d-404) = %v, want ErrParentNotFound", err)
	}
	if _, err := emps.Get(ctx, Employee{EmployeeID: "e-999"}); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(e-999) = %v, want ErrNotFound (a failed move must not create an item)", err)
	}

	alice, err := emps.Get(ctx, Employee{EmployeeID: "e-1"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Employee{"e-1", "Alice", "d-2"}, alice); diff != "" {
		t.Errorf("Alice after move (-want +got):\n%s", diff)
	}
	bob, err := emps.Get(ctx, Employee{EmployeeID: "e-2"})
	if err != nil {
		t.Fatal(err)
	}
	if bob.DepartmentID != "d-1" {
		t.Errorf("Bob.DepartmentID = %q after a refused move, want d-1", bob.DepartmentID)
	}
	if got, want := children("d-2"), []string{"e-1", "e-3", "e-4", "e-5"}; !slices.Equal(got, want) {
		t.Errorf("Children(d-2) after move = %v, want %v", got, want)
	}
	parent, err := staff.ParentOf(ctx, alice)
	if err != nil || parent.DepartmentName != "IT" {
		t.Errorf("Parent(Alice) = %v, %v, want IT", parent, err)
	}
}
