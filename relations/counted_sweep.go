package relations

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/internal/unprocessed"
	"github.com/dynamokit/dynamokit/query"
)

// The counted sweep: what a one-to-many cascade (hasmany_cascade.go) and
// a many-to-many cascade (manytomany_delete.go) share to delete the items
// a counted item counts (its children, its edges) one plain DeleteItem
// each, and keep its counter exact with one UpdateItem per page instead
// of a transaction per delete. The sweep keeps its log on the counted
// item itself ([sweepLog]):
//
//   - a mark (cascadeMark) holding the run's token, set before the first
//     delete; the relation's write rules refuse a link to a marked item,
//     and any delete of one of its items but the sweep's, so that an item
//     the sweep recorded and finds gone was deleted by the sweep;
//   - a pending page (cascadePending): the keys of the items a page is
//     about to delete, recorded before the deletes and removed by the
//     UpdateItem that subtracts what the page deleted. A run stopped in
//     between leaves it, and the next run settles it first: what is gone
//     of it was deleted by a sweep, and is subtracted once, on condition
//     that the page is still there.
//
// A many-to-many page also records, for each edge, the key of its far
// end, whose counter the sweep takes 1 from per edge it deleted (see
// farTook).

// pendingPage is a page recorded on a counted item (cascadePending).
type pendingPage struct {
	id   string
	keys []mapping.Item
	// far: for an edge page, the key of each edge's far end, aligned with
	// keys.
	far []mapping.Item
}

// cascadeState is a counted item as a sweep reads it.
type cascadeState struct {
	counted
	mark    string       // the token of the run that marked it ("": none)
	pending *pendingPage // the page recorded, or nil
}

// sweepLog is the log of one sweep run on its counted item: the item's
// table and key, its counter, and the run's token.
type sweepLog struct {
	client  *dynamokit.Client
	table   string
	model   *mapping.Model
	key     mapping.Item
	counter string
	token   string
}

// newSweepLog is the log of a new run on the item of table with key.
func newSweepLog(client *dynamokit.Client, table string, m *mapping.Model, key mapping.Item, counter string) *sweepLog {
	return &sweepLog{client: client, table: table, model: m, key: key, counter: counter, token: newToken()}
}

// newToken is a random token naming a run or a page.
func newToken() string { return strconv.FormatUint(rand.Uint64(), 36) }

// sweepAttrsFree checks that the attributes a sweep keeps on an item of m
// with counter are not attributes of m.
func sweepAttrsFree(m *mapping.Model, counter, relation string, extra ...string) error {
	for _, n := range append([]string{cascadeMark(counter), cascadePending(counter)}, extra...) {
		if m.Attribute(n) != nil {
			return fmt.Errorf("relations: %s: the cascade's attribute %s is an attribute of %s: name another counter", relation, n, m.Type)
		}
	}
	return nil
}

// read reads the item's counter, mark and pending page, strongly
// consistent.
func (l *sweepLog) read(ctx context.Context) (cascadeState, error) {
	// The mark, the counter and the pending page.
	attrs := append([]string{cascadeMark(l.counter)}, counterAttrs(l.model, l.counter)...)
	item, err := rawread.Get(ctx, l.client.Executor(), rawread.Read{Table: l.table, Consistent: true, Attrs: attrs}, l.key)
	if err != nil {
		return cascadeState{}, err
	}
	return l.stateOf(item)
}

// stateOf parses the item as stored (nil: none).
func (l *sweepLog) stateOf(item map[string]types.AttributeValue) (cascadeState, error) {
	c, err := countedOf(l.model, item, l.counter)
	st := cascadeState{counted: c}
	if err != nil || !c.exists {
		return st, err
	}
	if s, ok := item[cascadeMark(l.counter)].(*types.AttributeValueMemberS); ok {
		st.mark = s.Value
	}
	if m, ok := item[cascadePending(l.counter)].(*types.AttributeValueMemberM); ok {
		pg := &pendingPage{}
		if s, ok := m.Value["id"].(*types.AttributeValueMemberS); ok {
			pg.id = s.Value
		}
		pg.keys = keyList(m.Value["keys"])
		pg.far = keyList(m.Value["far"])
		st.pending = pg
	}
	return st, nil
}

// keyList reads a list of keys as a page records them.
func keyList(av types.AttributeValue) []mapping.Item {
	l, ok := av.(*types.AttributeValueMemberL)
	if !ok {
		return nil
	}
	var out []mapping.Item
	for _, v := range l.Value {
		if k, ok := v.(*types.AttributeValueMemberM); ok {
			out = append(out, k.Value)
		}
	}
	return out
}

