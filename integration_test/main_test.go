// Package integration_test runs dynamokit against a real DynamoDB engine:
// DynamoDB Local from DYNAMODB_ENDPOINT (scripts/dynamodb-local run -- ...),
// or a container when Docker is available. See docs/testing.md.
package integration_test

import (
	"context"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
	"github.com/guregu/dynamo/v2"
)

// env is one test's engine connection and table namer.
type env struct {
	db    *dynamo.DB
	names model.Namer
}

// newEnv connects to the engine and creates the tables of models under a
// prefix unique to t; they are dropped when t ends.
func newEnv(t testing.TB, models ...*model.Model) env {
	t.Helper()
	db := dynamotest.DB(t)
	e := env{db: db, names: model.Prefix(dynamotest.Prefix(t))}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := schema.Drop(ctx, db, e.opts(), models...); err != nil {
			t.Errorf("drop tables: %v", err)
		}
	})
	if err := schema.Create(ctx, db, e.opts(), models...); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	return e
}

func (e env) opts() *schema.Options { return &schema.Options{Namer: e.names} }

// must returns the model of T or fails the test.
func must[T any](t testing.TB) *model.Model {
	t.Helper()
	m, err := model.Of[T]()
	if err != nil {
		t.Fatal(err)
	}
	return m
}
