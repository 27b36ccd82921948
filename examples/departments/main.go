// Command departments is the Department→Employee walk-through: two tables,
// employees found through a global secondary index on department_id, and
// moves between departments that DynamoDB alone would let point at a
// department that does not exist.
//
// Run it from the repository root:
//
//	go run ./examples/departments
//
// It connects with connect.Open: to DYNAMODB_ENDPOINT when that is set,
// with -aws to real DynamoDB through the normal AWS configuration
// (credentials, region, AWS_ENDPOINT_URL_DYNAMODB), and otherwise to a
// private moto server, installed into the user cache on first use (it needs
// Python 3). The tables it creates are prefixed (-prefix) and dropped at
// the end unless -keep is given.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema"
)

// Department is the parent: one department has many employees.
type Department struct {
	DepartmentID   string `dynamo:"department_id,hash"`
	DepartmentName string `dynamo:"department_name"`
}

// TableName is the department table's base name.
func (Department) TableName() string { return "department" }

// Employee is the child: it belongs to at most one department, found
// through the department-employee-index.
type Employee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
}

// TableName is the employee table's base name.
func (Employee) TableName() string { return "employee" }

func main() {
	prefix := flag.String("prefix", "dynamokit-example-", "prefix for the table names")
	keep := flag.Bool("keep", false, "keep the tables at the end")
	useAWS := flag.Bool("aws", false, "use real DynamoDB through the normal AWS configuration instead of a private moto server")
	flag.Parse()

	if err := run(context.Background(), os.Stdout, *useAWS, *prefix, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "departments:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, useAWS bool, prefix string, keep bool) error {
	db, eng, err := connect.Open(ctx, &connect.Options{AWS: useAWS, Log: os.Stderr}, dynamokit.WithNamer(model.Prefix(prefix)), dynamokit.WithRules(relations.NewGraph()))
	if err != nil {
		return err
	}
	defer eng.Close() // stops the moto server, if Open started one
	// Not before: the first run installs moto, which can take minutes.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	// Create both tables from the structs; a table that exists is reused.
	deptModel, err := model.Of[Department]()
	if err != nil {
		return err
	}
	empModel, err := model.Of[Employee]()
	if err != nil {
		return err
	}
	if err := schema.Create(ctx, db, nil, deptModel, empModel); err != nil {
		return err
	}
	if !keep {
		defer func() {
			// Use a fresh context: ctx may be what failed.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := schema.Drop(ctx, db, nil, deptModel, empModel); err != nil {
				fmt.Fprintln(os.Stderr, "departments: drop tables:", err)
			}
		}()
	}
	return walkThrough(ctx, w, db)
}

func walkThrough(ctx context.Context, w io.Writer, db *dynamokit.Client) error {
	depts, err := query.NewTable[Department](db)
	if err != nil {
		return err
	}
	emps, err := query.NewTable[Employee](db)
	if err != nil {
		return err
	}
	// Employees are found through the department-employee-index of their
	// table; deleting a department that has employees is refused.
	staff, err := relations.Declare(depts, emps, relations.Spec{
		Layout:   relations.MultiTable,
		Index:    "department-employee-index",
		OnDelete: relations.Restrict,
	})
	if err != nil {
		return err
	}

	// Create the data. Create fails with dynamokit.ErrAlreadyExists for an
	// existing key, so a second run reports instead of overwriting.
	for _, d := range []Department{{"d-1", "HR"}, {"d-2", "IT"}} {
		if err := depts.Create(ctx, &d); err != nil && !errors.Is(err, dynamokit.ErrAlreadyExists) {
			return err
		}
	}
	for _, e := range []Employee{
		{"e-1", "Alice", "d-1"}, {"e-2", "Bob", "d-1"},
		{"e-3", "Cathy", "d-2"}, {"e-4", "David", "d-2"}, {"e-5", "Edward", "d-2"},
	} {
		// staff.Link checks that the department exists and counts the
		// employee, in the same transaction.
		if err := staff.Link(ctx, &e, Department{DepartmentID: e.DepartmentID}); err != nil && !errors.Is(err, dynamokit.ErrAlreadyExists) {
			return err
		}
	}

	fmt.Fprintln(w, "------ Department ------")
	for d, err := range depts.Scan().All(ctx) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%+v\n", d)
	}
	fmt.Fprintln(w, "------ Employee ------")
	for e, err := range emps.Scan().All(ctx) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%+v\n", e)
	}

	for _, d := range []Department{{DepartmentID: "d-1"}, {DepartmentID: "d-2"}} {
		fmt.Fprintf(w, "--- Employees in %s ---\n", d.DepartmentID)
		for e, err := range staff.Children(d).All(ctx) {
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%+v\n", e)
		}
	}

	move := func(empID, deptID string) {
		// Only the key is known here, so Relink reads the employee's
		// current department first.
		err := staff.Relink(ctx, Employee{EmployeeID: empID}, Department{DepartmentID: deptID})
		switch {
		case err == nil:
			fmt.Fprintf(w, "move %s to %s: succeeded\n", empID, deptID)
		case errors.Is(err, relations.ErrChildNotFound):
			fmt.Fprintf(w, "move %s to %s: failed: no employee %s\n", empID, deptID, empID)
		case errors.Is(err, relations.ErrParentNotFound):
			fmt.Fprintf(w, "move %s to %s: failed: no department %s\n", empID, deptID, deptID)
		default:
			fmt.Fprintf(w, "move %s to %s: failed: %v\n", empID, deptID, err)
		}
	}
	move("e-1", "d-2")
	move("e-999", "d-2")

	alice, err := emps.Get(ctx, Employee{EmployeeID: "e-1"})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "--- New department for Alice should be d-2 ---")
	fmt.Fprintf(w, "%+v\n", alice)

	// A plain UpdateItem would accept this move: DynamoDB does not check
	// that d-404 exists. staff.Relink checks it in the same transaction and
	// changes nothing.
	move("e-2", "d-404")
	bob, err := emps.Get(ctx, Employee{EmployeeID: "e-2"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Bob is still in %s\n", bob.DepartmentID)
	return nil
}
