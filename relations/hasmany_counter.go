package relations

import (
	"context"
	"fmt"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/query"
)

// The children counter. Every write through the relation that adds a
// child to a parent, or takes one away, adds +1 or -1 to an attribute of
// the parent's item ([Spec.Counter]) in the same transaction, and that
// addition is conditional on the parent existing. So the counter is the
// number of children linked through the relation, and a [Restrict] delete
// conditional on it being 0 cannot race with a link.
//
// A parent item without the attribute was written before the relation
// counted, or through a client without the relation: see [counted].

// end is parent as the counted-end core sees it: its children are
// counted and found through the child index.
func (h *HasMany[P, C]) end(parent P) countedEnd {
	return countedEnd{
		relation: h.describe(),
		counter:  h.spec.Counter,
		repair:   "HasMany.Recount",
		count:    func(ctx context.Context) (int, error) { return h.strongQuery(parent).Count(ctx) },
		first: func(ctx context.Context) (string, error) {
			return firstKey(ctx, h.children, h.strongQuery(parent).Project(h.sweepAttrs()...))
		},
		refuse: func(n int, first string, drift *driftError) error {
			return &RestrictError{Kind: ErrHasChildren, Relation: h.describe(), Item: keyTextOf(h.parents, parent), Count: n, Example: first, drift: drift}
		},
	}
}

// CountChildren returns how many children parent has (only its key fields
// need be set): one strongly consistent GetItem of the parent's children
// counter. A parent that does not exist has none. For a parent item
// without a counter (written before the relation counted, or through a
// client without it) it counts the children with a Query instead, one per
// 1 MB of them, and does not store the result: [HasMany.Recount] does.
//
// A counter never reads below 0: a negative one (children unlinked or
// moved away by writers outside the relation) returns 0 and a
// error matching [ErrCounterDrift] matching [ErrCounterDrift], which names
// [HasMany.Recount]. A counter that drifted upwards, or down to a
// non-negative number, is not seen by this one GetItem: [HasMany.Audit]
// finds it.
func (h *HasMany[P, C]) CountChildren(ctx context.Context, parent P) (_ int, err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.CountChildren", h.parents.TableName())
	defer end(op, &err, h, h.parents.TableName())
	c, err := readCounted(ctx, h.parents, parent, h.end(parent))
	if err != nil {
		return 0, fmt.Errorf("relations: count children: %w", err)
	}
	if c.has || !c.exists {
		return int(c.n), nil
	}
	n, err := h.strongQuery(parent).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("relations: count children: %w", err)
	}
	return n, nil
}

// maxRecounts bounds how often [HasMany.Recount] starts again when the
// counter changes between its count and its write.
const maxRecounts = 5

// Recount counts parent's children with a Query and stores the number in
// its children counter, and returns it. It is the backfill for parents
// written before the relation counted their children, and the repair of a
// counter that drifted ([ErrCounterDrift]) because children were
// written, moved or deleted around the relation: run it for each such
// parent ([HasMany.Audit] with [AuditOptions.Repair] runs it for every
// parent whose counter disagrees).
//
// The write is conditional on the counter being as it was read, so a link
// or unlink in between makes Recount count again (up to 5 times); a link
// and an unlink that cancel out while it counts are not seen, and can leave
// the counter off by one: run it while the parent's children are not
// changing. The
// count reads the child index, which is eventually consistent in the
// multi-table and inverted-index layouts: run it while the parent's
// children are not changing. It returns [ErrParentNotFound] when the
// parent does not exist, and refuses, with an error naming DeleteParent,
// a parent whose [Cascade] was interrupted with a page of deleted
// children not yet subtracted (the cascade settles it when run again). It
// calls GetItem, Query and TransactWriteItems.
func (h *HasMany[P, C]) Recount(ctx context.Context, parent P) (_ int, err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.Recount", h.parents.TableName())
	defer end(op, &err, h, h.parents.TableName())
	n, err := recountEnd(h.own(ctx), h.parents, parent, h.end(parent), ErrParentNotFound)
	if err != nil {
		return 0, fmt.Errorf("relations: recount: %w", err)
	}
	return n, nil
}

// linkActions returns the transaction actions of the relation's own verbs
// that change a child's link: when the child comes to point at to (nil:
// at no parent), a check that to exists (and toConds hold: its copied
// attributes hold what the child is given) combined with +1 to its
// children counter; when it stops pointing at from (nil: it had no
// parent), -1 to from's counter, conditional on from existing so a
// missing parent is not created. For from and to with the same key it
// returns a check of to alone. A plain write of a child (Create, Put,
// Update, their WriteTx actions) gets the same from the graph's rules.
func (h *HasMany[P, C]) linkActions(from, to *P, toConds ...query.Cond) ([]dynamokit.TxAction, error) {
	if from != nil && to != nil {
		same, err := h.sameParent(*from, *to)
		if err != nil {
			return nil, err
		}
		if same {
			return []dynamokit.TxAction{h.parents.Check(*to, toConds...)}, nil
		}
	}
	var out []dynamokit.TxAction
	if to != nil {
		out = append(out, h.parents.TxAdd(*to, h.spec.Counter, 1, append(toConds, h.notDeleting())...))
	}
	if from != nil {
		out = append(out, h.parents.TxAdd(*from, h.spec.Counter, -1))
	}
	return out, nil
}

// sameParent reports whether a and b have the same key.
func (h *HasMany[P, C]) sameParent(a, b P) (bool, error) {
	pm := mapping.Must(h.parents.Model())
	ka, err := pm.KeyOf(&a)
	if err != nil {
		return false, err
	}
	kb, err := pm.KeyOf(&b)
	if err != nil {
		return false, err
	}
	return hasKey(ka, kb), nil
}

// notDeleting is the condition that no cascade has marked the parent: a
// child is not linked to a parent being deleted.
func (h *HasMany[P, C]) notDeleting() query.Cond {
	return query.Path(cascadeMark(h.spec.Counter)).AttributeNotExists()
}

// errParentDeleting is what a link to a parent a cascade has marked
// reports: it matches [ErrParentNotFound], since the parent is going.
var errParentDeleting = fmt.Errorf("%w: a cascade is deleting it (DeleteParent marked it): link the child to another parent", ErrParentNotFound)
