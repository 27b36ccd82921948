package diagram_test

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema/diagram"
)

type Customer struct {
	CustomerID string `dynamo:"customer_id,hash"`
	Name       string `dynamo:"name"`
}

func (Customer) TableName() string { return "customer" }

type Order struct {
	OrderID    string `dynamo:"order_id,hash"`
	CustomerID string `dynamo:"customer_id" index:"by-customer,hash"`
	Total      int    `dynamo:"total"`
}

func (Order) TableName() string { return "order" }

// A relation is drawn from what Declare returns; declaring it makes no
// request.
func ExampleMermaid() {
	db := dynamokit.New(aws.Config{Region: "us-east-1"}, dynamokit.WithRules(relations.NewGraph()))
	customers, _ := query.NewTable[Customer](db)
	orders, _ := query.NewTable[Order](db)
	placed, err := relations.Declare(customers, orders, relations.Spec{
		Layout: relations.MultiTable, Index: "by-customer", OnDelete: relations.Restrict,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	text, err := diagram.Mermaid(diagram.Graph{Relations: []relations.Describer{placed}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(text)
	// Output:
	// erDiagram
	//     Customer {
	//         S customer_id PK "partition key of table customer"
	//         S name
	//     }
	//     Order {
	//         S order_id PK "partition key of table order"
	//         S customer_id FK "link to Customer; gsi by-customer partition key"
	//         N total
	//     }
	//     Customer ||--o{ Order : "has many, multi-table, index by-customer, on delete restrict"
}
