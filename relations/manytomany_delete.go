package relations

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/query"
)

// The deletes of a many-to-many end: [ManyToMany.DeleteFrom] and
// [ManyToMany.DeleteTo] under Restrict, Detach and Cascade (the
// many-to-many cascade).

// DeleteFrom deletes the From end f (only its key fields need be set)
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
//   - [Cascade] and [Detach] mark f (Link and Unlink refuse a marked
//     end), read f's edges (a strongly consistent Query of the edge
//     table) and delete them a page of up to 100 at a time: the page read
//     again by key and recorded on f, one DeleteItem per edge, one
//     UpdateItem per far end taking its deleted edges from its counter,
//     and one UpdateItem subtracting the page from f's (about 2 write
//     units an edge; see the counted sweep below). Then f is deleted on
//     condition that its counter is 0, reading the edges again if it is
//     not. The other ends are never deleted.
//
// An end that counts something in other relations declared on the
// same client (the parent of a [HasMany], an end of another [ManyToMany])
// has those relations' policies applied first, as [HasMany.DeleteParent]
// describes; its own parent, when it is a child, gets its -1 from that
// relation's write rule in the end's delete.
//
// Deleting an end that does not exist is not an error, and under
// Cascade its remaining edges are still deleted. An interrupted cascade
// leaves f, marked, and the edges not yet deleted; calling it again
// settles what the interrupted run left and continues, and every counter
// is then exact. Until then the counters are never below the edges: a
// run stopped between a page's deletes and its counter updates (a
// process gone) leaves them higher by that page.
//
// It calls DeleteItem, GetItem, Query, BatchGetItem and UpdateItem (and
// TransactWriteItems for a recount).
func (m *ManyToMany[F, T, E]) DeleteFrom(ctx context.Context, f F, opts *DeleteOptions) (err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.DeleteFrom", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	return m.deleteFrom(ctx, f, opts, false)
}

// deleteFrom is [ManyToMany.DeleteFrom]; with keep, it deletes f's edges
// and leaves f with its counter at 0 (compose.go).
func (m *ManyToMany[F, T, E]) deleteFrom(ctx context.Context, f F, opts *DeleteOptions, keep bool) error {
	self := endSide[F, E]{table: m.from, links: m.fromLinks, policy: m.spec.OnDeleteFrom, side: "from", keep: keep}
	other := endSide[T, E]{table: m.to, links: m.toLinks}
	e, err := m.edgeOf(&f, nil, nil)
	if err != nil {
		return fmt.Errorf("relations: delete end: %w", err)
	}
	q := m.edges.Consistent().Query(e)
	return deleteEnd(ctx, m, self, other, f, q, m.fromEnd(f), opts)
}

// DeleteTo deletes the To end t under [EdgeSpec.OnDeleteTo], as
// [ManyToMany.DeleteFrom] does; its edges are read through the reverse
// index, which is eventually consistent: edges the index has not listed
// yet are found by a later pass, since t's counter says they remain.
func (m *ManyToMany[F, T, E]) DeleteTo(ctx context.Context, t T, opts *DeleteOptions) (err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.DeleteTo", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	return m.deleteTo(ctx, t, opts, false)
}

// deleteTo is [ManyToMany.DeleteTo], with keep as for deleteFrom.
func (m *ManyToMany[F, T, E]) deleteTo(ctx context.Context, t T, opts *DeleteOptions, keep bool) error {
	self := endSide[T, E]{table: m.to, links: m.toLinks, policy: m.spec.OnDeleteTo, side: "to", keep: keep}
	other := endSide[F, E]{table: m.from, links: m.fromLinks}
	e, err := m.edgeOf(nil, &t, nil)
	if err != nil {
		return fmt.Errorf("relations: delete end: %w", err)
	}
	q := m.edges.Query(e).Index(m.spec.Index)
	return deleteEnd(ctx, m, self, other, t, q, m.toEnd(t), opts)
}

