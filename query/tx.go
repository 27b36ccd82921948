package query

import (
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
)

const allOld = types.ReturnValuesOnConditionCheckFailureAllOld

func noUndo() {}

// TxWrite builds the update as an action of [dynamokit.Client.WriteTx].
func (u *Update[T]) TxWrite(txn.Key) (txn.Write, error) {
	in, err := u.input()
	if err != nil {
		return txn.Write{}, fmt.Errorf("update %s: %w", u.r.table, trimmed{err})
	}
	return txn.Write{
		Item: types.TransactWriteItem{Update: &types.Update{
			TableName:                           in.TableName,
			Key:                                 in.Key,
			UpdateExpression:                    in.UpdateExpression,
			ConditionExpression:                 in.ConditionExpression,
			ExpressionAttributeNames:            in.ExpressionAttributeNames,
			ExpressionAttributeValues:           in.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: allOld,
		}},
		Undo: noUndo, What: "update " + u.r.table, Fail: u.failureKind,
		Op: "update", Model: u.r.pub, Key: in.Key, Attrs: u.sets,
		Unknown: slices.Sorted(maps.Keys(u.unknown)),
	}, nil
}

// txAction is a [dynamokit.TxAction] built by a function.
type txAction struct {
	what  string // such as "delete users"
	build func() (txn.Write, error)
}

// TxWrite builds the action.
func (t txAction) TxWrite(txn.Key) (txn.Write, error) {
	w, err := t.build()
	if err != nil {
		return txn.Write{}, fmt.Errorf("%s: %w", t.what, trimmed{err})
	}
	return w, nil
}

// TxCreate is [Table.Create] as a transaction action: it fails the
// transaction if an item with item's key exists ([ErrAlreadyExists]).
// item's created, updated and version attributes are set by
// [dynamokit.Client.WriteTx], and restored if the transaction fails.
func (r *Table[T]) TxCreate(item *T) dynamokit.TxAction {
	return r.putAction("create", item, r.createInput, ErrAlreadyExists)
}

// TxPut is [Table.Put] as a transaction action, with the same version check
// ([ErrVersionConflict]). Extra conditions, joined with AND, must also hold
// (else [ErrConditionFailed]). Like [Table.TxCreate], it sets item's
// attributes when the transaction is built and restores them if it fails.
func (r *Table[T]) TxPut(item *T, conds ...Cond) dynamokit.TxAction {
	kind := ErrVersionConflict
	if len(conds) > 0 {
		kind = ErrConditionFailed
	}
	input := func(item *T) (*dynamodb.PutItemInput, func(), error) {
		bound, err := bindConds(r.m, "condition", conds)
		if err != nil {
			return nil, nil, err
		}
		return r.putVersioned(item, bound)
	}
	return r.putAction("put", item, input, kind)
}

// putAction is a Put action built by input, whose condition means kind.
func (r *Table[T]) putAction(op string, item *T, input func(*T) (*dynamodb.PutItemInput, func(), error), kind error) dynamokit.TxAction {
	return txAction{op + " " + r.table, func() (txn.Write, error) {
		in, restore, err := input(item)
		if err != nil {
			return txn.Write{}, err
		}
		return r.putWrite(op, in, restore, kind), nil
	}}
}

// putWrite is the transaction action of the put in, whose condition means
// kind.
func (r *Table[T]) putWrite(op string, in *dynamodb.PutItemInput, restore func(), kind error) txn.Write {
	return txn.Write{
		Item: putItem(in), Undo: restore, What: op + " " + r.table,
		Fail: func(map[string]types.AttributeValue) error { return kind },
		Op:   op, Model: r.pub, Key: r.keyOfItem(in.Item), Attrs: in.Item,
	}
}

// keyOfItem returns the key attributes of an encoded item.
func (r *Table[T]) keyOfItem(item mapping.Item) mapping.Item {
	k := make(mapping.Item, 2)
	for _, a := range [2]*mapping.Attribute{r.m.Key.Hash, r.m.Key.Range} {
		if a != nil {
			k[a.Name] = item[a.Name]
		}
	}
	return k
}

func putItem(in *dynamodb.PutItemInput) types.TransactWriteItem {
	p := &types.Put{
		TableName:                 in.TableName,
		Item:                      in.Item,
		ConditionExpression:       in.ConditionExpression,
		ExpressionAttributeNames:  in.ExpressionAttributeNames,
		ExpressionAttributeValues: in.ExpressionAttributeValues,
	}
	if p.ConditionExpression != nil {
		p.ReturnValuesOnConditionCheckFailure = allOld
	}
	return types.TransactWriteItem{Put: p}
}

