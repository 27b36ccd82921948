package relations

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// Integrity on every write path. [Declare] registers two write checks
// with the client of the tables (dynamokit.Client.AddWriteCheck), so that
// a write through the plain query.Table of either model keeps the
// relation whole:
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
	return context.WithValue(ctx, ownKey{h.key()}, true)
}

func (h *HasMany[P, C]) owned(ctx context.Context) bool {
	return ctx.Value(ownKey{h.key()}) != nil
}

// register adds the relation's write checks to the clients of its tables.
func (h *HasMany[P, C]) register() {
	h.children.Client().AddWriteCheck(h.children.Model(), h.checkChild)
	h.parents.Client().AddWriteCheck(h.parents.Model(), h.checkParent)
}

// describe names the relation in refusals.
func (h *HasMany[P, C]) describe() string {
	return fmt.Sprintf("%s has many %s", mapping.Must(h.parents.Model()).Type, mapping.Must(h.children.Model()).Type)
}

// checkParent is the write check of the parent model.
func (h *HasMany[P, C]) checkParent(ctx context.Context, w *dynamokit.Write) ([]dynamokit.CheckItem, error) {
	if h.owned(ctx) {
		return nil, nil
	}
	items, err := counterRule{
		counter:  h.spec.Counter,
		policy:   h.spec.OnDelete,
		relation: h.describe(),
		deleteBy: "HasMany.DeleteParent",
		refused:  errRestrictPlain,
	}.check(w)
	if err != nil || len(h.copies) == 0 {
		return items, err
	}
	extra, err := h.checkSources(ctx, w)
	return append(items, extra...), err
}

// errRestrictPlain is what a plain Delete of a parent refused under
// Restrict reports: it matches [ErrHasChildren].
var errRestrictPlain = fmt.Errorf("%w (or its item has no children counter: HasMany.DeleteParent counts them)", ErrHasChildren)

