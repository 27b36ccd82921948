package txn

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// The operations of a [Write].
const (
	OpCreate = "create" // a put on condition that no item has the key
	OpPut    = "put"    // a put
	OpUpdate = "update" // an update of the model's attributes
	OpDelete = "delete" // a delete
	OpCheck  = "check"  // a condition check: writes nothing
	OpAdd    = "add"    // adds to counters outside the model, and nothing else
)

// Cond is a condition on the item a write acts on.
type Cond struct {
	Expr expression.ConditionBuilder
	// Kind is the error the condition's failure means (nil: the caller's
	// "condition failed").
	Kind error
	// Holds reports whether the condition holds on an item (nil: no
	// item). It tells which condition failed, from the item DynamoDB
	// returns with the failure, and checks the condition against an item
	// a transaction writes whole. Nil means it cannot tell: a transaction
	// that puts the item is then refused.
	Holds func(item map[string]types.AttributeValue) bool
}

// Delta adds N to the number attribute Attr.
type Delta struct {
	Attr string
	N    int64
}

// Write is a write before its request is built.
type Write struct {
	Op   string // one of the Op constants
	What string // describes it, such as "update employees"
	// Model is the model of the item written (nil for an add or check a
	// rule made); Table is its table and Key its key.
	Model *model.Model
	Table string
	Key   mapping.Item
	// Attrs is what the rules see of the item after the write: the whole
	// item of a put, the attributes an update sets (NULL for those it
	// removes). Unknown names the attributes an update changes to a value
	// that depends on the stored item (Add, SetIfNotExists, set and list
	// operations), which are not in Attrs.
	Attrs   mapping.Item
	Unknown []string
	// Item is the item of a create or put.
	Item mapping.Item
	// Update is the update of an update (nil otherwise).
	Update *expression.UpdateBuilder
	// Conds are the write's own conditions, and Fail tells what their
	// failure means from the item as it was.
	Conds []expression.ConditionBuilder
	Fail  func(old map[string]types.AttributeValue) error
	// Undo reverts what building did to the caller's value.
	Undo func()

	// Set by rules, before the request is built:

	// RuleConds are conditions the rules add on the item.
	RuleConds []Cond
	// Adds are counters the rules (or the relation that built the
	// write) add to.
	Adds []Delta
	// KeepOther makes a put keep the stored attributes outside the
	// model (such as a counter): it is sent as an update that sets every
	// attribute of the item and removes the model's attributes it lacks.
	KeepOther bool
	// Planned reports a write the rules have been applied to already,
	// with the items they added in With, in order.
	Planned bool
	With    []*Write
	// rendered is the request TransactItem built: a draft is built once
	// (the update builder it holds is changed by building).
	rendered *types.TransactWriteItem
	// Batch reports a write of a batch, which takes no condition, no
	// update and no other item: a rule that adds any refuses it.
	Batch bool
}

// ID identifies the item w acts on: its table and key.
func (w *Write) ID() string { return itemID(w.Table, w.Key) }

func itemID(table string, key mapping.Item) string {
	return table + "\x00" + formatKey(key)
}

// Failure is the error the failure of w's condition means, given the item
// as it was: the Kind of the first rule condition that does not hold on
// it, else what the write's own conditions say, else the Kind of its first
// rule condition.
func (w *Write) Failure(old map[string]types.AttributeValue) error {
	for _, c := range w.RuleConds {
		if c.Holds != nil && !c.Holds(old) {
			return c.Kind
		}
	}
	if w.Fail != nil && len(w.Conds) > 0 {
		return w.Fail(old)
	}
	for _, c := range w.RuleConds {
		if c.Holds == nil {
			return c.Kind
		}
	}
	if w.Fail != nil {
		return w.Fail(old)
	}
	return nil
}

func andAll(conds []expression.ConditionBuilder) expression.ConditionBuilder {
	if len(conds) == 1 {
		return conds[0]
	}
	return expression.And(conds[0], conds[1], conds[2:]...)
}

// condition is every condition of w, joined with AND; false when none.
func (w *Write) condition() (expression.ConditionBuilder, bool) {
	all := slices.Clone(w.Conds)
	for _, c := range w.RuleConds {
		all = append(all, c.Expr)
	}
	if len(all) == 0 {
		return expression.ConditionBuilder{}, false
	}
	return andAll(all), true
}