// TxDelete is [Table.Delete] as a transaction action, with the same
// conditions and version check.
func (r *Table[T]) TxDelete(key T, conds ...Cond) dynamokit.TxAction {
	return txAction{"delete " + r.table, func() (txn.Write, error) {
		in, err := r.deleteInput(&key, conds)
		if err != nil {
			return txn.Write{}, err
		}
		return r.deleteWrite(in, key), nil
	}}
}

// deleteWrite is the transaction action of the delete in of key.
func (r *Table[T]) deleteWrite(in *dynamodb.DeleteItemInput, key T) txn.Write {
	return txn.Write{
		Item: types.TransactWriteItem{Delete: &types.Delete{
			TableName:                           in.TableName,
			Key:                                 in.Key,
			ConditionExpression:                 in.ConditionExpression,
			ExpressionAttributeNames:            in.ExpressionAttributeNames,
			ExpressionAttributeValues:           in.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: in.ReturnValuesOnConditionCheckFailure,
		}},
		Undo: noUndo, What: "delete " + r.table,
		Fail: func(old map[string]types.AttributeValue) error {
			return r.conditionKind(old, r.version(reflect.ValueOf(&key).Elem()))
		},
		Op: "delete", Model: r.pub, Key: in.Key,
	}
}

// Check is a transaction action that writes nothing and fails the
// transaction unless the item with key's key exists ([ErrNotFound]) and
// every condition holds ([ErrConditionFailed]).
func (r *Table[T]) Check(key T, conds ...Cond) dynamokit.TxAction {
	return txAction{"check " + r.table, func() (txn.Write, error) {
		c, err := r.checkInput(&key, conds)
		if err != nil {
			return txn.Write{}, err
		}
		return txn.Write{
			Item: types.TransactWriteItem{ConditionCheck: c}, Undo: noUndo, What: "check " + r.table,
			Fail: func(old map[string]types.AttributeValue) error { return r.conditionKind(old, 0) },
		}, nil
	}}
}

func (r *Table[T]) checkInput(key *T, conds []Cond) (*types.ConditionCheck, error) {
	k, err := r.m.KeyOf(key)
	if err != nil {
		return nil, err
	}
	bound, err := bindConds(r.m, "condition", conds)
	if err != nil {
		return nil, err
	}
	all := append([]expression.ConditionBuilder{r.keyExists()}, r.isEntity()...)
	all = append(all, bound...)
	expr, err := expression.NewBuilder().WithCondition(and(all)).Build()
	if err != nil {
		return nil, err
	}
	return &types.ConditionCheck{
		TableName:                           aws.String(r.table),
		Key:                                 k,
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: allOld,
	}, nil
}

// TxAdd is a transaction action that adds n to the number attribute attr
// of the existing item with key's key (a missing attribute counts as 0)
// and changes nothing else: not the version, not the updated stamp. attr
// need not be an attribute of the model; package relations keeps its
// children counters this way. The action fails the transaction when the
// item does not exist or is of another entity type ([ErrNotFound]), or
// when a condition does not hold ([ErrConditionFailed]); it never creates
// an item. It is not a write of the model's item as write checks see it:
// no check is consulted.
func (r *Table[T]) TxAdd(key T, attr string, n int64, conds ...Cond) dynamokit.TxAction {
	return txAction{"add to " + r.table, func() (txn.Write, error) {
		k, err := r.m.KeyOf(&key)
		if err != nil {
			return txn.Write{}, err
		}
		bound, err := bindConds(r.m, "add", conds)
		if err != nil {
			return txn.Write{}, err
		}
		all := append([]expression.ConditionBuilder{r.keyExists()}, r.isEntity()...)
		all = append(all, bound...)
		upd := expression.Add(name(attr), expression.Value(&types.AttributeValueMemberN{Value: itoa(n)}))
		expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(and(all)).Build()
		if err != nil {
			return txn.Write{}, err
		}
		return txn.Write{
			Item: types.TransactWriteItem{Update: &types.Update{
				TableName:                           aws.String(r.table),
				Key:                                 k,
				UpdateExpression:                    expr.Update(),
				ConditionExpression:                 expr.Condition(),
				ExpressionAttributeNames:            expr.Names(),
				ExpressionAttributeValues:           expr.Values(),
				ReturnValuesOnConditionCheckFailure: allOld,
			}},
			Undo: noUndo, What: "add to " + r.table,
			Fail: func(old map[string]types.AttributeValue) error { return r.conditionKind(old, 0) },
		}, nil
	}}
}
