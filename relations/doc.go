// Package relations adds one-to-many relationships between dynamokit
// models, with the referential integrity DynamoDB itself does not check.
//
// A [HasMany] is derived from the parent and child models by [New]. The
// parent's identifying attributes (its plain key attributes, or the
// attributes its computed key refers to) must also be attributes of the
// child, under the same names and Go types: these are the child's link to
// its parent, such as department_id. Children are then found in one of
// three layouts, detected from the models:
//
//   - [MultiTable]: the child's table has a global secondary index whose
//     hash key is the link attribute (the classic GSI design).
//   - [InvertedIndex]: a global secondary index whose hash key is a computed
//     attribute built only from the link, such as gsi1pk =
//     "DEPT#{department_id}" (single-table design).
//   - [ItemCollection]: the child's own hash key is the link, so a parent's
//     children are one partition of their table: a table of their own
//     (orders keyed by customer_id, sorted by date), or the parent's table
//     with a computed key such as pk = "DEPT#{department_id}", usually
//     sharing the partition with the parent itself (single-table design).
//
// Children are read whole, so a child index must project every attribute
// of the child: New refuses a KEYS_ONLY index, or an INCLUDE index that
// leaves attributes out, rather than return children with zero fields.
//
// Reads: [HasMany.Children], [HasMany.All], [HasMany.Page], [HasMany.Count]
// and [HasMany.Query] read one parent's children with one Query request per
// 1 MB; [HasMany.ChildrenOf] reads the children of many parents with
// concurrent queries; [HasMany.Parent] follows a child's link;
// [HasMany.ParentWithChildren] reads both ends, with a single Query when
// the parent's item shares its children's partition.
//
// Writes that name a parent check in the same transaction that the parent
// exists, so a child never points at a missing parent: [HasMany.Create] and
// [HasMany.Move] return [ErrParentNotFound] and change nothing otherwise.
// [HasMany.Delete] deletes a parent under a [Policy]: [Restrict] refuses
// while it has children, [Cascade] deletes them, [Detach] unlinks them.
// Each child's delete or unlink is conditional on its link, so a child
// another writer moves away meanwhile is left alone.
// These guarantees cover only changes made through the HasMany: writing a
// child's link through the child's query.Table (Create, Put, BatchPut, an
// Update that sets the link) or deleting a parent through the parent's
// query.Table is not checked.
//
// docs/relations.md describes the layouts, how to declare each, what is
// atomic, and what each operation costs.
package relations
