package relations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// Deletes that compose. An item may be a counted item (a parent, an end)
// of several relations: a book is the parent of its reviews and an end of
// the authors-and-books relation, and also a child of its branch. Each
// relation registers with the [Graph], per model, the step that applies its
// delete policy to an item of that model before the item is deleted: a
// [Cascade] deletes the item's children (or edges), a [Detach] unlinks
// them, both leaving its counter at 0; a [Restrict] only checks, before
// any step writes, that its counter is 0. Every relation verb that deletes
// an item (DeleteParent of the parent itself and of each child its cascade
// deletes, DeleteChild, DeleteFrom, DeleteTo) asks the graph for the steps
// of the item's model (composeDelete), runs those of the other relations,
// and then deletes the item with a context that tells each relation whose
// policy was applied to that item that the delete may go on condition that
// the item's counter is 0 (a child or an edge linked meanwhile fails it
// with [ErrLinkedMeanwhile], and the verb applies the policy again). So no
// verb knows the others: a relation declared later composes with it.
//
// The child side needs no step: the graph's rules of a relation in which
// the item is a child already add its parent's -1 to the item's delete.
//
// Cycles. A Cascade may reach the model it started from (a tree: a
// category has many categories; or A has many B has many A). Declaring
// such relations is allowed, as a tree is a real model; the recursion is
// bounded at run time instead: deleting an item that is already being
// deleted further up the same delete, or nesting deletes deeper than
// maxDeleteDepth, stops with an [ErrDeleteCycle] naming the path.

// maxDeleteDepth bounds how many items one delete nests: a branch, its
// book, the book's review is 3.
const maxDeleteDepth = 16

var (
	// ErrLinkedMeanwhile is what a delete reports when a child or an edge
	// was linked to the item after its relation's [Cascade] or [Detach]
	// had been applied to it by another relation's delete (the item's
	// counter was no longer 0). The verbs apply the policy again (up to 10
	// times) before they return it. Retrying can help: it means other
	// writers keep linking to the item.
	ErrLinkedMeanwhile = errors.New("relations: a child or an edge was linked to the item while it was being deleted")
	// ErrDeleteCycle is returned by a delete whose [Cascade] relations lead
	// back to an item that is being deleted further up the same delete (a
	// cycle in the data, such as two categories that are each other's
	// parent), or nest more than 16 items deep. The message names the
	// items on the way. Retrying does not help: break the cycle (unlink
	// one of the items) and delete again.
	ErrDeleteCycle = errors.New("relations: the delete leads back to an item it is deleting")
)

// stepID identifies a relation's delete step for one model: the relation
// (its key, as its own marks use it) and its side ("parent", "from",
// "to").
type stepID struct {
	rel  any
	side string
}

// deleteStep is one relation's part in deleting an item of a model in
// which the relation counts something.
type deleteStep struct {
	id       stepID
	relation string // the relation, for messages
	// check is set for a Restrict: the step only refuses, and runs before
	// any step that writes.
	check bool
	// run applies the relation's policy to x, the item about to be
	// deleted (a value of the model's Go type): it refuses (check), or
	// leaves x's counter at 0 without deleting x.
	run func(ctx context.Context, x any) error
}

// composition is the delete steps of a Graph, by the model whose items
// they apply to, and the one-to-many relations of each child model.
type composition struct {
	steps    map[*model.Model][]deleteStep
	parentOf map[*model.Model][]any // the keys of the relations in which the model is the child
}

// addChildOf records that relation rel has the items of m as children.
func (g *Graph) addChildOf(m *model.Model, rel any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.composed.parentOf == nil {
		g.composed.parentOf = map[*model.Model][]any{}
	}
	if !slices.Contains(g.composed.parentOf[m], rel) {
		g.composed.parentOf[m] = append(slices.Clip(g.composed.parentOf[m]), rel)
	}
}

// otherParents is how many relations other than rel have the items of m
// as children, whose rules add a -1 on another parent to each delete of
// one.
func (g *Graph) otherParents(m *model.Model, rel any) int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n := 0
	for _, r := range g.composed.parentOf[m] {
		if r != rel {
			n++
		}
	}
	return n
}