// keyListValue is keys as a page records them.
func keyListValue(keys []mapping.Item) *types.AttributeValueMemberL {
	l := make([]types.AttributeValue, len(keys))
	for i, k := range keys {
		l[i] = &types.AttributeValueMemberM{Value: k}
	}
	return &types.AttributeValueMemberL{Value: l}
}

// update sends one UpdateItem of the item on condition that it exists
// (as its model's entity) and that cond holds. failed reports a
// condition that failed, with the item as it was (nil: none).
func (l *sweepLog) update(ctx context.Context, upd expression.UpdateBuilder, cond *expression.ConditionBuilder) (failed bool, old cascadeState, err error) {
	all := entityExists(l.model)
	if cond != nil {
		all = all.And(*cond)
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(all).Build()
	if err != nil {
		return false, old, err
	}
	_, err = l.client.Executor().UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(l.table), Key: l.key,
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		old, err = l.stateOf(ccf.Item)
		return true, old, err
	}
	return false, old, err
}

// entityExists is the condition that an item of m exists, as m's entity.
func entityExists(m *mapping.Model) expression.ConditionBuilder {
	c := expression.AttributeExists(expression.NameNoDotSplit(m.Key.Hash.Name))
	if m.EntityType != nil {
		c = c.And(expression.NameNoDotSplit(m.EntityType.Name).Equal(expression.Value(m.Entity)))
	}
	return c
}

// mine is the condition that the item holds this run's mark.
func (l *sweepLog) mine() expression.ConditionBuilder {
	return expression.NameNoDotSplit(cascadeMark(l.counter)).Equal(expression.Value(l.token))
}

// pendingIs is the condition that the item's pending page is id's.
func (l *sweepLog) pendingIs(id string) expression.ConditionBuilder {
	return expression.NameNoDotSplit(cascadePending(l.counter)).AppendName(expression.NameNoDotSplit("id")).Equal(expression.Value(id))
}

// mark marks the item with the run's token (one UpdateItem): from then on
// nothing is linked to it or deleted from it by another writer, and an
// earlier run's writes to it fail. exists is false when the item is gone.
func (l *sweepLog) mark(ctx context.Context) (exists bool, err error) {
	upd := expression.Set(expression.NameNoDotSplit(cascadeMark(l.counter)), expression.Value(l.token))
	for range 3 {
		failed, _, err := l.update(ctx, upd, nil)
		if errors.Is(err, dynamokit.ErrUnknownOutcome) {
			st, rerr := l.read(ctx)
			if rerr != nil {
				return false, fmt.Errorf("%w (and reading the item back: %w)", err, rerr)
			}
			if st.exists && st.mark != l.token {
				continue // not applied: the same write again
			}
			failed, err = !st.exists, nil
		}
		if err != nil {
			return false, err
		}
		return !failed, nil
	}
	return false, fmt.Errorf("relations: mark %s for the cascade: outcome unknown three times", mapping.KeyText(l.key))
}

// record records page (its keys, and for edges their far ends) on the
// item, on condition that the item holds the run's mark and no other
// page is pending, and returns the page's id; exists is false when the
// item turned out to be gone. A page another run left pending is settled
// first, by settle. It returns errTakenOver when another run marked the
// item since.
func (l *sweepLog) record(ctx context.Context, keys, far []mapping.Item, settle func(context.Context, pendingPage) error) (id string, exists bool, err error) {
	id = newToken()
	page := map[string]types.AttributeValue{
		"id":   &types.AttributeValueMemberS{Value: id},
		"keys": keyListValue(keys),
	}
	if far != nil {
		page["far"] = keyListValue(far)
	}
	pending := expression.NameNoDotSplit(cascadePending(l.counter))
	upd := expression.Set(pending, expression.Value(&types.AttributeValueMemberM{Value: page}))
	for range maxSweeps {
		cond := l.mine().And(expression.AttributeNotExists(pending))
		failed, old, err := l.update(ctx, upd, &cond)
		if errors.Is(err, dynamokit.ErrUnknownOutcome) {
			st, rerr := l.read(ctx)
			if rerr != nil {
				return "", false, fmt.Errorf("%w (and reading the item back: %w)", err, rerr)
			}
			failed, old, err = true, st, nil
			if st.pending != nil && st.pending.id == id {
				return id, true, nil // applied
			}
		}
		switch {
		case err != nil:
			return "", false, err
		case !failed:
			return id, true, nil
		case !old.exists:
			return "", false, nil
		case old.mark != l.token:
			return "", false, errTakenOver
		case old.pending != nil:
			if err := settle(ctx, *old.pending); err != nil {
				return "", false, err
			}
		}
	}
	return "", false, fmt.Errorf("relations: record a page on %s: kept failing", mapping.KeyText(l.key))
}

