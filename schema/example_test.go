package schema_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
)

// Employee is the model of the employee table.
type Employee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
	Expires      int64  `dynamo:"expires,omitempty" dynamokit:"ttl"`
}

// TableName is the base name of the employee table.
func (Employee) TableName() string { return "employee" }

// Export prints the CloudFormation resource of a model's table, ready for a
// template's Resources section.
func ExampleExport() {
	defs, err := schema.Export(&schema.Options{Namer: model.Prefix("prod-")}, model.MustOf[Employee]())
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range defs {
		fmt.Printf("%s:\n%s\n", d.LogicalID, d.Resource)
	}
	// Output:
	// ProdEmployeeTable:
	// {
	//   "Type": "AWS::DynamoDB::Table",
	//   "Properties": {
	//     "TableName": "prod-employee",
	//     "KeySchema": [
	//       {
	//         "AttributeName": "employee_id",
	//         "KeyType": "HASH"
	//       }
	//     ],
	//     "AttributeDefinitions": [
	//       {
	//         "AttributeName": "department_id",
	//         "AttributeType": "S"
	//       },
	//       {
	//         "AttributeName": "employee_id",
	//         "AttributeType": "S"
	//       }
	//     ],
	//     "GlobalSecondaryIndexes": [
	//       {
	//         "IndexName": "department-employee-index",
	//         "KeySchema": [
	//           {
	//             "AttributeName": "department_id",
	//             "KeyType": "HASH"
	//           }
	//         ],
	//         "Projection": {
	//           "ProjectionType": "ALL"
	//         }
	//       }
	//     ],
	//     "BillingMode": "PAY_PER_REQUEST",
	//     "TimeToLiveSpecification": {
	//       "AttributeName": "expires",
	//       "Enabled": true
	//     }
	//   }
	// }
}

// Export writes a CloudFormation template holding every table. Each
// Exported's CreateTable is the request for
// `aws dynamodb create-table --cli-input-json`.
func ExampleExport_template() {
	defs, err := schema.Export(&schema.Options{Namer: model.Prefix("prod-")}, model.MustOf[Employee]())
	if err != nil {
		log.Fatal(err)
	}
	resources := map[string]json.RawMessage{}
	for _, d := range defs {
		resources[d.LogicalID] = d.Resource
	}
	template, err := json.MarshalIndent(map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Resources":                resources,
	}, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "infra") // the repository's infra/, in a project
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "tables.template.json"), template, 0o644); err != nil {
		log.Fatal(err)
	}
	for id := range resources { // one table: one resource
		fmt.Println(id)
	}
	// Output: ProdEmployeeTable
}

// Diff compares what the models want with a table as DynamoDB describes
// it, here written by hand: the live table lacks the index and TTL.
func ExampleDiff() {
	tables, err := schema.Definitions(nil, model.MustOf[Employee]())
	if err != nil {
		log.Fatal(err)
	}
	want := tables[0]
	have := &schema.Definition{
		Name: "employee",
		Hash: schema.KeyAttr{Name: "employee_id", Type: model.String},
		GSIs: []schema.Index{{Name: "old-index", Hash: schema.KeyAttr{Name: "employee_name", Type: model.String}}},
	}
	changes, err := schema.Diff(want, have)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(&schema.ChangeSet{Changes: changes})

	// A different primary key cannot be changed in place.
	have.Hash.Name = "id"
	_, err = schema.Diff(want, have)
	fmt.Println(errors.Is(err, schema.ErrRecreate), err)
	// Output:
	// table employee
	//   - delete index old-index: hash employee_name S; projection ALL (not in any model) [destructive]
	//   + add index department-employee-index: hash department_id S; projection ALL
	//   + enable ttl: attribute expires
	// true schema: table must be recreated: employee: primary key is hash id S, want hash employee_id S
}

func ExampleCreate() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := connect.FromEnv(ctx, dynamokit.WithNamer(model.Prefix("dev-")))
	if err != nil {
		log.Fatal(err)
	}
	// Creates dev-employee unless it exists, waits until it is ACTIVE, and
	// enables TTL on expires.
	if err := schema.Create(ctx, c, nil, model.MustOf[Employee]()); err != nil {
		log.Fatal(err)
	}
	// Output:
}

func ExampleDrop() {
	ctx := context.Background()
	c, err := connect.FromEnv(ctx, dynamokit.WithNamer(model.Prefix("dev-")))
	if err != nil {
		log.Fatal(err)
	}
	// Deletes dev-employee and waits until it is gone; a missing table is skipped.
	if err := schema.Drop(ctx, c, nil, model.MustOf[Employee]()); err != nil {
		log.Fatal(err)
	}
	// Output:
}

// Plan in CI: print what would change and fail on what needs permission.
func ExamplePlan() {
	ctx := context.Background()
	c, err := connect.FromEnv(ctx, dynamokit.WithNamer(model.Prefix("prod-")))
	if err != nil {
		log.Fatal(err)
	}
	cs, err := schema.Plan(ctx, c, nil, model.MustOf[Employee]())
	if errors.Is(err, schema.ErrRecreate) {
		log.Fatalf("needs a migration by hand: %v", err) // names the table and why
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(cs)
	if len(cs.Refused()) > 0 {
		fmt.Println("destructive changes: deploy them deliberately, with AllowDestructive")
		os.Exit(2)
	}
	// Output:
	// table prod-employee
	//   + create table: hash employee_id S; global index department-employee-index (hash department_id S; projection ALL); on-demand
	//   + enable ttl: attribute expires
}

// Apply at deploy time, with destructive changes allowed deliberately.
func ExampleApply() {
	ctx := context.Background()
	c, err := connect.FromEnv(ctx, dynamokit.WithNamer(model.Prefix("prod-")))
	if err != nil {
		log.Fatal(err)
	}
	opts := &schema.Options{
		AllowDestructive: os.Getenv("ALLOW_DESTRUCTIVE") == "yes",
		Progress: func(e schema.Event) {
			if e.Done {
				log.Printf("%s: %s done", e.Table, e.Step)
			}
		},
	}
	cs, err := schema.Plan(ctx, c, opts, model.MustOf[Employee]())
	if err != nil {
		log.Fatal(err)
	}
	if err := schema.Apply(ctx, c, cs, opts); errors.Is(err, schema.ErrDestructive) {
		log.Fatalf("refused:\n%s", cs)
	} else if err != nil {
		log.Fatal(err)
	}
	// Output:
}