// checkChild is the write check of the child model.
func (h *HasMany[P, C]) checkChild(ctx context.Context, w *dynamokit.Write) ([]dynamokit.CheckItem, error) {
	if h.owned(ctx) {
		return nil, nil
	}
	switch w.Op {
	case "create":
		to, linked, err := h.parentIn(w.Item)
		if err != nil || !linked {
			return nil, err
		}
		if w.Batch {
			return nil, h.refuseBatch("BatchPut", "HasMany.Link, Table.Create or Client.WriteTx")
		}
		same, err := h.copiesAre(w.Item)
		if err != nil {
			return nil, err
		}
		return h.linkItems(w, nil, nil, &to, same...)
	case "put", "update":
		if w.Op == "update" {
			if err := h.refuseUnknownLink(w.Unknown); err != nil {
				return nil, err
			}
		}
		if w.Op == "update" && !h.touchesLink(w.Item) && !h.touchesCopy(w.Item) {
			return nil, nil // the same request as without the relation
		}
		if w.Batch {
			return nil, h.refuseBatch("BatchPut", "HasMany.Link, Table.Put or Client.WriteTx")
		}
		old, err := h.storedLink(ctx, w)
		if err != nil {
			return nil, err
		}
		next := w.Item
		if w.Op == "update" && old != nil {
			next = make(map[string]types.AttributeValue, len(h.links)+len(h.copies))
			for _, n := range h.checkedAttrs() {
				if v, ok := old[n]; ok {
					next[n] = v
				}
				if v, ok := w.Item[n]; ok {
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
		return h.moveItems(w, old, top, same...)
	case "delete":
		if w.Batch {
			return nil, h.refuseBatch("BatchDelete", "HasMany.DeleteChild, Table.Delete or Client.WriteTx")
		}
		old, err := h.storedLink(ctx, w)
		if err != nil {
			return nil, err
		}
		return h.moveItems(w, old, nil)
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
func (h *HasMany[P, C]) copiesAre(item map[string]types.AttributeValue) ([]query.Cond, error) {
	if len(h.copies) == 0 {
		return nil, nil
	}
	part := make(mapping.Item, len(h.copies))
	for _, cp := range h.copies {
		if v, ok := item[cp.child.Name]; ok {
			if _, null := v.(*types.AttributeValueMemberNULL); !null {
				part[cp.child.Name] = v
			}
		}
	}
	var c C
	if err := mapping.Must(h.children.Model()).Decode(part, &c); err != nil {
		return nil, fmt.Errorf("relations: %s: copies: %w", h.describe(), err)
	}
	cv := valueOf(&c)
	conds := make([]query.Cond, 0, len(h.copies))
	for _, cp := range h.copies {
		fv, err := cp.child.FieldOf(cv)
		if err != nil {
			return nil, err
		}
		av, err := cp.child.Encode(fv)
		if err != nil {
			return nil, err
		}
		if av == nil {
			conds = append(conds, query.Name(cp.parent.Name).AttributeNotExists())
			continue
		}
		conds = append(conds, query.Name(cp.parent.Name).Equal(query.Value(fv.Interface())))
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
func (h *HasMany[P, C]) storedLink(ctx context.Context, w *dynamokit.Write) (map[string]types.AttributeValue, error) {
	cm := mapping.Must(h.children.Model())
	proj := expression.NamesList(expression.NameNoDotSplit(cm.Key.Hash.Name))
	for _, n := range h.checkedAttrs() {
		proj = proj.AddNames(expression.NameNoDotSplit(n))
	}
	e, err := expression.NewBuilder().WithProjection(proj).Build()
	if err != nil {
		return nil, err
	}
	out, err := h.children.Client().GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(w.Table), Key: w.Key, ConsistentRead: aws.Bool(true),
		ProjectionExpression: e.Projection(), ExpressionAttributeNames: e.Names(),
	})
	if err != nil {
		return nil, fmt.Errorf("relations: %s: read the child's link: %w", h.describe(), err)
	}
	if out.Item == nil {
		return nil, nil
	}
	return out.Item, nil
}

// moveItems returns the items of a write that takes a child whose stored
// item is old (nil: none) to parent to (nil: none): the condition that the
// child is still as read, and the counters' changes.
func (h *HasMany[P, C]) moveItems(w *dynamokit.Write, old map[string]types.AttributeValue, to *P, toConds ...query.Cond) ([]dynamokit.CheckItem, error) {
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
	return h.linkItems(w, old, from, to, toConds...)
}

// linkItems returns the items that keep the relation when a child moves
// from one parent to another (either nil): the [HasMany.LinkActions], and
// for a stored child (old, from storedLink) the condition on the child
// that its link is as read. A create (old nil, no read) needs none: its
// own condition is that the item does not exist.
func (h *HasMany[P, C]) linkItems(w *dynamokit.Write, old map[string]types.AttributeValue, from, to *P, toConds ...query.Cond) ([]dynamokit.CheckItem, error) {
	var out []dynamokit.CheckItem
	if w.Op != "create" {
		guard, err := h.asRead(old)
		if err != nil {
			return nil, err
		}
		out = append(out, dynamokit.CheckItem{
			Item: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
				TableName: aws.String(w.Table), Key: w.Key,
				ConditionExpression:       guard.Condition(),
				ExpressionAttributeNames:  guard.Names(),
				ExpressionAttributeValues: guard.Values(),
			}},
			What: "child's link as read " + w.Table,
			Err:  ErrStaleLink,
		})
	}
	if from == nil && to == nil {
		return out, nil
	}
	if to == nil {
		toConds = nil
	}
	actions, err := h.linkActions(from, to, toConds...)
	if err != nil {
		return nil, fmt.Errorf("relations: %s: %w", h.describe(), err)
	}
	for i, a := range actions {
		tw, err := a.TxWrite(txn.Key{})
		if err != nil {
			return nil, fmt.Errorf("relations: %s: %w", h.describe(), err)
		}
		kind := ErrParentNotFound
		if i == 0 && len(toConds) > 0 { // the action on to comes first
			kind = errCopiesDiffer
		}
		out = append(out, dynamokit.CheckItem{Item: tw.Item, What: tw.What, Err: kind})
	}
	return out, nil
}

// asRead is the condition that a child item is as storedLink read it:
// absent, or with the same link attributes (or none).
func (h *HasMany[P, C]) asRead(old map[string]types.AttributeValue) (expression.Expression, error) {
	cm := mapping.Must(h.children.Model())
	var cond expression.ConditionBuilder
	if old == nil {
		cond = expression.AttributeNotExists(expression.NameNoDotSplit(cm.Key.Hash.Name))
	} else {
		cond = expression.AttributeExists(expression.NameNoDotSplit(cm.Key.Hash.Name))
		for _, l := range h.links {
			n := expression.NameNoDotSplit(l.name)
			if v, ok := old[l.name]; ok {
				cond = cond.And(n.Equal(expression.Value(v)))
			} else {
				cond = cond.And(expression.AttributeNotExists(n))
			}
		}
	}
	return expression.NewBuilder().WithCondition(cond).Build()
}

// ErrNeedsRelation is returned, with a message naming the call to use,
// when a write through a plain query.Table cannot keep a declared
// relation whole: a batch write of children, a batch put or delete of
// parents, a plain Delete of a parent under Cascade or Detach.
var ErrNeedsRelation = errors.New("relations: write needs the relation")
