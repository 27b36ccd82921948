package relations

import (
	"context"
	"errors"
	"fmt"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/query"
)

// The deletes of a many-to-many end: [ManyToMany.DeleteFrom] and
// [ManyToMany.DeleteTo] under Restrict, Detach and Cascade (the
// many-to-many cascade).

// DeleteFrom deletes the From endpoint f (only its key fields need be set)
// under [EdgeSpec.OnDeleteFrom]:
//
//   - [Restrict] first looks for one of f's edges (a Query of one item
//     that reads only keys) and refuses if it finds one, whatever the
//     counter says, naming it in the error (which also matches
//     [ErrCounterDrift] when the counter did not count it: an edge written
//     around the relation). Then it deletes f with one DeleteItem
//     conditional on its edge counter being 0, so no link can slip in
//     between; with edges it returns a *[RestrictError] matching
//     [ErrHasEdges], after a GetItem that reads how many. An item without a counter (never linked, or
//     replaced by a plain Put, which drops it) has its edges counted with
//     a Query, and is deleted only if there are none, on condition that
//     its counter is still absent, which any link would end.
//   - [Cascade] and [Detach] read f's edges (a strongly consistent Query
//     of the edge table) and delete them in transactions of up to 49
//     edges, each also subtracting 1 from the other endpoint's counter and
//     their number from f's, then delete f on condition that its counter
//     is 0, reading the edges again if it is not (edges linked meanwhile).
//     The other endpoints are never deleted.
//
// An endpoint that counts something in other relations declared on the
// same client (the parent of a [HasMany], an end of another [ManyToMany])
// has those relations' policies applied first, as [HasMany.DeleteParent]
// describes; its own parent, when it is a child, gets its -1 from that
// relation's write rule in the endpoint's delete.
//
// Deleting an endpoint that does not exist is not an error, and under
// Cascade its remaining edges are still deleted. An interrupted cascade
// leaves f and the edges not yet deleted, with correct counters; calling
// it again continues.
//
// It calls DeleteItem, GetItem, Query and TransactWriteItems.
func (m *ManyToMany[F, T, E]) DeleteFrom(ctx context.Context, f F, opts *DeleteOptions) (err error) {
	ctx, op := m.edges.Client().StartOperation(ctx, "ManyToMany.DeleteFrom", m.edges.TableName())
	defer op.End(&err)
	return m.deleteFrom(ctx, f, opts, false)
}

// deleteFrom is [ManyToMany.DeleteFrom]; with keep, it deletes f's edges
// and leaves f with its counter at 0 (compose.go).
func (m *ManyToMany[F, T, E]) deleteFrom(ctx context.Context, f F, opts *DeleteOptions, keep bool) error {
	self := endpoint[F, E]{table: m.from, links: m.fromLinks, policy: m.spec.OnDeleteFrom, side: "from", keep: keep}
	other := endpoint[T, E]{table: m.to, links: m.toLinks}
	e, err := m.edgeOf(&f, nil, nil)
	if err != nil {
		return fmt.Errorf("relations: delete endpoint: %w", err)
	}
	q := m.edges.Consistent().Query(e)
	return deleteEndpoint(ctx, m, self, other, f, q, m.fromEnd(f), opts)
}

// DeleteTo deletes the To endpoint t under [EdgeSpec.OnDeleteTo], as
// [ManyToMany.DeleteFrom] does; its edges are read through the reverse
// index, which is eventually consistent: edges the index has not listed
// yet are found by a later pass, since t's counter says they remain.
func (m *ManyToMany[F, T, E]) DeleteTo(ctx context.Context, t T, opts *DeleteOptions) (err error) {
	ctx, op := m.edges.Client().StartOperation(ctx, "ManyToMany.DeleteTo", m.edges.TableName())
	defer op.End(&err)
	return m.deleteTo(ctx, t, opts, false)
}

