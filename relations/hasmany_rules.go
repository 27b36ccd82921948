package relations

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
)

// Integrity on every write path. [Declare] adds two write rules to the
// [Graph] the client of the tables enforces, applied to every write of
// either model before its request is built, so that a write through the
// plain query.Table of either model keeps the relation whole:
//
//   - a child write that creates a linked child, or sets or changes its
//     link (Create, Put, an Update of a link attribute, their WriteTx
//     actions), joins a check that the new parent exists and +1 to its
//     counter, -1 to the old parent's counter, and a condition that the
//     child's link is still the one read (Put, Update and Delete read the
//     child's stored link first, with one GetItem);
//   - deleting a child takes 1 from its parent's counter;
//   - a Create of a parent starts its counter at 0; a Put of a parent is
//     sent as an UpdateItem that keeps the counter;
//   - a plain Delete of a parent applies Restrict as a condition that its
//     counter is 0, and refuses under Cascade and Detach, naming
//     DeleteParent;
//   - batch writes of children, and batch puts and deletes of parents, are
//     refused, naming the call to use.
//
// The relation's own verbs build these actions themselves, so their
// writes carry a mark in the context (see [HasMany.own]) that makes the
// checks of the same relation step aside.

// relKey identifies a relation to its write checks: declarations of the
// same two models with the same counter keep the same counter, so a write
// marked by one is marked for all.
type relKey struct {
	parent, child *model.Model
	counter       string
}

// ownKey is the context key of a relation's mark.
type ownKey struct{ relKey }

func (h *HasMany[P, C]) key() relKey {
	return relKey{h.parents.Model(), h.children.Model(), h.spec.Counter}
}

// own returns ctx marked: the writes of the relation made with it keep the
// relation themselves, and its write checks leave them alone.
func (h *HasMany[P, C]) own(ctx context.Context) context.Context {
	if h.owned(ctx) {
		return ctx
	}
	return context.WithValue(ctx, txn.OwnMark{ID: ownKey{h.key()}}, true)
}

func (h *HasMany[P, C]) owned(ctx context.Context) bool {
	return ctx.Value(txn.OwnMark{ID: ownKey{h.key()}}) != nil
}

// register adds the relation's write rules to the graph its tables'
// client enforces.
func (h *HasMany[P, C]) register() error {
	g, err := sameGraph(h.parents.Client(), h.children.Client())
	if err != nil {
		return fmt.Errorf("relations: declare %s: %w", h.describe(), err)
	}
	err = g.add(h.describe(), h.key(), h.spec.Counter, []*model.Model{h.parents.Model()},
		modelRule{h.children.Model(), h.checkChild, true}, modelRule{h.parents.Model(), h.checkParent, false})
	if err == nil {
		g.addDeleteStep(h.parents.Model(), h.parentStep())
		g.addChildOf(h.children.Model(), h.key())
	}
	return err
}

// describe names the relation in refusals.
func (h *HasMany[P, C]) describe() string {
	return fmt.Sprintf("%s has many %s", mapping.Must(h.parents.Model()).Type, mapping.Must(h.children.Model()).Type)
}

// checkParent is the write check of the parent model.
func (h *HasMany[P, C]) checkParent(ctx context.Context, w *txn.Write) ([]txn.Effect, error) {
	if h.owned(ctx) {
		return nil, nil
	}
	err := counterRule{
		counter:  h.spec.Counter,
		policy:   h.spec.OnDelete,
		relation: h.describe(),
		deleteBy: "HasMany.DeleteParent",
		refused: func(item string) error {
			return &RestrictError{Kind: ErrHasChildren, Relation: h.describe(), Item: item}
		},
		applied: policyApplied(ctx, h.key(), w),
	}.check(w)
	if err != nil || len(h.copies) == 0 {
		return nil, err
	}
	return nil, h.checkSources(ctx, w)
}

// errRestrictPlain is what a plain Delete of a parent refused under
// Restrict reports: it matches [ErrHasChildren].
var errRestrictPlain = fmt.Errorf("%w (or its item has no children counter: HasMany.DeleteParent counts them)", ErrHasChildren)

