package model_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
)

// Employee is a model: a struct with dynamo tags and a TableName method.
type Employee struct {
	EmployeeID   string    `dynamo:"employee_id,hash"`
	EmployeeName string    `dynamo:"employee_name"`
	DepartmentID string    `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
	Version      int       `dynamo:"version" dynamokit:"version"`
	Updated      time.Time `dynamo:"updated" dynamokit:"updated"`
}

// TableName is the base name of the employee table.
func (Employee) TableName() string { return "employee" }

func ExampleOf() {
	m, err := model.Of[Employee]()
	if err != nil {
		panic(err)
	}
	fmt.Println("table:", m.TableName(model.Prefix("dev-")))

	// Package schema reads the table the model asks for.
	tables, err := schema.Definitions(nil, m)
	if err != nil {
		panic(err)
	}
	t := tables[0]
	fmt.Println("key:", t.Hash)
	for _, idx := range t.GSIs {
		fmt.Println("index:", idx.Name, idx.Hash, idx.Projection.Type)
	}
	// Output:
	// table: dev-employee
	// key: employee_id S
	// index: department-employee-index department_id S ALL
}

// EmployeeItem is the single-table form of Employee: its keys are computed
// from plain fields.
type EmployeeItem struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	DepartmentID string `dynamo:"department_id"`
}

// TableName is the one table of the single-table design.
func (EmployeeItem) TableName() string { return "app" }

func ExampleOf_singleTable() {
	tables, err := schema.Definitions(nil, model.MustOf[EmployeeItem]())
	if err != nil {
		panic(err)
	}
	t := tables[0]
	fmt.Println(t.Name, "key:", t.Hash, t.Range)
	// Output:
	// app key: pk S sk S
}

// Broken has no hash key.
type Broken struct {
	ID string `dynamo:"id"`
}

func (Broken) TableName() string { return "broken" }

func ExampleTagError() {
	_, err := model.Of[Broken]()
	var te *model.TagError
	if errors.As(err, &te) {
		fmt.Println(te.Type, te.Reason)
	}
	fmt.Println(errors.Is(err, model.ErrInvalid))
	// Output:
	// model_test.Broken no hash key: tag one field dynamo:"name,hash"
	// true
}
