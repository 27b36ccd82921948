package relations_test

import (
	"context"
	"os"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/exampleengine"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// db is the client of the examples that need an engine: made by TestMain
// on the default engine (internal/exampleengine), enforcing a Graph, with
// tables seeded with what the examples' outputs describe.
var db *dynamokit.Client

func TestMain(m *testing.M) {
	os.Exit(exampleengine.Main(m, exampleengine.Setup{
		Name:    "relations",
		Models:  exampleModels(),
		Options: []dynamokit.Option{dynamokit.WithRules(relations.NewGraph())},
		Seed: func(ctx context.Context, c *dynamokit.Client) error {
			db = c
			return seedExamples(ctx)
		},
	}))
}

func exampleModels() []*model.Model {
	return []*model.Model{model.MustOf[Department](), model.MustOf[Employee](), model.MustOf[Dept](), model.MustOf[Staffer](),
		model.MustOf[Account](), model.MustOf[Legacy]()}
}

func seedExamples(ctx context.Context) error {
	staff, err := orgStaff(ctx)
	if err != nil {
		return err
	}
	depts, err := query.NewTable[Department](db)
	if err != nil {
		return err
	}
	for _, d := range []Department{{DepartmentID: "d-1", DepartmentName: "Research"}, {DepartmentID: "d-2", DepartmentName: "Sales"}} {
		if err := depts.Create(ctx, &d); err != nil {
			return err
		}
	}
	for _, e := range []Employee{
		{EmployeeID: "e-1", EmployeeName: "Ada", DepartmentID: "d-1"},
		{EmployeeID: "e-2", EmployeeName: "Alan", DepartmentID: "d-1"},
		{EmployeeID: "e-3", EmployeeName: "Grace", DepartmentID: "d-2"},
		{EmployeeID: "e-4", EmployeeName: "Edsger", DepartmentID: "d-2"},
	} {
		if err := staff.Link(ctx, &e, Department{DepartmentID: e.DepartmentID}); err != nil {
			return err
		}
	}
	legacy, err := query.NewTable[LegacyV1](db)
	if err != nil {
		return err
	}
	for _, u := range []LegacyV1{{"u-1", "al@example.com"}, {"u-2", "bo@example.com"}, {"u-3", "bo@example.com"}} {
		if err := legacy.Create(ctx, &u); err != nil {
			return err
		}
	}
	plain, err := query.NewTable[Dept](db)
	if err != nil {
		return err
	}
	return plain.Create(ctx, &Dept{DepartmentID: "d-1", DepartmentName: "Research"})
}
