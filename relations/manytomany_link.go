package relations

import (
	"context"
	"errors"
	"fmt"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/query"
)

// Link links f to t with edge, atomically and only if both exist: it sets
// edge's link fields from f and t (only their key fields need be set; a
// nil edge is a zero edge, with no attributes of its own), then creates
// the edge and adds 1 to both ends' edge counters in one
// TransactWriteItems request whose counter updates are conditional on
// each end existing and not being deleted by a cascade. It returns
// [ErrEndNotFound] when either is missing, or marked by a cascade
// that deletes it (DeleteFrom, DeleteTo); then nothing is written.
//
// When f and t are already linked, Link writes nothing and returns an
// error matching [dynamokit.ErrAlreadyExists], as [HasMany.Link] does for a
// child that exists: the stored edge keeps its attributes and the
// counters stay as they were, and *edge is left as it was passed. It
// costs the same one request, which DynamoDB cancels. To change an
// existing edge's own attributes, update it through the edges'
// query.Table, which the relation's write rules let through (an update
// cannot change an edge's links, which are its key):
//
//	err := edges.Update(Enrollment{StudentID: "s-1", CourseID: "c-1"}).
//		Set("grade", "A").If(edges.KeyExists()).Run(ctx)
//
// To link or keep an existing link alike, treat
// errors.Is(err, dynamokit.ErrAlreadyExists) as done.
//
// It calls TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func (m *ManyToMany[F, T, E]) Link(ctx context.Context, f F, t T, edge *E) (err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.Link", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	if edge == nil {
		edge = new(E)
	}
	linked, err := m.edgeOf(&f, &t, edge)
	if err != nil {
		return fmt.Errorf("relations: link: %w", err)
	}
	saved := *edge
	*edge = linked
	err = m.edges.Client().WriteTx(m.own(ctx), nil,
		m.edges.TxCreate(edge),
		m.from.TxAdd(f, m.spec.Counter, 1, m.notDeleting()),
		m.to.TxAdd(t, m.spec.Counter, 1, m.notDeleting()),
	)
	if err == nil {
		return nil
	}
	*edge = saved
	var te *dynamokit.TxError
	if errors.As(err, &te) && len(te.Reasons) >= 3 {
		if endDeleting(te.Reasons[1:3]) {
			return &opError{op: "link", kinds: []error{errEndDeleting}, err: err}
		}
		var missing []error
		if te.Reasons[1].Failed() {
			missing = append(missing, fmt.Errorf("%w: %s", ErrEndNotFound, keyTextOf(m.from, f)))
		}
		if te.Reasons[2].Failed() {
			missing = append(missing, fmt.Errorf("%w: %s", ErrEndNotFound, keyTextOf(m.to, t)))
		}
		if missing != nil {
			return &opError{op: "link", kinds: missing, err: err}
		}
		if te.Reasons[0].Failed() && errors.Is(te.Reasons[0].Kind, dynamokit.ErrAlreadyExists) {
			return &opError{op: "link (already linked: change the edge's attributes with an Update through its table)", kinds: []error{dynamokit.ErrAlreadyExists}, err: err}
		}
	}
	return fmt.Errorf("relations: link: %w", err)
}

// Unlink removes the edge between f and t (only their key fields need be
// set) and subtracts 1 from both ends' edge counters, in one
// TransactWriteItems request. While a cascade deletes f or t (DeleteFrom
// or DeleteTo marked it), it is refused with an error matching
// [ErrEndNotFound]: the cascade deletes the edge and counts it. Unlinking
// ends that are not linked is not an error and writes nothing. An edge whose
// end no longer exists (written around the relation) is deleted all the same,
// with one more TransactWriteItems request.
//
// It calls TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func (m *ManyToMany[F, T, E]) Unlink(ctx context.Context, f F, t T) (err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.Unlink", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	e, err := m.edgeOf(&f, &t, nil)
	if err != nil {
		return fmt.Errorf("relations: unlink: %w", err)
	}
	fromOK, toOK := true, true
	for {
		actions := []dynamokit.TxAction{m.edges.TxDelete(e, m.edges.KeyExists())}
		if fromOK {
			actions = append(actions, m.from.TxAdd(f, m.spec.Counter, -1, m.notDeleting()))
		}
		if toOK {
			actions = append(actions, m.to.TxAdd(t, m.spec.Counter, -1, m.notDeleting()))
		}
		err := m.edges.Client().WriteTx(m.own(ctx), nil, actions...)
		var te *dynamokit.TxError
		if err == nil {
			return nil
		}
		if !errors.As(err, &te) || len(te.Reasons) < len(actions) {
			return fmt.Errorf("relations: unlink: %w", err)
		}
		if te.Reasons[0].Failed() {
			if errors.Is(te.Reasons[0].Kind, dynamokit.ErrNotFound) || te.Reasons[0].Kind == nil {
				return nil // not linked
			}
			return fmt.Errorf("relations: unlink: %w", err)
		}
		if endDeleting(te.Reasons[1:len(actions)]) {
			// The cascade of that end deletes the edge, and counts it.
			return &opError{op: "unlink", kinds: []error{errEndDeleting}, err: err}
		}
		i := 1
		changed := false
		if fromOK {
			if te.Reasons[i].Failed() {
				fromOK, changed = false, true
			}
			i++
		}
		if toOK && te.Reasons[i].Failed() {
			toOK, changed = false, true
		}
		if !changed {
			return fmt.Errorf("relations: unlink: %w", err)
		}
	}
}

