// Command migrate re-keys a populated single-table design: employees,
// counted by their departments through an inverted index, gain a tenant
// in their partition key. It prints a dry run with examples, then the
// migration's progress, and shows that every department still finds its
// employees and counts them right.
//
// Run it from the repository root:
//
//	go run ./examples/migrate
//
// It connects with connect.Open: to DYNAMODB_ENDPOINT when that is set,
// with -aws to real DynamoDB through the normal AWS configuration, and
// otherwise to a private moto server, installed into the user cache on
// first use (it needs Python 3). The table it creates is prefixed
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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/migrate"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema"
)

// Department is the parent, unchanged by the migration; the relation
// counts its employees in its item's "employees" attribute.
type Department struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"#META"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"#META"`
	_ struct{} `dynamo:"entity" template:"Department" dynamokit:"type"`

	DepartmentID string `dynamo:"department_id"`
	Name         string `dynamo:"name"`
}

// TableName is the one table of the design.
func (Department) TableName() string { return "company" }

// EmployeeV1 is an employee as the table holds it before the change.
type EmployeeV1 struct {
	_ struct{} `dynamo:"pk,hash" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"sk,range" template:"#EMP"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	Name         string `dynamo:"name"`
	DepartmentID string `dynamo:"department_id,omitempty"`
}

// TableName is the one table of the design.
func (EmployeeV1) TableName() string { return "company" }

// Employee is the model after the change: the tenant leads its partition
// key.
type Employee struct {
	_ struct{} `dynamo:"pk,hash" template:"T#{tenant_id}#EMP#{employee_id}"`
	_ struct{} `dynamo:"sk,range" template:"#EMP"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	TenantID     string `dynamo:"tenant_id"`
	EmployeeID   string `dynamo:"employee_id"`
	Name         string `dynamo:"name"`
	DepartmentID string `dynamo:"department_id,omitempty"`
}

// TableName is the one table of the design.
func (Employee) TableName() string { return "company" }

// addTenant is the migration: every employee joins tenant acme, and its
// key is rendered anew from the Employee model.
var addTenant = migrate.Migration{
	ID:          "2026-12-employee-tenant",
	Description: "employees join tenant acme: pk = T#{tenant_id}#EMP#{employee_id}",
	Step: migrate.Typed(func(_ context.Context, e *Employee) error {
		if e.TenantID == "" {
			e.TenantID = "acme"
		}
		return nil
	}),
}

func main() {
	prefix := flag.String("prefix", "dynamokit-example-", "prefix for the table names")
	keep := flag.Bool("keep", false, "keep the table at the end")
	useAWS := flag.Bool("aws", false, "use real DynamoDB through the normal AWS configuration instead of a private moto server")
	employees := flag.Int("employees", 60, "employees per department")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *useAWS, *prefix, *keep, *employees); err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, useAWS bool, prefix string, keep bool, perDept int) error {
	namer := dynamokit.WithNamer(model.Prefix(prefix))
	// The application before the change: its graph knows EmployeeV1.
	before, eng, err := connect.Open(ctx, &connect.Options{AWS: useAWS, Log: os.Stderr}, namer, dynamokit.WithRules(relations.NewGraph()))
	if err != nil {
		return err
	}
	defer eng.Close() // stops the moto server, if Open started one
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	deptModel, empModel := model.MustOf[Department](), model.MustOf[Employee]()
	if err := schema.Create(ctx, before, nil, deptModel, empModel); err != nil {
		return err
	}
	if !keep {
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := schema.Drop(ctx, before, nil, deptModel, empModel); err != nil {
				fmt.Fprintln(os.Stderr, "migrate: drop table:", err)
			}
		}()
	}
	if err := populate(ctx, w, before, perDept); err != nil {
		return err
	}

	// The application after the change: its graph knows Employee. The
	// migration writes through it, so the relation's rules apply to
	// every item it moves.
	after := before.With(dynamokit.WithRules(relations.NewGraph()))
	depts, err := query.NewTable[Department](after)
	if err != nil {
		return err
	}
	emps, err := query.NewTable[Employee](after)
	if err != nil {
		return err
	}
	staff, err := relations.Declare(depts, emps, relations.Spec{Layout: relations.InvertedIndex, Index: "gsi1", Counter: "employees"})
	if err != nil {
		return err
	}

	// While the migration has not reached an item, the application reads
	// it under its old key, upgraded to the new model.
	old, err := after.Executor().GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(emps.TableName()),
		Key:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "EMP#d-1-e-0"}, "sk": &types.AttributeValueMemberS{Value: "#EMP"}},
	})
	if err != nil {
		return err
	}
	e, err := migrate.Upgrade[Employee](ctx, old.Item, addTenant.Step)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "read before the migration, upgraded: tenant %s, employee %s, department %s\n", e.TenantID, e.EmployeeID, e.DepartmentID)

	r, err := migrate.New[Employee](after, &migrate.Options{
		Segments: 4, PageSize: 25, WriteUnitsPerSecond: 400,
		Progress: func(p migrate.Progress) { fmt.Fprintln(w, "  ", p) },
	})
	if err != nil {
		return err
	}
	if err := r.Register(addTenant); err != nil {
		return err
	}
	plans, err := r.DryRun(ctx)
	if err != nil {
		return err
	}
	for _, p := range plans {
		fmt.Fprintf(w, "dry run of %s: %d of %d employees would change, %d re-keyed; for example:\n", p.Migration, p.Changed, p.Scanned, p.Rekeyed)
		for _, ex := range p.Examples[:min(2, len(p.Examples))] {
			fmt.Fprintln(w, ex)
		}
	}
	fmt.Fprintln(w, "running", addTenant.ID)
	done, err := r.Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "done:", done[0])
	again, err := r.Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "run again: applied already: %v, %d items scanned\n", again[0].Done, again[0].Scanned)

	for _, id := range []string{"d-1", "d-2", "d-3"} {
		d := Department{DepartmentID: id}
		n, err := staff.CountChildren(ctx, d)
		if err != nil {
			return err
		}
		kids, err := staff.Children(d).Collect(ctx)
		if err != nil {
			return err
		}
		rekeyed := 0
		for _, k := range kids {
			if k.TenantID == "acme" {
				if _, err := emps.Get(ctx, k); err == nil {
					rekeyed++
				}
			}
		}
		fmt.Fprintf(w, "department %s: counter %d, %d employees found through gsi1, %d of them read by their new key\n", id, n, len(kids), rekeyed)
	}

	return refuseParent(ctx, w, before)
}

// DepartmentV2 would move departments to another sort key.
type DepartmentV2 struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"#DEPT"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"#META"`
	_ struct{} `dynamo:"entity" template:"Department" dynamokit:"type"`

	DepartmentID string `dynamo:"department_id"`
	Name         string `dynamo:"name"`
}