// checkChild is the write check of the child model.
func (h *HasMany[P, C]) checkChild(ctx context.Context, w *txn.Write) ([]txn.Effect, error) {
	if h.owned(ctx) {
		return nil, nil
	}
	switch w.Op {
	case txn.OpCreate:
		to, linked, err := h.parentIn(w.Attrs)
		if err != nil || !linked {
			return nil, err
		}
		if w.Batch {
			return nil, h.refuseBatch("BatchPut", "HasMany.Link, Table.Create or Client.WriteTx")
		}
		same, err := h.copiesAre(w.Attrs)
		if err != nil {
			return nil, err
		}
		return h.linkItems(w, nil, nil, &to, false, same...)
	case txn.OpPut, txn.OpUpdate, txn.OpAdd:
		update := w.Op != txn.OpPut
		if update {
			if err := h.refuseUnknownLink(w.Unknown); err != nil {
				return nil, err
			}
		}
		if update && !h.touchesLink(w.Attrs) && !h.touchesCopy(w.Attrs) {
			return nil, nil // the same request as without the relation
		}
		if w.Batch {
			return nil, h.refuseBatch("BatchPut", "HasMany.Link, Table.Put or Client.WriteTx")
		}
		old, err := h.storedLink(ctx, w)
		if err != nil {
			return nil, err
		}
		next := w.Attrs
		if update && old != nil {
			next = make(map[string]types.AttributeValue, len(h.links)+len(h.copies))
			for _, n := range h.checkedAttrs() {
				if v, ok := old[n]; ok {
					next[n] = v
				}
				if v, ok := w.Attrs[n]; ok {
					next[n] = v
				}
			}
		}
		to, linked, err := h.parentIn(next)
		if err != nil {
			return nil, err
		}
		var top *P
		if linked {
			top = &to
		}
		same, err := h.copiesAre(next)
		if err != nil {
			return nil, err
		}
		return h.moveItems(w, old, top, false, same...)
	case txn.OpDelete:
		if w.Batch {
			return nil, h.refuseBatch("BatchDelete", "HasMany.DeleteChild, Table.Delete or Client.WriteTx")
		}
		old, err := h.storedLink(ctx, w)
		if err != nil {
			return nil, err
		}
		// A child deleted by the cascade of another parent of its (the
		// delete of another item started the path it is on) may be
		// deleted while a cascade of this parent runs too: see linkItems.
		path := deletePath(ctx)
		return h.moveItems(w, old, nil, len(path) > 0 && path[0] != itemPath(w.Table, w.Key))
	}
	return nil, nil
}

// refuseBatch is the error of a batch write of children.
func (h *HasMany[P, C]) refuseBatch(call, use string) error {
	return fmt.Errorf("%w: %s: %s of a child cannot check its parent or keep the children counter (a batch write takes no transaction): write it with %s", ErrNeedsRelation, h.describe(), call, use)
}

// refuseUnknownLink refuses an update that changes a link attribute to a
// value that depends on the stored item (Add, SetIfNotExists): the check
// cannot tell which parent the child ends up with.
func (h *HasMany[P, C]) refuseUnknownLink(unknown []string) error {
	for _, n := range h.checkedAttrs() {
		if slices.Contains(unknown, n) {
			return fmt.Errorf("%w: %s: an update that changes %s (the link or a copy of the parent) to a value that depends on the stored item (Add, SetIfNotExists) cannot check it against the parent or keep the children counters: set it with Update.Set, or use HasMany.Relink", ErrNeedsRelation, h.describe(), n)
		}
	}
	return nil
}

// checkedAttrs names the child's attributes its write check keeps: the link
// attributes, then the copies of the parent's.
func (h *HasMany[P, C]) checkedAttrs() []string {
	out := make([]string, 0, len(h.links)+len(h.copies))
	for _, l := range h.links {
		out = append(out, l.name)
	}
	for _, cp := range h.copies {
		out = append(out, cp.child.Name)
	}
	return out
}

// touchesCopy reports whether an update's attributes set or remove a copy
// of the parent's attributes ([Spec.Copies]).
func (h *HasMany[P, C]) touchesCopy(attrs map[string]types.AttributeValue) bool {
	for _, cp := range h.copies {
		if _, ok := attrs[cp.child.Name]; ok {
			return true
		}
	}
	return false
}