// update is the update of w: its own, the counters it adds to, and for a
// put that keeps other attributes, the item's attributes.
func (w *Write) update() (expression.UpdateBuilder, bool, error) {
	var (
		upd expression.UpdateBuilder
		has bool
	)
	if w.Update != nil {
		upd, has = *w.Update, true
	}
	if (w.Op == OpPut || w.Op == OpCreate) && w.KeepOther {
		m := Model(w.Model)
		if m == nil {
			return upd, false, errors.New("dynamokit: a put that keeps other attributes needs its model")
		}
		for _, attr := range slices.Sorted(maps.Keys(w.Item)) {
			if _, ok := w.Key[attr]; ok {
				continue
			}
			upd, has = upd.Set(expression.NameNoDotSplit(attr), expression.Value(w.Item[attr])), true
		}
		for _, a := range m.Attributes {
			if _, ok := w.Key[a.Name]; ok {
				continue
			}
			if _, ok := w.Item[a.Name]; !ok {
				upd, has = upd.Remove(expression.NameNoDotSplit(a.Name)), true
			}
		}
	}
	for _, d := range w.Adds {
		upd, has = upd.Add(expression.NameNoDotSplit(d.Attr), expression.Value(&types.AttributeValueMemberN{Value: strconv.FormatInt(d.N, 10)})), true
	}
	return upd, has, nil
}

// TransactItem builds w's request as an action of TransactWriteItems, once:
// later calls return the same request.
func (w *Write) TransactItem() (types.TransactWriteItem, error) {
	if w.rendered != nil {
		return *w.rendered, nil
	}
	it, err := w.build()
	if err == nil {
		w.rendered = &it
	}
	return it, err
}

func (w *Write) build() (types.TransactWriteItem, error) {
	cond, hasCond := w.condition()
	b := expression.NewBuilder()
	if hasCond {
		b = b.WithCondition(cond)
	}
	upd, hasUpd, err := w.update()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	asUpdate := w.Op == OpUpdate || w.Op == OpAdd || ((w.Op == OpPut || w.Op == OpCreate) && w.KeepOther)
	if asUpdate {
		if !hasUpd {
			return types.TransactWriteItem{}, fmt.Errorf("dynamokit: %s: nothing to update", w.What)
		}
		b = b.WithUpdate(upd)
	}
	if !hasCond && !asUpdate {
		if w.Op == OpCheck {
			return types.TransactWriteItem{}, fmt.Errorf("dynamokit: %s: a check with no condition", w.What)
		}
		switch w.Op {
		case OpPut, OpCreate:
			return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(w.Table), Item: w.Item}}, nil
		case OpDelete:
			return types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(w.Table), Key: w.Key}}, nil
		}
	}
	expr, err := b.Build()
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("dynamokit: %s: %w", w.What, err)
	}
	var rv types.ReturnValuesOnConditionCheckFailure
	if hasCond {
		rv = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	table := aws.String(w.Table)
	switch {
	case asUpdate:
		return types.TransactWriteItem{Update: &types.Update{
			TableName: table, Key: w.Key, UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			ReturnValuesOnConditionCheckFailure: rv,
		}}, nil
	case w.Op == OpPut || w.Op == OpCreate:
		return types.TransactWriteItem{Put: &types.Put{
			TableName: table, Item: w.Item, ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			ReturnValuesOnConditionCheckFailure: rv,
		}}, nil
	case w.Op == OpDelete:
		return types.TransactWriteItem{Delete: &types.Delete{
			TableName: table, Key: w.Key, ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			ReturnValuesOnConditionCheckFailure: rv,
		}}, nil
	case w.Op == OpCheck:
		return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: table, Key: w.Key, ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			ReturnValuesOnConditionCheckFailure: rv,
		}}, nil
	}
	return types.TransactWriteItem{}, fmt.Errorf("dynamokit: %s: unknown operation %q", w.What, w.Op)
}

// formatKey renders a key for identity: attribute names sorted, each with
// its value's type and text.
func formatKey(key mapping.Item) string {
	var out []byte
	for _, k := range slices.Sorted(maps.Keys(key)) {
		out = append(out, k...)
		out = append(out, '=')
		switch v := key[k].(type) {
		case *types.AttributeValueMemberS:
			out = append(out, 'S')
			out = append(out, v.Value...)
		case *types.AttributeValueMemberN:
			out = append(out, 'N')
			out = append(out, v.Value...)
		case *types.AttributeValueMemberB:
			out = append(out, 'B')
			out = append(out, v.Value...)
		default:
			out = fmt.Appendf(out, "%T", v)
		}
		out = append(out, 0)
	}
	return string(out)
}
