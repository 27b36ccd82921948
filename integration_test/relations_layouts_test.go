package integration_test

import (
	"slices"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// The seed's departments and employees in the two single-table layouts.
// The multi-table layout is the seed's own Department and Employee
// (departments_test.go).

// IdxDepartment is a department of the inverted-index layout: one table,
// employees found through gsi1, whose hash key is built from their
// department_id. The department also has an item in gsi1 (gsi1sk "#META"),
// so one Query of gsi1 returns a department and its employees.
type IdxDepartment struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"#META"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"#META"`
	_ struct{} `dynamo:"entity" template:"Department" dynamokit:"type"`

	DepartmentID   string `dynamo:"department_id"`
	DepartmentName string `dynamo:"department_name"`
}

func (IdxDepartment) TableName() string { return "company" }

// IdxEmployee is an employee of the inverted-index layout: its own
// partition in the table, and its department's partition in gsi1. Without
// a department_id it has no gsi1pk and drops out of gsi1.
type IdxEmployee struct {
	_ struct{} `dynamo:"pk,hash" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"sk,range" template:"#META"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id,omitempty"`
}

func (IdxEmployee) TableName() string { return "company" }

// ColDepartment is a department of the item-collection layout: the first
// item of its own partition.
type ColDepartment struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"entity" template:"Department" dynamokit:"type"`

	DepartmentID   string `dynamo:"department_id"`
	DepartmentName string `dynamo:"department_name"`
}

func (ColDepartment) TableName() string { return "org" }

// ColEmployee is an employee of the item-collection layout, stored in its
// department's partition.
type ColEmployee struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id"`
}

func (ColEmployee) TableName() string { return "org" }

// shape is one layout of departments (P) and employees (C), with
// conversions from and to the seed's plain Department and Employee, so
// every layout runs the same assertions.
type shape[P, C any] struct {
	layout    relations.Layout
	index     string
	together  bool // the parent shares its children's partition
	dept      func(Department) P
	emp       func(Employee) C
	plainDept func(P) Department
	plainEmp  func(C) Employee
}

var (
	multiTable = shape[Department, Employee]{
		layout: relations.MultiTable, index: "department-employee-index",
		dept:      func(d Department) Department { return d },
		emp:       func(e Employee) Employee { return e },
		plainDept: func(d Department) Department { return d },
		plainEmp:  func(e Employee) Employee { return e },
	}
	invertedIndex = shape[IdxDepartment, IdxEmployee]{
		layout: relations.InvertedIndex, index: "gsi1", together: true,
		dept: func(d Department) IdxDepartment {
			return IdxDepartment{DepartmentID: d.DepartmentID, DepartmentName: d.DepartmentName}
		},
		emp: func(e Employee) IdxEmployee {
			return IdxEmployee{EmployeeID: e.EmployeeID, EmployeeName: e.EmployeeName, DepartmentID: e.DepartmentID}
		},
		plainDept: func(d IdxDepartment) Department { return Department{d.DepartmentID, d.DepartmentName} },
		plainEmp:  func(e IdxEmployee) Employee { return Employee{e.EmployeeID, e.EmployeeName, e.DepartmentID} },
	}
	itemCollection = shape[ColDepartment, ColEmployee]{
		layout: relations.ItemCollection, together: true,
		dept: func(d Department) ColDepartment {
			return ColDepartment{DepartmentID: d.DepartmentID, DepartmentName: d.DepartmentName}
		},
		emp: func(e Employee) ColEmployee {
			return ColEmployee{EmployeeID: e.EmployeeID, EmployeeName: e.EmployeeName, DepartmentID: e.DepartmentID}
		},
		plainDept: func(d ColDepartment) Department { return Department{d.DepartmentID, d.DepartmentName} },
		plainEmp:  func(e ColEmployee) Employee { return Employee{e.EmployeeID, e.EmployeeName, e.DepartmentID} },
	}
)

// eachLayout runs a test in each layout, as subtests; pass the same
// generic test function three times: eachLayout(t, testSeed, testSeed,
// testSeed).
func eachLayout(t *testing.T,
	mt func(*testing.T, shape[Department, Employee]),
	ii func(*testing.T, shape[IdxDepartment, IdxEmployee]),
	ic func(*testing.T, shape[ColDepartment, ColEmployee]),
) {
	t.Run("multi-table", func(t *testing.T) { mt(t, multiTable) })
	t.Run("inverted index", func(t *testing.T) { ii(t, invertedIndex) })
	t.Run("item collection", func(t *testing.T) { ic(t, itemCollection) })
}

