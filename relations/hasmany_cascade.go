package relations

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/query"
)

// The one-to-many cascade ([Cascade] in [HasMany.DeleteParent]).
//
// A child is deleted with one DeleteItem conditional on its link to the
// parent (1 write unit), not in a transaction (2 per action). The parent's
// children counter is kept by one UpdateItem per page of up to
// cascadePage children that subtracts the children that page deleted.
// What keeps that exact:
//
//   - The parent is marked (cascadeMark, one UpdateItem) before its first
//     child is deleted, with a token of the run. Every later write of the
//     run to the parent is conditional on the mark holding its token, so a
//     second DeleteParent of the same parent takes over and the first
//     stops (errTakenOver) before writing the counter again. The link
//     rules refuse a link to a marked parent and a delete of one of its
//     children by anyone else (see cascadeMark).
//   - A page subtracts what it deleted: a delete that succeeded is the
//     run's; one whose condition failed (the child was moved, unlinked or
//     deleted meanwhile) is not, as the writer that did it kept the counter.
//   - In the layouts with a child index (multi-table, inverted index), a
//     page's children are first read again, strongly consistent, by key
//     (BatchGetItem): only those that exist and still point at the parent
//     go on. Their keys are recorded on the parent (cascadePending, the
//     same UpdateItem that would otherwise be needed, on condition that no
//     other page is pending) before the deletes, and the subtraction
//     removes the record, on condition that it is still this page's. A
//     run interrupted between the deletes and the subtraction (a crash, a
//     failed request) leaves the record; the next run settles it: every
//     recorded child that no longer exists was deleted by a cascade of the
//     parent (it existed after the mark, and nobody else may delete it),
//     and is subtracted once, on condition that the record is still there.
//     A delete whose response is lost ([dynamokit.ErrUnknownOutcome]) is
//     settled the same way at once, with a strongly consistent GetItem.
//   - In an item collection the children are read strongly consistent in
//     the first place, so the counter can be recounted exactly: a run that
//     finds the parent marked by an earlier run recounts it (a Query that
//     counts, and a write only when it differs), and so does a run whose
//     final delete finds the counter above 0 once no child is listed. A
//     lost delete response is then left to that recount.
//
// The parent is deleted, as before, on condition that its counter is 0.

// cascadePage is how many children one page of a cascade deletes and
// subtracts from the counter at once: the keys of one BatchGetItem.
const cascadePage = 100

// cascadeWorkers bounds how many DeleteItem requests of one page a
// cascade has in flight.
const cascadeWorkers = 8

// cascadeSettleTimeout bounds the writes a cascade still makes, after its
// context ended, to subtract what it deleted.
const cascadeSettleTimeout = 30 * time.Second

// cascadeMark names the attribute of a counted item (a parent) that says a
// cascade is deleting it, holding the token of the run: the counter's name
// followed by "_deleting" (child_count_deleting). It stays until the item
// is deleted; a DeleteParent run again continues the cascade.
//
// The link rules must refuse, while it exists:
//   - a link to the item: the +1 on its counter carries the condition
//     attribute_not_exists(<counter>_deleting);
//   - a delete, by anyone but the cascade, of a child linked to it (in the
//     multi-table and inverted-index layouts): the -1 on its counter that
//     accompanies the delete of a child item carries the same condition.
//     Moving or unlinking a child stays allowed: the child survives.
func cascadeMark(counter string) string { return counter + "_deleting" }

// cascadePending names the attribute of a counted item that records the
// page of children a cascade is deleting (a map: id, and keys, the list of
// their keys), until the page's deletes are subtracted from the counter.
func cascadePending(counter string) string { return counter + "_pending" }

// errTakenOver is what a cascade run returns when another run of the same
// item's delete (a parent's, or a many-to-many end's) has marked the item
// since: the other run continues.
var errTakenOver = errors.New("another cascade of this item took over (the same delete called again meanwhile)")

