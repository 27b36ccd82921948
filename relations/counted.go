package relations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/query"
)

// The counted-end core: what a one-to-many parent and a
// many-to-many end share. Each is an item whose counter attribute counts
// the items a Query finds for it (a parent's children through the child
// index, an end's edges through the edge table or the reverse index), and
// both relation kinds read the counter, refuse a Restrict delete, detect
// drift, recount and audit through the functions below, given a
// [countedEnd] that says how to count and name those items.
//
// The counter is exact against dynamokit's own writers: every write that
// adds or takes away an item changes it in the same transaction. Writers
// that do not use dynamokit (another service on the same table, pynamodb,
// the console) change the items without the counter, so the counter
// drifts. What then still holds:
//
//   - a counter never reads negative: a negative one is reported as a
//     error matching [ErrCounterDrift], which names the repair;
//   - a Restrict delete first looks for one item through the index (a
//     Query, Limit 1, keys only) and refuses when it finds one, whatever
//     the counter says; then it deletes on condition that the counter is
//     0, which keeps it atomic against dynamokit's writers;
//   - an audit compares every counter with the index, finds the items
//     that point at a missing end, and can repair the counters.

// counted is an item's counter as stored.
type counted struct {
	exists bool  // the item exists
	has    bool  // it has the counter attribute
	n      int64 // the counter, when has
	// pending: a cascade recorded a page of deletes on the item that is
	// not subtracted from the counter yet (cascadePending).
	pending bool
}

// countedEnd is what the core needs to know of one counted item (a parent
// or an end), bound to that item by the relation.
type countedEnd struct {
	relation string // the relation, as its errors name it
	counter  string // the counter attribute
	repair   string // the call that recounts it, for drift errors
	// count counts the item's children or edges with a Query.
	count func(ctx context.Context) (int, error)
	// first returns the key of one of them ("" for none), found with a
	// Query of at most one item per request that reads only keys.
	first func(ctx context.Context) (string, error)
	// refuse is the error of a Restrict delete refused because the item
	// has n children or edges; first names one ("" when only counted) and
	// drift is set when the counter disagreed with the index.
	refuse func(n int, first string, drift *driftError) error
}

// readCount reads key's counter attribute with one strongly consistent
// GetItem that projects only the counter and the item's identity.
func readCount[X any](ctx context.Context, table *query.Table[X], key X, counter string) (counted, error) {
	pm := mapping.Must(table.Model())
	k, err := pm.KeyOf(&key)
	if err != nil {
		return counted{}, err
	}
	item, err := rawread.Get(ctx, table.Client().Executor(), rawread.Read{Table: table.TableName(), Consistent: true, Attrs: counterAttrs(pm, counter)}, k)
	if err != nil {
		return counted{}, err
	}
	return countedOf(pm, item, counter)
}

// countedOf reads the counter attribute of item as stored (nil: no item,
// or one of another entity type).
func countedOf(pm *mapping.Model, item map[string]types.AttributeValue, counter string) (counted, error) {
	if item == nil || !pm.IsEntity(item) {
		return counted{}, nil
	}
	_, pending := item[cascadePending(counter)]
	c := counted{exists: true, pending: pending}
	av, ok := item[counter]
	if !ok {
		return c, nil
	}
	var err error
	num, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return c, fmt.Errorf("relations: counter %s of %s is not a number", counter, pm.Type)
	}
	if c.n, err = strconv.ParseInt(num.Value, 10, 64); err != nil {
		return c, fmt.Errorf("relations: counter %s of %s: %w", counter, pm.Type, err)
	}
	c.has = true
	return c, nil
}

// counterAttrs is the projection of readCount.
func counterAttrs(pm *mapping.Model, counter string) []string {
	names := []string{counter, cascadePending(counter), pm.Key.Hash.Name}
	if pm.EntityType != nil && !slices.Contains(names, pm.EntityType.Name) {
		names = append(names, pm.EntityType.Name)
	}
	return names
}

// readCounted reads x's counter as readCount does, and reports a negative
// one as an error matching [ErrCounterDrift]: a counter never reads below 0.
func readCounted[X any](ctx context.Context, table *query.Table[X], x X, e countedEnd) (counted, error) {
	c, err := readCount(ctx, table, x, e.counter)
	if err != nil {
		return c, err
	}
	if c.has && c.n < 0 {
		return c, driftOf(table, x, e, c.n, -1)
	}
	return c, nil
}

// driftOf is the drift error of x's counter, stored as stored, counted
// as counted by the index (-1: not counted).
func driftOf[X any](table *query.Table[X], x X, e countedEnd, stored int64, counted int) *driftError {
	return &driftError{
		Relation: e.relation,
		Item:     keyTextOf(table, x),
		Counter:  e.counter,
		Stored:   stored,
		Counted:  counted,
		Repair:   e.repair,
	}
}

// deleteCountedIf deletes x on condition cond, and reports whether the
// condition failed on an existing item (false, nil: deleted, or there was
// no item to delete).
func deleteCountedIf[X any](ctx context.Context, table *query.Table[X], x X, cond query.Cond) (bool, error) {
	err := table.Delete(ctx, x, cond)
	switch {
	case errors.Is(err, dynamokit.ErrNotFound):
		return false, nil
	case errors.Is(err, dynamokit.ErrConditionFailed):
		return true, nil
	}
	return false, err
}

