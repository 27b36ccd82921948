package relations

import (
	"context"
	"fmt"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// ownWrite marks the context of a many-to-many relation's own writes,
// which its write checks let through: they carry their counters already.
type ownWrite struct{}

// own returns ctx marked as a relation's own write.
func own(ctx context.Context) context.Context { return context.WithValue(ctx, ownWrite{}, true) }

// CheckWrites registers a write check ([dynamokit.Client.AddWriteCheck])
// on the client of the edges' table, so that writes of edges through the
// edges' query.Table keep the relation whole:
//
//   - a Create (or a TxCreate in a WriteTx) of an edge is sent as one
//     TransactWriteItems that also adds 1 to both ends' edge counters, on
//     condition that each exists; a missing end fails it with
//     [ErrEndpointNotFound], as [ManyToMany.Link] does;
//   - an Update passes unchanged: it never creates an item, and an edge's
//     links are its key, which an update cannot change;
//   - a Put, a Delete, a BatchPut or a BatchDelete of an edge is refused
//     before any request, with an error naming Link and Unlink: a Put
//     cannot tell a new edge from a replaced one, and a Delete does not
//     say whether there was an edge to uncount.
//
// The relation's own methods are not checked again. Call it once per
// edge model and client, before the client is used concurrently: a second
// registration would add each counter twice, which DynamoDB refuses. Writes
// of the ends through their own tables are not checked.
func (m *ManyToMany[F, T, E]) CheckWrites() {
	m.edges.Client().AddWriteCheck(m.edges.Model(), m.checkEdgeWrite)
}

func (m *ManyToMany[F, T, E]) checkEdgeWrite(ctx context.Context, w *dynamokit.Write) ([]dynamokit.CheckItem, error) {
	if ctx.Value(ownWrite{}) != nil {
		return nil, nil
	}
	em := mapping.Must(m.edges.Model())
	switch w.Op {
	case "update":
		return nil, nil
	case "create":
	default:
		return nil, fmt.Errorf("relations: a %s of a %s through its table would bypass the edge counters: use ManyToMany.Link or Unlink", w.Op, em.Type)
	}
	var e E
	if err := em.Decode(w.Item, &e); err != nil {
		return nil, fmt.Errorf("relations: check create of %s: %w", em.Type, err)
	}
	f, err := endpointOf[F](&e, m.fromLinks)
	if err != nil {
		return nil, fmt.Errorf("relations: check create of %s: %w", em.Type, err)
	}
	t, err := endpointOf[T](&e, m.toLinks)
	if err != nil {
		return nil, fmt.Errorf("relations: check create of %s: %w", em.Type, err)
	}
	items := make([]dynamokit.CheckItem, 0, 2)
	for _, a := range []dynamokit.TxAction{m.from.TxAdd(f, m.spec.Counter, 1), m.to.TxAdd(t, m.spec.Counter, 1)} {
		tw, err := a.TxWrite(txn.Key{})
		if err != nil {
			return nil, fmt.Errorf("relations: check create of %s: %w", em.Type, err)
		}
		items = append(items, dynamokit.CheckItem{Item: tw.Item, What: tw.What, Err: ErrEndpointNotFound})
	}
	return items, nil
}