// cascadeRun is one call of a cascade.
type cascadeRun[P, C any] struct {
	h        *HasMany[P, C]
	parent   P
	key      mapping.Item // the parent's key
	linked   query.Cond   // a child still points at the parent
	links    mapping.Item // the link attributes of the parent's children
	log      *sweepLog    // the run's log on the parent: its mark, its pending page
	marked   bool         // the parent holds this run's mark
	counting bool         // the parent exists with a counter, which the run keeps
	verify   bool         // pages are read again and recorded (child index layouts)
	start    cascadeState // the parent as the run first read it
	progress func(Progress)
	p        Progress
}

// cascade deletes every child of parent, then parent, as described above,
// driven as every sweep is (sweepDelete). With keep, it leaves parent,
// marked, with its counter at 0: the delete step of the relation when
// another relation's verb deletes parent (compose.go), which deletes it
// itself.
func (h *HasMany[P, C]) cascade(ctx context.Context, parent P, opts *DeleteOptions, keep bool) (err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "cascade", h.children.TableName())
	defer op.End(&err)
	pm, cm := mapping.Must(h.parents.Model()), mapping.Must(h.children.Model())
	if err := sweepAttrsFree(pm, h.spec.Counter, h.describe()); err != nil {
		return err
	}
	key, err := pm.KeyOf(&parent)
	if err != nil {
		return err
	}
	linked, err := h.linkedTo(parent)
	if err != nil {
		return err
	}
	c, err := h.childOf(&parent)
	if err != nil {
		return err
	}
	links := make(mapping.Item, len(h.links))
	for _, l := range h.links {
		if links[l.name], err = cm.Value(l.name, &c); err != nil {
			return err
		}
	}
	t := h.deleteTarget(parent, key, keep)
	t.marks = true
	// In an item collection a lost answer may leave the counter high: the
	// children are counted exactly there (strongly consistent).
	t.recountEach = h.spec.Layout == ItemCollection
	r := &cascadeRun[P, C]{
		h: h, parent: parent, key: key, linked: linked, links: links,
		log: t.log, verify: h.spec.Layout != ItemCollection, progress: opts.progress(),
	}
	return sweepDelete(ctx, t, r)
}

// begin takes the parent as first read: an earlier run interrupted (or
// still running) is taken over, and its pending page settled before any
// recount.
func (r *cascadeRun[P, C]) begin(ctx context.Context, st cascadeState) error {
	r.start, r.counting = st, st.exists
	if st.exists && (st.mark != "" || st.pending != nil) {
		return r.takeOver(ctx, st)
	}
	return nil
}

func (r *cascadeRun[P, C]) counts() bool { return r.counting }

// zeroed: a parent found with no children and no earlier run's log, with
// nothing done since, has its counter at 0; a child linked since fails
// the caller's conditional delete (ErrLinkedMeanwhile).
func (r *cascadeRun[P, C]) zeroed(int) bool {
	return r.p == (Progress{}) && r.start.has && r.start.n == 0 && r.start.mark == "" && r.start.pending == nil
}

// pass reads the parent's children and deletes them page by page.
func (r *cascadeRun[P, C]) pass(ctx context.Context) error {
	h := r.h
	// The link condition guards each child; a version check would only
	// fail on unrelated changes.
	return sweepPages(ctx, h.strongQuery(r.parent).Project(h.sweepAttrs()...).All(ctx), mapping.Must(h.children.Model()).Version, r.page)
}