// closePage subtracts gone from the counter and removes the pending page
// pg, on condition that it is still pending: each page is subtracted
// once, by its run or by the run that settles it.
func (l *sweepLog) closePage(ctx context.Context, pg pendingPage, gone int) error {
	pending := expression.NameNoDotSplit(cascadePending(l.counter))
	upd := expression.Remove(pending).Add(expression.NameNoDotSplit(l.counter), expression.Value(-gone))
	for range 3 {
		cond := l.pendingIs(pg.id)
		_, _, err := l.update(ctx, upd, &cond)
		if !errors.Is(err, dynamokit.ErrUnknownOutcome) {
			return err // nil also when settled by another run meanwhile
		}
		st, rerr := l.read(ctx)
		if rerr != nil {
			return fmt.Errorf("%w (and reading the item back: %w)", err, rerr)
		}
		if st.pending == nil || st.pending.id != pg.id {
			return nil // applied
		}
	}
	return fmt.Errorf("relations: settle the pending page of %s: outcome unknown three times", mapping.KeyText(l.key))
}

// subtract takes n from the item's counter and removes the pending page
// id ("": none), on condition that the item holds the run's mark and,
// with a page, that the page is still pending. exists is false when the
// item is gone; errTakenOver means another run marked it since (and
// settles the page).
func (l *sweepLog) subtract(ctx context.Context, n int, id string) (exists bool, err error) {
	if n == 0 && id == "" {
		return true, nil
	}
	upd := expression.Add(expression.NameNoDotSplit(l.counter), expression.Value(-n))
	cond := l.mine()
	if id != "" {
		upd = upd.Remove(expression.NameNoDotSplit(cascadePending(l.counter)))
		cond = cond.And(l.pendingIs(id))
	}
	for range 3 {
		failed, old, err := l.update(ctx, upd, &cond)
		if errors.Is(err, dynamokit.ErrUnknownOutcome) {
			if id == "" {
				return true, nil // an item collection: the recount settles it
			}
			st, rerr := l.read(ctx)
			if rerr != nil {
				return true, fmt.Errorf("%w (and reading the item back: %w)", err, rerr)
			}
			if st.pending != nil && st.pending.id == id {
				continue // not applied: the same write again
			}
			return true, nil
		}
		switch {
		case err != nil:
			return true, err
		case !failed:
			return true, nil
		case !old.exists:
			return false, nil // deleted meanwhile
		}
		return true, errTakenOver // the page is settled by the run that took over
	}
	return true, fmt.Errorf("relations: subtract a page from %s: outcome unknown three times", mapping.KeyText(l.key))
}

// readKeys reads the items of table with keys, strongly consistent
// (BatchGetItem, cascadePage keys a request), projecting names (and the
// key and entity type), and returns those that exist, as m's entity, by
// keyText of their key.
func readKeys(ctx context.Context, client *dynamokit.Client, table string, m *mapping.Model, keys []mapping.Item, names []string) (map[string]mapping.Item, error) {
	names = append(slices.Clone(m.Key.Names()), names...)
	if m.EntityType != nil {
		names = append(names, m.EntityType.Name)
	}
	items, left, err := rawread.BatchGet(ctx, client.Executor(), rawread.Read{Table: table, Consistent: true, Attrs: names}, keys, unprocessed.Default)
	if err != nil {
		return nil, err
	}
	if len(left) > 0 {
		return nil, fmt.Errorf("relations: read items again: %d keys left unprocessed", len(left))
	}
	found := make(map[string]mapping.Item, len(items))
	for _, item := range items {
		if !m.IsEntity(item) {
			continue
		}
		k := make(mapping.Item, 2)
		for _, n := range m.Key.Names() {
			k[n] = item[n]
		}
		found[mapping.KeyText(k)] = item
	}
	return found, nil
}

