package schemacmd_test

import (
	"context"
	"fmt"
	"os"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema/schemacmd"
)

type Customer struct {
	CustomerID string `dynamo:"customer_id,hash"`
	Name       string `dynamo:"name"`
}

func (Customer) TableName() string { return "customer" }

// The command of a module with one model. diagram and export need no
// engine: Connect is called by plan and apply only.
func ExampleCommand_Run() {
	cmd := &schemacmd.Command{
		Name:   "schema",
		Models: []*model.Model{model.MustOf[Customer]()},
		Namer:  model.Prefix("dev-"),
		Connect: func(ctx context.Context) (*dynamokit.Client, func(), error) {
			db, err := connect.FromEnv(ctx, dynamokit.WithNamer(model.Prefix("dev-")))
			return db, func() {}, err
		},
		Stdout: os.Stdout,
	}
	code := cmd.Run(context.Background(), []string{"diagram"})
	fmt.Println("exit code", code)
	// Output:
	// erDiagram
	//     Customer {
	//         S customer_id PK "partition key of table dev-customer"
	//         S name
	//     }
	// exit code 0
}