// Edge reports whether f and t are linked: one strongly consistent
// GetItem of the edge. It returns the edge, or [dynamokit.ErrNotFound].
func (m *ManyToMany[F, T, E]) Edge(ctx context.Context, f F, t T) (_ E, err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.Edge", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	e, err := m.edgeOf(&f, &t, nil)
	if err != nil {
		return e, fmt.Errorf("relations: linked: %w", err)
	}
	return m.edges.Consistent().Get(ctx, e)
}

// CountFrom returns how many edges f has, from its edge counter: one
// strongly consistent GetItem. An end that does not exist, or whose
// item has no counter yet, has none. A counter never reads below 0: a
// negative one (edges deleted by writers outside the relation) returns 0
// and an error matching [ErrCounterDrift], naming
// [ManyToMany.RecountFrom].
func (m *ManyToMany[F, T, E]) CountFrom(ctx context.Context, f F) (_ int, err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.CountFrom", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	c, err := readCounted(ctx, m.from, f, m.fromEnd(f))
	if err != nil {
		return 0, fmt.Errorf("relations: count edges: %w", err)
	}
	return int(c.n), nil
}

// CountTo returns how many edges t has, as [ManyToMany.CountFrom] does.
func (m *ManyToMany[F, T, E]) CountTo(ctx context.Context, t T) (_ int, err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.CountTo", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	c, err := readCounted(ctx, m.to, t, m.toEnd(t))
	if err != nil {
		return 0, fmt.Errorf("relations: count edges: %w", err)
	}
	return int(c.n), nil
}

// RecountFrom counts f's edges (a strongly consistent Query of the edge
// table) and stores the number in its edge counter, and returns it: the
// repair of a counter that drifted ([ErrCounterDrift]) because edges were
// written or deleted around the relation. The write is conditional on the
// counter being as it was read; a link or unlink in between makes it
// count again (up to 5 times), but a link and an unlink that cancel out
// while it counts are not seen: run it while f's edges are not changing. It
// returns [ErrEndNotFound] when f does not exist. It calls GetItem, Query and
// TransactWriteItems.
func (m *ManyToMany[F, T, E]) RecountFrom(ctx context.Context, f F) (_ int, err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.RecountFrom", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	n, err := recountEnd(m.own(ctx), m.from, f, m.fromEnd(f), ErrEndNotFound)
	if err != nil {
		return 0, fmt.Errorf("relations: recount edges: %w", err)
	}
	return n, nil
}

// RecountTo counts t's edges through the reverse index and stores the
// number in its edge counter, as [ManyToMany.RecountFrom] does. The
// reverse index is eventually consistent: run it while t's edges are not
// changing.
func (m *ManyToMany[F, T, E]) RecountTo(ctx context.Context, t T) (_ int, err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.RecountTo", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	n, err := recountEnd(m.own(ctx), m.to, t, m.toEnd(t), ErrEndNotFound)
	if err != nil {
		return 0, fmt.Errorf("relations: recount edges: %w", err)
	}
	return n, nil
}

// fromEnd is f as the counted-end core sees it: its edges are found
// through the edge table's key, strongly consistent.
func (m *ManyToMany[F, T, E]) fromEnd(f F) countedEnd {
	e, _ := m.edgeOf(&f, nil, nil) // cannot fail: DeclareEdge made an edge the same way
	return m.countedEnd(func() string { return keyTextOf(m.from, f) }, func() *query.Query[E] { return m.edges.Consistent().Query(e) }, "ManyToMany.RecountFrom")
}

// toEnd is t as the counted-end core sees it: its edges are found
// through the reverse index.
func (m *ManyToMany[F, T, E]) toEnd(t T) countedEnd {
	e, _ := m.edgeOf(nil, &t, nil)
	return m.countedEnd(func() string { return keyTextOf(m.to, t) }, func() *query.Query[E] { return m.edges.Query(e).Index(m.spec.Index) }, "ManyToMany.RecountTo")
}

// countedEnd is the end item names (its key, for refusals), whose edges
// q finds, recounted by repair.
func (m *ManyToMany[F, T, E]) countedEnd(item func() string, q func() *query.Query[E], repair string) countedEnd {
	return countedEnd{
		relation: m.describe(),
		counter:  m.spec.Counter,
		repair:   repair,
		count:    func(ctx context.Context) (int, error) { return q().Count(ctx) },
		first: func(ctx context.Context) (string, error) {
			return firstKey(ctx, m.edges, q().Project(keyAttrs(m.edges)...))
		},
		refuse: func(n int, first string, drift *driftError) error {
			return &RestrictError{Kind: ErrHasEdges, Relation: m.describe(), Item: item(), Count: n, Example: first, drift: drift}
		},
	}
}

// notDeleting is the condition on an end's counter change that no
// cascade has marked the end (cascadeMark): the cascade's sweep counts
// the edges it deletes by key, so no other writer may link to the end or
// unlink from it meanwhile.
func (m *ManyToMany[F, T, E]) notDeleting() query.Cond {
	return query.Path(cascadeMark(m.spec.Counter)).AttributeNotExists()
}

// errEndDeleting is what a link to, or an unlink from, an end a cascade
// has marked reports: it matches [ErrEndNotFound], since the end is
// going.
var errEndDeleting = fmt.Errorf("%w: a cascade is deleting it (DeleteFrom or DeleteTo marked it)", ErrEndNotFound)

// endDeleting reports whether a transaction's reasons for its end
// actions say that an end exists but its condition failed: a cascade
// marked it.
func endDeleting(reasons []dynamokit.TxReason) bool {
	for _, r := range reasons {
		if r.Failed() && errors.Is(r.Kind, dynamokit.ErrConditionFailed) {
			return true
		}
	}
	return false
}