// fixture is one test's typed tables and relation for a shape.
type fixture[P, C any] struct {
	shape[P, C]
	names model.Namer
	depts *query.Table[P]
	emps  *query.Table[C]
	staff *relations.HasMany[P, C]
}

// setup creates the tables of s's models for t and returns the typed tables and
// relation over them, using db when not nil (to count its requests) and
// the environment's connection otherwise.
func setup[P, C any](t *testing.T, s shape[P, C], db *dynamokit.Client) fixture[P, C] {
	t.Helper()
	e := newEnv(t, must[P](t), must[C](t))
	if db == nil {
		db = e.db
	}
	f := fixture[P, C]{shape: s, names: e.names}.over(t, db)
	if got, want := f.staff.Describe().Layout, s.layout; got != want {
		t.Fatalf("Layout() = %v, want %v", got, want)
	}
	if got, want := f.staff.Describe().Index, s.index; got != want {
		t.Fatalf("Index() = %q, want %q", got, want)
	}
	return f
}

// over returns f with its typed tables and relation on db, another connection to
// the same tables: a second writer.
func (f fixture[P, C]) over(t *testing.T, db *dynamokit.Client) fixture[P, C] {
	t.Helper()
	var err error
	if f.depts, err = query.NewTable[P](db.With(dynamokit.WithNamer(f.names))); err != nil {
		t.Fatal(err)
	}
	if f.emps, err = query.NewTable[C](db.With(dynamokit.WithNamer(f.names))); err != nil {
		t.Fatal(err)
	}
	f.staff = f.onDelete(t, relations.Restrict)
	return f
}

// unchecked returns the tables of f's models over a client on which no
// relation is declared, so that writes through them are not checked: a
// bulk load of children (BatchPut, then Recount of their parents), or
// items written before the relation existed.
func (f fixture[P, C]) unchecked(t *testing.T) (*query.Table[P], *query.Table[C]) {
	t.Helper()
	db := graphClient(t, dynamokit.WithNamer(f.names))
	depts, err := query.NewTable[P](db)
	if err != nil {
		t.Fatal(err)
	}
	emps, err := query.NewTable[C](db)
	if err != nil {
		t.Fatal(err)
	}
	return depts, emps
}

// spec is the declaration of s's relation with delete policy p.
func (s shape[P, C]) spec(p relations.Policy) relations.Spec {
	return relations.Spec{Layout: s.layout, Index: s.index, Together: s.together, OnDelete: p}
}

// onDelete returns the relation over f's typed tables declared with delete
// policy p: several declarations of one pair of models may coexist.
func (f fixture[P, C]) onDelete(t *testing.T, p relations.Policy) *relations.HasMany[P, C] {
	t.Helper()
	h, err := relations.Declare(f.depts, f.emps, f.spec(p))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// seed creates the seed's departments and employees.
func (f fixture[P, C]) seed(t *testing.T) {
	t.Helper()
	for _, d := range seedDepartments {
		p := f.dept(d)
		if err := f.depts.Create(t.Context(), &p); err != nil {
			t.Fatalf("Create(%v): %v", d, err)
		}
	}
	for _, e := range seedEmployees {
		c := f.emp(e)
		if err := f.staff.Link(t.Context(), &c, f.dept(Department{DepartmentID: e.DepartmentID})); err != nil {
			t.Fatalf("Create(%v): %v", e, err)
		}
	}
}

// ids returns the sorted employee ids of cs.
func (f fixture[P, C]) ids(cs []C) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = f.plainEmp(c).EmployeeID
	}
	slices.Sort(out)
	return out
}

// children returns the sorted employee ids of department dept.
func (f fixture[P, C]) children(t *testing.T, dept string) []string {
	t.Helper()
	cs, err := f.staff.Children(f.dept(Department{DepartmentID: dept})).Collect(t.Context())
	if err != nil {
		t.Fatalf("Children(%s): %v", dept, err)
	}
	return f.ids(cs)
}

// key returns the key value of employee id in department dept (the
// department matters only in an item collection).
func (f fixture[P, C]) key(id, dept string) C {
	return f.emp(Employee{EmployeeID: id, DepartmentID: dept})
}
