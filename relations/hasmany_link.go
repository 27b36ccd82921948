package relations

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// Link creates child under parent, atomically and only if parent exists:
// it sets child's link fields from parent (only parent's key fields need
// be set), then writes the child and adds 1 to the parent's children
// counter in one TransactWriteItems request. It returns
// [ErrParentNotFound], or [dynamokit.ErrAlreadyExists] when the child exists;
// then nothing is written and *child is as it was.
//
// With [Spec.Copies], it first reads the parent (a strongly consistent
// GetItem) and sets child's copies from it; the transaction requires the
// parent to hold those values still, and a rename in between makes Link
// read the parent again.
//
// It calls TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func (h *HasMany[P, C]) Link(ctx context.Context, child *C, parent P) (err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.Link", h.children.TableName())
	defer end(op, &err, h, h.children.TableName())
	ctx = h.own(ctx)
	if child == nil {
		return errors.New("relations: link: nil child")
	}
	if _, err := h.linkedTo(parent); err != nil {
		// No parent named at all: the child would point nowhere.
		return fmt.Errorf("relations: link: %w: %w", ErrParentNotFound, err)
	}
	return h.copying(ctx, "link", parent, func(src *P) error { return h.link(ctx, child, parent, src) })
}

// link is [HasMany.Link] with the parent as read for the copies (nil: the
// relation copies nothing).
func (h *HasMany[P, C]) link(ctx context.Context, child *C, parent P, src *P) error {
	saved := *child
	linked, err := h.relink(*child, parent)
	if err == nil {
		err = h.setCopies(&linked, src)
	}
	if err != nil {
		return fmt.Errorf("relations: link: %w", err)
	}
	*child = linked
	same, err := h.sourcesAre(src)
	if err != nil {
		*child = saved
		return fmt.Errorf("relations: link: %w", err)
	}
	guard, err := h.linkActions(nil, &parent, same...)
	if err != nil {
		*child = saved
		return fmt.Errorf("relations: link: %w", err)
	}
	err = h.children.Client().WriteTx(ctx, nil, append([]dynamokit.TxAction{h.children.TxCreate(child)}, guard...)...)
	if err != nil {
		*child = saved
	}
	err = h.txErr("link", err, 0, 1, &parent)
	var oe *opError
	if errors.As(err, &oe) && errors.Is(err, dynamokit.ErrAlreadyExists) {
		oe.op = "link (the child exists: Relink moves it to another parent)"
	}
	return err
}

// Relink moves child to parent to, atomically and only if both exist: it
// returns [ErrChildNotFound] or [ErrParentNotFound] (both, when both are
// missing) and changes nothing otherwise. The same transaction moves one
// count from the old parent's children counter to the new one's.
//
// child needs its key fields and its current link, as stored: a child
// value whose link another writer has changed since it was read returns
// [ErrStaleLink] (in an item collection, where the link is part of the key,
// [ErrChildNotFound]). In the multi-table and inverted-index layouts a
// child value with an empty link is read first (a GetItem) to learn it.
//
// In the multi-table and inverted-index layouts it writes only the link:
// for a versioned child model, a child value with a version must match the
// stored one ([dynamokit.ErrVersionConflict]), and the move increments the
// version and sets the updated time. It is one TransactWriteItems request:
// update the child, add to the new parent's counter, subtract from the
// old one's. In an item collection the child's key changes: the child is
// read (GetItem), then deleted and re-created under its new key in one
// TransactWriteItems request with the same counter updates, its version
// restarting at 1; it returns [dynamokit.ErrAlreadyExists] when a child with
// the new key exists.
//
// A child whose old parent no longer exists (an orphan left by writes
// outside the relation) is moved all the same, with one more
// TransactWriteItems request.
//
// With [Spec.Copies], it first reads the new parent (a GetItem) and writes
// its values into the child's copies in the same transaction, as
// [HasMany.Link] does.
//
// It calls TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func (h *HasMany[P, C]) Relink(ctx context.Context, child C, to P) (err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.Relink", h.children.TableName())
	defer end(op, &err, h, h.children.TableName())
	ctx = h.own(ctx)
	return h.copying(ctx, "relink", to, func(src *P) error { return h.relinkOnce(ctx, child, to, src) })
}

