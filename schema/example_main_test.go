package schema_test

import (
	"context"
	"os"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/internal/exampleengine"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
)

// TestMain gives the examples the default engine (internal/exampleengine),
// which their connect.FromEnv finds through DYNAMODB_ENDPOINT. On an engine
// given by DYNAMODB_ENDPOINT the tables the examples create are dropped at
// the end.
func TestMain(m *testing.M) {
	os.Exit(exampleengine.Main(m, exampleengine.Setup{Name: "schema", After: func(ctx context.Context) {
		for _, prefix := range []string{"dev-", "prod-"} {
			if c, err := connect.FromEnv(ctx, dynamokit.WithNamer(model.Prefix(prefix))); err == nil {
				_ = schema.Drop(ctx, c, nil, model.MustOf[Employee]())
			}
		}
	}}))
}
