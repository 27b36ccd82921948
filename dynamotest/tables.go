package dynamotest

import (
	"context"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
)

// CreateTables creates the tables of models for t, under a [TablePrefix]
// unique to t, waits until they are active, and drops them when t ends. It
// returns a copy of c whose namer leads query, relations and schema to
// those tables:
//
//	c := dynamotest.CreateTables(t, dynamotest.Client(t), model.MustOf[User]())
//	users, err := query.NewTable[User](c)
//
// A failure to create the tables ends the test with t.Fatal; a failure to
// drop them is reported with t.Errorf.
func CreateTables(t testing.TB, c *dynamokit.Client, models ...*model.Model) *dynamokit.Client {
	t.Helper()
	c = c.With(dynamokit.WithNamer(model.Prefix(TablePrefix(t))))
	// Registered before Create, so tables made before a failure are dropped.
	t.Cleanup(func() {
		// The test's context is cancelled before cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := schema.Drop(ctx, c, nil, models...); err != nil {
			t.Errorf("dynamotest: drop tables: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if err := schema.Create(ctx, c, nil, models...); err != nil {
		t.Fatalf("dynamotest: create tables: %v", err)
	}
	return c
}
