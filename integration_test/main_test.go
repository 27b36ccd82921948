// Package integration_test runs dynamokit against a real DynamoDB engine,
// found by dynamotest: DYNAMODB_ENDPOINT when set, else a moto container
// when Docker is reachable, else a moto server started from Python. See
// docs/testing.md.
package integration_test

import (
	"os"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/relations"
)

// TestMain stops the engine dynamotest started once every test has run.
func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// env is one test's client, whose namer leads to the test's tables, and
// that namer, for clients a test makes with other options.
type env struct {
	db    *dynamokit.Client
	names model.Namer
}

// newEnv connects to the engine and creates the tables of models under a
// prefix unique to t; they are dropped when t ends.
func newEnv(t testing.TB, models ...*model.Model) env {
	t.Helper()
	db := dynamotest.CreateTables(t, graphClient(t), models...)
	return env{db: db, names: db.Namer()}
}

// must returns the model of T or fails the test.
func must[T any](t testing.TB) *model.Model {
	t.Helper()
	m, err := model.Of[T]()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// graphClient is a client of the test's engine (dynamotest.Client) that
// enforces a relations.Graph of its own, so that the test can declare
// relations on its tables.
func graphClient(t testing.TB, opts ...dynamokit.Option) *dynamokit.Client {
	t.Helper()
	return dynamotest.Client(t, append([]dynamokit.Option{dynamokit.WithRules(relations.NewGraph())}, opts...)...)
}
