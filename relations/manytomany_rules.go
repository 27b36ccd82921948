package relations

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// ownWrite marks the context of a many-to-many relation's own writes,
// which its write checks let through: they carry their counters already.
// It names the relation (its edge model and counter), so that the checks
// of another relation sharing an end still apply, such as its Restrict on
// the end's delete.
type ownWrite struct {
	edges   *model.Model
	counter string
}

// own returns ctx marked as the relation's own write.
func (m *ManyToMany[F, T, E]) own(ctx context.Context) context.Context {
	return context.WithValue(ctx, txn.OwnMark{ID: m.ownKey()}, true)
}

// owned reports whether ctx is marked as the relation's own write.
func (m *ManyToMany[F, T, E]) owned(ctx context.Context) bool {
	return ctx.Value(txn.OwnMark{ID: m.ownKey()}) != nil
}

func (m *ManyToMany[F, T, E]) ownKey() ownWrite {
	return ownWrite{edges: m.edges.Model(), counter: m.spec.Counter}
}

// register adds the relation's write rules to the graph its tables'
// client enforces ([DeclareEdge] calls it), so that plain writes through
// the query.Table of the edges or of either end keep the relation whole:
//
//   - a Create (or a TxCreate in a WriteTx) of an edge also adds 1 to both
//     ends' edge counters, on condition that each exists; a missing end
//     fails it with [ErrEndNotFound], as [ManyToMany.Link] does;
//   - an Update of an edge passes unchanged: it never creates an item, and
//     an edge's links are its key, which an update cannot change;
//   - a Put of an edge replaces an edge that exists and keeps its ends
//     (conditions on the stored edge and its link attributes say so), so
//     its counters stay as they are: a Put that would create an edge, or
//     move one to other ends, fails with [ErrNotAnEdge] and writes
//     nothing;
//   - a Delete, a BatchPut or a BatchDelete of an edge is refused before
//     any request, with an error naming Link and Unlink: a Delete does
//     not say whether there was an edge to uncount, and a batch write
//     takes no condition;
//   - an end's Create starts its edge counter at 0 and its Put keeps the
//     counter (sent as an update); an update of the counter is refused;
//     its Delete is conditional on the counter being 0 under Restrict and
//     refused under Cascade and Detach, naming DeleteFrom or DeleteTo;
//     batch writes of ends are refused.
//
// The relation's own methods are not checked again.
func (m *ManyToMany[F, T, E]) register() error {
	g, err := sameGraph(m.from.Client(), m.to.Client(), m.edges.Client())
	if err != nil {
		return fmt.Errorf("relations: declare %s: %w", m.describe(), err)
	}
	err = g.add(m.describe(), m.ownKey(), m.spec.Counter, []*model.Model{m.from.Model(), m.to.Model()},
		modelRule{m.edges.Model(), m.checkEdgeWrite, true},
		modelRule{m.from.Model(), m.endCheck(m.spec.OnDeleteFrom, "ManyToMany.DeleteFrom"), false},
		modelRule{m.to.Model(), m.endCheck(m.spec.OnDeleteTo, "ManyToMany.DeleteTo"), false})
	if err == nil {
		from, to := m.endSteps()
		g.addDeleteStep(m.from.Model(), from)
		g.addDeleteStep(m.to.Model(), to)
	}
	return err
}

// endCheck is the write rule of an end whose deletion applies policy.
func (m *ManyToMany[F, T, E]) endCheck(policy Policy, deleteBy string) rule {
	r := counterRule{
		counter:  m.spec.Counter,
		policy:   policy,
		relation: m.describe(),
		deleteBy: deleteBy,
		refused: func(item string) error {
			return &RestrictError{Kind: ErrHasEdges, Relation: m.describe(), Item: item}
		},
	}
	return func(ctx context.Context, w *txn.Write) ([]txn.Effect, error) {
		if m.owned(ctx) {
			return nil, nil
		}
		r := r
		r.applied = policyApplied(ctx, m.ownKey(), w)
		return nil, r.check(w)
	}
}

