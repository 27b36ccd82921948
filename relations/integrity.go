package relations

import (
	"context"
	"errors"
	"fmt"

	"github.com/dynamokit/dynamokit/query"
)

// Move makes child a child of to, atomically and only if both exist: it
// returns [ErrChildNotFound] or [ErrParentNotFound] (possibly both, joined)
// and changes nothing otherwise. child needs its key fields set; in an item
// collection also its current link, since the link is part of its key.
//
// In the multi-table and inverted-index layouts a move is one
// TransactWriteItems request (update the child, check the parent). In an
// item collection the child's key changes: the child is read, then deleted
// and re-created under the new parent in one transaction.
func (h *HasMany[P, C]) Move(ctx context.Context, child C, to P) error {
	if h.layout == ItemCollection {
		return h.moveAcross(ctx, child, to)
	}
	upd := h.children.Update(child)
	nc := h.childOf(&to)
	for _, l := range h.links {
		v, err := h.children.Model().Value(l.name, &nc)
		if err != nil {
			return err
		}
		if v == nil {
			return fmt.Errorf("relations: move to a parent with an empty key: %w", query.ErrEmptyKey)
		}
		upd = upd.Set(l.name, v)
	}
	err := query.WriteTx(ctx, h.children.DB(), nil, upd, h.parents.Check(to))
	return h.txErr("move", err, 0, 1)
}

// moveAcross moves a child whose key contains its parent's key.
func (h *HasMany[P, C]) moveAcross(ctx context.Context, child C, to P) error {
	cur, err := h.children.Get(ctx, child, query.Consistent())
	if errors.Is(err, query.ErrNotFound) {
		return fmt.Errorf("relations: move: %w", ErrChildNotFound)
	}
	if err != nil {
		return fmt.Errorf("relations: move: %w", err)
	}
	moved := h.relink(cur, to)
	err = query.WriteTx(ctx, h.children.DB(), nil,
		h.children.TxDelete(cur, h.children.KeyExists()),
		h.children.TxPut(&moved),
		h.parents.Check(to),
	)
	return h.txErr("move", err, 0, 2)
}

// relink returns a copy of c whose link fields point at parent.
func (h *HasMany[P, C]) relink(c C, parent P) C {
	nc := h.childOf(&parent)
	cv, nv := valueOf(&c), valueOf(&nc)
	for _, l := range h.links {
		cv.FieldByIndex(l.child.Index).Set(nv.FieldByIndex(l.child.Index))
	}
	return c
}

// Create creates child only if its parent (named by its link fields)
// exists, atomically. It returns [ErrParentNotFound], or
// [query.ErrAlreadyExists] when the child exists.
func (h *HasMany[P, C]) Create(ctx context.Context, child *C) error {
	if child == nil {
		return errors.New("relations: create: nil child")
	}
	saved := *child
	parent := h.parentOf(child)
	err := query.WriteTx(ctx, h.children.DB(), nil, h.children.TxCreate(child), h.parents.Check(parent))
	if err != nil {
		*child = saved
	}
	var te *query.TxError
	if errors.As(err, &te) && len(te.Reasons) == 2 {
		var errs []error
		if te.Reasons[0].Failed() {
			errs = append(errs, query.ErrAlreadyExists)
		}
		if te.Reasons[1].Failed() {
			errs = append(errs, ErrParentNotFound)
		}
		if len(errs) > 0 {
			return fmt.Errorf("relations: create: %w (%w)", errors.Join(errs...), err)
		}
	}
	if err != nil {
		return fmt.Errorf("relations: create: %w", err)
	}
	return nil
}

// Detach removes child's link, so it belongs to no parent (and drops out
// of a sparse child index). It returns [ErrChildNotFound] when the child does
// not exist. Children of an item collection cannot be detached: their link
// is part of their key.
func (h *HasMany[P, C]) Detach(ctx context.Context, child C) error {
	if h.layout == ItemCollection {
		return errors.New("relations: detach: in an item collection the link is part of the child's key; delete or move the child instead")
	}
	upd := h.children.Update(child)
	for _, l := range h.links {
		upd = upd.Remove(l.name)
	}
	err := upd.Run(ctx)
	if errors.Is(err, query.ErrNotFound) {
		return fmt.Errorf("relations: detach: %w: %w", ErrChildNotFound, err)
	}
	return err
}

// txErr maps a cancelled transaction's reasons to the relation's
// sentinels: childAt and parentAt are the positions of the child's action
// and the parent check (-1: none).
func (h *HasMany[P, C]) txErr(op string, err error, childAt, parentAt int) error {
	if err == nil {
		return nil
	}
	var te *query.TxError
	if !errors.As(err, &te) {
		return fmt.Errorf("relations: %s: %w", op, err)
	}
	var errs []error
	if childAt >= 0 && childAt < len(te.Reasons) && te.Reasons[childAt].Failed() {
		errs = append(errs, ErrChildNotFound)
	}
	if parentAt >= 0 && parentAt < len(te.Reasons) && te.Reasons[parentAt].Failed() {
		errs = append(errs, ErrParentNotFound)
	}
	if len(errs) == 0 {
		return fmt.Errorf("relations: %s: %w", op, err)
	}
	return fmt.Errorf("relations: %s: %w (%w)", op, errors.Join(errs...), err)
}
