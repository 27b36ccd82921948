package relations

import (
	"context"
	"errors"
	"fmt"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"strings"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"github.com/dynamokit/dynamokit/query"
)

// Move makes child a child of to, atomically and only if both exist: it
// returns [ErrChildNotFound] or [ErrParentNotFound] (both, when both are
// missing) and changes nothing otherwise. In the multi-table and
// inverted-index layouts it writes only the link: for a versioned child
// model, a child value with a version must match the stored one
// ([query.ErrVersionConflict]), and the move increments the version and sets
// the updated time. In an item collection the stored child is re-created
// under its new key, its version restarting at 1. child needs its key fields set; in an item
// collection also its current link, since the link is part of its key.
//
// In the multi-table and inverted-index layouts a move is one
// TransactWriteItems request (update the child, check the parent). In an
// item collection the child's key changes: the child is read (GetItem),
// then deleted and re-created under the new parent in one
// TransactWriteItems request; it returns [query.ErrAlreadyExists] when a
// child with the new key exists.
//
// It calls TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func (h *HasMany[P, C]) Move(ctx context.Context, child C, to P) error {
	if h.layout == ItemCollection {
		return h.moveAcross(ctx, child, to)
	}
	if _, err := h.linkedTo(to); err != nil {
		return fmt.Errorf("relations: move: %w", err)
	}
	upd := h.children.Update(child)
	pv := valueOf(&to)
	for _, l := range h.links {
		// The Go value, not its encoding: Update recomputes the index keys
		// built from the link (gsi1pk = "DEPT#{department_id}") from it.
		v, err := l.parent.FieldOf(pv)
		if err != nil {
			return fmt.Errorf("relations: move: %w", err)
		}
		upd = upd.Set(l.name, v.Interface())
	}
	err := h.children.Client().WriteTx(ctx, nil, upd, h.parents.Check(to))
	return h.txErr("move", err, 0, 1)
}

// moveAcross moves a child whose key contains its parent's key: it reads
// the child, then deletes it and puts it under its new key in one
// transaction that also checks the parent. The delete requires the child
// to be unchanged since it was read (by version, for a versioned model)
// and the put requires the new key to be free.
func (h *HasMany[P, C]) moveAcross(ctx context.Context, child C, to P) error {
	cur, err := h.children.Get(ctx, child, query.Consistent())
	if errors.Is(err, query.ErrNotFound) || errors.Is(err, query.ErrEmptyKey) {
		return fmt.Errorf("relations: move: %w: %w", ErrChildNotFound, err)
	}
	if err != nil {
		return fmt.Errorf("relations: move: %w", err)
	}
	moved, err := h.relink(cur, to)
	if err != nil {
		return fmt.Errorf("relations: move: %w", err)
	}
	cm := mapping.Must(h.children.Model())
	from, err := cm.KeyOf(&cur)
	if err != nil {
		return fmt.Errorf("relations: move: %w", err)
	}
	dest, err := cm.KeyOf(&moved)
	if err != nil {
		return fmt.Errorf("relations: move: %w", err)
	}
	if hasKey(from, dest) {
		// Already there: DynamoDB refuses two actions on one item in a
		// transaction, and there is nothing to write.
		err = h.children.Client().WriteTx(ctx, nil, h.children.Check(cur), h.parents.Check(to))
		return h.txErr("move", err, 0, 1)
	}
	// The moved item is a new item: a version restarts at 1. moved shares
	// no field it writes with cur, whose version the delete checks.
	setZero(&moved, cm.Version)
	free := query.Name(cm.Key.Hash.Name).AttributeNotExists()
	err = h.children.Client().WriteTx(ctx, nil,
		h.children.TxDelete(cur, h.children.KeyExists()),
		h.children.TxPut(&moved, free),
		h.parents.Check(to),
	)
	var te *dynamokit.TxError
	if errors.As(err, &te) && len(te.Reasons) == 3 && !te.Reasons[0].Failed() && te.Reasons[1].Failed() {
		return &opError{op: "move (the child's new key is taken)", kinds: []error{query.ErrAlreadyExists}, err: err}
	}
	return h.txErr("move", err, 0, 2)
}

// relink returns a copy of c whose link fields point at parent. The
// copy's embedded pointers on the way to its links are copied before the
// links are set, so c does not change; so are those of any field set later
// through [model.Attribute.SettableFieldOf] (setZero, Put's version and
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

// Create creates child only if its parent (named by its link fields)
// exists, atomically. It returns [ErrParentNotFound], or
// [query.ErrAlreadyExists] when the child exists.
func (h *HasMany[P, C]) Create(ctx context.Context, child *C) error {
	if child == nil {
		return errors.New("relations: create: nil child")
	}
	parent, err := h.parentOf(child)
	if err != nil {
		return fmt.Errorf("relations: create: %w", err)
	}
	if _, err := h.linkedTo(parent); err != nil {
		// No parent named at all: the child would point nowhere.
		return fmt.Errorf("relations: create: %w: %w", ErrParentNotFound, err)
	}
	saved := *child
	err = h.children.Client().WriteTx(ctx, nil, h.children.TxCreate(child), h.parents.Check(parent))
	if err != nil {
		*child = saved
	}
	return h.txErr("create", err, 0, 1)
}

// Detach removes child's link, so it belongs to no parent (and drops out
// of a sparse child index). It returns [ErrChildNotFound] when the child does
// not exist, and [ErrCannotDetach] in an item collection, where the link is
// part of the child's key. It is one UpdateItem request.
func (h *HasMany[P, C]) Detach(ctx context.Context, child C) error {
	if h.layout == ItemCollection {
		return fmt.Errorf("relations: detach: %w", ErrCannotDetach)
	}
	err := h.unlink(child).Run(ctx)
	if errors.Is(err, query.ErrNotFound) {
		return fmt.Errorf("relations: detach: %w: %w", ErrChildNotFound, err)
	}
	if err != nil {
		return fmt.Errorf("relations: detach: %w", err)
	}
	return nil
}

// txErr maps a cancelled transaction's reasons to the relation's
// sentinels: childAt and parentAt are the positions of the child's action
// and the parent check (-1: none). A child action that failed because the
// child is missing reports [ErrChildNotFound]; one that failed for another
// reason (a stale version, a taken key) reports that reason's sentinel.
func (h *HasMany[P, C]) txErr(op string, err error, childAt, parentAt int) error {
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
		case nil, query.ErrNotFound:
			kinds = append(kinds, ErrChildNotFound)
		default:
			kinds = append(kinds, k)
		}
	}
	if parentAt >= 0 && parentAt < len(te.Reasons) && te.Reasons[parentAt].Failed() {
		kinds = append(kinds, ErrParentNotFound)
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
