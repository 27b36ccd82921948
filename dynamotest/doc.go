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
// so tests name their tables with [Prefix] and remove them with [DeleteTables]:
//
//	func TestUsers(t *testing.T) {
//		db := dynamotest.DB(t)
//		name := dynamotest.Prefix(t) + "users"
//		dynamotest.DeleteTables(t, db, name)
//		if err := db.CreateTable(name, User{}).OnDemand(true).Run(t.Context()); err != nil {
//			t.Fatal(err)
//		}
//		// ...
//	}
//
// This is the only dynamokit package that depends on testcontainers. See
// docs/testing.md in the repository for the ways to provide an engine.
package dynamotest
