package stream_test

import (
	"context"
	"os"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/exampleengine"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// db is the client of the Examples that read a stream: made by TestMain on
// the default engine (internal/exampleengine), its employee table written
// to as the Examples' outputs describe.
var db *dynamokit.Client

func TestMain(m *testing.M) {
	os.Exit(exampleengine.Main(m, exampleengine.Setup{
		Name:   "stream",
		Models: []*model.Model{model.MustOf[Employee]()},
		Seed: func(ctx context.Context, c *dynamokit.Client) error {
			db = c
			emps, err := query.NewTable[Employee](c)
			if err != nil {
				return err
			}
			for _, e := range []Employee{{"e-1", "sales"}, {"e-2", "support"}} {
				if err := emps.Create(ctx, &e); err != nil {
					return err
				}
			}
			return emps.Delete(ctx, Employee{EmployeeID: "e-1"})
		},
	}))
}
