package relations

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// counterRule is the write rule of a model whose items carry a counter a
// relation keeps (a parent's children, an endpoint's edges): what a plain
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
}

// check applies the rule to w, a write not made by the relation itself:
//   - a Create starts the counter at 0;
//   - a Put is sent as an update that keeps the counter (and every
//     attribute outside the model);
//   - an update (or TxAdd) that changes the counter is refused: only the
//     relation keeps it, and Recount repairs it;
//   - a Delete under Restrict is conditional on the counter being 0 (an
//     item without a counter is refused too: the relation's own delete
//     counts what it has); under Cascade or Detach it is refused, naming
//     the call that applies the policy, unless another relation's verb
//     has applied the policy already (see [cleared]): then it is
//     conditional on the counter being 0 as under Restrict;
//   - batch puts and deletes are refused, as a batch write takes neither
//     an update nor a condition.
func (r counterRule) check(ctx context.Context, w *txn.Write) error {
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
	case txn.OpUpdate, txn.OpAdd:
		_, set := w.Attrs[r.counter]
		if set || slices.Contains(w.Unknown, r.counter) || slices.ContainsFunc(w.Adds, func(d txn.Delta) bool { return d.Attr == r.counter }) {
			return fmt.Errorf("%w: %s: %s is the counter the relation keeps, which a write may not change: the relation's verbs keep it, and Recount repairs it", ErrNeedsRelation, r.relation, r.counter)
		}
	case txn.OpDelete:
		if w.Batch {
			return fmt.Errorf("%w: %s: BatchDelete cannot apply OnDelete (%v): delete with %s", ErrNeedsRelation, r.relation, r.policy, r.deleteBy)
		}
		if r.policy != Restrict && !cleared(ctx) {
			return fmt.Errorf("%w: %s: Table.Delete cannot apply OnDelete (%v), which writes other items: delete with %s", ErrNeedsRelation, r.relation, r.policy, r.deleteBy)
		}
		w.RuleConds = append(w.RuleConds, counterIs(r.counter, 0, r.refused(keyText(w.Key))))
	}
	return nil
}

// clearedKey marks the context of a delete whose item's dependents (its
// children and edges in other relations) the deleting verb has removed
// or detached already, applying each relation's own policy.
type clearedKey struct{}

// clearing returns ctx marked: deletes made with it have applied every
// relation's policy to the deleted items' dependents.
func clearing(ctx context.Context) context.Context {
	return context.WithValue(ctx, clearedKey{}, true)
}

// cleared reports whether ctx is marked by clearing.
func cleared(ctx context.Context) bool { return ctx.Value(clearedKey{}) != nil }
