// Package schema creates, compares and migrates DynamoDB tables from
// dynamokit models, so table definitions are never written twice.
//
// [Create] makes the tables of a set of models, waits until they and their
// indexes are ACTIVE and enables TTL where a model declares it. Creating a
// table that already exists is not an error. [Drop] deletes tables and waits
// until they are gone.
//
// [Plan] compares the models with the live tables and returns a
// [ChangeSet]: tables to create, global indexes to add, delete or re-create,
// billing and TTL changes. It prints as a readable diff. [Apply] makes the
// changes one at a time, waiting for each. Deleting an index is refused
// unless [Options.AllowDestructive] is set, and what DynamoDB cannot change
// in place (a table's key, its local indexes) is [ErrRecreate]. The
// comparison itself is [Diff], a pure function of two [Definition] values.
//
// The auto scaling a model declares ([model.AutoScaling]) belongs to
// Application Auto Scaling, another AWS service: Create, Plan, Apply and
// Drop manage it through the client given as [Options.AutoScalingClient].
//
// [Export] writes each table as a CreateTable request and as a
// CloudFormation resource, for tools that create tables themselves.
//
// Table names come from each model's TableName method, passed through
// [Options.Namer] when set, so one set of models serves several
// environments. Every call that talks to DynamoDB takes a context and stops
// waiting when it is done, or when [Options.WaitTimeout] has passed (30
// minutes per wait by default), whichever comes first. See docs/schema.md
// for the recommended flow.
package schema
