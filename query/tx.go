package query

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// MaxTxActions is the most actions DynamoDB accepts in one transaction.
const MaxTxActions = 100

// ErrTooManyActions is returned by [WriteTx] for more than [MaxTxActions]
// actions, before any request is sent.
var ErrTooManyActions = errors.New("query: too many actions in one transaction")

// TxAction is one action of a write transaction: an [Update] or the result
// of [Repo.TxPut], [Repo.TxCreate], [Repo.TxDelete] or [Repo.Check]. Only
// this package implements it.
type TxAction interface {
	txItem() (types.TransactWriteItem, error)
	describe() string
}

// TxOptions adjusts [WriteTx]. A nil *TxOptions means the defaults.
type TxOptions struct {
	// Token makes the transaction idempotent: DynamoDB applies a repeated
	// call with the same token (within ten minutes) only once.
	Token string
}

// TxError is returned when DynamoDB cancels a transaction. It is always a
// pointer; errors.Is matches [ErrConditionFailed] when any action's
// condition failed.
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
}

// Failed reports whether this action's condition failed.
func (r TxReason) Failed() bool { return r.Code == "ConditionalCheckFailed" }

// Error implements the error interface.
func (e *TxError) Error() string {
	var parts []string
	for i, r := range e.Reasons {
		if r.Code != "" && r.Code != "None" {
			parts = append(parts, fmt.Sprintf("action %d (%s): %s", i, r.Action, r.Code))
		}
	}
	if len(parts) == 0 {
		return "query: transaction cancelled"
	}
	return "query: transaction cancelled: " + strings.Join(parts, "; ")
}

// Is reports whether target is ErrConditionFailed and a condition failed.
func (e *TxError) Is(target error) bool {
	if target != ErrConditionFailed {
		return false
	}
	for _, r := range e.Reasons {
		if r.Failed() {
			return true
		}
	}
	return false
}

// Unwrap returns the SDK error.
func (e *TxError) Unwrap() error { return e.Err }

// WriteTx applies actions atomically: all or none. Actions may span tables
// and models. It returns a *[TxError] when DynamoDB cancels the transaction
// and [ErrTooManyActions] for more than [MaxTxActions] actions.
//
// It calls TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func WriteTx(ctx context.Context, db *dynamo.DB, opts *TxOptions, actions ...TxAction) error {
	in, err := txInput(opts, actions)
	if err != nil {
		return err
	}
	_, err = db.Client().TransactWriteItems(ctx, in)
	if err == nil {
		return nil
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		te := &TxError{Err: err, Reasons: make([]TxReason, len(actions))}
		for i := range te.Reasons {
			te.Reasons[i].Action = actions[i].describe()
			if i < len(tce.CancellationReasons) {
				te.Reasons[i].Code = aws.ToString(tce.CancellationReasons[i].Code)
				te.Reasons[i].Message = aws.ToString(tce.CancellationReasons[i].Message)
			}
		}
		return te
	}
	return &OpError{Op: "transaction", Table: "", Err: err}
}

// txInput builds the TransactWriteItems request without I/O.
func txInput(opts *TxOptions, actions []TxAction) (*dynamodb.TransactWriteItemsInput, error) {
	if len(actions) == 0 {
		return nil, errors.New("query: transaction with no actions")
	}
	if len(actions) > MaxTxActions {
		return nil, fmt.Errorf("%w: %d, at most %d", ErrTooManyActions, len(actions), MaxTxActions)
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: make([]types.TransactWriteItem, len(actions))}
	for i, a := range actions {
		if a == nil {
			return nil, fmt.Errorf("query: transaction action %d is nil", i)
		}
		item, err := a.txItem()
		if err != nil {
			return nil, fmt.Errorf("query: transaction action %d (%s): %w", i, a.describe(), err)
		}
		in.TransactItems[i] = item
	}
	if opts != nil && opts.Token != "" {
		in.ClientRequestToken = aws.String(opts.Token)
	}
	return in, nil
}

