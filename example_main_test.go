package dynamokit_test

import (
	"context"
	"os"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/exampleengine"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// TestMain gives the examples the default engine (internal/exampleengine),
// which their connect.FromEnv finds through DYNAMODB_ENDPOINT, and the
// ledger they read.
func TestMain(m *testing.M) {
	os.Exit(exampleengine.Main(m, exampleengine.Setup{
		Name:   "dynamokit",
		Models: []*model.Model{model.MustOf[Entry]()},
		Seed: func(ctx context.Context, c *dynamokit.Client) error {
			var err error
			if entries, err = query.NewTable[Entry](c); err != nil {
				return err
			}
			for i, amount := range []int{100, -30, 5} {
				if err := entries.Create(ctx, &Entry{AccountID: "a-1", Seq: i, Amount: amount}); err != nil {
					return err
				}
			}
			return nil
		},
	}))
}
