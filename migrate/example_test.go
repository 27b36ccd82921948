package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/migrate"
	"github.com/dynamokit/dynamokit/query"
)

// Employee is the model after the change: its partition key gained the
// tenant.
type Employee struct {
	_ struct{} `dynamo:"pk,hash" template:"T#{tenant_id}#EMP#{employee_id}"`
	_ struct{} `dynamo:"sk,range" template:"#EMP"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	TenantID   string `dynamo:"tenant_id"`
	EmployeeID string `dynamo:"employee_id"`
	Name       string `dynamo:"name"`
}

func (Employee) TableName() string { return "org" }

// EmployeeV1 is the model before the change, kept while the migration
// runs.
type EmployeeV1 struct {
	_ struct{} `dynamo:"pk,hash" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"sk,range" template:"#EMP"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID string `dynamo:"employee_id"`
	Name       string `dynamo:"name"`
}

func (EmployeeV1) TableName() string { return "org" }

// withTenant is the change itself: the migration's step, and what the
// application applies to an item it reads in the old shape.
func withTenant(e *Employee) {
	if e.TenantID == "" {
		e.TenantID = "acme"
	}
}

// addTenant moves every employee into tenant acme: its key is rendered
// anew from the model.
var addTenant = migrate.Migration{
	ID:          "2026-12-employee-tenant",
	Description: "employees join tenant acme; pk = T#{tenant_id}#EMP#{employee_id}",
	Step: migrate.Typed(func(ctx context.Context, e *Employee) error {
		withTenant(e)
		return nil
	}),
}

// getEmployee reads an employee while the migration runs: by its new key,
// else by its old key, upgraded. The new key is read again after a miss
// of the old one, in case the migration moved the item in between.
func getEmployee(ctx context.Context, emps *query.Table[Employee], old *query.Table[EmployeeV1], id string) (Employee, error) {
	for range 2 {
		e, err := emps.Get(ctx, Employee{TenantID: "acme", EmployeeID: id})
		if !errors.Is(err, dynamokit.ErrNotFound) {
			return e, err
		}
		v1, err := old.Get(ctx, EmployeeV1{EmployeeID: id})
		if err == nil {
			e = Employee{EmployeeID: v1.EmployeeID, Name: v1.Name}
			withTenant(&e)
			return e, nil
		}
		if !errors.Is(err, dynamokit.ErrNotFound) {
			return Employee{}, err
		}
	}
	return Employee{}, dynamokit.ErrNotFound
}

var _ = getEmployee

// A step is a pure function of the item, so what it does to one item can
// be seen without a table: here an item stored before the tenant joined
// the key.
func ExampleStep_Apply() {
	old := migrate.Item{
		"pk":          &types.AttributeValueMemberS{Value: "EMP#e-1"},
		"sk":          &types.AttributeValueMemberS{Value: "#EMP"},
		"entity":      &types.AttributeValueMemberS{Value: "Employee"},
		"employee_id": &types.AttributeValueMemberS{Value: "e-1"},
		"full_name":   &types.AttributeValueMemberS{Value: "Alice"},
	}
	step := migrate.Chain(migrate.Rename("full_name", "name"), addTenant.Step)
	next, err := step.Apply(context.Background(), old)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(next["pk"].(*types.AttributeValueMemberS).Value)
	fmt.Println(next["name"].(*types.AttributeValueMemberS).Value, next["full_name"] == nil)

	// Applied again, it changes nothing: a rerun skips the item.
	again, _ := step.Apply(context.Background(), next)
	fmt.Println(again["pk"].(*types.AttributeValueMemberS).Value)
	// Output:
	// T#acme#EMP#e-1
	// Alice true
	// T#acme#EMP#e-1
}

// Upgrade reads an item of either shape as the new model.
func ExampleUpgrade() {
	old := migrate.Item{
		"pk":          &types.AttributeValueMemberS{Value: "EMP#e-2"},
		"sk":          &types.AttributeValueMemberS{Value: "#EMP"},
		"entity":      &types.AttributeValueMemberS{Value: "Employee"},
		"employee_id": &types.AttributeValueMemberS{Value: "e-2"},
		"name":        &types.AttributeValueMemberS{Value: "Bob"},
	}
	e, err := migrate.Upgrade[Employee](context.Background(), old, addTenant.Step)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %s %s\n", e.TenantID, e.EmployeeID, e.Name)
	// Output:
	// acme e-2 Bob
}

// The examples below run on the engine TestMain gives them
// (example_main_test.go), with the table org holding employee e-1 in
// the old shape: the dry run first, then the run.
var (
	ctx = context.Background()
	db  *dynamokit.Client
)

func ExampleRunner_DryRun() {
	r, err := migrate.New[Employee](db, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := r.Register(addTenant); err != nil {
		log.Fatal(err)
	}
	plans, err := r.DryRun(ctx) // reads the table, writes nothing
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range plans {
		fmt.Printf("%s: %d items would change, %d of them re-keyed\n", p.Migration, p.Changed, p.Rekeyed)
		for _, ex := range p.Examples {
			fmt.Println(ex)
		}
	}
	// Output:
	// 2026-12-employee-tenant: 1 items would change, 1 of them re-keyed
	// pk="EMP#e-1" sk="#EMP" (re-keyed)
	//   ~ pk: "EMP#e-1" -> "T#acme#EMP#e-1"
	//   + tenant_id: "acme"
}

func ExampleRunner_Run() {
	r, err := migrate.New[Employee](db, &migrate.Options{
		WriteUnitsPerSecond: 50, // leave the rest of the table's capacity to the application
		Progress:            func(p migrate.Progress) { log.Println(p) },
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := r.Register(addTenant); err != nil {
		log.Fatal(err)
	}
	done, err := r.Run(ctx) // resumes where a stopped run left off; a no-op once applied
	if err != nil {
		log.Fatal(err) // errors.Is(err, migrate.ErrLeaseHeld): another process runs it
	}
	fmt.Printf("%s: %d changed, %d failed\n", done[0].Migration, done[0].Changed, done[0].Failed)

	emps, err := query.NewTable[Employee](db)
	if err != nil {
		log.Fatal(err)
	}
	e, err := emps.Get(ctx, Employee{TenantID: "acme", EmployeeID: "e-1"})
	fmt.Println(e.Name, err)

	// Run again, it finds the migration applied and changes nothing.
	done, err = r.Run(ctx)
	fmt.Println(done[0].Done, done[0].Changed, err)
	// Output:
	// 2026-12-employee-tenant: 1 changed, 0 failed
	// Alice <nil>
	// true 0 <nil>
}