// sweepPages hands the items a sweep reads to page, cascadePage at a time
// and the last page shorter, each with its version attribute (nil: none)
// zeroed: the sweep's deletes carry their own condition.
func sweepPages[T any](ctx context.Context, items iter.Seq2[T, error], version *mapping.Attribute, page func(context.Context, []T) error) error {
	batch := make([]T, 0, cascadePage)
	for v, err := range items {
		if err != nil {
			return err
		}
		setZero(&v, version)
		if batch = append(batch, v); len(batch) == cascadePage {
			if err := page(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) == 0 {
		return nil
	}
	return page(ctx, batch)
}

// sweeper is one run of a sweep of a counted item x, as sweepDelete
// drives it: the one-to-many cascade (cascadeRun) and detach (detachRun),
// and the many-to-many cascade and detach (edgeSweep).
type sweeper interface {
	// begin takes x as first read: the run keeps x's counter when x
	// exists, and settles what an earlier run left on it.
	begin(ctx context.Context, st cascadeState) error
	// pass reads x's children or edges and writes them, page by page.
	pass(ctx context.Context) error
	// counts reports whether x exists with a counter the run keeps.
	counts() bool
	// zeroed reports, for a sweep that leaves x (keep), that x's counter
	// is known to be 0 after pass number pass without reading it again.
	zeroed(pass int) bool
}

// listedNone reports whether r's last pass listed no item from a list
// that misses none (only a sweep that can say so implements listedNone):
// a counter above 0 after it counts items that are gone, and is counted
// again.
func listedNone(r sweeper) bool {
	l, ok := r.(interface{ listedNone() bool })
	return ok && l.listedNone()
}

// sweepTarget is the counted item x a sweep deletes, and how.
type sweepTarget[X any] struct {
	table   *query.Table[X]
	x       X
	end     countedEnd
	items   string // what x counts, for messages: "children", "edges"
	missing error  // what a recount of a missing x returns
	log     *sweepLog
	marks   bool // the run marks x (log.token): another run's mark took over
	// recountEach counts x's items again whenever its counter is above 0
	// after a pass: a lost answer may have left it high (an item
	// collection's cascade, which keeps no page record).
	recountEach bool
	// keep leaves x with its counter at 0 instead of deleting it: the
	// step of the relation when another relation's verb deletes x, which
	// then deletes x on condition that the counter is still 0
	// (compose.go).
	keep bool
}

// sweepDelete deletes x with the sweep r, the one driver of every
// cascade and detach. It reads x (a GetItem) and lets r take it; counts
// x's items first when x has no counter or one below 0 (drifted), so that
// the run's subtractions end at 0; then runs passes of r until x's
// counter is 0, deleting x on condition that it still is (a DeleteItem),
// or with keep reading it (a GetItem). A counter above 0 after a pass
// counts items the index did not list yet or that were linked before the
// mark: the next pass finds them; one below 0 counted fewer items than
// the passes took (written around the relation), and is counted again.
// It gives up after maxSweeps passes.
func sweepDelete[X any](ctx context.Context, t sweepTarget[X], r sweeper) error {
	st, err := t.log.read(ctx)
	if err != nil {
		return err
	}
	if err := r.begin(ctx, st); err != nil {
		return err
	}
	recount := func() error {
		_, err := recountEnd(ctx, t.table, t.x, t.end, t.missing)
		if errors.Is(err, t.missing) {
			return nil // deleted meanwhile
		}
		return err
	}
	if st.exists && (!st.has || st.n < 0) {
		if err := recount(); err != nil {
			return err
		}
	}
	for pass := range maxSweeps {
		if err := r.pass(ctx); err != nil {
			return err
		}
		if !r.counts() {
			return nil // no item left to delete
		}
		if t.keep && r.zeroed(pass) {
			return nil
		}
		if !t.keep {
			failed, err := deleteCountedIf(ctx, t.table, t.x, query.Path(t.end.counter).Equal(query.Value(0)))
			if !failed {
				return err
			}
		}
		if st, err = t.log.read(ctx); err != nil {
			return err
		}
		switch {
		case !st.exists:
			return nil // deleted meanwhile
		case t.marks && st.mark != "" && st.mark != t.log.token:
			return errTakenOver // marked by a run started since
		case t.keep && st.has && st.n == 0 && st.pending == nil:
			// The caller deletes x on condition that its counter is
			// still 0 (ErrLinkedMeanwhile otherwise).
			return nil
		case st.has && st.n < 0, t.recountEach, st.has && st.n > 0 && st.pending == nil && listedNone(r):
			if err := recount(); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("%s remain after %d passes: the counter %s says %d (the index may lag, or %s keep being linked; a counter left too high by deletes that ran at once is repaired by %s)", t.items, maxSweeps, t.end.counter, st.n, t.items, t.end.repair)
}
