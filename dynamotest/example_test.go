package dynamotest_test

import (
	"testing"

	"github.com/dynamokit/dynamokit/dynamotest"
)

// user is the record stored by the example test.
type user struct {
	ID   string `dynamo:"id,hash"`
	Name string `dynamo:"name"`
}

// testUsers is an integration test as it looks in your own package, where it
// would be called TestUsers. In this package TestExampleUsers runs it.
func testUsers(t *testing.T) {
	ctx := t.Context()
	db := dynamotest.DB(t) // skips (or, with CI=true, fails) without an engine
	name := dynamotest.Prefix(t) + "users"
	dynamotest.DeleteTables(t, db, name) // dropped when the test ends
	if err := db.CreateTable(name, user{}).OnDemand(true).Wait(ctx); err != nil {
		t.Fatal(err)
	}
	users := db.Table(name)
	if err := users.Put(user{ID: "u1", Name: "Ada"}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	var got user
	if err := users.Get("id", "u1").One(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if got.Name != "Ada" {
		t.Errorf("got %+v, want Name Ada", got)
	}
}

// Example shows an integration test written with dynamotest: see testUsers.
// Run such tests with an engine, for example:
//
//	scripts/dynamodb-local run -- go test ./...
func Example() {}
