// Command schemacmd is the schema command a module keeps next to its
// models (as cmd/schema, say): it plans and applies the tables of the
// Department→Employee models of examples/singletable, exports them for
// other tools, and draws them.
//
// Run it from the repository root:
//
//	go run ./examples/schemacmd diagram          # Mermaid ER text
//	go run ./examples/schemacmd export -format workbench > org.json
//	go run ./examples/schemacmd export -format terraform > org.tf.json
//	go run ./examples/schemacmd plan
//	go run ./examples/schemacmd apply
//
// diagram and export need no engine. plan and apply start a private moto
// server (installed into the user cache on first use; it needs Python 3),
// which ends with the command, so apply always starts from nothing; set
// DYNAMODB_ENDPOINT to a running engine to keep the tables between runs,
// or pass -aws (before the subcommand) for real DynamoDB.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema/schemacmd"
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
// pk "DEPT#d-1", sk "EMP#e-1". A global index finds an employee by email.
type Employee struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`
	_ struct{} `dynamo:"gsi1pk" template:"EMAIL#{email}" index:"by-email,hash"`

	EmployeeID   string `dynamo:"employee_id"`
	EmployeeName string `dynamo:"employee_name"`
	Email        string `dynamo:"email"`
	DepartmentID string `dynamo:"department_id"`
}

// TableName is the shared table's base name.
func (Employee) TableName() string { return "org" }

// useAWS is the -aws flag: real DynamoDB through the normal AWS
// configuration instead of a private moto server.
var useAWS = flag.Bool("aws", false, "use real DynamoDB through the normal AWS configuration instead of a private moto server")

func main() {
	prefix := flag.String("prefix", "dynamokit-example-", "prefix for the table names")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: schemacmd [-prefix p] [-aws] plan|apply|export|diagram [flags]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Stdout, *prefix, flag.Args()))
}

func run(ctx context.Context, w io.Writer, prefix string, args []string) int {
	namer := model.Prefix(prefix)
	cmd := &schemacmd.Command{
		Name:   "schemacmd",
		Stdout: w,
		Models: []*model.Model{model.MustOf[Department](), model.MustOf[Employee]()},
		Namer:  namer,
		// Only plan and apply connect, so diagram and export start no
		// engine.
		Connect: func(ctx context.Context) (*dynamokit.Client, func(), error) {
			db, eng, err := connect.Open(ctx, &connect.Options{AWS: *useAWS, Log: os.Stderr}, dynamokit.WithNamer(namer), dynamokit.WithRules(relations.NewGraph()))
			if err != nil {
				return nil, nil, err
			}
			return db, func() { _ = eng.Close() }, nil
		},
	}
	// The diagram draws the relation and the collection as the
	// application declares them. Declaring makes no request, so a client
	// that is never used serves.
	db := dynamokit.New(aws.Config{Region: "us-east-1"}, dynamokit.WithNamer(namer), dynamokit.WithRules(relations.NewGraph()))
	if err := declare(db, cmd); err != nil {
		fmt.Fprintln(os.Stderr, "schemacmd:", err)
		return schemacmd.ExitError
	}
	return cmd.Run(ctx, args)
}

// declare declares the relation and the collection of the models, as the
// application does at start-up, and hands them to cmd.
func declare(db *dynamokit.Client, cmd *schemacmd.Command) error {
	depts, err := query.NewTable[Department](db)
	if err != nil {
		return err
	}
	emps, err := query.NewTable[Employee](db)
	if err != nil {
		return err
	}
	staff, err := relations.Declare(depts, emps, relations.Spec{
		Layout:   relations.ItemCollection,
		Together: true,
		OnDelete: relations.Cascade,
	})
	if err != nil {
		return err
	}
	department, err := query.NewCollection("department", depts, emps)
	if err != nil {
		return err
	}
	cmd.Relations = []relations.Describer{staff}
	cmd.Collections = []*query.Collection{department}
	return nil
}
