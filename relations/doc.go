// Package relations adds one-to-many relationships between dynamokit
// models, with the referential integrity DynamoDB itself does not check.
//
// A [HasMany] is derived from the parent and child models. The parent's
// identifying attributes (its hash key, or the attributes its computed key
// refers to) must also be attributes of the child, under the same names:
// these are the child's link to its parent, such as department_id. Children
// are then found in one of three layouts:
//
//   - Multi-table: the child's table has a global secondary index whose hash
//     key is the link attribute (the classic GSI design).
//   - Single-table, inverted index: a global secondary index whose hash key is
//     a computed attribute built only from the link, such as
//     gsi1pk = "DEPT#{department_id}".
//   - Single-table, item collection: the child shares the parent's table and
//     its computed hash key is built only from the link, so the parent and its
//     children share one partition.
//
// Moves, attaches and creates that name a parent check in the same
// transaction that the parent exists, so a child never points at a missing
// parent.
package relations
