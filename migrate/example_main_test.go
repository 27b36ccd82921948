package migrate_test

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/exampleengine"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// TestMain gives the Examples that need an engine the default one
// (internal/exampleengine): the table org, under a prefix of its own,
// holding one employee stored before the tenant joined the key.
func TestMain(m *testing.M) {
	os.Exit(exampleengine.Main(m, exampleengine.Setup{
		Name:   "migrate",
		Models: []*model.Model{model.MustOf[EmployeeV1]()},
		Seed: func(ctx context.Context, c *dynamokit.Client) error {
			db = c
			old, err := query.NewTable[EmployeeV1](c)
			if err != nil {
				return err
			}
			return old.Create(ctx, &EmployeeV1{EmployeeID: "e-1", Name: "Alice"})
		},
		After: func(ctx context.Context) {
			// The record table the runs created.
			_, _ = db.Executor().DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(db.TableName(model.MustOf[EmployeeV1]()) + "_migrations")})
		},
	}))
}
