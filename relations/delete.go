package relations

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/dynamokit/dynamokit/query"
)

// Policy is what [HasMany.Delete] does with the children of the parent it
// deletes. The zero value is [Restrict].
type Policy int

const (
	// Restrict refuses to delete a parent that has children, with a
	// *[HasChildrenError].
	Restrict Policy = iota
	// Cascade deletes every child, then the parent.
	Cascade
	// Detach removes every child's link, then deletes the parent; the
	// children stay, belonging to no parent. It is not possible in an item
	// collection ([ErrCannotDetach]).
	Detach
)

// String returns the policy's name.
func (p Policy) String() string {
	switch p {
	case Restrict:
		return "restrict"
	case Cascade:
		return "cascade"
	case Detach:
		return "detach"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// DeleteOptions adjusts [HasMany.Delete]. A nil *DeleteOptions means the
// defaults.
type DeleteOptions struct {
	// Progress, when set, is called after each batch of children is
	// deleted ([Cascade]) or detached ([Detach]), with the number of
	// children handled so far by this call. It is called from the goroutine
	// that called Delete, never concurrently.
	Progress func(done int)
	// Concurrency is how many write requests run at once; 0 means 4. A
	// batch holds 25 children per concurrent request.
	Concurrency int
}

// Delete deletes parent (only its key fields need be set) and deals with its
// children according to policy:
//
//   - [Restrict] counts the children (one Query per 1 MB of them) and returns
//     a *[HasChildrenError] matching [ErrHasChildren] if there are any;
//     otherwise it deletes the parent.
//   - [Cascade] reads the children page by page and deletes them with
//     BatchWriteItem, 25 per request, then deletes the parent, then deletes
//     any child that appeared meanwhile. Interrupted (a cancelled context, a
//     failed request), it leaves the parent and the children not yet
//     deleted; calling it again continues where it stopped.
//   - [Detach] removes the link of every child that still points at parent,
//     one UpdateItem per child (conditional, so a child moved elsewhere
//     meanwhile is left alone), then deletes the parent, then detaches any
//     child that appeared meanwhile. It returns [ErrCannotDetach] in an item
//     collection, before changing anything. It is also safe to run again.
//
// Deleting a parent that does not exist is not an error (so a cascade can
// be re-run after it deleted the parent), and its children are still dealt
// with. None of this is one transaction: see docs/relations.md for what
// can interleave with a delete.
//
// It calls Query, BatchWriteItem, UpdateItem and DeleteItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
func (h *HasMany[P, C]) Delete(ctx context.Context, parent P, policy Policy, opts *DeleteOptions) error {
	if _, err := h.parents.Model().KeyOf(&parent); err != nil {
		return fmt.Errorf("relations: delete: %w", err)
	}
	var err error
	switch policy {
	case Restrict:
		err = h.restrict(ctx, parent)
	case Cascade:
		err = h.sweep(ctx, parent, opts, h.deleteChildren)
	case Detach:
		if h.layout == ItemCollection {
			return fmt.Errorf("relations: delete: %w", ErrCannotDetach)
		}
		err = h.sweep(ctx, parent, opts, h.detachChildren)
	default:
		return fmt.Errorf("relations: delete: unknown policy %v", policy)
	}
	var hc *HasChildrenError
	if errors.As(err, &hc) {
		return hc // says all there is to say
	}
	if err != nil {
		return fmt.Errorf("relations: delete (%v): %w", policy, err)
	}
	return nil
}

func (h *HasMany[P, C]) restrict(ctx context.Context, parent P) error {
	n, err := h.strongQuery(parent).Count(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return &HasChildrenError{Children: n}
	}
	return h.parents.Delete(ctx, parent)
}

// strongQuery is the children's query, strongly consistent where DynamoDB
// allows it (in the table, not in a global index).
func (h *HasMany[P, C]) strongQuery(parent P) *query.Query[C] {
	q := h.query(parent)
	if h.index == "" {
		q = q.Consistent()
	}
	return q
}

// batchFunc writes one batch of children of parent.
type batchFunc[P, C any] func(ctx context.Context, parent P, batch []C, concurrency int) error

// sweep applies write to every child of parent in batches, deletes the
// parent, and sweeps again for children that were added meanwhile.
func (h *HasMany[P, C]) sweep(ctx context.Context, parent P, opts *DeleteOptions, write batchFunc[P, C]) error {
	concurrency := 4
	var progress func(int)
	if opts != nil {
		if opts.Concurrency > 0 {
			concurrency = opts.Concurrency
		}
		progress = opts.Progress
	}
	size := query.MaxBatchWrite * concurrency
	done := 0
	pass := func() error {
		batch := make([]C, 0, size)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			if err := write(ctx, parent, batch, concurrency); err != nil {
				return err
			}
			done += len(batch)
			batch = batch[:0]
			if progress != nil {
				progress(done)
			}
			return nil
		}
		for c, err := range h.strongQuery(parent).Project(h.sweepAttrs()...).All(ctx) {
			if err != nil {
				return err
			}
			if batch = append(batch, c); len(batch) == size {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	}
	if err := pass(); err != nil {
		return err
	}
	if err := h.parents.Delete(ctx, parent); err != nil {
		return err
	}
	// A child created or moved here after its page was read, but before the
	// parent was deleted, would point at nothing: look once more.
	return pass()
}

// sweepAttrs are the attributes a sweep reads of each child: what its key
// is made of, and its link. Reading no more saves read capacity on large
// items.
func (h *HasMany[P, C]) sweepAttrs() []string {
	var names []string
	for _, a := range identity(h.children.Model()) {
		names = append(names, a.Name)
	}
	for _, l := range h.links {
		if !slices.Contains(names, l.name) {
			names = append(names, l.name)
		}
	}
	return names
}

func (h *HasMany[P, C]) deleteChildren(ctx context.Context, _ P, batch []C, concurrency int) error {
	return h.children.BatchDelete(ctx, batch, &query.BatchOptions{Concurrency: concurrency})
}

// detachChildren removes the link of each child of batch that still points
// at parent. A child that was moved or deleted meanwhile is skipped.
func (h *HasMany[P, C]) detachChildren(ctx context.Context, parent P, batch []C, concurrency int) error {
	linked, err := h.linkedTo(parent)
	if err != nil {
		return err
	}
	return forEach(ctx, len(batch), concurrency, func(ctx context.Context, i int) error {
		// The link condition guards the child; a version check would only
		// fail on unrelated changes.
		setZero(&batch[i], h.children.Model().Version)
		err := h.unlink(batch[i]).If(linked).Run(ctx)
		if errors.Is(err, query.ErrConditionFailed) || errors.Is(err, query.ErrNotFound) {
			return nil
		}
		return err
	})
}

// unlink is the update that removes child's link attributes (and, through
// them, the computed index keys built from them).
func (h *HasMany[P, C]) unlink(child C) *query.Update[C] {
	upd := h.children.Update(child)
	for _, l := range h.links {
		upd = upd.Remove(l.name)
	}
	return upd
}

// linkedTo is the condition that a child's link attributes hold parent's
// key values.
func (h *HasMany[P, C]) linkedTo(parent P) (expression.ConditionBuilder, error) {
	c, err := h.childOf(&parent)
	if err != nil {
		return expression.ConditionBuilder{}, err
	}
	conds := make([]expression.ConditionBuilder, 0, len(h.links))
	for _, l := range h.links {
		v, err := h.children.Model().Value(l.name, &c)
		if err != nil {
			return expression.ConditionBuilder{}, err
		}
		if v == nil {
			return expression.ConditionBuilder{}, fmt.Errorf("relations: link %s: %w", l.name, query.ErrEmptyKey)
		}
		conds = append(conds, expression.NameNoDotSplit(l.name).Equal(expression.Value(v)))
	}
	if len(conds) == 1 {
		return conds[0], nil
	}
	return expression.And(conds[0], conds[1], conds[2:]...), nil
}
