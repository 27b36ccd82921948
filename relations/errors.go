package relations

import (
	"errors"
	"fmt"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"strings"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
)

var (
	// ErrParentNotFound is returned when an operation names a parent that
	// does not exist: by [HasMany.Link], [HasMany.Relink],
	// [HasMany.ParentOf], [HasMany.ParentWithChildren] and
	// [HasMany.Recount]. Retrying the same call does not help until the
	// parent is created (or the child is linked to another). A plain write
	// of a child of a relation with [Spec.Copies] also reports it when the
	// child's copies differ from the parent's values, and says so: write
	// the child with the parent's current values, or through Link or
	// Relink, which copy them (they read the parent again, up to 5 times,
	// when it changes under them).
	ErrParentNotFound = errors.New("relations: parent not found")
	// ErrChildNotFound is returned by [HasMany.Relink], [HasMany.Unlink]
	// and [HasMany.DeleteChild] when the child does not exist. Retrying
	// does not help. In an item collection, where the link is part of the
	// key, a child moved to another parent since it was read is not found
	// under its old key either: read it again under its new key.
	ErrChildNotFound = errors.New("relations: child not found")
	// ErrStaleLink is returned by [HasMany.Relink], [HasMany.Unlink] and
	// [HasMany.DeleteChild] when the child value's link is not the stored
	// one: another writer moved or unlinked the child since it was read.
	// They report it only when the child as it was at the refusal (returned
	// with the cancellation) has another link, so a retry with the child
	// read again can succeed (unless it moves again meanwhile). A refusal
	// of a child whose link was the one given came from a rule another
	// relation keeps on the item, and is reported as such, naming the
	// relation and the item; retrying that does not help. (In an item collection the link is part
	// of the key, so a stale link reports [ErrChildNotFound].)
	//
	// A plain write of a child through its query.Table is checked against
	// the link the write check read just before, and reports ErrStaleLink
	// when that link changed in between: read the child again and retry.
	ErrStaleLink = errors.New("relations: child's link changed since it was read")
	// ErrMismatch is returned by [Declare] and [DeclareEdge] when a spec
	// does not fit the models: no link attribute, a layout other than the
	// one the child's index or key makes, an index that does not project
	// every attribute of the child, a Together the layout cannot serve,
	// and so on. The message names what is wrong. Retrying never helps:
	// change the spec or the models.
	ErrMismatch = errors.New("relations: declaration does not match the models")
	// ErrHasChildren is returned by [HasMany.DeleteParent] under the
	// [Restrict] policy when the parent still has children. The error is a
	// *[RestrictError], which names the relation, the parent and one
	// child, and says how many. Retrying does not help until the children
	// are moved or deleted.
	ErrHasChildren = errors.New("relations: parent has children")
	// ErrCannotDetach is returned by [HasMany.Unlink] in an item
	// collection, and by [Declare] for the [Detach] policy there: the link
	// is part of the child's key, so a child cannot lose its parent, only
	// be moved or deleted. Retrying never helps.
	ErrCannotDetach = errors.New("relations: cannot detach a child of an item collection: its link is part of its key")
	// ErrCounterDrift is returned when a counter a relation keeps (a
	// parent's children counter, an end's edge counter) disagrees with
	// the index it counts: it was changed by writes made around the
	// relation (another service writing the table, children loaded before
	// the relation counted them). Its message names the relation, the
	// item, the counter as stored and as counted, and the repair.
	// [HasMany.CountChildren], [ManyToMany.CountFrom] and
	// [ManyToMany.CountTo] return it for a negative counter instead of
	// the number; [HasMany.DeleteParent],
	// [ManyToMany.DeleteFrom] and [ManyToMany.DeleteTo] under [Restrict]
	// for a negative counter, and together with [ErrHasChildren] or
	// [ErrHasEdges] when the index shows a child or an edge that the
	// counter does not count. Retrying does not help: run the repair it
	// names ([HasMany.Recount], [ManyToMany.RecountFrom],
	// [ManyToMany.RecountTo]) or an audit with [AuditOptions.Repair].
	ErrCounterDrift = errors.New("relations: counter drift: recount it (Recount, or Audit with Repair)")
)

// RestrictError is the error of a [Restrict] delete refused because the
// item still has what the relation counts: a parent's children
// ([HasMany.DeleteParent], Kind [ErrHasChildren]) or an end's edges
// ([ManyToMany.DeleteFrom], [ManyToMany.DeleteTo], Kind [ErrHasEdges]).
// It matches its Kind with errors.Is, and also [ErrCounterDrift] when the
// index showed a child or an edge the item's counter did not count (a
// writer outside the relation wrote it; the message says so and names the
// repair); it is always a pointer. Retrying does not help until the
// children are moved or deleted, or the edges unlinked.
type RestrictError struct {
	// Relation names the relation that refused, such as "Department has
	// many Employee" ("" when not known).
	Relation string
	// Item is the key of the item whose delete was refused, such as
	// "department_id=d-1" ("" when not known).
	Item string
	// Kind is [ErrHasChildren] or [ErrHasEdges].
	Kind error
	// Count is how many children or edges the item had when they were
	// counted (0: not counted, only refused by the counter's condition).
	Count int
	// Example is the key of one child or edge the index listed (such as
	// "employee_id=e-1"), "" when they were only counted by the item's
	// counter.
	Example string
	// drift is set when the index showed a child or an edge that the
	// item's counter did not count: a writer outside the relation wrote
	// it. The error then matches ErrCounterDrift as well.
	drift *driftError
}

