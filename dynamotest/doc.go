// Package dynamotest gives integration tests a DynamoDB engine, for
// dynamokit's own tests and for tests in code that uses dynamokit.
//
// [EndpointURL] finds an engine in this order:
//
//  1. DYNAMODB_ENDPOINT, when set;
//  2. a moto container ([Image]) started through testcontainers-go when a
//     Docker engine is reachable, shared by every test in the process;
//  3. a moto server started by [github.com/dynamokit/dynamokit/motoserver]
//     from the user's cache when Python 3 is there (installed on first use);
//  4. otherwise the test is skipped, with a message saying what to install.
//     When the CI environment variable is true, it fails instead, so a
//     misconfigured CI job cannot pass by skipping everything.
//
// [EnvEngine] forces one of them. Both moto engines serve one request at a
// time, so transactions are isolated as on DynamoDB. Call [Main] from
// TestMain to stop the engine when the tests are done.
//
// All tests of a binary share one engine, and DYNAMODB_ENDPOINT may be shared
// by many runs, so tests name their tables with [TablePrefix]. [CreateTables]
// creates the tables of dynamokit models under that prefix and drops them
// when the test ends; the client it returns names tables with that prefix, so query, relations and
// schema find them:
//
//	func TestUsers(t *testing.T) {
//		c := dynamotest.CreateTables(t, dynamotest.Client(t), model.MustOf[User]())
//		users, err := query.NewTable[User](c)
//		// ...
//	}
//
// [DeleteTables] removes tables made some other way (such as guregu/dynamo's
// CreateTable) when the test ends. A test that declares relations gives
// [Client] their graph, as any client that keeps relations is made:
// dynamotest.Client(t, dynamokit.WithRules(relations.NewGraph())).
//
// This package is a module of its own, so that the dynamokit module does not
// depend on testcontainers. See
// docs/testing.md in the repository for the ways to provide an engine.
package dynamotest
