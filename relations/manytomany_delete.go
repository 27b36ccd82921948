package relations

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
// is then exact. Until then an end that survives never counts fewer
// edges than it has: a run stopped between a page's deletes and its
// counter updates (a process gone) leaves the counters higher by that
// page. Only when both ends of an edge are deleted at once can each
// count one too few, which its own cascade recounts (docs/relations.md,
// "Cascade").
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
//  5. each far end whose edges the page deleted is read, and gets one
//     UpdateItem that takes their number from its counter and puts the
//     page's id at the head of its farTook list, on condition that the
//     list is as read (1 write unit per far end, not per edge; see
//     takeOne);
//  6. x's counter gets the page's deletes subtracted, and the pending page
//     is removed (one UpdateItem, on condition that the page is still
//     pending).
//
// A run stopped after 3 (a cancelled context, a failed request, a
// process gone) leaves the page; the next run settles it before anything
// else: each recorded edge that no longer exists was deleted by a
// cascade (it existed after the mark, and only a cascade deletes an edge
// of a marked end), step 5 is sent again for them (a far end whose
// farTook lists the page's id is not taken from twice), then step 6.
// The deletes a run already sent when its context ends are waited for,
// and 5 sent for those known to have applied; after any failed delete
// the page stays recorded (6 is not sent), because a delete sent with a
// context that ended may land after it was read back: the next run's
// settle counts it.
//
// Two cascades whose ends share an edge count it once: each counts only
// the deletes it made. What the log cannot tell is who deleted an edge
// when both its ends are being deleted: a run stopped between 3 and 6
// whose recorded edge the other end's cascade deleted meanwhile, or an
// edge delete refused (the other cascade deleted it first) whose answer
// was lost, read back as gone. Both cascades count it, and both ends,
// which are being deleted, are left a counter too low by one, recounted
// when read below 0. No end that survives is touched.
//
// Two cascades of x at once: the later one takes over (marks x, settles
// the earlier one's page) and the earlier one stops at its next write to
// x (errTakenOver). Its deletes that land after the settle read the page
// are taken from their far ends but from x by nobody: x's counter is left
// too high. A From end's edges are listed strongly consistent, so a pass
// that lists none while the counter counts some recounts; a To end's
// cascade reports the edges remaining, naming RecountTo.

// farTook names the attribute of an end that lists the ids of the last
// cascade pages that took edges from its counter as a far end, newest
// first (farTookDepth of them).
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

// farTookDepth is how many page ids a far end keeps in farTook, newest
// first: a take whose answer was lost is known applied when its id is
// among them, unless farTookDepth other pages took from the end in
// between.
const farTookDepth = 8

// farTaken is a far end as a take reads it (strongly consistent): whether
// it exists, and its farTook list with the value as stored, for the
// condition of the next take.
type farTaken struct {
	exists bool
	took   []string
	stored types.AttributeValue // farTook as stored; nil: none
}

// readFars reads the far ends with keys ks (at most 100) in one strongly
// consistent BatchGetItem, by their key text.
func (s *edgeSweep[X, Y, F, T, E]) readFars(ctx context.Context, ks []mapping.Item) (map[string]farTaken, error) {
	found, err := readKeys(ctx, s.other.table.Client(), s.other.table.TableName(), mapping.Must(s.other.table.Model()), ks, []string{farTook(s.m.spec.Counter)})
	if err != nil {
		return nil, err
	}
	out := make(map[string]farTaken, len(found))
	for k, item := range found {
		out[k] = s.farOf(item)
	}
	return out, nil
}

// farOf is a far end as read (it exists).
func (s *edgeSweep[X, Y, F, T, E]) farOf(item mapping.Item) farTaken {
	st := farTaken{exists: true, stored: item[farTook(s.m.spec.Counter)]}
	switch v := st.stored.(type) {
	case *types.AttributeValueMemberL:
		for _, x := range v.Value {
			if id, ok := x.(*types.AttributeValueMemberS); ok {
				st.took = append(st.took, id.Value)
			}
		}
	case *types.AttributeValueMemberS:
		st.took = []string{v.Value} // one id, as ends kept it before the list
	}
	return st
}