// page deletes the children of batch that still point at the parent, and
// subtracts them from its counter.
func (r *cascadeRun[P, C]) page(ctx context.Context, batch []C) error {
	if r.counting && !r.marked {
		if err := r.mark(ctx); err != nil {
			return err
		}
	}
	todo := batch
	var id string
	if r.counting && r.verify {
		var err error
		if todo, err = r.stillLinked(ctx, batch); err != nil {
			return err
		}
		r.p.Skipped += len(batch) - len(todo)
		if len(todo) > 0 {
			if id, err = r.record(ctx, todo); err != nil {
				return err
			}
		}
	}
	var deleted int
	var err error
	if per := r.perTx(); per > 0 {
		deleted, err = r.deleteInTx(ctx, todo, per)
	} else {
		deleted, err = r.deleteAll(ctx, todo)
	}
	r.p.Done += deleted
	// Subtract what was deleted even when a delete failed; but when the
	// context ended with deletes in flight, a recorded page stays for the
	// next run's settle, which reads its children again: a delete sent
	// with a context that ended may land after this run gave up on it.
	if r.counting && (err == nil || id == "" || ctx.Err() == nil) {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cascadeSettleTimeout)
		serr := r.subtract(sctx, deleted, id)
		cancel()
		if err == nil {
			err = serr
		}
	}
	if err != nil {
		return err
	}
	if r.progress != nil {
		r.progress(r.p)
	}
	return nil
}

// deleteAll deletes each child of todo on condition that it still points
// at the parent, cascadeWorkers at a time, and returns how many it
// deleted. After a failure it sends no more deletes, waits for those in
// flight, and returns the first failure with the count.
func (r *cascadeRun[P, C]) deleteAll(ctx context.Context, todo []C) (int, error) {
	if len(todo) == 0 {
		return 0, nil
	}
	var (
		next, deleted, skipped atomic.Int64
		stop                   atomic.Bool
		mu                     sync.Mutex
		first                  error
		wg                     sync.WaitGroup
	)
	workers := cascadeWorkers
	if len(deletePath(ctx)) > 1 {
		// A cascade nested in another delete (compose.go): the outer one
		// already has its workers.
		workers = 1
	}
	for range min(workers, len(todo)) {
		wg.Go(func() {
			for !stop.Load() {
				i := next.Add(1) - 1
				if i >= int64(len(todo)) {
					return
				}
				gone, skip, err := r.deleteOne(ctx, todo[i])
				switch {
				case err != nil:
					stop.Store(true)
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				case gone:
					deleted.Add(1)
				case skip:
					skipped.Add(1)
				}
			}
		})
	}
	wg.Wait()
	r.p.Skipped += int(skipped.Load())
	return int(deleted.Load()), first
}

// deleteOne deletes child on condition that it still points at the
// parent. gone: this run deleted it; skip: it no longer pointed at the
// parent (moved, unlinked or deleted by another writer). Neither, with no
// error: the outcome was lost and the child is left to a later pass (in
// an item collection, to the recount).
func (r *cascadeRun[P, C]) deleteOne(ctx context.Context, child C) (gone, skip bool, err error) {
	// The relations in which the child counts something (its own
	// children, its edges) apply their policies first (compose.go).
	dctx, err := composeDelete(ctx, r.h.children, child, stepID{}, nil)
	if err != nil {
		return false, false, err
	}
	err = r.h.children.Delete(dctx, child, r.linked)
	switch {
	case err == nil:
		return true, false, nil
	case errors.Is(err, ErrLinkedMeanwhile):
		return false, false, nil // linked to meanwhile: a later pass applies the policies again
	case errors.Is(err, dynamokit.ErrConditionFailed), errors.Is(err, dynamokit.ErrNotFound):
		return false, true, nil
	case !errors.Is(err, dynamokit.ErrUnknownOutcome):
		return false, false, err
	case !r.verify || !r.counting:
		return false, false, nil
	}
	// The child existed and pointed at the parent after the mark, and only
	// a cascade of the parent may delete it since: if it is gone, the
	// delete was applied.
	k, kerr := mapping.Must(r.h.children.Model()).KeyOf(&child)
	if kerr != nil {
		return false, false, kerr
	}
	found, rerr := r.readChildren(ctx, []mapping.Item{k})
	if rerr != nil {
		return false, false, fmt.Errorf("%w (and reading the child back: %w)", err, rerr)
	}
	return len(found) == 0, false, nil
}

