package relations

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/workers"
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
	// Progress, when set, is called after each group of up to 100
	// children has been written ([Cascade], [Detach]), with the counts so
	// far of this call. It is called from the goroutine that
	// called Delete, never concurrently.
	Progress func(DeleteProgress)
	// Concurrency is how many write requests run at once; 0 means
	// [DefaultConcurrency]. Each request writes one child.
	Concurrency int
}

// progressEvery is how many children [HasMany.Delete] writes between two
// calls of [DeleteOptions.Progress].
const progressEvery = 100

// DeleteProgress is how far a [HasMany.Delete] has come, as reported to
// [DeleteOptions.Progress].
type DeleteProgress struct {
	// Done is how many children the call has deleted ([Cascade]) or
	// detached ([Detach]).
	Done int
	// Skipped is how many children it read but left alone because, when
	// their write came, they no longer pointed at the parent: another
	// writer moved, detached or deleted them meanwhile. Skipping is not an
	// error.
	Skipped int
}

// Delete deletes parent (only its key fields need be set) and deals with its
// children according to policy:
//
//   - [Restrict] counts the children (one Query per 1 MB of them) and returns
//     a *[HasChildrenError] matching [ErrHasChildren] if there are any;
//     otherwise it deletes the parent.
//   - [Cascade] reads the children page by page and deletes each with a
//     DeleteItem conditional on its link to parent, so a child another
//     writer moved or detached after it was read survives (it is counted
//     in [DeleteProgress.Skipped]); then it deletes the parent, then any
//     child that appeared meanwhile. Interrupted (a cancelled context, a
//     failed request), it leaves the parent and the children not yet
//     deleted; calling it again continues where it stopped.
//   - [Detach] removes the link of every child that still points at parent,
//     one UpdateItem per child, conditional in the same way; then it
//     deletes the parent, then detaches any child that appeared meanwhile.
//     It returns [ErrCannotDetach] in an item collection, before changing
//     anything. It is also safe to run again.
//
// Deleting a parent that does not exist is not an error (so a cascade can
// be re-run after it deleted the parent), and its children are still dealt
// with. None of this is one transaction: see docs/relations.md for what
// can interleave with a delete and what each policy costs.
//
// It calls Query, DeleteItem and UpdateItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
func (h *HasMany[P, C]) Delete(ctx context.Context, parent P, policy Policy, opts *DeleteOptions) error {
	if _, err := mapping.Must(h.parents.Model()).KeyOf(&parent); err != nil {
		return fmt.Errorf("relations: delete: %w", err)
	}
	var err error
	switch policy {
	case Restrict:
		err = h.restrict(ctx, parent)
	case Cascade:
		err = h.sweep(ctx, parent, opts, h.deleteChild)
	case Detach:
		if h.layout == ItemCollection {
			return fmt.Errorf("relations: delete: %w", ErrCannotDetach)
		}
		err = h.sweep(ctx, parent, opts, h.detachChild)
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

// childFunc writes one child, read as a child of the parent being deleted,
// on condition linked: that it still points at that parent. It reports
// whether the child was skipped because the condition failed.
type childFunc[C any] func(ctx context.Context, child C, linked query.Cond) (skipped bool, err error)

// sweep applies write to every child of parent, deletes the parent, and
// sweeps again for children that were added meanwhile.
func (h *HasMany[P, C]) sweep(ctx context.Context, parent P, opts *DeleteOptions, write childFunc[C]) error {
	linked, err := h.linkedTo(parent)
	if err != nil {
		return err
	}
	concurrency := DefaultConcurrency
	var progress func(DeleteProgress)
	if opts != nil {
		if opts.Concurrency > 0 {
			concurrency = opts.Concurrency
		}
		progress = opts.Progress
	}
	var p DeleteProgress
	pass := func() error {
		batch := make([]C, 0, progressEvery)
		skipped := make([]bool, progressEvery)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			err := workers.ForEach(ctx, len(batch), concurrency, func(ctx context.Context, i int) error {
				var err error
				skipped[i], err = write(ctx, batch[i], linked)
				return err
			})
			if err != nil {
				return err
			}
			for _, s := range skipped[:len(batch)] {
				if s {
					p.Skipped++
				} else {
					p.Done++
				}
			}
			batch = batch[:0]
			if progress != nil {
				progress(p)
			}
			return nil
		}
		for c, err := range h.strongQuery(parent).Project(h.sweepAttrs()...).All(ctx) {
			if err != nil {
				return err
			}
			if batch = append(batch, c); len(batch) == progressEvery {
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
	for _, a := range identity(mapping.Must(h.children.Model())) {
		names = append(names, a.Name)
	}
	for _, l := range h.links {
		if !slices.Contains(names, l.name) {
			names = append(names, l.name)
		}
	}
	return names
}

// deleteChild deletes child if it still points at the parent (linked). A
// child that was moved, detached or deleted since it was read is skipped.
// The link condition guards the child; a version check would only fail on
// unrelated changes.
func (h *HasMany[P, C]) deleteChild(ctx context.Context, child C, linked query.Cond) (bool, error) {
	setZero(&child, mapping.Must(h.children.Model()).Version)
	return skippedIf(h.children.Delete(ctx, child, linked))
}

// detachChild removes child's link if it still points at the parent
// (linked), and skips it otherwise.
func (h *HasMany[P, C]) detachChild(ctx context.Context, child C, linked query.Cond) (bool, error) {
	setZero(&child, mapping.Must(h.children.Model()).Version)
	return skippedIf(h.unlink(child).If(linked).Run(ctx))
}

// skippedIf reports whether err is the failed link condition of a child's
// write (the child is missing, or points elsewhere), which is no error.
func skippedIf(err error) (bool, error) {
	if errors.Is(err, query.ErrConditionFailed) || errors.Is(err, query.ErrNotFound) {
		return true, nil
	}
	return false, err
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
// key values, compared as the child's link fields encode them.
func (h *HasMany[P, C]) linkedTo(parent P) (query.Cond, error) {
	c, err := h.childOf(&parent)
	if err != nil {
		return query.Cond{}, err
	}
	cv := reflect.ValueOf(&c).Elem()
	conds := make([]query.Cond, 0, len(h.links))
	for _, l := range h.links {
		v, err := mapping.Must(h.children.Model()).Value(l.name, &c)
		if err != nil {
			return query.Cond{}, err
		}
		if v == nil {
			return query.Cond{}, fmt.Errorf("relations: link %s: %w", l.name, query.ErrEmptyKey)
		}
		fv, err := l.child.FieldOf(cv)
		if err != nil {
			return query.Cond{}, err
		}
		conds = append(conds, query.Name(l.name).Equal(query.Value(fv.Interface())))
	}
	if len(conds) == 1 {
		return conds[0], nil
	}
	return query.And(conds[0], conds[1], conds[2:]...), nil
}