// relinkOnce is [HasMany.Relink] with the parent to as read for the
// copies (nil: the relation copies nothing).
func (h *HasMany[P, C]) relinkOnce(ctx context.Context, child C, to P, src *P) error {
	if h.spec.Layout == ItemCollection {
		return h.relinkAcross(ctx, child, to, src)
	}
	if _, err := h.linkedTo(to); err != nil {
		return fmt.Errorf("relations: relink: %w", err)
	}
	from, err := h.currentParent(ctx, &child)
	if err != nil {
		return fmt.Errorf("relations: relink: %w", err)
	}
	upd := h.children.Update(child)
	pv := valueOf(&to)
	for _, l := range h.links {
		// The Go value, not its encoding: Update recomputes the index keys
		// built from the link (gsi1pk = "DEPT#{department_id}") from it.
		v, err := l.parent.FieldOf(pv)
		if err != nil {
			return fmt.Errorf("relations: relink: %w", err)
		}
		upd = upd.Set(l.name, v.Interface())
	}
	cond, err := h.linkCond(from)
	if err != nil {
		return fmt.Errorf("relations: relink: %w", err)
	}
	upd, err = h.setCopiesOf(upd, src)
	if err != nil {
		return fmt.Errorf("relations: relink: %w", err)
	}
	same, err := h.sourcesAre(src)
	if err != nil {
		return fmt.Errorf("relations: relink: %w", err)
	}
	return h.guarded(ctx, "relink", []dynamokit.TxAction{h.linkHeld(upd.If(cond), child, from)}, from, &to, same...)
}

