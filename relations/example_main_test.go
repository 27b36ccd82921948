package relations_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema"
)

// db is the client of the examples that need an engine: made by TestMain
// on DYNAMODB_ENDPOINT when it is set, else on a private moto server
// (connect.Open), with tables of a prefix of their own, seeded with what
// the examples' outputs describe.
var db *dynamokit.Client

func TestMain(m *testing.M) {
	os.Exit(runExamples(m))
}

func runExamples(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	prefix := fmt.Sprintf("rex%d-", time.Now().UnixNano())
	c, eng, err := connect.Open(ctx, nil, dynamokit.WithNamer(model.Prefix(prefix)), dynamokit.WithRules(relations.NewGraph()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "relations examples: no engine:", err)
		return 1
	}
	defer eng.Close()
	db = c
	if err := seedExamples(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "relations examples: seed:", err)
		return 1
	}
	code := m.Run()
	if os.Getenv(connect.EnvEndpoint) != "" { // a shared engine: leave it as found
		_ = schema.Drop(context.Background(), c, nil, exampleModels()...)
	}
	return code
}

func exampleModels() []*model.Model {
	return []*model.Model{model.MustOf[Department](), model.MustOf[Employee](), model.MustOf[Dept](), model.MustOf[Staffer]()}
}

func seedExamples(ctx context.Context) error {
	if err := schema.Create(ctx, db, nil, exampleModels()...); err != nil {
		return err
	}
	staff, err := orgStaff(ctx)
	if err != nil {
		return err
	}
	for _, d := range []Department{{DepartmentID: "d-1", DepartmentName: "Research"}, {DepartmentID: "d-2", DepartmentName: "Sales"}} {
		if err := staff.CreateParent(ctx, &d); err != nil {
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
	depts, err := query.NewTable[Dept](db)
	if err != nil {
		return err
	}
	return depts.Create(ctx, &Dept{DepartmentID: "d-1", DepartmentName: "Research"})
}
