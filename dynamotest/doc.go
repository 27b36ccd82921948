// Package dynamotest gives integration tests a DynamoDB engine, for
// dynamokit's own tests and for tests in code that uses dynamokit.
//
// [Endpoint] finds an engine in this order:
//
//  1. DYNAMODB_ENDPOINT, when set (scripts/dynamodb-local run sets it);
//  2. a DynamoDB Local container ([Image]) started through testcontainers
//     when a Docker engine is reachable, shared by every test in the process
//     and removed by testcontainers when the process ends;
//  3. otherwise the test is skipped, with a message saying how to get an
//     engine. When the CI environment variable is true, it fails instead, so a
//     misconfigured CI job cannot pass by skipping everything.
//
// All tests of a run may share one engine (DynamoDB Local runs with -sharedDb),
// so tests name their tables with [Prefix]. [Tables] creates the tables of
// dynamokit models under that prefix and drops them when the test ends; the
// [model.Namer] it returns leads query, relations and schema to them:
//
//	func TestUsers(t *testing.T) {
//		db := dynamotest.DB(t)
//		names := dynamotest.Tables(t, db, model.MustOf[User]())
//		users, err := query.New[User](db, &query.Options{Namer: names})
//		// ...
//	}
//
// [DeleteTables] removes tables made some other way (such as guregu/dynamo's
// CreateTable) when the test ends.
//
// This is the only dynamokit package that depends on testcontainers. See
// docs/testing.md in the repository for the ways to provide an engine.
package dynamotest