// currentParent returns the parent child's link points at (nil for none).
// A child value with an empty link is read, strongly consistent, to learn
// the stored link.
func (h *HasMany[P, C]) currentParent(ctx context.Context, child *C) (*P, error) {
	if !h.hasLink(child) {
		cur, err := h.children.Consistent().Get(ctx, *child)
		if errors.Is(err, dynamokit.ErrNotFound) || errors.Is(err, model.ErrEmptyKey) {
			return nil, fmt.Errorf("%w: %w", ErrChildNotFound, err)
		}
		if err != nil {
			return nil, err
		}
		if !h.hasLink(&cur) {
			return nil, nil
		}
		child = &cur
	}
	p, err := h.parentOf(child)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// hasLink reports whether child's link fields name a parent.
func (h *HasMany[P, C]) hasLink(child *C) bool {
	p, err := h.parentOf(child)
	if err != nil {
		return false
	}
	_, err = h.linkedTo(p)
	return err == nil
}

// linkCond is the condition that a child points at from, or at no parent
// when from is nil.
func (h *HasMany[P, C]) linkCond(from *P) (query.Cond, error) {
	if from != nil {
		return h.linkedTo(*from)
	}
	conds := make([]query.Cond, len(h.links))
	for i, l := range h.links {
		conds[i] = query.Name(l.name).AttributeNotExists()
	}
	if len(conds) == 1 {
		return conds[0], nil
	}
	return query.And(conds[0], conds[1], conds[2:]...), nil
}

// guarded runs the child's actions in one transaction with the
// link actions (linkActions) of a move from one parent to another (either may
// be nil), and maps a cancellation to the relation's errors. When only the
// old parent is missing (an orphan), it runs again without it: a child
// that points at nothing may still be moved or unlinked. toConds are
// conditions on the new parent (that its copied attributes are unchanged).
func (h *HasMany[P, C]) guarded(ctx context.Context, op string, child []dynamokit.TxAction, from, to *P, toConds ...query.Cond) error {
	guard, err := h.linkActions(from, to, toConds...)
	if err != nil {
		return fmt.Errorf("relations: %s: %w", op, err)
	}
	actions := append(child[:len(child):len(child)], guard...)
	err = h.children.Client().WriteTx(ctx, nil, actions...)
	toAt, fromAt := -1, -1
	switch {
	case len(guard) == 2:
		toAt, fromAt = len(child), len(child)+1
	case to != nil:
		toAt = len(child)
	case from != nil:
		fromAt = len(child)
	}
	var te *dynamokit.TxError
	if fromAt >= 0 && errors.As(err, &te) && len(te.Reasons) == len(actions) && te.Reasons[fromAt].Failed() &&
		!slices.ContainsFunc(te.Reasons[:fromAt], dynamokit.TxReason.Failed) {
		// Only the old parent is missing.
		return h.guarded(ctx, op, child, nil, to, toConds...)
	}
	return h.txErr(op, err, 0, toAt, to)
}

// relinkAcross moves a child whose key contains its parent's key: it reads
// the child, then deletes it and puts it under its new key in one
// transaction that also moves the count between the parents. The delete
// requires the child to be unchanged since it was read (by version, for a
// versioned model) and the put requires the new key to be free.
func (h *HasMany[P, C]) relinkAcross(ctx context.Context, child C, to P, copyFrom *P) error {
	cur, err := h.children.Consistent().Get(ctx, child)
	if errors.Is(err, dynamokit.ErrNotFound) || errors.Is(err, model.ErrEmptyKey) {
		return fmt.Errorf("relations: relink: %w: %w", ErrChildNotFound, err)
	}
	if err != nil {
		return fmt.Errorf("relations: relink: %w", err)
	}
	moved, err := h.relink(cur, to)
	if err == nil {
		err = h.setCopies(&moved, copyFrom)
	}
	if err != nil {
		return fmt.Errorf("relations: relink: %w", err)
	}
	from, err := h.parentOf(&cur)
	if err != nil {
		return fmt.Errorf("relations: relink: %w", err)
	}
	cm := mapping.Must(h.children.Model())
	src, err := cm.KeyOf(&cur)
	if err != nil {
		return fmt.Errorf("relations: relink: %w", err)
	}
	dest, err := cm.KeyOf(&moved)
	if err != nil {
		return fmt.Errorf("relations: relink: %w", err)
	}
	if hasKey(src, dest) {
		// Already there: DynamoDB refuses two actions on one item in a
		// transaction, and there is nothing to write.
		err = h.children.Client().WriteTx(ctx, nil, h.children.Check(cur), h.parents.Check(to))
		return h.txErr("relink", err, 0, 1, &to)
	}
	// The moved item is a new item: a version restarts at 1. moved shares
	// no field it writes with cur, whose version the delete checks.
	setZero(&moved, cm.Version)
	free := query.Name(cm.Key.Hash.Name).AttributeNotExists()
	same, err := h.sourcesAre(copyFrom)
	if err != nil {
		return fmt.Errorf("relations: relink: %w", err)
	}
	err = h.guarded(ctx, "relink", []dynamokit.TxAction{
		h.linkHeld(h.children.TxDelete(cur, h.children.KeyExists()), cur, &from),
		h.children.TxPut(&moved, free),
	}, &from, &to, same...)
	var te *dynamokit.TxError
	if errors.As(err, &te) && len(te.Reasons) >= 2 && !te.Reasons[0].Failed() && te.Reasons[1].Failed() {
		return &opError{op: "relink (the child's new key is taken)", kinds: []error{dynamokit.ErrAlreadyExists}, err: err}
	}
	return err
}

// relink returns a copy of c whose link fields point at parent. The
// copy's embedded pointers on the way to its links are copied before the
// links are set, so c does not change; so are those of any field set later
// through [mapping.Attribute.SettableFieldOf] (setZero, Put's version and
// timestamps), though the copy still shares them with c until then.
func (h *HasMany[P, C]) relink(c C, parent P) (C, error) {
	cv, pv := valueOf(&c), valueOf(&parent)
	for _, l := range h.links {
		if err := copyField(cv, l.child, pv, l.parent); err != nil {
			return c, err
		}
	}
	return c, nil
}

// Unlink removes child's link, so it belongs to no parent (and drops out
// of a sparse child index), and subtracts 1 from its parent's children
// counter, in one TransactWriteItems request. child needs its key fields
// and its current link as stored ([ErrStaleLink] otherwise); a child value
// with an empty link is read first (a GetItem), and a child that has no
// link is left as it is. It returns [ErrChildNotFound] when the child does
// not exist, and [ErrCannotDetach] in an item collection, where the link
// is part of the child's key.
//
// It calls TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func (h *HasMany[P, C]) Unlink(ctx context.Context, child C) (err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.Unlink", h.children.TableName())
	defer end(op, &err, h, h.children.TableName())
	ctx = h.own(ctx)
	if h.spec.Layout == ItemCollection {
		return fmt.Errorf("relations: unlink: %w", errtext.Quoted{Err: ErrCannotDetach})
	}
	from, err := h.currentParent(ctx, &child)
	if err != nil {
		return fmt.Errorf("relations: unlink: %w", err)
	}
	if from == nil {
		return nil // already unlinked
	}
	linked, err := h.linkedTo(*from)
	if err != nil {
		return fmt.Errorf("relations: unlink: %w", err)
	}
	return h.guarded(ctx, "unlink", []dynamokit.TxAction{h.linkHeld(h.unlink(child).If(linked), child, from)}, from, nil)
}

