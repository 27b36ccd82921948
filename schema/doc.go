// Package schema creates, compares and migrates DynamoDB tables from
// dynamokit models, so table definitions are never written twice.
//
// [Create] makes the tables of a set of models, waits until they and their
// indexes are ACTIVE and enables TTL where a model declares it. Creating a
// table that already exists is not an error. [Drop] deletes tables and waits
// until they are gone. Every call takes a context and stops waiting when it
// is done.
//
// Table names come from each model's TableName method, passed through
// [Options.Namer] when set, so one set of models serves several
// environments.
package schema
