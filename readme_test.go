package dynamokit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/internal/doccheck"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema"
)

// TestReadmeSnippets keeps README.md's taste true: its Go block must be
// this file's code below, which go test compiles (README.md says it
// compiles as it stands).
func TestReadmeSnippets(t *testing.T) {
	doccheck.Snippets(t, "README.md", "readme_test.go")
}

var _ = taste // compiled, not run: it would start its own engine

// The code of README.md's "A taste", as it stands there.

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

func taste(ctx context.Context) error {
	// DYNAMODB_ENDPOINT when set, real DynamoDB through the normal AWS config
	// with AWS: true, else a private moto server (Python 3 installs it once).
	c, eng, err := connect.Open(ctx, &connect.Options{Log: os.Stderr}, // logs the engine
		dynamokit.WithNamer(model.Prefix("dev-")), // tables dev-department, dev-employee
		dynamokit.WithRules(relations.NewGraph()), // enforces the relations declared on its tables
		dynamokit.WithHook(func(ctx context.Context, r *dynamokit.Request) { // sees every request
			slog.DebugContext(ctx, "dynamodb", "op", r.Op, "table", r.Table, "units", r.Units(), "took", r.Duration)
		}))
	if err != nil {
		return err
	}
	defer eng.Close() // stops the moto server, if Open started one
	if err := schema.Create(ctx, c, nil, model.MustOf[Department](), model.MustOf[Employee]()); err != nil {
		return err // creates missing tables, waits until they are ACTIVE
	}
	depts, _ := query.NewTable[Department](c) // fails only for an invalid model (MustOf checked)
	emps, _ := query.NewTable[Employee](c)
	staff, err := relations.Declare(depts, emps, relations.Spec{
		Layout: relations.MultiTable, Index: "department-employee-index", // checked against the models
		OnDelete: relations.Restrict, // deleting a department with employees is refused
	})
	if err != nil {
		return err // relations.ErrMismatch names what does not fit
	}
	if err := depts.Create(ctx, &Department{DepartmentID: "d-1", DepartmentName: "HR"}); err != nil {
		return err // dynamokit.ErrAlreadyExists if d-1 is taken
	}
	alice := Employee{EmployeeID: "e-1", EmployeeName: "Alice"}
	if err := staff.Link(ctx, &alice, Department{DepartmentID: "d-1"}); err != nil {
		return err // relations.ErrParentNotFound unless d-1 exists
	}
	hr, err := staff.Children(Department{DepartmentID: "d-1"}).Collect(ctx) // a Query of the index
	if err != nil {
		return err
	}
	fmt.Println(len(hr), "in HR") // the index is eventually consistent: Alice may lag
	err = staff.Relink(ctx, alice, Department{DepartmentID: "d-404"})
	fmt.Println(errors.Is(err, relations.ErrParentNotFound)) // true: nothing changed
	return nil
}