// readFar reads the far end with key k again.
func (s *edgeSweep[X, Y, F, T, E]) readFar(ctx context.Context, k mapping.Item) (farTaken, error) {
	found, err := s.readFars(ctx, []mapping.Item{k})
	return found[mapping.KeyText(k)], err
}

// takeFar takes, from each far end in far, the number of times it is
// listed, once for page id (see takeOne); the far ends are read first,
// in one BatchGetItem, and a far end that no longer exists is skipped
// (an edge written around the relation).
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
	if len(order) == 0 {
		return nil
	}
	read, err := s.readFars(ctx, order)
	if err != nil {
		return fmt.Errorf("relations: read the far ends: %w", err)
	}
	for _, k := range order {
		t := mapping.KeyText(k)
		if err := s.takeOne(ctx, k, counts[t], id, read[t]); err != nil {
			return fmt.Errorf("relations: take %d edges from the counter of %s: %w", counts[t], t, err)
		}
	}
	return nil
}

// takeOne takes n from the counter of the far end with key k, once for
// page id. st is the end as takeFar read it: an end whose farTook lists id
// was taken from by this page (a resend, or the settle of a stopped run),
// and is left alone. Otherwise one UpdateItem takes n and puts id at the
// head of farTook, on condition that farTook is still as read, so that
// what the end holds tells for certain whether the take applied: after a
// lost answer the end is read again, and the take was applied if id is
// listed, and was not if the id that headed the list before it is still
// listed without it. Another page's take in between makes the condition
// fail, and the end is read (a strongly consistent GetItem) and taken
// from again.
func (s *edgeSweep[X, Y, F, T, E]) takeOne(ctx context.Context, k mapping.Item, n int, id string, st farTaken) error {
	ym := mapping.Must(s.other.table.Model())
	counter, took := expression.NameNoDotSplit(s.m.spec.Counter), expression.NameNoDotSplit(farTook(s.m.spec.Counter))
	const tries = 50 // far ends many cascades take from at once
	known := true    // st is the end as it is now, as far as this run knows
	for range tries {
		if !known {
			var err error
			if st, err = s.readFar(ctx, k); err != nil {
				return err
			}
		}
		known = false
		if !st.exists || slices.Contains(st.took, id) {
			return nil // gone (an edge written around the relation), or taken
		}
		list := []types.AttributeValue{&types.AttributeValueMemberS{Value: id}}
		for _, t := range st.took[:min(len(st.took), farTookDepth-1)] {
			list = append(list, &types.AttributeValueMemberS{Value: t})
		}
		cond := entityExists(ym).And(expression.AttributeNotExists(took))
		if st.stored != nil {
			cond = entityExists(ym).And(took.Equal(expression.Value(st.stored)))
		}
		upd := expression.Add(counter, expression.Value(-n)).Set(took, expression.Value(&types.AttributeValueMemberL{Value: list}))
		expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
		if err != nil {
			return err
		}
		_, err = s.other.table.Client().Executor().UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(s.other.table.TableName()), Key: k,
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		})
		var ccf *types.ConditionalCheckFailedException
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ccf):
			continue // another page took meanwhile, or the end is gone: read again
		case !errors.Is(err, dynamokit.ErrUnknownOutcome):
			return err
		}
		now, rerr := s.readFar(ctx, k)
		switch {
		case rerr != nil:
			return fmt.Errorf("%w (and reading the end back: %w)", err, rerr)
		case !now.exists || slices.Contains(now.took, id):
			return nil // applied (or the end is gone)
		case len(st.took) > 0 && slices.Contains(now.took, st.took[0]),
			len(st.took) == 0 && len(now.took) < farTookDepth:
			// Not applied: had it been, id would be listed, before
			// st.took[0] when there was one.
			st, known = now, true
			continue
		}
		return fmt.Errorf("%w: %d other cascades took from the end before it was read back, so whether this one did is unknown: run the delete again, and ManyToMany.Recount%s on the end if its counter is wrong", err, farTookDepth, map[string]string{"from": "From", "to": "To"}[s.other.side])
	}
	return fmt.Errorf("the end's %s kept changing over %d attempts (other cascades taking from it)", farTook(s.m.spec.Counter), tries)
}