// deleteTo is [ManyToMany.DeleteTo], with keep as for deleteFrom.
func (m *ManyToMany[F, T, E]) deleteTo(ctx context.Context, t T, opts *DeleteOptions, keep bool) error {
	self := endpoint[T, E]{table: m.to, links: m.toLinks, policy: m.spec.OnDeleteTo, side: "to", keep: keep}
	other := endpoint[F, E]{table: m.from, links: m.fromLinks}
	e, err := m.edgeOf(nil, &t, nil)
	if err != nil {
		return fmt.Errorf("relations: delete endpoint: %w", err)
	}
	q := m.edges.Query(e).Index(m.spec.Index)
	return deleteEndpoint(ctx, m, self, other, t, q, m.toEnd(t), opts)
}

// endpoint is one side of a many-to-many relation, as a delete sees it.
type endpoint[X, E any] struct {
	table  *query.Table[X]
	links  []link // X's identifying attributes and the edge's
	policy Policy
	side   string // "from" or "to", naming the relation's delete step
	// keep: delete the edges only, leaving the endpoint with its counter
	// at 0 (the delete step of another relation's verb, compose.go).
	keep bool
}

// deleteEndpoint deletes x, an endpoint of self's side, under self's
// policy; q reads x's edges, and other is the side at their far end.
func deleteEndpoint[X, Y, F, T, E any](ctx context.Context, m *ManyToMany[F, T, E], self endpoint[X, E], other endpoint[Y, E], x X, q *query.Query[E], end countedEnd, opts *DeleteOptions) error {
	ctx = m.own(ctx) // the end's own delete applies the policy itself
	if _, err := mapping.Must(self.table.Model()).KeyOf(&x); err != nil {
		return fmt.Errorf("relations: delete endpoint: %w", err)
	}
	var err error
	if !self.keep {
		// The other relations in which x counts something apply their
		// policies first; this relation's Restrict refuses before any of
		// them writes.
		var pre func(context.Context) error
		if self.policy == Restrict {
			pre = restrictFirst(self.table, x, end)
		}
		ctx, err = composeDelete(ctx, self.table, x, m.endStepID(self.side), pre)
	}
	switch {
	case err != nil:
	case self.policy == Restrict:
		err = restrictDelete(ctx, self.table, x, end)
	default:
		err = cascadeEndpoint(ctx, m, self, other, x, q, end, opts)
	}
	var he *RestrictError
	if errors.As(err, &he) {
		return he
	}
	if err != nil {
		return fmt.Errorf("relations: delete endpoint (%v): %w", self.policy, err)
	}
	return nil
}

// zeroEdges is the condition that an endpoint's counter is 0.
func zeroEdges(counter string) query.Cond {
	return query.Path(counter).Equal(query.Value(0))
}