// restrictDelete deletes x under the Restrict policy. It first looks for
// one of x's children or edges through the index (e.first): if the index
// shows one, it refuses, naming it, whatever the counter says, and reports
// drift when the counter says there are none; this is what holds against
// writers outside dynamokit, which do not keep the counter. Otherwise it
// deletes x with one DeleteItem conditional on the counter being 0, which
// no write through dynamokit can race. A refused delete reads the counter
// (a GetItem) to say how many. An item without a counter (written before
// the relation counted, or around it) is deleted on condition that the
// counter is still absent, which any link would end.
//
// Costs: no children, a Query and a DeleteItem; children the index shows,
// a Query and a GetItem (and a counting Query when the counter drifted);
// children only the counter shows, a Query, a DeleteItem and a GetItem.
func restrictDelete[X any](ctx context.Context, table *query.Table[X], x X, e countedEnd) error {
	for range maxSweeps {
		first, err := e.first(ctx)
		if err != nil {
			return err
		}
		if first != "" {
			c, err := readCount(ctx, table, x, e.counter)
			if err != nil || !c.exists {
				return err // nil: no item to delete (its children dangle: see the audit)
			}
			if c.has && c.n > 0 {
				return e.refuse(int(c.n), first, nil)
			}
			// The index shows a child the counter does not count: it was
			// written around the relation.
			n, err := e.count(ctx)
			if err != nil {
				return err
			}
			n = max(n, 1)
			var drift *driftError
			if c.has {
				drift = driftOf(table, x, e, c.n, n)
			}
			return e.refuse(n, first, drift)
		}
		failed, err := deleteCountedIf(ctx, table, x, query.Path(e.counter).Equal(query.Value(0)))
		if !failed {
			return err
		}
		c, err := readCount(ctx, table, x, e.counter)
		switch {
		case err != nil:
			return err
		case !c.exists:
			return nil // deleted meanwhile
		case c.has && c.n > 0:
			return e.refuse(int(c.n), "", nil)
		case c.has && c.n < 0:
			return driftOf(table, x, e, c.n, 0)
		case c.has:
			continue // back to 0 meanwhile
		}
		// No counter, and the index showed nothing: delete while the
		// counter is still absent, which any link would end.
		failed, err = deleteCountedIf(ctx, table, x, query.Path(e.counter).AttributeNotExists())
		if !failed {
			return err
		}
	}
	return fmt.Errorf("the counter %s kept changing over %d attempts", e.counter, maxSweeps)
}

// errCascadePending is what a recount returns for an item a cascade was
// deleting when it was interrupted, with a page of deleted children not
// yet subtracted from the counter: the cascade settles that page itself.
var errCascadePending = errors.New("a cascade of this item was interrupted before it subtracted a page of deleted children or edges from the counter: call DeleteParent (DeleteFrom, DeleteTo for an end) again, which settles the page and continues")

// recountEnd counts x's children or edges with e.count and stores the
// number in its counter, conditional on the counter being as it was read,
// and returns it; a change in between makes it count again (up to
// maxRecounts times). It returns errMissing when x does not exist.
func recountEnd[X any](ctx context.Context, table *query.Table[X], x X, e countedEnd, errMissing error) (int, error) {
	n, _, err := recountFrom(ctx, table, x, e, errMissing)
	return n, err
}

// recountFrom is recountEnd, also returning the counter as it was before
// (has: whether there was one).
func recountFrom[X any](ctx context.Context, table *query.Table[X], x X, e countedEnd, errMissing error) (n int, before counted, err error) {
	for range maxRecounts {
		c, err := readCount(ctx, table, x, e.counter)
		if err != nil {
			return 0, c, err
		}
		if !c.exists {
			return 0, c, errMissing
		}
		if c.pending {
			return 0, c, errCascadePending
		}
		n, err := e.count(ctx)
		if err != nil {
			return 0, c, err
		}
		if c.has && c.n == int64(n) {
			return n, c, nil
		}
		unchanged := query.Path(e.counter).AttributeNotExists()
		if c.has {
			unchanged = query.Path(e.counter).Equal(query.Value(c.n))
		}
		// A cascade's pending page would be subtracted again when it is
		// settled: the count already leaves its deleted children out.
		settled := query.Path(cascadePending(e.counter)).AttributeNotExists()
		err = table.Client().WriteTx(ctx, nil, table.TxAdd(x, e.counter, int64(n)-c.n, unchanged, settled))
		if errors.Is(err, dynamokit.ErrConditionFailed) {
			continue // changed meanwhile
		}
		if err != nil {
			return 0, c, err
		}
		return n, c, nil
	}
	return 0, counted{}, fmt.Errorf("the counted items kept changing over %d attempts", maxRecounts)
}

// firstKey returns the key of the first item q finds, as keyText renders
// it ("" for none): a page of one item first, then pages of up to 100
// while a filter (the entity type) drops what was read.
func firstKey[I any](ctx context.Context, table *query.Table[I], q *query.Query[I]) (string, error) {
	cursor := ""
	for size := 1; ; size = 100 {
		p, err := q.PageSize(size).Page(ctx, cursor)
		if err != nil {
			return "", err
		}
		if len(p.Items) > 0 {
			return keyTextOf(table, p.Items[0]), nil
		}
		if p.Next == "" {
			return "", nil
		}
		cursor = p.Next
	}
}

// keyAttrs names the attributes that identify an item of table and make
// its key: a projection that reads only what names an item.
func keyAttrs[X any](table *query.Table[X]) []string {
	var names []string
	for _, a := range identity(mapping.Must(table.Model())) {
		names = append(names, a.Name)
	}
	return names
}

// keyTextOf renders x's key for messages and reports.
func keyTextOf[X any](table *query.Table[X], x X) string {
	k, err := mapping.Must(table.Model()).KeyOf(&x)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return mapping.KeyText(k)
}