// endSide is one side of a many-to-many relation, as a delete sees it.
type endSide[X, E any] struct {
	table  *query.Table[X]
	links  []link // X's identifying attributes and the edge's
	policy Policy
	side   string // "from" or "to", naming the relation's delete step
	// keep: delete the edges only, leaving the end with its counter
	// at 0 (the delete step of another relation's verb, compose.go).
	keep bool
}

// deleteEnd deletes x, an end of self's side, under self's
// policy; q reads x's edges, and other is the side at their far end.
func deleteEnd[X, Y, F, T, E any](ctx context.Context, m *ManyToMany[F, T, E], self endSide[X, E], other endSide[Y, E], x X, q *query.Query[E], end countedEnd, opts *DeleteOptions) error {
	ctx = m.own(ctx) // the end's own delete applies the policy itself
	if _, err := mapping.Must(self.table.Model()).KeyOf(&x); err != nil {
		return fmt.Errorf("relations: delete end: %w", err)
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
		err = cascadeEnd(ctx, m, self, other, x, q, end, opts)
	}
	var he *RestrictError
	if errors.As(err, &he) {
		return he
	}
	if err != nil {
		return fmt.Errorf("relations: delete end (%v): %w", self.policy, err)
	}
	return nil
}

// The many-to-many cascade is the counted sweep (counted_sweep.go) of the
// end being deleted, x, with one addition: each edge it deletes takes 1
// from its far end's counter. Per page of up to cascadePage edges:
//
//  1. x is marked (once, before its first page): from then on Link and
//     Unlink refuse x (errEndDeleting), so only a cascade deletes an edge
//     of x;
//  2. the page's edges are read again by key, strongly consistent
//     (BatchGetItem), and only those that exist go on: each existed after
//     the mark;
//  3. their keys, and the key of each one's far end, are recorded on x
//     (one UpdateItem, the pending page);
//  4. each edge is deleted with one DeleteItem conditional on it existing
//     (1 write unit);
//  5. each far end whose edges the page deleted gets one UpdateItem that
//     takes their number from its counter and sets its farTook attribute
//     to the page's id, on condition that the end exists and farTook is
//     not already the page's id (1 write unit per far end, not per edge);
//  6. x's counter gets the page's deletes subtracted, and the pending page
//     is removed (one UpdateItem, on condition that the page is still
//     pending).
//
// A run stopped after 3 (a cancelled context, a failed request, a
// process gone) leaves the page; the next run settles it before anything
// else: each recorded edge that no longer exists was deleted by a
// cascade (it existed after the mark, and only a cascade deletes an edge
// of a marked end), step 5 is sent again for them (a far end whose
// farTook is already the page's id is not taken from twice), then step 6.
// The deletes a run already sent when its context ends are waited for,
// and 5 sent for those known to have applied; after any failed delete
// the page stays recorded (6 is not sent), because a delete sent with a
// context that ended may land after it was read back: the next run's
// settle counts it.
//
// Two cascades whose ends share an edge count it once: each counts only
// the deletes it made. What the log cannot tell apart is a run stopped
// between 3 and 6 whose recorded edge another end's cascade deleted
// meanwhile (the settle counts it a second time), or a far end whose
// farTook another page overwrote between a lost 5 and its settle: both
// need a stopped run and another cascade on the same edge or far end at
// once, and leave a counter too low by what they overlap.
//
// Two cascades of x at once: the later one takes over (marks x, settles
// the earlier one's page) and the earlier one stops at its next write to
// x (errTakenOver). Its deletes that land after the settle read the page
// are taken from their far ends but from x by nobody: x's counter is left
// too high. A From end's edges are listed strongly consistent, so a pass
// that lists none while the counter counts some recounts; a To end's
// cascade reports the edges remaining, naming RecountTo.

// farTook names the attribute of an end that holds the id of the last
// cascade page that took edges from its counter as a far end.
func farTook(counter string) string { return counter + "_took" }

