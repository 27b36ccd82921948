package relations

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// counterRule is the write rule of a model whose items carry a counter a
// relation keeps (a parent's children, an end's edges): what a plain
// write of such an item through its query.Table must do so that the
// counter stays right and a delete respects the relation's policy.
type counterRule struct {
	counter  string // the counter attribute
	policy   Policy // what deleting the item does to what it counts
	relation string // the relation, for refusals
	deleteBy string // the call that applies the policy, for refusals
	// refused is the error a delete of the item with key item (as
	// keyText writes it) refused by the counter reports.
	refused func(item string) error
	// applied is set when another relation's delete of the item has
	// applied this relation's policy to it first (compose.go): a Delete
	// under Cascade or Detach then goes on condition that the counter is
	// 0 (or absent: the item never counted), instead of being refused.
	applied bool
}

// check applies the rule to w, a write not made by the relation itself:
//   - a Create starts the counter at 0;
//   - a Put is sent as an update that keeps the counter (and every
//     attribute outside the model), and adds 0 to it so that a new item
//     gets one;
//   - an update (or TxAdd) that changes the counter is refused: only the
//     relation keeps it, and Recount repairs it;
//   - a Delete under Restrict is conditional on the counter being 0 or
//     the item being absent (an item without a counter is refused too:
//     the relation's own delete counts what it has; a missing item is
//     deleted as any other, without error); under Cascade or Detach it
//     is refused, naming the call that applies the policy, unless another
//     relation's verb applied the policy to the item just before
//     (applied), when it is conditional on the counter being 0 or absent;
//   - batch puts and deletes are refused, as a batch write takes neither
//     an update nor a condition.
func (r counterRule) check(w *txn.Write) error {
	switch w.Op {
	case txn.OpCreate:
		w.Item[r.counter] = &types.AttributeValueMemberN{Value: "0"}
	case txn.OpPut:
		if w.Batch {
			return fmt.Errorf("%w: %s: BatchPut would drop the %s counter: write these items with Table.Put or Table.Create", ErrNeedsRelation, r.relation, r.counter)
		}
		if _, set := w.Item[r.counter]; set {
			return fmt.Errorf("%w: %s: a put may not set %s, the counter the relation keeps", ErrNeedsRelation, r.relation, r.counter)
		}
		w.KeepOther = true
		// ADD of 0 starts the counter of a new item at 0 and leaves a
		// stored one as it is, so that a put of a new item is counted
		// like a create (a Restrict delete of it then succeeds).
		w.Adds = append(slices.Clip(w.Adds), txn.Delta{Attr: r.counter})
	case txn.OpUpdate, txn.OpAdd:
		_, set := w.Attrs[r.counter]
		if set || slices.Contains(w.Unknown, r.counter) || slices.ContainsFunc(w.Adds, func(d txn.Delta) bool { return d.Attr == r.counter }) {
			return fmt.Errorf("%w: %s: %s is the counter the relation keeps, which a write may not change: the relation's verbs keep it, and Recount repairs it", ErrNeedsRelation, r.relation, r.counter)
		}
	case txn.OpDelete:
		if w.Batch {
			return fmt.Errorf("%w: %s: BatchDelete cannot apply OnDelete (%v): delete with %s", ErrNeedsRelation, r.relation, r.policy, r.deleteBy)
		}
		if r.policy != Restrict && r.applied {
			kind := &linkedMeanwhile{relation: r.relation, item: mapping.KeyText(w.Key)}
			w.RuleConds = append(w.RuleConds, absentOr(w.Key, zeroOrNone(r.counter, kind)))
			return nil
		}
		if r.policy != Restrict {
			return fmt.Errorf("%w: %s: Table.Delete cannot apply OnDelete (%v), which writes other items: delete with %s, or with the verb of another relation that deletes the item (HasMany.DeleteChild, a Cascade's DeleteParent), which applies it", ErrNeedsRelation, r.relation, r.policy, r.deleteBy)
		}
		w.RuleConds = append(w.RuleConds, absentOr(w.Key, counterIs(r.counter, 0, r.refused(mapping.KeyText(w.Key)))))
	}
	return nil
}

// absentOr is c, or that the item with key does not exist: a delete of a
// missing item deletes nothing, has nothing counted, and is not an error,
// as Table.Delete documents.
func absentOr(key mapping.Item, c txn.Cond) txn.Cond {
	names := slices.Sorted(maps.Keys(key))
	if len(names) == 0 {
		return c
	}
	out := txn.Cond{Expr: expression.Or(expression.AttributeNotExists(expression.NameNoDotSplit(names[0])), c.Expr), Kind: c.Kind}
	if holds := c.Holds; holds != nil {
		out.Holds = func(item map[string]types.AttributeValue) bool { return item == nil || holds(item) }
	}
	return out
}

// zeroOrNone is the condition that counter is 0 or absent.
func zeroOrNone(counter string, kind error) txn.Cond {
	zero := counterIs(counter, 0, kind)
	none := equalCond(counter, nil, kind)
	return txn.Cond{Expr: expression.Or(none.Expr, zero.Expr), Kind: kind,
		Holds: func(item map[string]types.AttributeValue) bool { return none.Holds(item) || zero.Holds(item) }}
}
