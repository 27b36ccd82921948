// Package dynamokit is the entry point of dynamokit: a [Client] owns the
// DynamoDB API client, the table [model.Namer], the clock, the retry
// policy, per-call SDK options and the observability hooks, and every
// request of packages query, schema and relations goes through it.
//
//	c := dynamokit.New(cfg, dynamokit.WithNamer(model.Prefix("prod-")))
//	users, err := query.NewTable[User](c)
//	err = schema.Create(ctx, c, nil, model.MustOf[User]())
//
// The Client is the one executor of every request: it asks DynamoDB for
// the consumed capacity when a [Hook] or a [Capacity] will read it,
// retries under the [RetryPolicy], classifies the error into an *[Error],
// adds the capacity to the [Capacity] of the context and calls the hooks.
// [Client.Executor] gives that executor as an [API], so code written
// against the SDK's client gets the same behaviour by taking it; the write
// rules are not applied there.
//
// A [Tracer] ([WithTracer]) sees, besides each request, the operations
// that send them: a verb of query or relations, a cascade, a transaction,
// nested through the context, so that a tracing adapter can make one span
// per operation with its requests as children. Module
// github.com/dynamokit/dynamokit/otel is one for OpenTelemetry.
//
// The tables' relations, one-to-many (relations.Declare) and many-to-many
// (relations.DeclareEdge), are kept by the write rules of the client
// ([WithRules] with relations.NewGraph): every write that packages query
// and relations send through the client, in a relation's verbs or not,
// carries the checks and counter changes that keep them whole.
//
// Every error of a call that reads or writes items, in this package and
// in query, relations, migrate's runner and stream's reader, holds an
// *[Error] naming the operation and table (errors.As), with the detail
// types, such as a cancelled transaction's *[TxError], beneath it; errors.Is
// matches the sentinels of this package, such as [ErrNotFound] and
// [ErrTableNotFound], and those of the others. docs/client.md ("Errors")
// states the rule.
//
// Transactions are methods of the Client: [Client.WriteTx] and
// [Client.ReadTx].
package dynamokit
