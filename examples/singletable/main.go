// Command singletable is the Department→Employee walk-through of
// examples/departments in a single table: each department's employees are
// stored in the department's partition (an item collection), so one Query
// reads a department and all its employees.
//
// Run it from the repository root:
//
//	go run ./examples/singletable
//
// It connects with connect.Open: to DYNAMODB_ENDPOINT when that is set,
// with -aws to real DynamoDB through the normal AWS configuration
// (credentials, region, AWS_ENDPOINT_URL_DYNAMODB), and otherwise to a
// private moto server, installed into the user cache on first use (it needs
// Python 3). The table it creates is prefixed (-prefix) and dropped at
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

// Department is the parent. Its item heads its own partition:
// pk "DEPT#d-1", sk "#META".
type Department struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"#META"`
	_ struct{} `dynamo:"entity" template:"Department" dynamokit:"type"`

	DepartmentID   string `dynamo:"department_id"`
	DepartmentName string `dynamo:"department_name"`
}

// TableName is the shared table's base name.
func (Department) TableName() string { return "org" }

// Employee is the child, stored in its department's partition:
// pk "DEPT#d-1", sk "EMP#e-1". Its department is part of its key.
type Employee struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id"`
}

// TableName is the shared table's base name.
func (Employee) TableName() string { return "org" }

func main() {
	prefix := flag.String("prefix", "dynamokit-example-", "prefix for the table name")
	keep := flag.Bool("keep", false, "keep the table at the end")
	useAWS := flag.Bool("aws", false, "use real DynamoDB through the normal AWS configuration instead of a private moto server")
	flag.Parse()

	if err := run(context.Background(), os.Stdout, *useAWS, *prefix, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "singletable:", err)
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

	// Both models name the table "org": it is created once, with the union
	// of their keys and indexes.
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
				fmt.Fprintln(os.Stderr, "singletable: drop table:", err)
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
	// Employees live in their department's partition, which the
	// department's item heads: one Query reads both.
	staff, err := relations.Declare(depts, emps, relations.Spec{
		Layout:   relations.ItemCollection,
		Together: true,
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "layout:", staff.Describe().Layout)

	for _, d := range []Department{{DepartmentID: "d-1", DepartmentName: "HR"}, {DepartmentID: "d-2", DepartmentName: "IT"}} {
		if err := depts.Create(ctx, &d); err != nil && !errors.Is(err, dynamokit.ErrAlreadyExists) {
			return err
		}
	}
	for _, e := range []Employee{
		{EmployeeID: "e-1", EmployeeName: "Alice", DepartmentID: "d-1"},
		{EmployeeID: "e-2", EmployeeName: "Bob", DepartmentID: "d-1"},
		{EmployeeID: "e-3", EmployeeName: "Cathy", DepartmentID: "d-2"},
		{EmployeeID: "e-4", EmployeeName: "David", DepartmentID: "d-2"},
		{EmployeeID: "e-5", EmployeeName: "Edward", DepartmentID: "d-2"},
	} {
		// staff.Link checks that the department exists and counts the
		// employee, in the same transaction.
		if err := staff.Link(ctx, &e, Department{DepartmentID: e.DepartmentID}); err != nil && !errors.Is(err, dynamokit.ErrAlreadyExists) {
			return err
		}
	}

	// Scans of a shared table return only the model's entity type.
	fmt.Fprintln(w, "------ Department ------")
	for d, err := range depts.Scan().All(ctx) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s %s\n", d.DepartmentID, d.DepartmentName)
	}
	fmt.Fprintln(w, "------ Employee ------")
	for e, err := range emps.Scan().All(ctx) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s %s in %s\n", e.EmployeeID, e.EmployeeName, e.DepartmentID)
	}

	// One Query per department returns the department and its employees.
	show := func(deptID string) error {
		d, people, err := staff.ParentWithChildren(ctx, Department{DepartmentID: deptID})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "--- %s (%s): %d employees ---\n", d.DepartmentName, d.DepartmentID, len(people))
		for _, e := range people {
			fmt.Fprintf(w, "%s %s\n", e.EmployeeID, e.EmployeeName)
		}
		return nil
	}
	for _, id := range []string{"d-1", "d-2"} {
		if err := show(id); err != nil {
			return err
		}
	}

	// An employee's key includes its department, so a move names both.
	move := func(empID, from, to string) {
		err := staff.Relink(ctx, Employee{EmployeeID: empID, DepartmentID: from}, Department{DepartmentID: to})
		switch {
		case err == nil:
			fmt.Fprintf(w, "move %s to %s: succeeded\n", empID, to)
		case errors.Is(err, relations.ErrChildNotFound):
			fmt.Fprintf(w, "move %s to %s: failed: no employee %s in %s\n", empID, to, empID, from)
		case errors.Is(err, relations.ErrParentNotFound):
			fmt.Fprintf(w, "move %s to %s: failed: no department %s\n", empID, to, to)
		default:
			fmt.Fprintf(w, "move %s to %s: failed: %v\n", empID, to, err)
		}
	}
	move("e-1", "d-1", "d-2")
	move("e-999", "d-1", "d-2")
	move("e-2", "d-1", "d-404")
	if err := show("d-2"); err != nil {
		return err
	}
	bob, err := emps.Get(ctx, Employee{EmployeeID: "e-2", DepartmentID: "d-1"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Bob is still in %s\n", bob.DepartmentID)

	// Restrict, the default policy, refuses to delete a department that
	// still has employees: one DeleteItem, conditional on the department's
	// children counter being 0.
	err = staff.DeleteParent(ctx, Department{DepartmentID: "d-1"}, nil)
	var hc *relations.RestrictError
	if errors.As(err, &hc) {
		fmt.Fprintf(w, "delete d-1: refused, %d employee(s) left\n", hc.Count)
	} else if err != nil {
		return err
	}
	// A relation declared with Cascade deletes the employees first.
	purge, err := relations.Declare(depts, emps, relations.Spec{
		Layout:   relations.ItemCollection,
		Together: true,
		OnDelete: relations.Cascade,
	})
	if err != nil {
		return err
	}
	if err := purge.DeleteParent(ctx, Department{DepartmentID: "d-1"}, nil); err != nil {
		return err
	}
	left, err := emps.Scan().Collect(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "delete d-1 with its employees: %d employees left in the table\n", len(left))
	return nil
}