// copiesAre is the condition, on the parent a child item is written
// under, that its copied attributes hold the child's copies in item (nil:
// the relation copies nothing), so that a plain write cannot give a child
// copies its parent does not hold.
func (h *HasMany[P, C]) copiesAre(item map[string]types.AttributeValue) ([]txn.Cond, error) {
	if len(h.copies) == 0 {
		return nil, nil
	}
	part := make(mapping.Item, len(h.copies))
	for _, cp := range h.copies {
		if v, ok := item[cp.child.Name]; ok && !isAbsent(v) {
			part[cp.child.Name] = v
		}
	}
	var c C
	if err := mapping.Must(h.children.Model()).Decode(part, &c); err != nil {
		return nil, fmt.Errorf("relations: %s: copies: %w", h.describe(), err)
	}
	cv := valueOf(&c)
	conds := make([]txn.Cond, 0, len(h.copies))
	for _, cp := range h.copies {
		fv, err := cp.child.FieldOf(cv)
		if err != nil {
			return nil, err
		}
		av, err := cp.parent.Encode(fv)
		if err != nil {
			return nil, err
		}
		if _, ok := part[cp.child.Name]; !ok {
			av = nil
		}
		conds = append(conds, equalCond(cp.parent.Name, av, errCopiesDiffer))
	}
	return conds, nil
}

// errCopiesDiffer is what a plain write of a child reports when its new
// parent is missing or does not hold the child's copies.
var errCopiesDiffer = fmt.Errorf("%w, or its copied attributes differ from the child's copies (Spec.Copies): link the child with HasMany.Link or HasMany.Relink, which copy them", ErrParentNotFound)

// touchesLink reports whether an update's attributes set or remove a link
// attribute.
func (h *HasMany[P, C]) touchesLink(attrs map[string]types.AttributeValue) bool {
	for _, l := range h.links {
		if _, ok := attrs[l.name]; ok {
			return true
		}
	}
	return false
}

// parentIn returns the parent the link attributes of an encoded child
// item point at, and false when the item has no link (an unlinked child).
func (h *HasMany[P, C]) parentIn(item map[string]types.AttributeValue) (P, bool, error) {
	var zero P
	part := make(mapping.Item, len(h.links))
	for _, l := range h.links {
		v, ok := item[l.name]
		if _, null := v.(*types.AttributeValueMemberNULL); !ok || null {
			return zero, false, nil
		}
		part[l.name] = v
	}
	var c C
	if err := mapping.Must(h.children.Model()).Decode(part, &c); err != nil {
		return zero, false, fmt.Errorf("relations: %s: link: %w", h.describe(), err)
	}
	p, err := h.parentOf(&c)
	if err != nil {
		return zero, false, fmt.Errorf("relations: %s: link: %w", h.describe(), err)
	}
	return p, true, nil
}

// storedLink reads the stored child's link attributes (one strongly
// consistent GetItem that projects the key and the link): nil when there
// is no item.
func (h *HasMany[P, C]) storedLink(ctx context.Context, w *txn.Write) (map[string]types.AttributeValue, error) {
	cm := mapping.Must(h.children.Model())
	attrs := append([]string{cm.Key.Hash.Name}, h.checkedAttrs()...)
	item, err := rawread.Get(ctx, h.children.Client().Executor(), rawread.Read{Table: w.Table, Consistent: true, Attrs: attrs}, w.Key)
	if err != nil {
		return nil, fmt.Errorf("relations: %s: read the child's link: %w", h.describe(), err)
	}
	return item, nil
}

// moveItems applies to w, a write that takes a child whose stored item is
// old (nil: none) to parent to (nil: none), the condition that the child
// is still as read, and returns the counters' changes.
func (h *HasMany[P, C]) moveItems(w *txn.Write, old map[string]types.AttributeValue, to *P, cascaded bool, toConds ...txn.Cond) ([]txn.Effect, error) {
	var from *P
	if old != nil {
		p, linked, err := h.parentIn(old)
		if err != nil {
			return nil, err
		}
		if linked {
			from = &p
		}
	}
	return h.linkItems(w, old, from, to, cascaded, toConds...)
}