// describe names the relation in refusals.
func (m *ManyToMany[F, T, E]) describe() string {
	return fmt.Sprintf("%s and %s through %s", mapping.Must(m.from.Model()).Type, mapping.Must(m.to.Model()).Type, mapping.Must(m.edges.Model()).Type)
}

func (m *ManyToMany[F, T, E]) checkEdgeWrite(ctx context.Context, w *txn.Write) ([]txn.Effect, error) {
	if m.owned(ctx) {
		return nil, nil
	}
	em := mapping.Must(m.edges.Model())
	switch w.Op {
	case txn.OpUpdate, txn.OpAdd, txn.OpCheck:
		return nil, nil
	case txn.OpPut:
		m.replaceOnly(w)
		return nil, nil
	case txn.OpCreate:
	default:
		return nil, fmt.Errorf("%w: %s: a %s of an edge through its table would bypass the edge counters: use ManyToMany.Link or Unlink", ErrNeedsRelation, m.describe(), w.Op)
	}
	var e E
	if err := em.Decode(w.Item, &e); err != nil {
		return nil, fmt.Errorf("relations: check create of %s: %w", em.Type, err)
	}
	f, err := endOf[F](&e, m.fromLinks)
	if err != nil {
		return nil, fmt.Errorf("relations: check create of %s: %w", em.Type, err)
	}
	t, err := endOf[T](&e, m.toLinks)
	if err != nil {
		return nil, fmt.Errorf("relations: check create of %s: %w", em.Type, err)
	}
	fe, err := endEffect(m.from, f, m.spec.Counter, m.describe())
	if err != nil {
		return nil, err
	}
	te, err := endEffect(m.to, t, m.spec.Counter, m.describe())
	if err != nil {
		return nil, err
	}
	return []txn.Effect{fe, te}, nil
}

// ErrNotAnEdge is the error of a Put of an edge, through the edges'
// query.Table, that would not replace an edge with the same ends: there was
// no such edge to replace, or the put changes an end. Nothing is written.
// Create the edge with [ManyToMany.Link] (or the table's Create), and move
// one with [ManyToMany.Unlink] and Link; retrying the Put does not help.
var ErrNotAnEdge = errors.New("relations: a Put of an edge only replaces an edge with the same ends: create one with ManyToMany.Link or Create, move one with Unlink and Link")

// replaceOnly adds to w, a Put of an edge, the conditions that it replaces
// a stored edge with the same ends: the edge exists, and each link
// attribute holds what the put writes. Its counters then need nothing.
func (m *ManyToMany[F, T, E]) replaceOnly(w *txn.Write) {
	em := mapping.Must(m.edges.Model())
	w.RuleConds = append(w.RuleConds, existsCond(em, ErrNotAnEdge)...)
	for _, l := range slices.Concat(m.fromLinks, m.toLinks) {
		w.RuleConds = append(w.RuleConds, equalCond(l.child.Name, w.Item[l.child.Name], ErrNotAnEdge))
	}
}

// endEffect is what a new edge needs of its end x: that it exists and no
// cascade is deleting it, and 1 more on its edge counter.
func endEffect[X any](table *query.Table[X], x X, counter, relation string) (txn.Effect, error) {
	xm := mapping.Must(table.Model())
	key, err := xm.KeyOf(&x)
	if err != nil {
		return txn.Effect{}, fmt.Errorf("relations: %s: end: %w", relation, err)
	}
	return txn.Effect{Table: table.TableName(), Key: key, What: "end " + table.TableName() + " " + mapping.KeyText(key) + " (" + relation + ")",
		Conds: append(existsCond(xm, ErrEndNotFound), equalCond(cascadeMark(counter), nil, errEndDeleting)),
		Adds:  []txn.Delta{{Attr: counter, N: 1}}}, nil
}
