package dynamotest

import (
	"context"
	"testing"

	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
	"github.com/guregu/dynamo/v2"
)

// Tables creates the tables of models for t, under a [Prefix] unique to t,
// waits until they are active, and drops them when t ends. It returns the
// [model.Namer] that leads query, relations and schema to those tables:
//
//	names := dynamotest.Tables(t, db, model.MustOf[User]())
//	users, err := query.New[User](db, &query.Options{Namer: names})
//
// A failure to create the tables ends the test with t.Fatal; a failure to
// drop them is reported with t.Errorf.
func Tables(t testing.TB, db *dynamo.DB, models ...*model.Model) model.Namer {
	t.Helper()
	opts := &schema.Options{Namer: model.Prefix(Prefix(t))}
	// Registered before Create, so tables made before a failure are dropped.
	t.Cleanup(func() {
		// The test's context is cancelled before cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := schema.Drop(ctx, db, opts, models...); err != nil {
			t.Errorf("dynamotest: drop tables: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if err := schema.Create(ctx, db, opts, models...); err != nil {
		t.Fatalf("dynamotest: create tables: %v", err)
	}
	return opts.Namer
}
