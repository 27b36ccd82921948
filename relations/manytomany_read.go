package relations

import (
	"context"
	"fmt"
	"github.com/dynamokit/dynamokit/internal/querylink"

	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/query"
)

// Linked is an edge with the end at its far end, as
// [ManyToMany.LinkedFrom] and [ManyToMany.LinkedTo] return them.
type Linked[E, X any] struct {
	// Edge is the edge, with its own attributes.
	Edge E
	// Item is the far end, read whole; its zero value when Missing.
	Item X
	// Missing reports that the far end does not exist: the edge was
	// written around the relation, which the relation's own writes never
	// leave.
	Missing bool
}

// EdgesFrom returns the query of f's edges (only f's key fields need be
// set), in the order of the edge table's range key, to refine or run:
// one Query request per 1 MB of edges. Its errors are *dynamokit.Error
// naming the relation, as the relation's verbs' are. For strongly consistent reads, query
// the edge table's [query.Table.Consistent] view.
func (m *ManyToMany[F, T, E]) EdgesFrom(f F) *query.Query[E] {
	e, _ := m.edgeOf(&f, nil, nil) // cannot fail: DeclareEdge made an edge the same way
	return m.sign(m.edges.Query(e))
}

// EdgesTo returns the query of t's edges through the reverse index
// [EdgeSpec.Index], in the order of its range key: one Query request per
// 1 MB of edges, eventually consistent as every global index is. Its
// errors name the relation, as EdgesFrom's do.
func (m *ManyToMany[F, T, E]) EdgesTo(t T) *query.Query[E] {
	e, _ := m.edgeOf(nil, &t, nil)
	return m.sign(m.edges.Query(e).Index(m.spec.Index))
}

func (m *ManyToMany[F, T, E]) sign(q *query.Query[E]) *query.Query[E] {
	if m.spec.CursorKey != nil {
		q = q.SignCursors(m.spec.CursorKey)
	}
	querylink.Relate(q, m.describe())
	return q
}

// LinkedFrom reads one page of at most limit edges of f, starting at cursor
// ("" for the first page), each with the T item at its far end, read
// whole, in the order of the edge table's range key (the To end's key). It
// costs one Query of the edge table and one BatchGetItem of the
// T items (up to 100 keys per request, so limit ≤ 100 is one request;
// unprocessed keys are retried). A limit of 0 or less is no limit: a page
// is then up to 1 MB of edges, with a BatchGetItem per 100 of them.
// Page.Next is the cursor of the following page, signed when
// [EdgeSpec.CursorKey] is set. For f's edges in another order (by an
// attribute of the edge, such as a date), give the edge model a local
// index sorted on it and query [ManyToMany.EdgesFrom] with Index.
func (m *ManyToMany[F, T, E]) LinkedFrom(ctx context.Context, f F, limit int, cursor string) (_ query.Page[Linked[E, T]], err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.LinkedFrom", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	p, err := m.EdgesFrom(f).Limit(limit).Page(ctx, cursor)
	if err != nil {
		return query.Page[Linked[E, T]]{}, fmt.Errorf("relations: linked from: %w", err)
	}
	return farItems(ctx, p, m.to, m.toLinks)
}

// LinkedTo reads one page of at most limit edges of t through the reverse
// index, each with the F item at its far end, as [ManyToMany.LinkedFrom]
// does: one Query and one BatchGetItem per page of up to 100. The edges
// come in the order of the reverse index's range key, which may be any
// attribute of the edge: the From end's key, or a date to list t's edges
// by it.
func (m *ManyToMany[F, T, E]) LinkedTo(ctx context.Context, t T, limit int, cursor string) (_ query.Page[Linked[E, F]], err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.LinkedTo", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	p, err := m.EdgesTo(t).Limit(limit).Page(ctx, cursor)
	if err != nil {
		return query.Page[Linked[E, F]]{}, fmt.Errorf("relations: linked to: %w", err)
	}
	return farItems(ctx, p, m.from, m.fromLinks)
}

// farItems reads the far ends of p's edges with one BatchGet and
// pairs each edge with its end.
func farItems[E, X any](ctx context.Context, p query.Page[E], far *query.Table[X], links []link) (query.Page[Linked[E, X]], error) {
	out := query.Page[Linked[E, X]]{Items: make([]Linked[E, X], len(p.Items)), Next: p.Next}
	if len(p.Items) == 0 {
		return out, nil
	}
	keys := make([]X, len(p.Items))
	for i := range p.Items {
		x, err := endOf[X](&p.Items[i], links)
		if err != nil {
			return query.Page[Linked[E, X]]{}, fmt.Errorf("relations: far ends: %w", err)
		}
		keys[i] = x
	}
	items, err := far.BatchGet(ctx, keys, nil)
	if err != nil {
		return query.Page[Linked[E, X]]{}, fmt.Errorf("relations: far ends: %w", err)
	}
	xm := mapping.Must(far.Model())
	byKey := make(map[string]X, len(items))
	for i := range items {
		k, err := xm.KeyOf(&items[i])
		if err != nil {
			return query.Page[Linked[E, X]]{}, fmt.Errorf("relations: far ends: %w", err)
		}
		byKey[keyID(k)] = items[i]
	}
	for i := range p.Items {
		out.Items[i].Edge = p.Items[i]
		k, err := xm.KeyOf(&keys[i])
		if err != nil {
			return query.Page[Linked[E, X]]{}, fmt.Errorf("relations: far ends: %w", err)
		}
		x, ok := byKey[keyID(k)]
		out.Items[i].Item, out.Items[i].Missing = x, !ok
	}
	return out, nil
}
