package relations

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"

	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/query"
)

// Policy is what [HasMany.DeleteParent] does with the children of the
// parent it deletes, declared once in [Spec.OnDelete]. The zero value is
// [Restrict].
type Policy int

const (
	// Restrict refuses to delete a parent that has children, with a
	// *[RestrictError].
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

// DeleteOptions adjusts [HasMany.DeleteParent], [ManyToMany.DeleteFrom]
// and [ManyToMany.DeleteTo]. A nil *DeleteOptions means the defaults.
type DeleteOptions struct {
	// Progress, when set, is called after each page of up to 100
	// children ([Cascade]) or transaction of up to 99 ([Detach]), once
	// the parent's counter is kept for them, with the counts so far of
	// this call; for a many-to-many end, after each page of up to 100
	// edges it deleted.
	// It is called from the goroutine that called the delete, never
	// concurrently.
	Progress func(Progress)
}

// chunk is how many children one transaction of a detach writes: DynamoDB's 100 actions, less the parent's counter.
const chunk = dynamokit.MaxTxActions - 1

// Progress is how far a verb that works through the children of a parent
// (or the edges of an end) a page at a time has come: the counts of this
// call so far. [HasMany.DeleteParent], [ManyToMany.DeleteFrom] and
// [ManyToMany.DeleteTo] report it to [DeleteOptions.Progress] and fill
// Done and Skipped; [HasMany.SyncCopies] and [HasMany.UpdateParent] report
// it to [SyncOptions.Progress], fill every field, and return it.
type Progress struct {
	// Done is how many children the call has deleted ([Cascade]),
	// detached ([Detach]) or rewritten with the parent's copies
	// (SyncCopies); for a many-to-many end, how many edges it deleted.
	Done int
	// Skipped is how many children it read but left alone because, when
	// their write came, another writer had moved, unlinked or deleted
	// them meanwhile (for an end, the edges already gone when read
	// again); a child moved to the parent meanwhile got the parent's
	// copies from its own link. Skipping is not an error.
	Skipped int
	// Current is how many children SyncCopies read whose copies were
	// already up to date, and left alone.
	Current int
	// Resume is a token for [SyncOptions.Resume] that continues a
	// SyncCopies after the children done so far; "" when every child is
	// done. A delete needs none: run again, it takes up where it stopped.
	Resume string
}

// maxSweeps bounds how many times [HasMany.DeleteParent] reads the
// children again because the counter says some remain: children the
// eventually consistent child index did not list yet, or children linked
// meanwhile.
const maxSweeps = 10

// DeleteParent deletes parent (only its key fields need be set) under the
// relation's declared policy ([Spec.OnDelete]):
//
//   - [Restrict] first looks for one child in the child index (a Query of
//     one item that reads only keys) and refuses if it finds one, whatever
//     the counter says: children written by a service that does not use
//     dynamokit are not counted, but are seen. Then it deletes the parent
//     with one DeleteItem conditional on its children counter being 0, so
//     no link, relink or create through dynamokit can slip in between.
//     With children it returns a *[RestrictError] matching
//     [ErrHasChildren], naming the child the index listed, after a GetItem
//     that reads how many; when the counter did not count that child, the
//     error also matches [ErrCounterDrift]. A negative counter returns a
//     error matching [ErrCounterDrift]. For a parent item without a counter
//     (written before the relation counted, or through a client without it) it
//     counts the children with a Query and deletes only if there are none,
//     on condition that the counter is still absent: any link in between
//     creates it and fails the delete.
//   - [Cascade] marks the parent as being deleted (an UpdateItem of an
//     attribute named after the counter, child_count_deleting), then
//     reads the children in pages of 100 and deletes each with one
//     DeleteItem conditional on its link to parent, so a child another
//     writer moved or unlinked after it was read is left alone (counted
//     in [Progress.Skipped]); one UpdateItem per page subtracts the
//     children it deleted from the counter. In the multi-table and
//     inverted-index layouts each page is first read again by key,
//     strongly consistent (BatchGetItem), and recorded on the parent
//     (child_count_pending) until it is subtracted, so that a run that
//     died in between is settled exactly by the next. Then it deletes the
//     parent on condition that its counter is 0, and reads the children
//     again if it is not (children linked meanwhile). About 1.02 write
//     units a child, against 2.02 in transactions (docs/relations.md).
//   - [Detach] reads the children and removes their links in
//     transactions of up to 99, each also subtracting their number from
//     the parent's counter, on the same condition; then it deletes the
//     parent as Cascade does.
//
// A parent or child that counts something in other relations declared on
// the same client (the parent of another [HasMany], an end of a
// [ManyToMany]) has those relations' policies applied before it is
// deleted, through the client's [Graph]: the parent itself, and each child
// the Cascade deletes (its own children deleted or unlinked, its edges
// deleted, recursively), a [Restrict] of another relation refusing, with a
// *[RestrictError] or *[RestrictError] naming that relation and the
// item, before that item's other steps write. Such a child then costs its
// steps' requests besides its DeleteItem (docs/relations.md, "Models in
// several relations"). A cascade that leads back to an item it is
// deleting returns [ErrDeleteCycle].
//
// Deleting a parent that does not exist is not an error (so a cascade can
// be re-run after it deleted the parent), and under Cascade and Detach
// its children are still dealt with. A cascade interrupted (a cancelled
// context, a failed request) leaves the parent and the children not yet
// deleted, with a correct counter: the deletes it sent are subtracted
// before it returns. Only a process that dies between a page's deletes
// and its subtraction leaves the counter too high (never too low) by at
// most that page; calling DeleteParent again settles it first, then
// continues, and never subtracts a child twice. A second DeleteParent of
// the same parent started meanwhile takes the cascade over, and the first
// returns an error saying so.
//
// It calls DeleteItem, GetItem, Query, UpdateItem, BatchGetItem and
// TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
func (h *HasMany[P, C]) DeleteParent(ctx context.Context, parent P, opts *DeleteOptions) (rerr error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.DeleteParent", h.parents.TableName())
	defer end(op, &rerr, h, h.parents.TableName())
	ctx = h.own(ctx)
	if _, err := mapping.Must(h.parents.Model()).KeyOf(&parent); err != nil {
		return fmt.Errorf("relations: delete parent: %w", err)
	}
	// The other relations in which the parent counts something apply
	// their policies first; the relation's own Restrict refuses before
	// any of them writes.
	var pre func(context.Context) error
	if h.spec.OnDelete == Restrict {
		pre = restrictFirst(h.parents, parent, h.end(parent))
	}
	ctx, err := composeDelete(ctx, h.parents, parent, h.stepID(), pre)
	if err == nil {
		switch h.spec.OnDelete {
		case Restrict:
			err = h.restrict(ctx, parent)
		case Cascade:
			err = h.cascade(ctx, parent, opts, false)
		case Detach:
			err = h.detach(ctx, parent, opts, false)
		}
	}
	var hc *RestrictError
	if errors.As(err, &hc) {
		return hc // says all there is to say
	}
	if err != nil {
		return fmt.Errorf("relations: delete parent (%v): %w", h.spec.OnDelete, err)
	}
	return nil
}

// restrict is the [Restrict] delete of parent, by the counted-end
// core: see restrictDelete.
func (h *HasMany[P, C]) restrict(ctx context.Context, parent P) error {
	return restrictDelete(ctx, h.parents, parent, h.end(parent))
}

// strongQuery is the children's query, strongly consistent where DynamoDB
// allows it (in the table, not in a global index).
func (h *HasMany[P, C]) strongQuery(parent P) *query.Query[C] {
	if h.spec.Index != "" {
		return h.query(parent)
	}
	c, _ := h.childOf(&parent) // cannot fail: Declare made a child the same way
	return h.children.Consistent().Query(c)
}

// progress is the callback of opts (nil: none).
func (o *DeleteOptions) progress() func(Progress) {
	if o == nil {
		return nil
	}
	return o.Progress
}

// deleteTarget is parent as the sweeps of its children delete it
// (sweepDelete); with keep, it is left with its counter at 0.
func (h *HasMany[P, C]) deleteTarget(parent P, key mapping.Item, keep bool) sweepTarget[P] {
	return sweepTarget[P]{
		table: h.parents, x: parent, end: h.end(parent), items: "children", missing: ErrParentNotFound,
		log:  newSweepLog(h.parents.Client(), h.parents.TableName(), mapping.Must(h.parents.Model()), key, h.spec.Counter),
		keep: keep,
	}
}

// The one-to-many detach ([Detach] in [HasMany.DeleteParent]) is driven
// as every sweep is (sweepDelete), but its pages are transactions: each
// removes the links of up to 99 children, on condition that each still
// points at the parent, and takes their number from the parent's
// counter. It keeps no log on the parent. The counted sweep's log
// (counted_sweep.go) tells the items a stopped run wrote by their being
// gone, which an unlink does not make them: a child the run unlinked and
// one another writer moved or unlinked meanwhile (which took its own -1
// from the counter, and stays allowed during a delete) look the same, so
// a settle would subtract the second twice. In a transaction the counter
// moves with the links, and an interruption leaves it exact, at 2 write
// units a child instead of the sweep's 1.

// detachRun is one call of a one-to-many detach.
type detachRun[P, C any] struct {
	h        *HasMany[P, C]
	parent   P
	linked   query.Cond // a child still points at the parent
	counting bool       // the parent exists with a counter, which the run keeps
	progress func(Progress)
	p        Progress
}

// detach unlinks every child of parent in transactions that keep the
// parent's counter, and deletes the parent once its counter is 0: the
// [Detach] policy. With keep, it leaves the parent with its counter at 0,
// as h.cascade does.
func (h *HasMany[P, C]) detach(ctx context.Context, parent P, opts *DeleteOptions, keep bool) (err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "detach", h.children.TableName())
	defer op.End(&err)
	key, err := mapping.Must(h.parents.Model()).KeyOf(&parent)
	if err != nil {
		return err
	}
	linked, err := h.linkedTo(parent)
	if err != nil {
		return err
	}
	r := &detachRun[P, C]{h: h, parent: parent, linked: linked, progress: opts.progress()}
	return sweepDelete(ctx, h.deleteTarget(parent, key, keep), r)
}

