package relations

import (
	"context"
	"errors"
	"fmt"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/querylink"
	"github.com/dynamokit/dynamokit/internal/workers"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// query returns the query for parent's children.
func (h *HasMany[P, C]) query(parent P) *query.Query[C] {
	c, _ := h.childOf(&parent) // cannot fail: Declare made a child the same way
	q := h.children.Query(c)
	if h.spec.Index != "" {
		q = q.Index(h.spec.Index)
	}
	return q
}

// Children returns the query of parent's children (only parent's key
// fields need be set), in the order of the child index's (or table's)
// range key, to refine with a range condition, filter, order or limit and
// run: All streams them, Collect gathers them, Page reads one page, Count
// counts them; one Query request per 1 MB of children. A parent without
// children, or one that does not exist, has none. Its errors are
// *dynamokit.Error naming the relation, as the relation's verbs' are.
func (h *HasMany[P, C]) Children(parent P) *query.Query[C] {
	q := h.query(parent)
	querylink.Relate(q, h.describe())
	return q
}

// ParentOf returns child's parent. child needs its link fields set. It
// returns [ErrParentNotFound] when the link is empty or the parent does not
// exist. It is one GetItem request.
func (h *HasMany[P, C]) ParentOf(ctx context.Context, child C) (_ P, err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.ParentOf", h.children.TableName())
	defer end(op, &err, h, h.children.TableName())
	p, err := h.parentOf(&child)
	if err != nil {
		var zero P
		return zero, fmt.Errorf("relations: parent of: %w", err)
	}
	out, err := h.parents.Get(ctx, p)
	if errors.Is(err, dynamokit.ErrNotFound) || errors.Is(err, model.ErrEmptyKey) {
		var zero P
		return zero, fmt.Errorf("%w: %w", ErrParentNotFound, err)
	}
	return out, err
}

// ChildrenOf returns the children of each of parents: out[i] holds the
// children of parents[i] (nil for none). Only the parents' key fields need
// be set. It runs one query per parent (more for a parent with over 1 MB of
// children), [dynamokit.DefaultConcurrency] at once, so twenty parents
// take about the time of one query, not twenty. The first error stops the
// queries not yet started and is returned.
//
// The result is a slice aligned with parents rather than a map: a parent
// needs no string rendering of its key to look its children up, and a
// parent listed twice simply gets its children twice.
func (h *HasMany[P, C]) ChildrenOf(ctx context.Context, parents []P) (_ [][]C, rerr error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.ChildrenOf", h.parents.TableName())
	defer end(op, &rerr, h, h.parents.TableName())
	out := make([][]C, len(parents))
	err := workers.ForEach(ctx, len(parents), dynamokit.DefaultConcurrency, func(ctx context.Context, i int) error {
		kids, err := h.query(parents[i]).Collect(ctx)
		out[i] = kids
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("relations: children of %d parents: %w", len(parents), err)
	}
	return out, nil
}