// DeleteChild deletes child and subtracts 1 from its parent's children
// counter, in one TransactWriteItems request. child needs its key fields
// and its current link as stored ([ErrStaleLink] otherwise; in an item
// collection the link is part of the key); a child value with an empty
// link is read first (a GetItem). It returns [ErrChildNotFound] when the
// child does not exist. A child of a parent that no longer exists is
// deleted all the same. Deleting a child through the child's query.Table
// keeps the counter too (the relation's write check reads the child's link
// first, one more GetItem), but refuses an orphan.
//
// A child that counts something in other relations declared on the same
// client (it is the parent of another [HasMany], or an end of a
// [ManyToMany]) has their delete policies applied first, through the
// client's [Graph]: each [Restrict] is checked before anything is written
// (a GetItem of the counter), and refuses with a *[RestrictError] or
// *[RestrictError] naming that relation and the child (retrying does not
// help until its children or edges are gone); each [Cascade] deletes the
// child's children, or its edges (never the other ends), and each [Detach]
// unlinks its children; then the child is deleted on condition that those
// counters are still 0, and applied again when something was linked
// meanwhile (up to 10 times, then [ErrLinkedMeanwhile]). A child's other
// parents (a child of two relations) get their -1 in the same transaction
// from their relation's write rule. A cycle of [Cascade] relations that
// leads back to the child returns [ErrDeleteCycle].
//
// It calls TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func (h *HasMany[P, C]) DeleteChild(ctx context.Context, child C) (err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.DeleteChild", h.children.TableName())
	defer end(op, &err, h, h.children.TableName())
	ctx = h.own(ctx)
	for range maxSweeps {
		// The relations in which the child counts something (its own
		// children, its edges) apply their policies first (compose.go).
		dctx, err := composeDelete(ctx, h.children, child, stepID{}, nil)
		if err != nil {
			return fmt.Errorf("relations: delete child: %w", err)
		}
		if err = h.deleteChild(dctx, child); !errors.Is(err, ErrLinkedMeanwhile) {
			return err
		}
	}
	return fmt.Errorf("relations: delete child: %w (%d times)", ErrLinkedMeanwhile, maxSweeps)
}

// deleteChild is [HasMany.DeleteChild] once the other relations' policies
// are applied.
func (h *HasMany[P, C]) deleteChild(ctx context.Context, child C) error {
	from, err := h.currentParent(ctx, &child)
	if err != nil {
		return fmt.Errorf("relations: delete child: %w", err)
	}
	cond, err := h.linkCond(from)
	if err != nil {
		return fmt.Errorf("relations: delete child: %w", err)
	}
	if h.spec.Layout == ItemCollection {
		cond = query.And(h.children.KeyExists(), cond)
	}
	actions := []dynamokit.TxAction{h.linkHeld(h.children.TxDelete(child, cond), child, from)}
	if from != nil && h.spec.Layout != ItemCollection {
		// Where a cascade counts its pages by key, it is the only writer
		// that may delete a child of the parent it marked.
		err := h.children.Client().WriteTx(ctx, nil, append(actions, h.parents.TxAdd(*from, h.spec.Counter, -1, h.notDeleting()))...)
		var te *dynamokit.TxError
		if errors.As(err, &te) && len(te.Reasons) == 2 && !te.Reasons[0].Failed() && te.Reasons[1].Failed() {
			if errors.Is(te.Reasons[1].Kind, dynamokit.ErrNotFound) {
				return h.guarded(ctx, "delete child", actions, nil, nil) // an orphan
			}
			return fmt.Errorf("relations: delete child: %w: the cascade deletes its children", errParentDeleting)
		}
		return h.txErr("delete child", err, 0, -1, nil)
	}
	return h.guarded(ctx, "delete child", actions, from, nil)
}

// linkHeld wraps a, the action of a verb on child written on condition
// that child's link is from (nil: no link), so that a failure of its
// condition says which condition failed. The write rules of other
// relations on the same client join their conditions on the child to the
// action's own (the Restrict of a many-to-many end on the child's delete:
// that its edge counter is 0), and DynamoDB reports one failure for the
// joined condition. The item as it was (ReturnValuesOnConditionCheckFailure
// ALL_OLD, returned with the cancellation) tells them apart at no cost: a
// link that is no longer from is a stale link ([ErrStaleLink]); a link
// still from, with the action's other conditions holding (the child
// exists, its version matches), means another relation's rule refused, a
// *ruleRefusal, which a retry cannot get past.
func (h *HasMany[P, C]) linkHeld(a dynamokit.TxAction, child C, from *P) dynamokit.TxAction {
	return ownCondition{TxAction: a, held: func(old map[string]types.AttributeValue) error {
		if !h.linkIs(old, from) {
			return nil
		}
		where := "has no parent"
		if from != nil {
			where = "points at " + keyTextOf(h.parents, *from)
		}
		return &ruleRefusal{relation: h.describe(), item: keyTextOf(h.children, child), where: where}
	}}
}