// edgeSweep is one run of the many-to-many cascade of x, an end of self's
// side, whose edges q reads; other is the side at their far ends.
type edgeSweep[X, Y, F, T, E any] struct {
	m        *ManyToMany[F, T, E]
	self     endSide[X, E]
	other    endSide[Y, E]
	x        X
	q        *query.Query[E]
	log      *sweepLog
	counting bool // x exists with a counter, which the run keeps
	marked   bool // x holds this run's mark
	progress func(Progress)
	p        Progress
	taken    int          // what the run subtracted from x's counter
	start    cascadeState // x as the run first read it
	listed   int          // the edges the current pass listed
}

// cascadeEnd deletes x's edges with the counted sweep above, each
// far end's counter taking what the page deleted of its edges, then
// deletes x on condition that its counter is 0 (with keep, leaves x with
// its counter at 0), driven as every sweep is (sweepDelete).
func cascadeEnd[X, Y, F, T, E any](ctx context.Context, m *ManyToMany[F, T, E], self endSide[X, E], other endSide[Y, E], x X, q *query.Query[E], end countedEnd, opts *DeleteOptions) (err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "cascade", m.edges.TableName())
	defer op.End(&err)
	xm := mapping.Must(self.table.Model())
	key, err := xm.KeyOf(&x)
	if err != nil {
		return err
	}
	s := &edgeSweep[X, Y, F, T, E]{
		m: m, self: self, other: other, x: x, q: q,
		log:      newSweepLog(self.table.Client(), self.table.TableName(), xm, key, m.spec.Counter),
		progress: opts.progress(),
	}
	return sweepDelete(ctx, sweepTarget[X]{
		table: self.table, x: x, end: end, items: "edges", missing: ErrEndNotFound,
		log: s.log, marks: true, keep: self.keep,
	}, s)
}

// begin takes x as first read: an earlier run interrupted (or still
// running) is taken over, and its pending page settled before anything
// else.
func (s *edgeSweep[X, Y, F, T, E]) begin(ctx context.Context, st cascadeState) error {
	s.start, s.counting = st, st.exists
	if !st.exists || (st.mark == "" && st.pending == nil) {
		return nil
	}
	if err := s.mark(ctx); err != nil {
		return err
	}
	if st.pending != nil && s.counting {
		return s.settle(ctx, *st.pending)
	}
	return nil
}

func (s *edgeSweep[X, Y, F, T, E]) counts() bool { return s.counting }

// zeroed: x was found with a counter and no earlier run's log, and the
// first pass subtracted all of it: the counter is 0, unless an edge was
// linked before the mark, which the caller's conditional delete of x
// sees (ErrLinkedMeanwhile).
func (s *edgeSweep[X, Y, F, T, E]) zeroed(pass int) bool {
	st := s.start
	clean := st.exists && st.has && st.n >= 0 && st.mark == "" && st.pending == nil
	return clean && pass == 0 && int64(s.taken) == st.n
}

// mark marks x for this run (once).
func (s *edgeSweep[X, Y, F, T, E]) mark(ctx context.Context) error {
	exists, err := s.log.mark(ctx)
	if err != nil {
		return err
	}
	s.counting, s.marked = exists, exists
	return nil
}

// pass reads x's edges and deletes them page by page.
func (s *edgeSweep[X, Y, F, T, E]) pass(ctx context.Context) error {
	// Each edge's delete is conditional on the edge existing; a version
	// check would fail on unrelated changes of its attributes.
	s.listed = 0
	return sweepPages(ctx, s.q.All(ctx), mapping.Must(s.m.edges.Model()).Version, s.page)
}

// listedNone reports that the last pass listed no edge from a list that
// misses none: a From end's, whose edges are read strongly consistent
// from the edge table. A counter above 0 then counts edges that are gone,
// left by two cascades of x at once (see above), and is counted again.
// A To end's edges are listed by the reverse index, which may lag: a
// recount there could miss an edge and leave it dangling.
func (s *edgeSweep[X, Y, F, T, E]) listedNone() bool {
	return s.self.side == "from" && s.listed == 0
}

