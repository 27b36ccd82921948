// Package querylink lets dynamokit's own packages reach into a query
// without a public method on it: package query sets [Relate] and
// [SetOther] when it is initialised. Package relations calls Relate on the
// *query.Query of a parent's children, so that the query's errors say
// which relation they read, as its verbs' do, and SetOther on a parent's
// *query.Update to stamp its fan-out of copies.
package querylink

import "github.com/dynamokit/dynamokit/internal/txn"

// Relate makes every error of q, a *query.Query[T] not yet run, a
// *dynamokit.Error whose Relation is relation (unless a Relation is set
// already). Package query sets it in its init function; it is never
// changed after.
var Relate func(q any, relation string)

// SetOther sets o, an attribute that is not the model's, in the same
// UpdateItem as u, a *query.Update[T] not yet run; a nil o changes
// nothing, and a name of the model's, a repeat or an empty o is u's error.
// Package query sets it in its init function; it is never changed after.
var SetOther func(u any, o *txn.Other)
