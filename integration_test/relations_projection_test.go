package integration_test

import (
	"errors"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// Children whose index copies only part of each item: read through it,
// they would come back with zero fields.

// KeysEmployee is the seed's Employee with a KEYS_ONLY department index:
// the index holds employee_id and department_id, not employee_name.
type KeysEmployee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
}

func (KeysEmployee) TableName() string { return "employee" }

func (KeysEmployee) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{"department-employee-index": model.KeysOnly}}
}

// InclDepartment and InclEmployee are the inverted-index layout with gsi1
// projecting the employee's attributes (INCLUDE), but not the
// department's name. Models sharing an index declare the same projection.
type InclDepartment struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"#META"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"#META"`
	_ struct{} `dynamo:"entity" template:"Department" dynamokit:"type"`

	DepartmentID   string `dynamo:"department_id"`
	DepartmentName string `dynamo:"department_name"`
}

func (InclDepartment) TableName() string           { return "company" }
func (InclDepartment) TableOptions() model.Options { return employeeAttrsOnly }

type InclEmployee struct {
	_ struct{} `dynamo:"pk,hash" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"sk,range" template:"#META"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id,omitempty"`
}

func (InclEmployee) TableName() string           { return "company" }
func (InclEmployee) TableOptions() model.Options { return employeeAttrsOnly }

var employeeAttrsOnly = model.Options{Projections: map[string]model.Projection{
	"gsi1": model.Include("entity", "employee_id", "employee_name", "department_id"),
}}

// TitledEmployee is the seed's Employee with a title, and a department
// index that copies the title but not employee_name.
type TitledEmployee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
	Title        string `dynamo:"title"`
}

func (TitledEmployee) TableName() string { return "employee" }

func (TitledEmployee) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{"department-employee-index": model.Include("title")}}
}

// TestRelationsPartialIndex relates children through an index that does
// not copy every attribute of the child: Declare refuses, naming the index
// and its projection, rather than hand out children with zero fields.
func TestRelationsPartialIndex(t *testing.T) {
	t.Parallel()
	t.Run("keys only", func(t *testing.T) {
		// This message is quoted by docs/relations.md.
		testPartialIndex(t, Department{"d-1", "Engineering"}, KeysEmployee{"e-1", "Ada", "d-1"},
			"relations: declaration does not match the models: integration_test.Department has many integration_test.KeysEmployee: index department-employee-index of integration_test.KeysEmployee projects KEYS_ONLY, which leaves out employee_name: children read through it would miss them; project ALL, or INCLUDE them too")
	})
	t.Run("include without a field", func(t *testing.T) {
		testPartialIndex(t, Department{"d-1", "Engineering"}, TitledEmployee{"e-1", "Ada", "d-1", "Engineer"},
			"relations: declaration does not match the models: integration_test.Department has many integration_test.TitledEmployee: index department-employee-index of integration_test.TitledEmployee projects INCLUDE [title], which leaves out employee_name: children read through it would miss them; project ALL, or INCLUDE them too")
	})
}

// testPartialIndex stores parent and child, and checks that Declare refuses
// to relate them with the error want.
func testPartialIndex[P, C any](t *testing.T, parent P, child C, want string) {
	ctx := t.Context()
	e := newEnv(t, must[P](t), must[C](t))
	depts, err := query.NewTable[P](e.db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	emps, err := query.NewTable[C](e.db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	if err := depts.Create(ctx, &parent); err != nil {
		t.Fatal(err)
	}
	if err := emps.Create(ctx, &child); err != nil {
		t.Fatal(err)
	}
	staff, err := relations.Declare(depts, emps, relations.Spec{Layout: relations.MultiTable, Index: "department-employee-index"})
	if err == nil {
		kids, err := staff.Children(parent).Collect(ctx)
		t.Fatalf("New succeeded; Children = %+v, %v, want %+v", kids, err, []C{child})
	}
	if !errors.Is(err, relations.ErrMismatch) || err.Error() != want {
		t.Errorf("Declare = %v, want an ErrMismatch saying %q", err, want)
	}
}

// TestRelationsIncludeIndex relates children through an INCLUDE index that
// copies every attribute of the child but not the parent's name: children
// come back whole, and ParentWithChildren reads the parent from its table
// (GetItem), not from the index.
func TestRelationsIncludeIndex(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, c := countingDB(t)
	e := newEnv(t, must[InclDepartment](t), must[InclEmployee](t))
	depts, err := query.NewTable[InclDepartment](db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	emps, err := query.NewTable[InclEmployee](db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	staff, err := relations.Declare(depts, emps, relations.Spec{Layout: relations.InvertedIndex, Index: "gsi1"})
	if err != nil {
		t.Fatalf("Declare through an INCLUDE index of every employee attribute: %v", err)
	}
	d1 := InclDepartment{DepartmentID: "d-1", DepartmentName: "Engineering"}
	if err := depts.Create(ctx, &d1); err != nil {
		t.Fatal(err)
	}
	ada := InclEmployee{EmployeeID: "e-1", EmployeeName: "Ada", DepartmentID: "d-1"}
	if err := staff.Link(ctx, &ada, d1); err != nil {
		t.Fatal(err)
	}
	kids, err := staff.Children(InclDepartment{DepartmentID: "d-1"}).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]InclEmployee{ada}, kids, cmp.AllowUnexported(InclEmployee{})); diff != "" {
		t.Errorf("Children(d-1) (-want +got):\n%s", diff)
	}
	c.take()
	p, kids, err := staff.ParentWithChildren(ctx, InclDepartment{DepartmentID: "d-1"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d1, p, cmp.AllowUnexported(InclDepartment{})); diff != "" {
		t.Errorf("ParentWithChildren(d-1): parent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]InclEmployee{ada}, kids, cmp.AllowUnexported(InclEmployee{})); diff != "" {
		t.Errorf("ParentWithChildren(d-1): children (-want +got):\n%s", diff)
	}
	got, _ := c.take()
	if diff := cmp.Diff(map[string]int{"GetItem": 1, "Query": 1}, got); diff != "" {
		t.Errorf("ParentWithChildren: requests (-want +got):\n%s", diff)
	}
}
