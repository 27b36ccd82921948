package model_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
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
	fmt.Println("key:", m.Key.Names(), m.Key.Hash.Type)
	for _, idx := range m.GSIs {
		fmt.Println("index:", idx.Name, idx.Key.Names(), idx.Projection.Type)
	}
	fmt.Println("version:", m.Version.Name, "updated:", m.Updated.Name)

	key, err := m.KeyOf(Employee{EmployeeID: "e-1"})
	if err != nil {
		panic(err)
	}
	fmt.Println("KeyOf:", key["employee_id"].(*types.AttributeValueMemberS).Value)
	// Output:
	// table: dev-employee
	// key: [employee_id] S
	// index: department-employee-index [department_id] ALL
	// version: version updated: updated
	// KeyOf: e-1
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

func ExampleModel_Encode() {
	m := model.MustOf[EmployeeItem]()
	item, err := m.Encode(EmployeeItem{EmployeeID: "e-1", DepartmentID: "d-1"})
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"pk", "sk", "entity"} {
		fmt.Println(name, "=", item[name].(*types.AttributeValueMemberS).Value)
	}
	fmt.Println("sort key prefix:", m.Key.Range.Template.Prefix())

	_, err = m.Encode(EmployeeItem{EmployeeID: "e-1"})
	fmt.Println(errors.Is(err, model.ErrEmptyKey))
	// Output:
	// pk = DEPT#d-1
	// sk = EMP#e-1
	// entity = Employee
	// sort key prefix: EMP#
	// true
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