// linkIs reports whether the stored child item old links to from (nil:
// has no link), comparing the encoded link attributes.
func (h *HasMany[P, C]) linkIs(old map[string]types.AttributeValue, from *P) bool {
	cm := mapping.Must(h.children.Model())
	var want C
	if from != nil {
		c, err := h.childOf(from)
		if err != nil {
			return false
		}
		want = c
	}
	for _, l := range h.links {
		v, ok := old[l.name]
		if _, null := v.(*types.AttributeValueMemberNULL); null {
			ok = false
		}
		if from == nil {
			if ok {
				return false
			}
			continue
		}
		w, err := cm.Value(l.name, &want)
		if err != nil || !ok || !reflect.DeepEqual(v, w) {
			return false
		}
	}
	return true
}

// ownCondition is a transaction action whose failed condition is checked
// against the item as it was: when the action's own failure kind is a
// plain failed condition and held (given that item) returns an error, the
// action's own conditions held and that error is reported instead.
type ownCondition struct {
	dynamokit.TxAction
	held func(old map[string]types.AttributeValue) error
}

// TxWrite builds the action, with its failure checked by held.
func (a ownCondition) TxWrite(k txn.Key) (*txn.Write, error) {
	w, err := a.TxAction.TxWrite(k)
	if err != nil {
		return nil, err
	}
	own := w.Fail
	w.Fail = func(old map[string]types.AttributeValue) error {
		var kind error = dynamokit.ErrConditionFailed
		if own != nil {
			kind = own(old)
		}
		if old != nil && kind == dynamokit.ErrConditionFailed {
			if other := a.held(old); other != nil {
				return other
			}
		}
		return kind
	}
	return w, nil
}

// ruleRefusal is the failure of a relation verb's write on a child whose
// own conditions held: its link was the one given. A condition another
// relation's write rule joined to the write failed instead. Retrying does
// not help.
type ruleRefusal struct {
	relation string // the relation whose verb wrote
	item     string // the child's key
	where    string // its link, as given and stored
}

func (e *ruleRefusal) Error() string {
	return fmt.Sprintf("relations: %s: %s %s, as given, so this relation's condition held: a write rule another relation keeps on the item refused the write (such as the Restrict of a many-to-many relation whose end it is, which refuses its delete while it has edges); retrying does not help: unlink or delete what that relation guards first",
		e.relation, e.item, e.where)
}

// txErr maps a cancelled transaction's reasons to the relation's
// sentinels: childAt and parentAt are the positions of the child's action
// and the parent check (-1: none). A child action that failed because the
// child is missing reports [ErrChildNotFound]; one that failed for another
// reason (a stale version, a taken key) reports that reason's sentinel. A
// failed parent check reports [ErrParentNotFound] with parent's key, when
// parent is not nil.
func (h *HasMany[P, C]) txErr(op string, err error, childAt, parentAt int, parent *P) error {
	if err == nil {
		return nil
	}
	var te *dynamokit.TxError
	if !errors.As(err, &te) {
		return fmt.Errorf("relations: %s: %w", op, err)
	}
	var kinds []error
	if childAt >= 0 && childAt < len(te.Reasons) && te.Reasons[childAt].Failed() {
		switch k := te.Reasons[childAt].Kind; k {
		case nil, dynamokit.ErrNotFound:
			kinds = append(kinds, ErrChildNotFound)
		case dynamokit.ErrConditionFailed:
			kinds = append(kinds, ErrStaleLink)
		default:
			kinds = append(kinds, k)
		}
	}
	if parentAt >= 0 && parentAt < len(te.Reasons) && te.Reasons[parentAt].Failed() {
		if parent != nil {
			kinds = append(kinds, fmt.Errorf("%w: %s", ErrParentNotFound, keyTextOf(h.parents, *parent)))
		} else {
			kinds = append(kinds, ErrParentNotFound)
		}
	}
	if len(kinds) == 0 {
		return fmt.Errorf("relations: %s: %w", op, err)
	}
	return &opError{op: op, kinds: kinds, err: err}
}

// opError is a failed operation with one or more sentinel causes. Its
// message lists them on one line; errors.Is matches each of them and
// errors.As reaches the transaction error.
type opError struct {
	op    string
	kinds []error
	err   error
}

func (e *opError) Error() string {
	parts := make([]string, len(e.kinds))
	for i, k := range e.kinds {
		parts[i] = errtext.Trim(k.Error())
	}
	return "relations: " + e.op + ": " + strings.Join(parts, "; ")
}

func (e *opError) Unwrap() []error { return append(append([]error(nil), e.kinds...), e.err) }
