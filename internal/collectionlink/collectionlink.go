// Package collectionlink lets dynamokit's own packages decode an item the
// way a query.Collection does, without a public method on the collection:
// package query sets [Decode] when it is initialised, and package stream
// calls it to decode stream images of a collection's table.
package collectionlink

import "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

// Decode decodes item as col, a *query.Collection, decodes the items of
// its queries: into its member's model by the entity-type attribute, or
// kept as read for an entity type no member declares. It returns a
// query.Entity. Package query sets it in its init function; it is never
// changed after.
var Decode func(col any, item map[string]types.AttributeValue) (any, error)