// Error implements the error interface.
func (e *RestrictError) Error() string {
	what, one, many, counter, who := "parent", "child", "children", "children counter", "HasMany.DeleteParent"
	out := "unlink or delete the children first (HasMany.Unlink or DeleteChild)"
	if e.Kind == ErrHasEdges {
		what, one, many, counter, who = "end", "edge", "edges", "edge counter", "the relation's verbs"
		out = "unlink the edges first (ManyToMany.Unlink)"
	}
	n := fmt.Sprintf("%d %s", e.Count, many)
	switch e.Count {
	case 0: // not counted: its delete's condition on the counter failed
		n = fmt.Sprintf("%s (its %s is not 0, or it has no %s: %s count them)", many, counter, counter, who)
		if who == "HasMany.DeleteParent" {
			n = fmt.Sprintf("%s (its %s is not 0, or it has no %s: %s counts them)", many, counter, counter, who)
		}
	case 1:
		n = "1 " + one
	}
	s := "relations: " + refusedPrefix(e.Relation, what, e.Item) + " has " + n
	if e.Example != "" {
		s += " (" + e.Example + ")"
	}
	s += ": " + out
	if e.drift != nil {
		s += "; " + driftText(e.Relation, e.drift)
	}
	return s
}

// refusedPrefix is the start of a Restrict refusal's message: the
// relation and the item refused, as far as they are known ("parent",
// "Dept has many Emp: parent department_id=d-1").
func refusedPrefix(relation, what, item string) string {
	s := what
	if item != "" {
		s += " " + item
	}
	if relation != "" {
		s = relation + ": " + s
	}
	return s
}

// driftText is the message of a drift error that follows a refusal by
// relation: without the package prefix, and without the relation when it
// is the refusal's.
func driftText(relation string, d *driftError) string {
	s := strings.TrimPrefix(d.Error(), "relations: ")
	if relation != "" && d.Relation == relation {
		s = strings.TrimPrefix(s, relation+": ")
	}
	return s
}

// Unwrap returns Kind ([ErrHasChildren] when unset), and the drift when
// there is one.
func (e *RestrictError) Unwrap() []error {
	kind := e.Kind
	if kind == nil {
		kind = ErrHasChildren
	}
	if e.drift != nil {
		return []error{kind, e.drift}
	}
	return []error{kind}
}

// driftError is a counter of a relation that disagrees with the index it
// counts ([ErrCounterDrift], which it matches): a parent's children
// counter, or an end's edge counter, changed by writes made around the
// relation. Its message names the relation, the item, the counter, the
// stored and counted numbers and the repair.
type driftError struct {
	// Relation names the relation.
	Relation string
	// Item is the key of the item whose counter drifted, such as
	// "department_id=d-1".
	Item string
	// Counter is the counter attribute.
	Counter string
	// Stored is the counter as stored.
	Stored int64
	// Counted is how many children or edges the index counted, -1 when
	// they were not counted.
	Counted int
	// Repair is the call that counts them again and stores the count, such
	// as "HasMany.Recount".
	Repair string
}

// Error implements the error interface.
func (e *driftError) Error() string {
	what := "below 0"
	if e.Counted >= 0 {
		what = fmt.Sprintf("but the index lists %d", e.Counted)
	}
	return fmt.Sprintf("relations: %s: counter %s of %s is %d, %s (written around the relation): run %s, or Audit with Repair",
		e.Relation, e.Counter, e.Item, e.Stored, what, e.Repair)
}

// Unwrap returns [ErrCounterDrift].
func (e *driftError) Unwrap() error { return ErrCounterDrift }

// describer is a relation that names itself: "Department has many
// Employee".
type describer interface{ describe() string }

// end ends op, a verb of rel on table, with *errp, after making the error
// name the relation: a request's *dynamokit.Error in it that names a table
// gains Relation, and any other error is wrapped in a *dynamokit.Error
// with Relation and Table and the cause's message, so that errors.As finds
// one *dynamokit.Error in every error a verb returns. The relation is named
// only on failure.
func end(op clientlink.Op, errp *error, rel describer, table string) {
	if err := *errp; err != nil {
		var de *dynamokit.Error
		if errors.As(err, &de) && de.Table != "" {
			if de.Relation == "" {
				de.Relation = rel.describe()
			}
			*errp = errtext.Outer{Err: err} // the request's message, quoted once
		} else {
			// No request's error, or a transaction's over several
			// tables, which names none.
			*errp = &dynamokit.Error{Table: table, Relation: rel.describe(), Err: err}
		}
	}
	op.End(errp)
}