// stillLinked reads batch again by key, strongly consistent, and returns
// the children that exist and still point at the parent.
func (r *cascadeRun[P, C]) stillLinked(ctx context.Context, batch []C) ([]C, error) {
	cm := mapping.Must(r.h.children.Model())
	keys := make([]mapping.Item, len(batch))
	for i := range batch {
		k, err := cm.KeyOf(&batch[i])
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	found, err := r.readChildren(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := batch[:0:0]
	for i, k := range keys {
		item, ok := found[mapping.KeyText(k)]
		if ok && r.pointsAtParent(item) {
			out = append(out, batch[i])
		}
	}
	return out, nil
}

// pointsAtParent reports whether a child item's link attributes hold the
// parent's key.
func (r *cascadeRun[P, C]) pointsAtParent(item mapping.Item) bool {
	for n, want := range r.links {
		if !itemcodec.EqualValues(item[n], want) {
			return false
		}
	}
	return true
}

// readChildren reads the children with keys, strongly consistent
// (BatchGetItem, 100 keys a request), projecting their keys and links,
// and returns those that exist by keyText of their key.
func (r *cascadeRun[P, C]) readChildren(ctx context.Context, keys []mapping.Item) (map[string]mapping.Item, error) {
	names := make([]string, 0, len(r.links))
	for n := range r.links {
		names = append(names, n)
	}
	return readKeys(ctx, r.h.children.Client(), r.h.children.TableName(), mapping.Must(r.h.children.Model()), keys, names)
}

// mark marks the parent with the run's token (one UpdateItem): from
// then on no child may be linked to it or deleted by another writer, and
// an earlier run's writes to it fail.
func (r *cascadeRun[P, C]) mark(ctx context.Context) error {
	exists, err := r.log.mark(ctx)
	if err != nil {
		return err
	}
	if !exists {
		r.counting = false // deleted meanwhile: nothing to count
		return nil
	}
	r.marked = true
	return nil
}

// takeOver marks the parent for this run and settles what an earlier run
// left: its pending page, or, in an item collection, its counter.
func (r *cascadeRun[P, C]) takeOver(ctx context.Context, st cascadeState) error {
	if err := r.mark(ctx); err != nil || !r.counting {
		return err
	}
	if st.pending != nil {
		if err := r.settle(ctx, *st.pending); err != nil {
			return err
		}
	}
	if !r.verify {
		if _, err := r.h.Recount(ctx, r.parent); err != nil && !errors.Is(err, ErrParentNotFound) {
			return err
		}
	}
	return nil
}

// settle subtracts from the counter the children of a pending page that
// no longer exist, and removes the page, on condition that it is still
// pending: each page is subtracted once, by its run or by the run that
// settles it.
func (r *cascadeRun[P, C]) settle(ctx context.Context, pg pendingPage) error {
	found, err := r.readChildren(ctx, pg.keys)
	if err != nil {
		return err
	}
	gone := 0
	for _, k := range pg.keys {
		if _, ok := found[mapping.KeyText(k)]; !ok {
			gone++
		}
	}
	return r.log.closePage(ctx, pg, gone)
}

// record records the keys of the page about to be deleted on the parent,
// and returns the page's id; "" when the parent turned out to be gone. A
// page another run left pending is settled first.
func (r *cascadeRun[P, C]) record(ctx context.Context, todo []C) (string, error) {
	cm := mapping.Must(r.h.children.Model())
	keys := make([]mapping.Item, len(todo))
	for i := range todo {
		k, err := cm.KeyOf(&todo[i])
		if err != nil {
			return "", err
		}
		keys[i] = k
	}
	id, exists, err := r.log.record(ctx, keys, nil, r.settle)
	if err == nil && !exists {
		r.counting = false
	}
	return id, err
}

// subtract takes n children from the parent's counter and removes the
// pending page id ("": none), on condition that the parent holds the
// run's mark and, with a page, that the page is still pending.
func (r *cascadeRun[P, C]) subtract(ctx context.Context, n int, id string) error {
	exists, err := r.log.subtract(ctx, n, id)
	if !exists {
		r.counting = false // deleted meanwhile
	}
	return err
}

// perTx is how many children one transaction of the page deletes when
// their deletes are better sent together (0: one DeleteItem each): when
// the children are also children of other relations, each delete of one
// takes 1 from its other parents' counters, and a transaction of many
// deletes changes each such parent once, where single deletes would each
// be a transaction of two items. Children that count something themselves
// (their own children, their edges: compose.go) are deleted one at a
// time, each after its own steps.
func (r *cascadeRun[P, C]) perTx() int {
	g, err := graphOf(r.h.children.Client())
	if err != nil {
		return 0
	}
	cm := r.h.children.Model()
	others := g.otherParents(cm, r.h.key())
	if others == 0 || len(g.deleteSteps(cm, stepID{})) > 0 {
		return 0
	}
	// Each delete may bring one more parent of each other relation.
	return dynamokit.MaxTxActions / (1 + others)
}

// deleteInTx deletes the children of todo in transactions of up to per
// deletes, each on condition that the child still points at the parent;
// the graph's rules add to each transaction one update of each other
// parent its children have, taking their number from its counter. A
// child whose condition failed is left out and the rest sent again: one
// moved or unlinked meanwhile is skipped; one whose other link changed
// since the rules read it (ErrStaleLink) is left to a later pass. It
// returns how many it deleted.
func (r *cascadeRun[P, C]) deleteInTx(ctx context.Context, todo []C, per int) (int, error) {
	deleted := 0
	for start := 0; start < len(todo); start += per {
		batch := todo[start:min(start+per, len(todo))]
		for len(batch) > 0 {
			actions := make([]dynamokit.TxAction, len(batch))
			for i, c := range batch {
				actions[i] = r.h.children.TxDelete(c, r.linked)
			}
			err := r.h.children.Client().WriteTx(ctx, nil, actions...)
			if err == nil {
				deleted += len(batch)
				break
			}
			if errors.Is(err, dynamokit.ErrUnknownOutcome) {
				n, rerr := r.goneAfterLost(ctx, batch)
				if rerr != nil {
					return deleted, fmt.Errorf("%w (and reading the children back: %w)", err, rerr)
				}
				deleted += n
				break
			}
			var te *dynamokit.TxError
			if !errors.As(err, &te) || len(te.Reasons) < len(batch) {
				return deleted, err
			}
			kept := batch[:0:0]
			for i, c := range batch {
				reason := te.Reasons[i]
				switch {
				case !reason.Failed():
					kept = append(kept, c)
				case errors.Is(reason.Kind, ErrStaleLink):
					// Another link changed, or the child went, since the
					// rules read it: a later pass sees it as it is.
				case errors.Is(reason.Kind, dynamokit.ErrConditionFailed), errors.Is(reason.Kind, dynamokit.ErrNotFound):
					r.p.Skipped++
				default:
					return deleted, err
				}
			}
			if len(kept) == len(batch) {
				return deleted, err // cancelled for another reason, such as a conflict
			}
			batch = kept
		}
	}
	return deleted, nil
}

// goneAfterLost is how many children of a transaction whose answer was
// lost it deleted: all or none, read back strongly consistent where the
// page is recorded (only the cascade deletes children of its marked
// parent); elsewhere none is counted, and the recount settles the parent.
func (r *cascadeRun[P, C]) goneAfterLost(ctx context.Context, batch []C) (int, error) {
	if !r.verify || !r.counting {
		return 0, nil
	}
	cm := mapping.Must(r.h.children.Model())
	keys := make([]mapping.Item, len(batch))
	for i := range batch {
		k, err := cm.KeyOf(&batch[i])
		if err != nil {
			return 0, err
		}
		keys[i] = k
	}
	found, err := r.readChildren(ctx, keys)
	if err != nil {
		return 0, err
	}
	return len(keys) - len(found), nil
}