// keys returns the keys of edges, and of each one's far end.
func (s *edgeSweep[X, Y, F, T, E]) keys(edges []E) (keys, far []mapping.Item, err error) {
	em, ym := mapping.Must(s.m.edges.Model()), mapping.Must(s.other.table.Model())
	keys, far = make([]mapping.Item, len(edges)), make([]mapping.Item, len(edges))
	for i := range edges {
		if keys[i], err = em.KeyOf(&edges[i]); err != nil {
			return nil, nil, err
		}
		y, err := endOf[Y](&edges[i], s.other.links)
		if err != nil {
			return nil, nil, err
		}
		if far[i], err = ym.KeyOf(&y); err != nil {
			return nil, nil, err
		}
	}
	return keys, far, nil
}

// page deletes the edges of batch that still exist, takes them from their
// far ends' counters and from x's.
func (s *edgeSweep[X, Y, F, T, E]) page(ctx context.Context, batch []E) error {
	s.listed += len(batch)
	keys, far, err := s.keys(batch)
	if err != nil {
		return err
	}
	if s.counting && !s.marked {
		// Before the page is read again: every edge of it that still
		// exists then existed after the mark.
		if err := s.mark(ctx); err != nil {
			return err
		}
	}
	em := mapping.Must(s.m.edges.Model())
	found, err := readKeys(ctx, s.m.edges.Client(), s.m.edges.TableName(), em, keys, nil)
	if err != nil {
		return err
	}
	var todo []E
	var tkeys, tfar []mapping.Item
	for i, k := range keys {
		if _, ok := found[mapping.KeyText(k)]; ok {
			todo, tkeys, tfar = append(todo, batch[i]), append(tkeys, k), append(tfar, far[i])
		}
	}
	s.p.Skipped += len(batch) - len(todo)
	if len(todo) == 0 {
		return nil
	}
	id := newToken()
	if s.counting {
		var exists bool
		if id, exists, err = s.log.record(ctx, tkeys, tfar, s.settle); err != nil {
			return err
		}
		if !exists {
			s.counting, id = false, newToken()
		}
	}
	gone, err := s.deleteAll(ctx, todo, tkeys)
	var took []mapping.Item
	for i, g := range gone {
		if g {
			took = append(took, tfar[i])
			s.p.Done++
		}
	}
	// Take what was deleted even when the context ended meanwhile.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cascadeSettleTimeout)
	defer cancel()
	serr := s.takeFar(sctx, took, id)
	// After a failed delete the page stays recorded: a delete sent with a
	// context that ended may still land after it was read back, so only
	// the next run's settle, reading the recorded edges again, knows how
	// many to take from the end (and from the far ends this run did not
	// take from; those it did are left alone by farTook).
	if serr == nil && s.counting && err == nil {
		var exists bool
		exists, serr = s.log.subtract(sctx, len(took), id)
		if !exists {
			s.counting = false // deleted meanwhile
		}
		if serr == nil {
			s.taken += len(took)
		}
	}
	if err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	if s.progress != nil {
		s.progress(s.p)
	}
	return nil
}