func (r *detachRun[P, C]) begin(_ context.Context, st cascadeState) error {
	r.counting = st.exists // a missing parent has no counter to keep
	return nil
}

func (r *detachRun[P, C]) counts() bool    { return r.counting }
func (r *detachRun[P, C]) zeroed(int) bool { return false }

// pass reads the parent's children and unlinks them chunk by chunk.
func (r *detachRun[P, C]) pass(ctx context.Context) error {
	h := r.h
	batch := make([]C, 0, chunk)
	for c, err := range h.strongQuery(r.parent).Project(h.sweepAttrs()...).All(ctx) {
		if err != nil {
			return err
		}
		setZero(&c, mapping.Must(h.children.Model()).Version)
		if batch = append(batch, c); len(batch) == chunk {
			if err := r.flush(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return r.flush(ctx, batch)
}

// flush unlinks batch in one transaction with the parent's counter,
// retrying without the children whose condition failed (moved away
// meanwhile).
func (r *detachRun[P, C]) flush(ctx context.Context, batch []C) error {
	h := r.h
	for len(batch) > 0 {
		actions := make([]dynamokit.TxAction, 0, len(batch)+1)
		for _, c := range batch {
			actions = append(actions, h.unlink(c).If(r.linked))
		}
		if r.counting {
			actions = append(actions, h.parents.TxAdd(r.parent, h.spec.Counter, -int64(len(batch))))
		}
		err := h.children.Client().WriteTx(ctx, nil, actions...)
		var te *dynamokit.TxError
		if err == nil {
			r.p.Done += len(batch)
			break
		}
		if !errors.As(err, &te) || len(te.Reasons) != len(actions) {
			return err
		}
		if r.counting && te.Reasons[len(batch)].Failed() {
			// The parent was deleted meanwhile: its children are
			// written without a counter from now on.
			r.counting = false
			continue
		}
		kept := batch[:0]
		for i, c := range batch {
			if te.Reasons[i].Failed() {
				r.p.Skipped++
			} else {
				kept = append(kept, c)
			}
		}
		if len(kept) == len(batch) {
			return err // cancelled for another reason, such as a conflict
		}
		batch = kept
	}
	if r.progress != nil {
		r.progress(r.p)
	}
	return nil
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
			return query.Cond{}, fmt.Errorf("relations: link %s: %w", l.name, model.ErrEmptyKey)
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
