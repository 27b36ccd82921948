package diagram_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema/diagram"
)

// Department and Employee share the table "org" (single-table design):
// an employee lives in its department's partition, a global index finds
// employees by name, and another, whose sort key has two attributes, lists
// a department's employees by name.
type Department struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"#META"`
	_ struct{} `dynamo:"entity" template:"Department" dynamokit:"type"`

	DepartmentID   string `dynamo:"department_id"`
	DepartmentName string `dynamo:"department_name"`
	Version        int64  `dynamo:"version" dynamokit:"version"`
}

func (Department) TableName() string { return "org" }

type Employee struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`
	_ struct{} `dynamo:"gsi1pk" index:"by-name,hash" template:"NAME#{employee_name}"`

	EmployeeID   string    `dynamo:"employee_id" index:"by-dept,range"`
	EmployeeName string    `dynamo:"employee_name" index:"by-dept,range"`
	DepartmentID string    `dynamo:"department_id" index:"by-dept,hash"`
	Skills       []string  `dynamo:"skills,set"`
	Active       bool      `dynamo:"active"`
	Address      Address   `dynamo:"address"`
	Expires      time.Time `dynamo:"expires" dynamokit:"ttl"`
	// Names Mermaid would misread.
	FK    string `dynamo:"fk"`
	Dotty string `dynamo:"home.city"`
}

func (Employee) TableName() string { return "org" }

type Address struct{ City string }

// Person, Project and Assignment are a many-to-many relation in tables of
// their own.
type Person struct {
	PersonID string `dynamo:"person_id,hash"`
	Name     string `dynamo:"name"`
}

func (Person) TableName() string { return "person" }

type Project struct {
	ProjectID string `dynamo:"project_id,hash"`
	Title     string `dynamo:"title"`
}

func (Project) TableName() string { return "project" }

type Assignment struct {
	PersonID  string `dynamo:"person_id,hash" index:"by-project,range"`
	ProjectID string `dynamo:"project_id,range" index:"by-project,hash"`
	Role      string `dynamo:"role"`
}

func (Assignment) TableName() string { return "assignment" }

// orgGraph declares the models, relations and collection of the fixture
// with a client that is never sent a request.
func orgGraph(t testing.TB) diagram.Graph {
	t.Helper()
	db := dynamokit.New(aws.Config{Region: "us-east-1"}, dynamokit.WithNamer(model.Prefix("dev-")), dynamokit.WithRules(relations.NewGraph()))
	depts := must(query.NewTable[Department](db))(t)
	emps := must(query.NewTable[Employee](db))(t)
	people := must(query.NewTable[Person](db))(t)
	projects := must(query.NewTable[Project](db))(t)
	assignments := must(query.NewTable[Assignment](db))(t)
	staff := must(relations.Declare(depts, emps, relations.Spec{
		Layout: relations.ItemCollection, Together: true, OnDelete: relations.Cascade,
	}))(t)
	work := must(relations.DeclareEdge(people, projects, assignments, relations.EdgeSpec{
		Index: "by-project", OnDeleteFrom: relations.Cascade,
	}))(t)
	col := must(query.NewCollection("department", depts, emps))(t)
	return diagram.Graph{
		Models:      []*model.Model{depts.Model(), emps.Model()},
		Relations:   []relations.Describer{staff, work},
		Collections: []*query.Collection{col},
		Namer:       model.Prefix("dev-"),
	}
}

func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
