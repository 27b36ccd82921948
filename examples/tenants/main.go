// Command tenants relates departments and employees of several tenants
// through a global secondary index whose partition key is two typed
// attributes, the tenant and the department: two tenants may each have a
// department "d1", and they stay different departments, with no
// concatenated "tenant#department" string to build or parse.
//
// It connects with connect.Open: to DYNAMODB_ENDPOINT when that is set,
// with -aws to real DynamoDB through the normal AWS configuration, and
// otherwise to a private moto server. The tables it creates are prefixed
// (-prefix) and dropped at the end unless -keep is given.
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

// Department is a department of one tenant, keyed by both.
type Department struct {
	TenantID     string `dynamo:"tenant_id,hash"`
	DepartmentID string `dynamo:"department_id,range"`
	Name         string `dynamo:"name"`
}

// TableName is the department table's base name.
func (Department) TableName() string { return "tenant_department" }

// Employee is found by its department through by-department, whose
// partition key is the tenant and the department, in that order, and whose
// sort key is the employee's name.
type Employee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	TenantID     string `dynamo:"tenant_id,omitempty" index:"by-department,hash"`
	DepartmentID string `dynamo:"department_id,omitempty" index:"by-department,hash"`
	Name         string `dynamo:"name" index:"by-department,range"`
}

// TableName is the employee table's base name.
func (Employee) TableName() string { return "tenant_employee" }

func main() {
	prefix := flag.String("prefix", "dynamokit-example-", "prefix for the table names")
	keep := flag.Bool("keep", false, "keep the tables at the end")
	useAWS := flag.Bool("aws", false, "use real DynamoDB through the normal AWS configuration instead of a private moto server")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *useAWS, *prefix, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "tenants:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, useAWS bool, prefix string, keep bool) error {
	db, eng, err := connect.Open(ctx, &connect.Options{AWS: useAWS, Log: os.Stderr}, dynamokit.WithNamer(model.Prefix(prefix)), dynamokit.WithRules(relations.NewGraph()))
	if err != nil {
		return err
	}
	defer eng.Close() // stops the moto server, if Open started one
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	models := []*model.Model{model.MustOf[Department](), model.MustOf[Employee]()}
	if err := schema.Create(ctx, db, nil, models...); err != nil {
		return err
	}
	if !keep {
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := schema.Drop(ctx, db, nil, models...); err != nil {
				fmt.Fprintln(os.Stderr, "tenants: drop tables:", err)
			}
		}()
	}
	depts, err := query.NewTable[Department](db)
	if err != nil {
		return err
	}
	emps, err := query.NewTable[Employee](db)
	if err != nil {
		return err
	}
	// The index's two partition attributes are the department's key: the
	// relation is checked against the models when it is declared.
	staff, err := relations.Declare(depts, emps, relations.Spec{
		Layout:   relations.MultiTable,
		Index:    "by-department",
		OnDelete: relations.Restrict,
	})
	if err != nil {
		return err
	}

	acme, globex := Department{TenantID: "acme", DepartmentID: "d1"}, Department{TenantID: "globex", DepartmentID: "d1"}
	for _, d := range []Department{{"acme", "d1", "Acme sales"}, {"globex", "d1", "Globex sales"}} {
		if err := depts.Create(ctx, &d); err != nil {
			return err
		}
	}
	for _, e := range []struct {
		emp Employee
		to  Department
	}{
		{Employee{EmployeeID: "e-1", Name: "Alice"}, acme},
		{Employee{EmployeeID: "e-2", Name: "Bob"}, acme},
		{Employee{EmployeeID: "e-3", Name: "Carol"}, globex},
	} {
		if err := staff.Link(ctx, &e.emp, e.to); err != nil {
			return err
		}
	}
	for _, d := range []Department{acme, globex} {
		kids, err := staff.Children(d).Collect(ctx) // one Query of by-department, both partition attributes given
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s/%s:", d.TenantID, d.DepartmentID)
		for _, k := range kids {
			fmt.Fprintf(w, " %s", k.Name)
		}
		fmt.Fprintln(w)
	}
	// Acme's d2 does not exist, even though globex has departments.
	err = staff.Relink(ctx, Employee{EmployeeID: "e-1"}, Department{TenantID: "acme", DepartmentID: "d2"})
	fmt.Fprintln(w, "move Alice to acme/d2:", errors.Is(err, relations.ErrParentNotFound))
	// Restrict: globex/d1 still has Carol.
	err = staff.DeleteParent(ctx, globex, nil)
	fmt.Fprintln(w, "delete globex/d1 with Carol in it:", errors.Is(err, relations.ErrHasChildren))
	return nil
}
