package query

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// MaxTxActions is the most actions DynamoDB accepts in one transaction,
// for writes and for reads.
const MaxTxActions = 100

// ErrTooManyActions is returned by [WriteTx] and [ReadTx] for more than
// [MaxTxActions] actions, before any request is sent.
var ErrTooManyActions = errors.New("query: too many actions in one transaction")

// TxAction is one action of a write transaction: an [Update] or the result
// of [Repo.TxPut], [Repo.TxCreate], [Repo.TxDelete] or [Repo.Check]. Only
// this package implements it.
type TxAction interface {
	// txItem builds the action, and returns a function that undoes what
	// building did to the caller's value (timestamps, version).
	txItem() (item types.TransactWriteItem, undo func(), err error)
	describe() string
	// failure is the sentinel for the action's failed condition, given the
	// item as it was (nil: none).
	failure(old map[string]types.AttributeValue) error
}

// TxOptions adjusts [WriteTx]. A nil *TxOptions means the defaults.
type TxOptions struct {
	// Token makes the transaction idempotent: DynamoDB applies a repeated
	// call with the same token (within ten minutes) only once, and rejects
	// a call that reuses the token for other actions.
	Token string
}

// TxError is returned by [WriteTx] when DynamoDB cancels a transaction. It
// is always a pointer. errors.Is matches [ErrConditionFailed] when any
// action's condition failed, and the sentinel of each failed action
// ([TxReason.Kind]), such as [ErrAlreadyExists] for a [Repo.TxCreate].
type TxError struct {
	// Reasons has one entry per action, in the order given to WriteTx.
	Reasons []TxReason
	Err     error // the SDK error
}

// TxReason is why one action of a cancelled transaction did not apply.
type TxReason struct {
	Action  string // what the action was, such as "update employee"
	Code    string // DynamoDB's code: "None" for an action that was fine, "ConditionalCheckFailed", ...
	Message string
	// Kind is, for a failed condition, the error the action would have
	// returned on its own: [ErrAlreadyExists], [ErrNotFound],
	// [ErrVersionConflict] or [ErrConditionFailed]. It is nil otherwise.
	Kind error
}

// Failed reports whether this action's condition failed.
func (r TxReason) Failed() bool { return r.Code == "ConditionalCheckFailed" }

// Error implements the error interface.
func (e *TxError) Error() string {
	var parts []string
	for i, r := range e.Reasons {
		if r.Code == "" || r.Code == "None" {
			continue
		}
		part := fmt.Sprintf("action %d (%s): %s", i, r.Action, r.Code)
		if r.Kind != nil {
			part += " (" + strings.TrimPrefix(r.Kind.Error(), "query: ") + ")"
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "query: transaction cancelled"
	}
	return "query: transaction cancelled: " + strings.Join(parts, "; ")
}

// Is reports whether target is [ErrConditionFailed] or the Kind of a
// failed action.
func (e *TxError) Is(target error) bool {
	for _, r := range e.Reasons {
		if r.Failed() && (target == ErrConditionFailed || target == r.Kind) {
			return true
		}
	}
	return false
}

// Unwrap returns the SDK error.
func (e *TxError) Unwrap() error { return e.Err }

// WriteTx applies actions atomically: all or none. Actions may span tables
// and models. It returns a *[TxError] when DynamoDB cancels the transaction
// and [ErrTooManyActions] for more than [MaxTxActions] actions. When it
// fails, the values given to [Repo.TxCreate] and [Repo.TxPut] are as they
// were before the call.
//
// It calls TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func WriteTx(ctx context.Context, db *dynamo.DB, opts *TxOptions, actions ...TxAction) error {
	in, undo, err := txInput(opts, actions)
	if err != nil {
		return err
	}
	_, err = db.Client().TransactWriteItems(ctx, in)
	if err == nil {
		return nil
	}
	undo()
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		te := &TxError{Err: err, Reasons: make([]TxReason, len(actions))}
		for i := range te.Reasons {
			r := &te.Reasons[i]
			r.Action = actions[i].describe()
			if i < len(tce.CancellationReasons) {
				cr := tce.CancellationReasons[i]
				r.Code = aws.ToString(cr.Code)
				r.Message = aws.ToString(cr.Message)
				if r.Failed() {
					r.Kind = actions[i].failure(cr.Item)
				}
			}
		}
		return te
	}
	return &OpError{Op: "transaction", Err: err}
}

// txInput builds the TransactWriteItems request without I/O. undo reverts
// what building did to the caller's values; on error it has been called.
func txInput(opts *TxOptions, actions []TxAction) (in *dynamodb.TransactWriteItemsInput, undo func(), err error) {
	if len(actions) == 0 {
		return nil, nil, errors.New("query: transaction with no actions")
	}
	if len(actions) > MaxTxActions {
		return nil, nil, fmt.Errorf("%w: %d, at most %d", ErrTooManyActions, len(actions), MaxTxActions)
	}
	undos := make([]func(), 0, len(actions))
	undo = func() {
		for _, u := range slices.Backward(undos) {
			u()
		}
	}
	in = &dynamodb.TransactWriteItemsInput{TransactItems: make([]types.TransactWriteItem, len(actions))}
	for i, a := range actions {
		if a == nil {
			undo()
			return nil, nil, fmt.Errorf("query: transaction action %d is nil", i)
		}
		item, u, err := a.txItem()
		if err != nil {
			undo()
			return nil, nil, fmt.Errorf("query: transaction action %d (%s): %w", i, a.describe(), trimmed{err})
		}
		undos = append(undos, u)
		in.TransactItems[i] = item
	}
	if opts != nil && opts.Token != "" {
		in.ClientRequestToken = aws.String(opts.Token)
	}
	return in, undo, nil
}