// deleteAll deletes each edge of todo (keys: their keys) on condition that
// it exists, cascadeWorkers at a time, and reports which it deleted.
// After a failure it sends no more deletes, waits for those in flight,
// and returns the first failure.
func (s *edgeSweep[X, Y, F, T, E]) deleteAll(ctx context.Context, todo []E, keys []mapping.Item) ([]bool, error) {
	gone := make([]bool, len(todo))
	var (
		next  atomic.Int64
		stop  atomic.Bool
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	workers := cascadeWorkers
	if len(deletePath(ctx)) > 1 {
		workers = 1 // nested in another delete, which has its workers
	}
	own := s.m.own(ctx)
	for range min(workers, len(todo)) {
		wg.Go(func() {
			for !stop.Load() {
				i := next.Add(1) - 1
				if i >= int64(len(todo)) {
					return
				}
				g, err := s.deleteOne(own, todo[i], keys[i])
				gone[i] = g
				if err != nil {
					stop.Store(true)
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for _, g := range gone {
		if !g {
			s.p.Skipped++
		}
	}
	return gone, first
}

// deleteOne deletes edge (key: its key) on condition that it exists, and
// reports whether this run deleted it. A failure that may have been
// applied (a lost answer, a context that ended with the request in
// flight) is settled by reading the edge back: it existed after the mark,
// and only a cascade deletes it since; gone is then reported with the
// error.
func (s *edgeSweep[X, Y, F, T, E]) deleteOne(ctx context.Context, edge E, key mapping.Item) (gone bool, err error) {
	err = s.m.edges.Delete(ctx, edge, s.m.edges.KeyExists())
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, dynamokit.ErrConditionFailed), errors.Is(err, dynamokit.ErrNotFound):
		return false, nil // deleted meanwhile, by the other end's cascade
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cascadeSettleTimeout)
	defer cancel()
	found, rerr := readKeys(rctx, s.m.edges.Client(), s.m.edges.TableName(), mapping.Must(s.m.edges.Model()), []mapping.Item{key}, nil)
	if rerr != nil {
		return false, fmt.Errorf("%w (and reading the edge back: %w)", err, rerr)
	}
	if len(found) > 0 {
		return false, err // not applied
	}
	if errors.Is(err, dynamokit.ErrUnknownOutcome) {
		return true, nil // applied, its answer lost
	}
	return true, err
}

// settle settles a page an earlier run left pending on x: the recorded
// edges that are gone are taken from their far ends (again: a far end
// that the page already took from is left alone) and from x.
func (s *edgeSweep[X, Y, F, T, E]) settle(ctx context.Context, pg pendingPage) error {
	found, err := readKeys(ctx, s.m.edges.Client(), s.m.edges.TableName(), mapping.Must(s.m.edges.Model()), pg.keys, nil)
	if err != nil {
		return err
	}
	var took []mapping.Item
	for i, k := range pg.keys {
		if _, ok := found[mapping.KeyText(k)]; !ok && i < len(pg.far) {
			took = append(took, pg.far[i])
		}
	}
	if err := s.takeFar(ctx, took, pg.id); err != nil {
		return err
	}
	return s.log.closePage(ctx, pg, len(took))
}

// takeFar takes, from each far end in far, the number of times it is
// listed, with one UpdateItem per far end on condition that it exists
// and that page id has not taken from it yet (farTook); a far end that
// no longer exists is skipped (an edge written around the relation).
func (s *edgeSweep[X, Y, F, T, E]) takeFar(ctx context.Context, far []mapping.Item, id string) error {
	counts := map[string]int{}
	var order []mapping.Item
	for _, k := range far {
		t := mapping.KeyText(k)
		if counts[t] == 0 {
			order = append(order, k)
		}
		counts[t]++
	}
	ym := mapping.Must(s.other.table.Model())
	counter, took := expression.NameNoDotSplit(s.m.spec.Counter), expression.NameNoDotSplit(farTook(s.m.spec.Counter))
	cond := entityExists(ym).And(expression.Or(expression.AttributeNotExists(took), took.NotEqual(expression.Value(id))))
	for _, k := range order {
		upd := expression.Add(counter, expression.Value(-counts[mapping.KeyText(k)])).Set(took, expression.Value(id))
		expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
		if err != nil {
			return err
		}
		in := &dynamodb.UpdateItemInput{
			TableName: aws.String(s.other.table.TableName()), Key: k,
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		}
		for try := 0; ; try++ {
			_, err = s.other.table.Client().Executor().UpdateItem(ctx, in)
			var ccf *types.ConditionalCheckFailedException
			switch {
			case errors.As(err, &ccf):
				err = nil // gone, or already taken by this page
			case errors.Is(err, dynamokit.ErrUnknownOutcome) && try < 2:
				continue // the same write again: farTook makes it once
			}
			break
		}
		if err != nil {
			return fmt.Errorf("relations: take %d edges from the counter of %s: %w", counts[mapping.KeyText(k)], mapping.KeyText(k), err)
		}
	}
	return nil
}