// cascadeEndpoint deletes x's edges in transactions that keep both
// endpoints' counters, and deletes x once its counter is 0.
func cascadeEndpoint[X, Y, F, T, E any](ctx context.Context, m *ManyToMany[F, T, E], self endpoint[X, E], other endpoint[Y, E], x X, q *query.Query[E], end countedEnd, opts *DeleteOptions) (err error) {
	ctx, op := m.edges.Client().StartOperation(ctx, "cascade", m.edges.TableName())
	defer op.End(&err)
	var counting bool    // x exists with a counter, which the writes keep
	var subtracted int64 // what the writes of this pass took from x's counter
	var progress func(DeleteProgress)
	if opts != nil {
		progress = opts.Progress
	}
	em := mapping.Must(m.edges.Model())
	var p DeleteProgress
	flush := func(batch []E) error {
		// far[i]: whether the far endpoint of batch[i] gets its -1; false
		// once it turned out missing (an edge written around the relation).
		far := make([]bool, len(batch))
		for i := range far {
			far[i] = true
		}
		for len(batch) > 0 {
			actions := make([]dynamokit.TxAction, 0, 2*len(batch)+1)
			at := make([]int, len(batch)) // position of batch[i]'s far -1, or -1
			for i, e := range batch {
				actions = append(actions, m.edges.TxDelete(e, m.edges.KeyExists()))
				at[i] = -1
				if far[i] {
					y, err := endpointOf[Y](&e, other.links)
					if err != nil {
						return err
					}
					at[i] = len(actions)
					actions = append(actions, other.table.TxAdd(y, m.spec.Counter, -1))
				}
			}
			if counting {
				actions = append(actions, self.table.TxAdd(x, m.spec.Counter, -int64(len(batch))))
			}
			err := m.edges.Client().WriteTx(m.own(ctx), nil, actions...)
			if err == nil {
				p.Done += len(batch)
				if counting {
					subtracted += int64(len(batch))
				}
				break
			}
			var te *dynamokit.TxError
			if !errors.As(err, &te) || len(te.Reasons) < len(actions) {
				return err
			}
			if counting && te.Reasons[len(actions)-1].Failed() {
				counting = false // x was deleted meanwhile
				continue
			}
			changed := false
			keptB, keptF := batch[:0], far[:0]
			pos := 0
			for i := range batch {
				edgeFailed := te.Reasons[pos].Failed()
				farFailed := at[i] >= 0 && te.Reasons[at[i]].Failed()
				pos++
				if at[i] >= 0 {
					pos++
				}
				switch {
				case edgeFailed:
					p.Skipped++ // unlinked meanwhile
					changed = true
					continue
				case farFailed:
					changed = true
					keptB, keptF = append(keptB, batch[i]), append(keptF, false)
					continue
				}
				keptB, keptF = append(keptB, batch[i]), append(keptF, far[i])
			}
			if !changed {
				return err // cancelled for another reason, such as a conflict
			}
			batch, far = keptB, keptF
		}
		if progress != nil {
			progress(p)
		}
		return nil
	}
	pass := func() error {
		batch := make([]E, 0, edgeChunk)
		for e, err := range q.All(ctx) {
			if err != nil {
				return err
			}
			// The edge's delete is conditional on the edge existing; a
			// version check would fail on unrelated changes of its
			// attributes.
			setZero(&e, em.Version)
			if batch = append(batch, e); len(batch) == edgeChunk {
				if err := flush(batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		return flush(batch)
	}
	for range maxSweeps {
		// An item without a counter (replaced by a plain Put, which drops
		// it) has its edges deleted without one, and is deleted on
		// condition that no link has started one meanwhile.
		c, err := readCount(ctx, self.table, x, m.spec.Counter)
		if err != nil {
			return err
		}
		if c.has && c.n < 0 {
			// Drifted (edges deleted around the relation): count again,
			// so that the decrements end at 0.
			if _, err := recountEnd(ctx, self.table, x, end, ErrEndpointNotFound); err != nil && !errors.Is(err, ErrEndpointNotFound) {
				return err
			}
			if c, err = readCount(ctx, self.table, x, m.spec.Counter); err != nil {
				return err
			}
		}
		counting, subtracted = c.has, 0
		if err := pass(); err != nil {
			return err
		}
		if !c.exists {
			return nil // no endpoint to delete
		}
		if self.keep {
			if counting && subtracted == c.n {
				// The counter read is now 0, unless an edge was linked
				// meanwhile, which the caller's conditional delete of x
				// sees (ErrLinkedMeanwhile): no need to read it again.
				return nil
			}
			after, err := readCount(ctx, self.table, x, m.spec.Counter)
			if err != nil || !after.exists || !after.has || after.n == 0 {
				return err
			}
			continue // linked meanwhile, or not yet listed by the index
		}
		cond := zeroEdges(m.spec.Counter)
		if !c.has {
			cond = query.Path(m.spec.Counter).AttributeNotExists()
		}
		failed, err := deleteCountedIf(ctx, self.table, x, cond)
		if !failed {
			return err
		}
	}
	return fmt.Errorf("edges remain after %d passes (the reverse index may lag, or edges keep being linked)", maxSweeps)
}
