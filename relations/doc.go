// Package relations adds one-to-many ([Declare]) and many-to-many
// ([DeclareEdge]) relationships between dynamokit models, with the
// referential integrity DynamoDB itself does not check.
//
// A relation is declared once, by [Declare], with a [Spec]: how the
// children are stored ([Spec.Layout], [Spec.Index]), what deleting a
// parent does ([Spec.OnDelete]), and whether a parent shares its
// children's partition ([Spec.Together]). Nothing is inferred: Declare
// checks the Spec against the models and refuses one they do not fit with
// an error matching [ErrMismatch] that names what is wrong. The parent's
// identifying attributes (its plain key attributes, or the attributes its
// computed key refers to) must also be attributes of the child, under the
// same names and Go types: these are the child's link to its parent, such
// as department_id. The layouts are:
//
//   - [MultiTable]: the child's table has a global secondary index whose
//     hash key is the link attribute (the classic GSI design) or, for a
//     parent keyed by several attributes (tenant_id and department_id),
//     whose multi-attribute partition key is exactly those link attributes.
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
// of the child: Declare refuses a KEYS_ONLY index, or an INCLUDE index that
// leaves attributes out, rather than return children with zero fields.
//
// The methods of [HasMany] are grouped by the item they act on. On the
// parent side, [HasMany.Children] is the query of one parent's children,
// one Query request per 1 MB; [HasMany.CountChildren] reads
// its children counter; [HasMany.ChildrenOf] reads the children of many
// parents with concurrent queries; [HasMany.ParentWithChildren] reads both
// ends, with a single Query when declared Together; [HasMany.DeleteParent]
// deletes a parent under the declared [Policy]. On the child side,
// [HasMany.Link] creates a child under a parent, [HasMany.Relink] moves it
// to another, [HasMany.Unlink] leaves it without one, [HasMany.DeleteChild]
// deletes it and [HasMany.ParentOf] follows its link.
//
// A relation may also declare child attributes that copy attributes of
// the parent ([Spec.Copies]), such as the department's name on each
// employee. [HasMany.Link] and [HasMany.Relink] write the copies in the
// transaction that links the child, on condition that the parent still
// holds the values copied; [HasMany.UpdateParent] changes the parent and
// then brings every child's copies up to date, resumably
// ([HasMany.SyncCopies] alone finishes an interrupted fan-out).
//
// A many-to-many relation is declared once, by [DeclareEdge], with an
// [EdgeSpec]: its edges are items of a model of the caller's own (an
// enrolment between a student and a course, with attributes of its own
// such as a grade), keyed by the pair they link: the hash key from the
// From end, the range key from the To end, and a reverse global index
// ([EdgeSpec.Index]) keyed on the To end. [ManyToMany.Link] creates an
// edge (returning an error matching dynamokit.ErrAlreadyExists when the pair
// is linked) in one transaction that adds 1 to both ends' edge counters,
// on condition that both ends exist ([ErrEndNotFound]);
// [ManyToMany.Unlink] removes it and subtracts 1 from both, also in one
// transaction. [ManyToMany.LinkedFrom] and
// [ManyToMany.LinkedTo] list an end's edges with the item at their far
// end, [ManyToMany.CountFrom] and [ManyToMany.CountTo] read the counters,
// and [ManyToMany.DeleteFrom] and [ManyToMany.DeleteTo] delete an end
// under [EdgeSpec.OnDeleteFrom] or [EdgeSpec.OnDeleteTo]: [Restrict]
// refuses while it has edges, [Cascade] (and [Detach], the same for an
// edge) deletes its edges, never the far ends.
//
// Every write that adds a child to a parent or takes one away also adds +1
// or -1 to a children counter on the parent's item ([Spec.Counter]), in the
// same transaction, on condition that the parent exists. So a child never
// points at a missing parent ([ErrParentNotFound]), and a [Restrict] delete
// is one DeleteItem conditional on the counter being 0, which no link can
// race. A [Cascade] delete marks the parent, then deletes its children a
// page of up to 100 at a time, one conditional DeleteItem each, and
// subtracts each page from the counter; a [Detach] delete unlinks them in
// transactions of up to 99 that keep the counter; both delete the parent
// once the counter is 0. The edges of a many-to-many end are counted and
// deleted the same way.
//
// These guarantees hold on every write path: the client of the tables
// enforces a [Graph] (dynamokit.WithRules(relations.NewGraph())), to which
// [Declare] adds the relation's write rules, so a write of a child or a
// parent through the plain query.Table (Create, Put, Update of the link,
// Delete, TxAdd, and the actions of a WriteTx) carries the same parent
// check and counter changes in its own transaction, a Put of a parent
// keeps the counter, and a plain Delete of a parent applies Restrict as a
// condition on the counter. What cannot be checked (batch writes of
// children, batch puts and deletes of parents, a plain Delete of a parent
// under Cascade or Detach) is refused before any request with an
// [ErrNeedsRelation] error naming the call to use.
//
// Relations that share a model compose: the verbs that delete an item
// (DeleteParent, for the parent and each child its Cascade deletes,
// DeleteChild, DeleteFrom, DeleteTo) first apply the delete policy of
// every other relation in which the item is a parent or an end, through
// the client's Graph (a Restrict refuses, naming its relation and the
// item; a Cascade or Detach deals with the item's children or edges), and
// the rule of each relation in which it is a child keeps that parent's
// counter. A cycle of Cascade relations stops with [ErrDeleteCycle].
//
// The counters are exact against dynamokit's writes, not against writers
// that share the tables without it (another service, pynamodb). Against
// those, a counter never reads negative ([ErrCounterDrift], naming the
// repair), a [Restrict] delete looks in the child index before its
// conditional delete and refuses while it lists a child, and
// [HasMany.Audit], [HasMany.AuditParent] and [ManyToMany.Audit] compare
// every counter with its index, find children and edges whose parent or
// end is missing, and repair what [AuditOptions] asks for.
//
// The Graph also keeps the unique attributes of every model written
// through its client (a unique:"" tag), declared in a relation or not: each
// write claims and releases the values' records in its own transaction, and
// a value another item holds is refused with a [*NotUniqueError]
// ([ErrNotUnique]). The records are kept in the table named after the
// item's with "_unique" appended, which package schema creates with it.
// Each is an item with the string hash key id, "<attr>#<scope>#<value>":
// the attribute's name, the scope attribute's value ("" without a scope)
// and the value, each with "%" written "%25" and "#" written "%23"; a
// number is its text as stored, a binary value its standard base64. A
// record also holds attr (the attribute's name), value (the value, as
// stored in the item), scope (the scope's value, when scoped) and owner:
// a map of the key attributes of the item that holds the value. See
// [BackfillUnique] for data stored before an attribute was tagged unique,
// and docs/unique.md in the repository.
//
// docs/relations.md describes the layouts, how to declare each, what is
// atomic, and what each operation costs.
package relations