const allOld = types.ReturnValuesOnConditionCheckFailureAllOld

func noUndo() {}

func (u *Update[T]) describe() string { return "update " + u.r.table }

func (u *Update[T]) failure(old map[string]types.AttributeValue) error { return u.failureKind(old) }

func (u *Update[T]) txItem() (types.TransactWriteItem, func(), error) {
	in, err := u.input()
	if err != nil {
		return types.TransactWriteItem{}, nil, err
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                           in.TableName,
		Key:                                 in.Key,
		UpdateExpression:                    in.UpdateExpression,
		ConditionExpression:                 in.ConditionExpression,
		ExpressionAttributeNames:            in.ExpressionAttributeNames,
		ExpressionAttributeValues:           in.ExpressionAttributeValues,
		ReturnValuesOnConditionCheckFailure: allOld,
	}}, noUndo, nil
}

// txAction is a TxAction made of functions.
type txAction struct {
	what  string
	build func() (types.TransactWriteItem, func(), error)
	fail  func(old map[string]types.AttributeValue) error
}

func (t txAction) txItem() (types.TransactWriteItem, func(), error) { return t.build() }
func (t txAction) describe() string                                 { return t.what }
func (t txAction) failure(old map[string]types.AttributeValue) error {
	return t.fail(old)
}

// TxCreate is [Repo.Create] as a transaction action: it fails the
// transaction if an item with item's key exists ([ErrAlreadyExists]).
// item's created, updated and version attributes are set by [WriteTx], and
// restored if the transaction fails.
func (r *Repo[T]) TxCreate(item *T) TxAction {
	return r.putAction("create", item, r.createInput, ErrAlreadyExists)
}

// TxPut is [Repo.Put] as a transaction action, with the same version check
// ([ErrVersionConflict]). Extra conditions, joined with AND, must also hold
// (else [ErrConditionFailed]). Like [Repo.TxCreate], it sets item's
// attributes when the transaction is built and restores them if it fails.
func (r *Repo[T]) TxPut(item *T, conds ...Cond) TxAction {
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
func (r *Repo[T]) putAction(op string, item *T, input func(*T) (*dynamodb.PutItemInput, func(), error), kind error) TxAction {
	return txAction{
		what: op + " " + r.table,
		build: func() (types.TransactWriteItem, func(), error) {
			in, restore, err := input(item)
			if err != nil {
				return types.TransactWriteItem{}, nil, err
			}
			return putItem(in), restore, nil
		},
		fail: func(map[string]types.AttributeValue) error { return kind },
	}
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

// TxDelete is [Repo.Delete] as a transaction action, with the same
// conditions and version check.
func (r *Repo[T]) TxDelete(key T, conds ...Cond) TxAction {
	return txAction{
		what: "delete " + r.table,
		build: func() (types.TransactWriteItem, func(), error) {
			in, err := r.deleteInput(&key, conds)
			if err != nil {
				return types.TransactWriteItem{}, nil, err
			}
			return types.TransactWriteItem{Delete: &types.Delete{
				TableName:                           in.TableName,
				Key:                                 in.Key,
				ConditionExpression:                 in.ConditionExpression,
				ExpressionAttributeNames:            in.ExpressionAttributeNames,
				ExpressionAttributeValues:           in.ExpressionAttributeValues,
				ReturnValuesOnConditionCheckFailure: in.ReturnValuesOnConditionCheckFailure,
			}}, noUndo, nil
		},
		fail: func(old map[string]types.AttributeValue) error {
			return r.conditionKind(old, r.version(reflect.ValueOf(&key).Elem()))
		},
	}
}

// Check is a transaction action that writes nothing and fails the
// transaction unless the item with key's key exists ([ErrNotFound]) and
// every condition holds ([ErrConditionFailed]).
func (r *Repo[T]) Check(key T, conds ...Cond) TxAction {
	return txAction{
		what: "check " + r.table,
		build: func() (types.TransactWriteItem, func(), error) {
			c, err := r.checkInput(&key, conds)
			return types.TransactWriteItem{ConditionCheck: c}, noUndo, err
		},
		fail: func(old map[string]types.AttributeValue) error { return r.conditionKind(old, 0) },
	}
}

func (r *Repo[T]) checkInput(key *T, conds []Cond) (*types.ConditionCheck, error) {
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
// an item.
func (r *Repo[T]) TxAdd(key T, attr string, n int64, conds ...Cond) TxAction {
	return txAction{
		what: "add to " + r.table,
		build: func() (types.TransactWriteItem, func(), error) {
			k, err := r.m.KeyOf(&key)
			if err != nil {
				return types.TransactWriteItem{}, nil, err
			}
			bound, err := bindConds(r.m, "add", conds)
			if err != nil {
				return types.TransactWriteItem{}, nil, err
			}
			all := append([]expression.ConditionBuilder{r.keyExists()}, r.isEntity()...)
			all = append(all, bound...)
			upd := expression.Add(name(attr), expression.Value(&types.AttributeValueMemberN{Value: itoa(n)}))
			expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(and(all)).Build()
			if err != nil {
				return types.TransactWriteItem{}, nil, err
			}
			return types.TransactWriteItem{Update: &types.Update{
				TableName:                           aws.String(r.table),
				Key:                                 k,
				UpdateExpression:                    expr.Update(),
				ConditionExpression:                 expr.Condition(),
				ExpressionAttributeNames:            expr.Names(),
				ExpressionAttributeValues:           expr.Values(),
				ReturnValuesOnConditionCheckFailure: allOld,
			}}, noUndo, nil
		},
		fail: func(old map[string]types.AttributeValue) error { return r.conditionKind(old, 0) },
	}
}