func (u *Update[T]) describe() string { return "update " + u.r.table }

func (u *Update[T]) txItem() (types.TransactWriteItem, error) {
	in, err := u.input()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 in.TableName,
		Key:                       in.Key,
		UpdateExpression:          in.UpdateExpression,
		ConditionExpression:       in.ConditionExpression,
		ExpressionAttributeNames:  in.ExpressionAttributeNames,
		ExpressionAttributeValues: in.ExpressionAttributeValues,
	}}, nil
}

// txFunc adapts a closure to TxAction.
type txFunc struct {
	what string
	fn   func() (types.TransactWriteItem, error)
}

func (t txFunc) txItem() (types.TransactWriteItem, error) { return t.fn() }
func (t txFunc) describe() string                         { return t.what }

// TxCreate is [Repo.Create] as a transaction action: it fails the
// transaction if an item with item's key exists. item's created, updated
// and version attributes are set when the action is built.
func (r *Repo[T]) TxCreate(item *T) TxAction {
	return txFunc{"create " + r.table, func() (types.TransactWriteItem, error) {
		in, _, err := r.createInput(item)
		if err != nil {
			return types.TransactWriteItem{}, err
		}
		return putItem(in), nil
	}}
}

// TxPut is [Repo.Put] as a transaction action, with the same version
// check. Extra conditions, joined with AND, must also hold for the put (and
// the transaction) to succeed.
func (r *Repo[T]) TxPut(item *T, conds ...expression.ConditionBuilder) TxAction {
	return txFunc{"put " + r.table, func() (types.TransactWriteItem, error) {
		in, _, err := r.putVersioned(item, conds)
		if err != nil {
			return types.TransactWriteItem{}, err
		}
		return putItem(in), nil
	}}
}

func putItem(in *dynamodb.PutItemInput) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                 in.TableName,
		Item:                      in.Item,
		ConditionExpression:       in.ConditionExpression,
		ExpressionAttributeNames:  in.ExpressionAttributeNames,
		ExpressionAttributeValues: in.ExpressionAttributeValues,
	}}
}

// TxDelete is [Repo.Delete] as a transaction action.
func (r *Repo[T]) TxDelete(key T, conds ...expression.ConditionBuilder) TxAction {
	return txFunc{"delete " + r.table, func() (types.TransactWriteItem, error) {
		in, _, err := r.deleteInput(&key, conds)
		if err != nil {
			return types.TransactWriteItem{}, err
		}
		return types.TransactWriteItem{Delete: &types.Delete{
			TableName:                 in.TableName,
			Key:                       in.Key,
			ConditionExpression:       in.ConditionExpression,
			ExpressionAttributeNames:  in.ExpressionAttributeNames,
			ExpressionAttributeValues: in.ExpressionAttributeValues,
		}}, nil
	}}
}

// Check is a transaction action that writes nothing and fails the
// transaction unless the item with key's key exists and every condition
// holds.
func (r *Repo[T]) Check(key T, conds ...expression.ConditionBuilder) TxAction {
	return txFunc{"check " + r.table, func() (types.TransactWriteItem, error) {
		k, err := r.m.KeyOf(&key)
		if err != nil {
			return types.TransactWriteItem{}, err
		}
		all := append([]expression.ConditionBuilder{r.keyExists()}, conds...)
		if r.m.EntityType != nil {
			all = append(all, name(r.m.EntityType.Name).Equal(expression.Value(r.m.Entity)))
		}
		expr, err := expression.NewBuilder().WithCondition(and(all)).Build()
		if err != nil {
			return types.TransactWriteItem{}, err
		}
		return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName:                 aws.String(r.table),
			Key:                       k,
			ConditionExpression:       expr.Condition(),
			ExpressionAttributeNames:  expr.Names(),
			ExpressionAttributeValues: expr.Values(),
		}}, nil
	}}
}