// addDeleteStep registers the step of a relation for the items of m; a
// relation declared again replaces its step (its policy may have changed).
func (g *Graph) addDeleteStep(m *model.Model, s deleteStep) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.composed.steps == nil {
		g.composed.steps = map[*model.Model][]deleteStep{}
	}
	list := slices.Clone(g.composed.steps[m])
	if i := slices.IndexFunc(list, func(x deleteStep) bool { return x.id == s.id }); i >= 0 {
		list[i] = s
	} else {
		list = append(list, s)
	}
	g.composed.steps[m] = list
}

// deleteSteps returns the steps of m's items other than skip: the checks
// first, then the others, in declaration order.
func (g *Graph) deleteSteps(m *model.Model, skip stepID) []deleteStep {
	g.mu.RLock()
	list := g.composed.steps[m]
	g.mu.RUnlock()
	var checks, writes []deleteStep
	for _, s := range list {
		switch {
		case s.id == skip:
		case s.check:
			checks = append(checks, s)
		default:
			writes = append(writes, s)
		}
	}
	return append(checks, writes...)
}

// appliedID marks, in a context, that relation rel's policy has been
// applied to the item item (its table and key, as itemPath writes them):
// its rule lets the item's delete through on condition that its counter
// is 0. It is an [txn.OwnMark], hidden from hooks.
type appliedID struct {
	rel  any
	item string
}

// pathKey is the context key of the items a delete is deleting, outermost
// first.
type pathKey struct{}

// itemPath names an item of table with key in a delete's path.
func itemPath(table string, key mapping.Item) string {
	return table + " (" + mapping.KeyText(key) + ")"
}

// policyApplied reports whether ctx says that relation rel's policy was
// applied to the item w deletes.
func policyApplied(ctx context.Context, rel any, w *txn.Write) bool {
	return ctx.Value(txn.OwnMark{ID: appliedID{rel, itemPath(w.Table, w.Key)}}) != nil
}

// deletePath is the path of the delete ctx belongs to.
func deletePath(ctx context.Context) []string {
	p, _ := ctx.Value(pathKey{}).([]string)
	return p
}

// composeDelete prepares the delete of x, an item of table: it runs the
// delete steps of every relation that counts something on x's model other
// than skip (the relation whose verb deletes x, which applies its own
// policy), checks first; pre, when set, runs after the checks and before
// the first step that writes, if any (the calling relation's own Restrict
// check, which its delete makes anyway when nothing else writes). It
// returns the context to delete x with: marked for each relation whose
// policy was applied, and with x on the delete's path, so that a cascade
// that leads back to x stops with [ErrDeleteCycle].
func composeDelete[X any](ctx context.Context, table *query.Table[X], x X, skip stepID, pre func(context.Context) error) (context.Context, error) {
	key, err := mapping.Must(table.Model()).KeyOf(&x)
	if err != nil {
		return ctx, err
	}
	id := itemPath(table.TableName(), key)
	outer := deletePath(ctx)
	path := append(slices.Clip(outer), id) // outer is shared with other deletes
	if slices.Contains(outer, id) {
		return ctx, fmt.Errorf("%w: %s is reached again: %s", ErrDeleteCycle, id, strings.Join(path, " -> "))
	}
	if len(outer) >= maxDeleteDepth {
		return ctx, fmt.Errorf("%w: more than %d items nested: %s", ErrDeleteCycle, maxDeleteDepth, strings.Join(path, " -> "))
	}
	ctx = context.WithValue(ctx, pathKey{}, path)
	var steps []deleteStep
	if g, err := graphOf(table.Client()); err == nil {
		steps = g.deleteSteps(table.Model(), skip)
	}
	// The steps write other items: none of the marks of the writes around
	// them applies to those.
	inner := context.WithValue(txn.Unmarked(ctx), pathKey{}, path)
	ranPre := pre == nil
	for _, s := range steps {
		if !s.check && !ranPre {
			if err := pre(ctx); err != nil {
				return ctx, err
			}
			ranPre = true
		}
		if err := s.run(inner, x); err != nil {
			if s.check {
				return ctx, err // names the relation and the item
			}
			return ctx, fmt.Errorf("%s: applying its policy to %s: %w", s.relation, id, err)
		}
		if !s.check {
			ctx = context.WithValue(ctx, txn.OwnMark{ID: appliedID{s.id.rel, id}}, true)
		}
	}
	return ctx, nil
}

// asItem returns x as a value of X, the Go type of the model the step was
// registered for.
func asItem[X any](x any) (X, error) {
	v, ok := x.(X)
	if !ok {
		var zero X
		return zero, fmt.Errorf("relations: delete step: an item of type %T, want %T", x, zero)
	}
	return v, nil
}

