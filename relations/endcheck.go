package relations

import (
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
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
	// refused is the error a delete refused by the counter reports.
	refused error
}

// check applies the rule to w:
//   - a Create starts the counter at 0;
//   - a Put is sent as an update that keeps the counter (and every
//     attribute outside the model);
//   - a Delete under Restrict is conditional on the counter being 0 (an
//     item without a counter is refused too: the relation's own delete
//     counts what it has); under Cascade or Detach it is refused, naming
//     the call that applies the policy;
//   - batch puts and deletes are refused, as a batch write takes neither
//     an update nor a condition.
func (r counterRule) check(w *dynamokit.Write) ([]dynamokit.CheckItem, error) {
	switch w.Op {
	case "create":
		if w.Extra == nil {
			w.Extra = make(map[string]types.AttributeValue, 1)
		} else {
			w.Extra = maps.Clone(w.Extra)
		}
		w.Extra[r.counter] = &types.AttributeValueMemberN{Value: "0"}
	case "put":
		if w.Batch {
			return nil, fmt.Errorf("%w: %s: BatchPut would drop the %s counter: write these items with Table.Put or Table.Create", ErrNeedsRelation, r.relation, r.counter)
		}
		w.KeepOther = true
	case "delete":
		if w.Batch {
			return nil, fmt.Errorf("%w: %s: BatchDelete cannot apply OnDelete (%v): delete with %s", ErrNeedsRelation, r.relation, r.policy, r.deleteBy)
		}
		if r.policy != Restrict {
			return nil, fmt.Errorf("%w: %s: Table.Delete cannot apply OnDelete (%v), which writes other items: delete with %s", ErrNeedsRelation, r.relation, r.policy, r.deleteBy)
		}
		cond, err := expression.NewBuilder().WithCondition(expression.NameNoDotSplit(r.counter).Equal(expression.Value(0))).Build()
		if err != nil {
			return nil, err
		}
		return []dynamokit.CheckItem{{
			Item: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
				TableName: aws.String(w.Table), Key: w.Key,
				ConditionExpression:       cond.Condition(),
				ExpressionAttributeNames:  cond.Names(),
				ExpressionAttributeValues: cond.Values(),
			}},
			What: "restrict " + w.Table,
			Err:  r.refused,
		}}, nil
	}
	return nil, nil
}
