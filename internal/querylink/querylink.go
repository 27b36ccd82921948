// Package querylink lets dynamokit's own packages name a relation in the
// errors of a query they return, without a public method on the query:
// package query sets [Relate] when it is initialised, and package
// relations calls it on the *query.Query of a parent's children, so that
// the query's errors say which relation they read, as its verbs' do.
package querylink

// Relate makes every error of q, a *query.Query[T] not yet run, a
// *dynamokit.Error whose Relation is relation (unless a Relation is set
// already). Package query sets it in its init function; it is never
// changed after.
var Relate func(q any, relation string)