// checkCounted is the check of a Restrict relation on the delete of x: it
// refuses while x's counter counts a child or an edge, or, for an item
// without a counter, while the index lists one. One GetItem (and a Query
// without a counter).
func checkCounted[X any](ctx context.Context, table *query.Table[X], x X, e countedEnd) error {
	c, err := readCount(ctx, table, x, e.counter)
	switch {
	case err != nil:
		return err
	case !c.exists:
		return nil
	case c.has && c.n > 0:
		return e.refuse(int(c.n), "", nil)
	case c.has:
		return nil
	}
	first, err := e.first(ctx)
	if err != nil || first == "" {
		return err
	}
	return e.refuse(1, first, nil)
}

// restrictFirst is the calling relation's own Restrict check before other
// relations' steps write: it refuses while the index lists a child or an
// edge of x, or its counter counts one, without deleting anything.
func restrictFirst[X any](table *query.Table[X], x X, e countedEnd) func(context.Context) error {
	return func(ctx context.Context) error {
		first, err := e.first(ctx)
		if err != nil || first == "" {
			if err == nil {
				err = checkCounted(ctx, table, x, e)
			}
			return err
		}
		c, err := readCount(ctx, table, x, e.counter)
		if err != nil {
			return err
		}
		return e.refuse(max(int(c.n), 1), first, nil)
	}
}

// linkedMeanwhile is the failure of an item's delete after another
// relation's policy was applied to it: its counter is no longer 0.
type linkedMeanwhile struct {
	relation string
	item     string
}

func (e *linkedMeanwhile) Error() string {
	return fmt.Sprintf("relations: %s: %s: a child or an edge was linked to it while it was being deleted (its counter is no longer 0); retrying can help", e.relation, e.item)
}

// Unwrap returns [ErrLinkedMeanwhile].
func (e *linkedMeanwhile) Unwrap() error { return ErrLinkedMeanwhile }

// stepID identifies the relation's delete step, on the parent's items.
func (h *HasMany[P, C]) stepID() stepID { return stepID{h.key(), "parent"} }

// parentStep is what a one-to-many relation does when another relation's
// verb deletes one of its parents: see policyStep; [Cascade] deletes its
// children and [Detach] unlinks them.
func (h *HasMany[P, C]) parentStep() deleteStep {
	return policyStep(h.stepID(), h.describe(), h.spec.OnDelete, h.parents, h.end, func(ctx context.Context, p P) error {
		if h.spec.OnDelete == Cascade {
			return h.cascade(h.own(ctx), p, nil, true)
		}
		return h.detach(h.own(ctx), p, nil, true)
	})
}

// policyStep is the delete step, on items of table, of a relation whose
// policy for them is policy, the same for both relation kinds: [Restrict]
// refuses while x's counter (end(x)) counts a child or an edge; [Cascade]
// and [Detach] apply, which leaves x with its counter at 0 for the verb
// that runs the step to delete.
func policyStep[X any](id stepID, relation string, policy Policy, table *query.Table[X], end func(X) countedEnd, apply func(context.Context, X) error) deleteStep {
	return deleteStep{
		id: id, relation: relation, check: policy == Restrict,
		run: func(ctx context.Context, v any) error {
			x, err := asItem[X](v)
			if err != nil {
				return err
			}
			if policy == Restrict {
				return checkCounted(ctx, table, x, end(x))
			}
			return apply(ctx, x)
		},
	}
}

// endStepID identifies the relation's delete step on one side's items
// ("from", "to").
func (m *ManyToMany[F, T, E]) endStepID(side string) stepID { return stepID{m.ownKey(), side} }

// endSteps are what a many-to-many relation does when another relation's
// verb deletes one of its ends: see policyStep; [Cascade] and [Detach]
// both delete its edges (never the other ends).
func (m *ManyToMany[F, T, E]) endSteps() (from, to deleteStep) {
	from = policyStep(m.endStepID("from"), m.describe(), m.spec.OnDeleteFrom, m.from, m.fromEnd, func(ctx context.Context, f F) error {
		return m.deleteFrom(ctx, f, nil, true)
	})
	to = policyStep(m.endStepID("to"), m.describe(), m.spec.OnDeleteTo, m.to, m.toEnd, func(ctx context.Context, t T) error {
		return m.deleteTo(ctx, t, nil, true)
	})
	return from, to
}