// TableName is the one table of the design.
func (DepartmentV2) TableName() string { return "company" }

// refuseParent tries to re-key the departments, which have employees: the
// relation's rules refuse to delete a parent with children, so each is
// left as it was, with a failure naming the relation.
func refuseParent(ctx context.Context, w io.Writer, c *dynamokit.Client) error {
	c = c.With(dynamokit.WithRules(relations.NewGraph()))
	depts, err := query.NewTable[DepartmentV2](c)
	if err != nil {
		return err
	}
	emps, err := query.NewTable[Employee](c)
	if err != nil {
		return err
	}
	if _, err := relations.Declare(depts, emps, relations.Spec{Layout: relations.InvertedIndex, Index: "gsi1", Counter: "employees"}); err != nil {
		return err
	}
	r, err := migrate.New[DepartmentV2](c, nil)
	if err != nil {
		return err
	}
	if err := r.Register(migrate.Migration{ID: "2026-12-department-sk", Step: migrate.RenderKeys[DepartmentV2]()}); err != nil {
		return err
	}
	_, err = r.Run(ctx)
	var ie *migrate.IncompleteError
	if !errors.As(err, &ie) {
		return fmt.Errorf("re-keying departments with employees: %v, want them refused", err)
	}
	fmt.Fprintf(w, "re-keying the departments: %d refused, for example %s:\n  %s\n", ie.Failed, ie.Failures[0].Key, ie.Failures[0].Reason)
	return nil
}

// populate writes three departments and their employees in the old
// shape, through a graph that counts them.
func populate(ctx context.Context, w io.Writer, c *dynamokit.Client, perDept int) error {
	depts, err := query.NewTable[Department](c)
	if err != nil {
		return err
	}
	emps, err := query.NewTable[EmployeeV1](c)
	if err != nil {
		return err
	}
	staff, err := relations.Declare(depts, emps, relations.Spec{Layout: relations.InvertedIndex, Index: "gsi1", Counter: "employees"})
	if err != nil {
		return err
	}
	for d := 1; d <= 3; d++ {
		dept := Department{DepartmentID: fmt.Sprintf("d-%d", d), Name: fmt.Sprintf("Department %d", d)}
		if err := depts.Create(ctx, &dept); err != nil && !errors.Is(err, dynamokit.ErrAlreadyExists) {
			return err
		}
		for i := range perDept {
			e := EmployeeV1{EmployeeID: fmt.Sprintf("%s-e-%d", dept.DepartmentID, i), Name: fmt.Sprintf("Employee %d of %s", i, dept.DepartmentID)}
			if err := staff.Link(ctx, &e, dept); err != nil && !errors.Is(err, dynamokit.ErrAlreadyExists) {
				return err
			}
		}
		n, err := staff.CountChildren(ctx, dept)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "department %s: %d employees (old keys EMP#{employee_id})\n", dept.DepartmentID, n)
	}
	return nil
}
