package dynamotest_test

import (
	"testing"

	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// user is the model stored by the example test.
type user struct {
	ID   string `dynamo:"id,hash"`
	Name string `dynamo:"name"`
}

// TableName is the base name of the users table; tests prefix it.
func (user) TableName() string { return "users" }

// testUsers is an integration test as it looks in your own package, where it
// would be called TestUsers. In this package TestExampleUsers runs it.
func testUsers(t *testing.T) {
	ctx := t.Context()
	c := dynamotest.Client(t) // skips (or, with CI=true, fails) without an engine
	// Creates the users table under a prefix unique to this test and run,
	// and drops it when the test ends; c names tables with that prefix.
	c = dynamotest.CreateTables(t, c, model.MustOf[user]())
	users, err := query.NewTable[user](c)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Create(ctx, &user{ID: "u1", Name: "Ada"}); err != nil {
		t.Fatal(err)
	}
	got, err := users.Consistent().Get(ctx, user{ID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Ada" {
		t.Errorf("got %+v, want Name Ada", got)
	}
}

// Example shows an integration test written with dynamotest: see testUsers.
// Such tests find an engine by themselves (moto from Python 3, or a moto
// container where Docker runs); DYNAMODB_ENDPOINT picks another one:
//
//	go test ./...
func Example() {}