// linkItems keeps the relation when a child moves from one parent to
// another (either nil): for a stored child (old, from storedLink) it adds
// to w the condition that the child's link is as read, and it returns the
// effects on the parents: that to exists (and holds the child's copies,
// toConds), +1 to its counter, -1 to from's. A create (old nil, no read)
// needs no condition of its own: it is that the item does not exist.
//
// A child deleted refuses a parent a cascade is deleting (parentEffect),
// except when cascaded: the child is deleted by the cascade of another of
// its parents. Two cascades of a child's two parents would otherwise
// refuse each other's delete of it for ever. The parent's cascade then
// finds the child gone (its delete of it fails, and is not counted) and
// its counter already taken 1 from; only a run of it stopped after it
// recorded the child, and settled after, counts the child again, leaving
// that parent, which is being deleted, a counter too low by one, which
// its cascade recounts when it reads below 0.
func (h *HasMany[P, C]) linkItems(w *txn.Write, old map[string]types.AttributeValue, from, to *P, cascaded bool, toConds ...txn.Cond) ([]txn.Effect, error) {
	if w.Op != txn.OpCreate {
		w.RuleConds = append(w.RuleConds, h.asRead(old)...)
	}
	if from == nil && to == nil {
		return nil, nil
	}
	if to == nil {
		toConds = nil
	}
	if from != nil && to != nil {
		same, err := h.sameParent(*from, *to)
		if err != nil {
			return nil, fmt.Errorf("relations: %s: %w", h.describe(), err)
		}
		if same {
			from = nil // the child changes, its parent's counter does not
			e, err := h.parentEffect(*to, 0, false, toConds)
			return []txn.Effect{e}, err
		}
	}
	var out []txn.Effect
	if to != nil {
		e, err := h.parentEffect(*to, 1, false, toConds)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if from != nil {
		e, err := h.parentEffect(*from, -1, w.Op == txn.OpDelete && h.spec.Layout != ItemCollection && !cascaded, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// parentEffect is what a child's write needs of parent p: that it exists
// (and conds hold), n added to its children counter, and, for n > 0 or a
// child deleted in a layout with a child index (deleting), that no
// cascade has marked it.
func (h *HasMany[P, C]) parentEffect(p P, n int64, deleting bool, conds []txn.Cond) (txn.Effect, error) {
	pm := mapping.Must(h.parents.Model())
	key, err := pm.KeyOf(&p)
	if err != nil {
		return txn.Effect{}, fmt.Errorf("relations: %s: parent: %w", h.describe(), err)
	}
	e := txn.Effect{Table: h.parents.TableName(), Key: key, What: "parent " + h.parents.TableName() + " " + mapping.KeyText(key) + " (" + h.describe() + ")",
		Conds: append(existsCond(pm, ErrParentNotFound), conds...)}
	if n != 0 {
		e.Adds = []txn.Delta{{Attr: h.spec.Counter, N: n}}
	}
	if n > 0 || deleting {
		// No child joins a parent a cascade is deleting, and, where the
		// cascade counts its pages by key (a child index), no other
		// writer deletes one of its children meanwhile.
		e.Conds = append(e.Conds, equalCond(cascadeMark(h.spec.Counter), nil, errParentDeleting))
	}
	return e, nil
}

// asRead is the condition that a child item is as storedLink read it:
// absent, or with the same link attributes (or none).
func (h *HasMany[P, C]) asRead(old map[string]types.AttributeValue) []txn.Cond {
	cm := mapping.Must(h.children.Model())
	hash := cm.Key.Hash.Name
	if old == nil {
		return []txn.Cond{equalCond(hash, nil, ErrStaleLink)}
	}
	out := []txn.Cond{{
		Expr: expression.AttributeExists(expression.NameNoDotSplit(hash)), Kind: ErrStaleLink,
		Holds: func(item map[string]types.AttributeValue) bool { return item != nil && item[hash] != nil },
	}}
	for _, l := range h.links {
		out = append(out, equalCond(l.name, old[l.name], ErrStaleLink))
	}
	return out
}

// ErrNeedsRelation is returned, with a message naming the call to use,
// when a write through a plain query.Table cannot keep a declared
// relation whole: a batch write of children, a batch put or delete of
// parents, a plain Delete of a parent or end under Cascade or Detach
// (which the relation verbs apply, also to the items they delete for
// another relation), and a delete of a many-to-many's edge through the
// edges' table (Delete, BatchDelete, TxDelete: [ManyToMany.Unlink] keeps
// the ends' counters). Retrying the same write does not help: use the
// call the message names.
var ErrNeedsRelation = errors.New("relations: write needs the relation")
