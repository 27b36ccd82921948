package dynamokit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// MaxTxActions is the most actions DynamoDB accepts in one transaction,
// for writes and for reads.
const MaxTxActions = 100

// TxAction is one action of a write transaction, made by package query
// (an Update, or Table.TxPut, TxCreate, TxDelete, Check). Only dynamokit's
// packages implement it: its method takes a type of an internal package.
type TxAction interface {
	TxWrite(txn.Key) (*txn.Write, error)
}

// TxRead is one read of a read transaction, made by package query
// (Table.TxGet). Only dynamokit's packages implement it.
type TxRead interface {
	TxRead(txn.Key) (txn.Read, error)
}

// TxOptions adjusts [Client.WriteTx]. A nil *TxOptions means the defaults.
type TxOptions struct {
	// Token makes the transaction idempotent: DynamoDB applies a repeated
	// call with the same token (within ten minutes) only once, and rejects
	// a call that reuses the token for other actions. Empty means a token
	// made for the call, kept across the retries of [RetryPolicy]. After
	// [ErrUnknownOutcome], the error's *[UnknownOutcomeError] holds the
	// token used, and its Resend sends the same request again under it,
	// which DynamoDB applies at most once. (Building the actions again
	// can give another request, with new created and updated times:
	// DynamoDB refuses a token reused for another request.) moto ignores
	// tokens, and applies a repeated request again.
	Token string
}

// TxError is found (errors.As) beneath the *[Error] that [Client.WriteTx]
// and [Client.ReadTx] return when DynamoDB cancels a transaction. It is
// always a pointer. errors.Is
// matches [ErrConditionFailed] when any action's condition failed, and the
// sentinel of each failed action ([TxReason.Kind]), such as
// [ErrAlreadyExists] for a create; errors.As finds the typed error of a
// failed action's Kind.
type TxError struct {
	// Reasons has one entry per action, in the order given, followed by
	// the actions write checks added.
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
	// [ErrVersionConflict], [ErrConditionFailed], or the error of a write
	// check's item. It is nil otherwise.
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
			part += " (" + errtext.Trim(r.Kind.Error()) + ")"
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "dynamokit: transaction cancelled"
	}
	return "dynamokit: transaction cancelled: " + strings.Join(parts, "; ")
}

// Is reports whether target is [ErrConditionFailed] or the Kind of a
// failed action.
func (e *TxError) Is(target error) bool {
	for _, r := range e.Reasons {
		if r.Failed() && (target == ErrConditionFailed || errors.Is(r.Kind, target)) {
			return true
		}
	}
	return false
}

// As finds target in the Kind of a failed action, in the order of the
// actions, so that a typed error of one action (such as a
// *relations.NotUniqueError) is found with errors.As as it would be for
// the action alone.
func (e *TxError) As(target any) bool {
	for _, r := range e.Reasons {
		if r.Failed() && r.Kind != nil && errors.As(r.Kind, target) {
			return true
		}
	}
	return false
}

// Unwrap returns the SDK error.
func (e *TxError) Unwrap() error { return e.Err }

// WriteTx applies actions atomically: all or none. Actions may span tables
// and models. The write rules of the client ([WithRules]) are applied to
// the actions before the request is built: they may add conditions to an
// action, and items to the transaction (one per item, however many actions
// need it: counters are changed once, by the sum), or refuse it before any
// request. Every error it returns is an *[Error] of TransactWriteItems
// (naming the table when all actions are on one): it holds a *[TxError]
// when DynamoDB cancels the transaction, and matches [ErrTooManyActions]
// for more than [MaxTxActions] actions in all, with the items the rules
// add. Two actions on one item are refused before any request, naming
// both, as DynamoDB takes one action per item. When it fails, the values
// given to the actions are as they were before the call.
//
// A transaction whose response is lost (see [ErrUnknownOutcome]) is not
// sent again, by dynamokit or by the SDK: on an engine that ignores
// [TxOptions.Token] a second attempt could apply it twice. The error then
// matches ErrUnknownOutcome and its *[UnknownOutcomeError] holds the token
// the transaction was sent with; see [TxOptions].
//
// It calls TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func (c *Client) WriteTx(ctx context.Context, opts *TxOptions, actions ...TxAction) (err error) {
	ctx, op := c.startOp(ctx, "WriteTx", "")
	defer op.endErr(&err)
	var writes []*txn.Write
	defer func() {
		if err != nil {
			err = txErr("TransactWriteItems", err, oneTable(writes, func(w *txn.Write) string { return w.Table }))
		}
	}()
	if len(actions) == 0 {
		return errors.New("dynamokit: transaction with no actions")
	}
	writes = make([]*txn.Write, 0, len(actions))
	undo := func() {
		for _, w := range slices.Backward(writes) {
			if w.Undo != nil {
				w.Undo()
			}
		}
	}
	var with []*txn.Write
	for i, a := range actions {
		if a == nil {
			undo()
			return fmt.Errorf("dynamokit: transaction action %d is nil", i)
		}
		w, err := a.TxWrite(txn.Seal())
		if err != nil {
			undo()
			return actionErr(i, err)
		}
		writes = append(writes, w)
		with = append(with, w.With...)
	}
	if len(writes) > MaxTxActions {
		// Checked once the actions are built, so that the error names
		// their table; building sends nothing.
		undo()
		return fmt.Errorf("%w: %d, at most %d", ErrTooManyActions, len(writes), MaxTxActions)
	}
	all, err := txn.Plan(ctx, c.writeRules(), writes)
	if err != nil {
		undo()
		return refusal("TransactWriteItems", err)
	}
	all = append(all, with...)
	if err := c.sendTx(ctx, opts, all); err != nil {
		undo()
		return err
	}
	return nil
}

// txErr makes err, an error of a transaction of op on table ("" for
// several), an *[Error] of op: an error that holds none (a cancellation's
// *[TxError], a refusal before the request) is wrapped in one.
func txErr(op string, err error, table string) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Op: op, Table: table, Err: errtext.Quoted{Err: err}}
}

// oneTable is the table of every action of xs, or "" when they are on
// several tables (or there are none).
func oneTable[T any](xs []T, table func(T) string) string {
	var t string
	for i, x := range xs {
		if i > 0 && table(x) != t {
			return ""
		}
		t = table(x)
	}
	return t
}

// actionErr is the error of building action i of a transaction: an
// *[Error] of the action's table when it made one, saying which action.
func actionErr(i int, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Err != nil && (e.Op == "TransactWriteItems" || e.Op == "TransactGetItems") {
		return &Error{Op: e.Op, Table: e.Table, Kind: e.Kind, Err: fmt.Errorf("action %d: %w", i, errtext.Quoted{Err: e.Err})}
	}
	return fmt.Errorf("dynamokit: transaction action %d: %w", i, errtext.Quoted{Err: err})
}

// refusal makes a *txn.Refusal an *[Error] of op; other errors are
// returned as they are.
func refusal(op string, err error) error {
	var r *txn.Refusal
	if errors.As(err, &r) {
		return &Error{Op: op, Table: r.Table, Key: r.Key, Err: r}
	}
	return err
}

// sendTx sends planned writes as one TransactWriteItems request and makes
// a *[TxError] of a cancellation.
func (c *Client) sendTx(ctx context.Context, opts *TxOptions, writes []*txn.Write) error {
	if len(writes) > MaxTxActions {
		return fmt.Errorf("%w: %d with the items of the write rules, at most %d", ErrTooManyActions, len(writes), MaxTxActions)
	}
	if err := oneActionPerItem(writes); err != nil {
		return err
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: make([]types.TransactWriteItem, len(writes))}
	for i, w := range writes {
		it, err := w.TransactItem()
		if err != nil {
			return err
		}
		in.TransactItems[i] = it
	}
	if opts != nil && opts.Token != "" {
		in.ClientRequestToken = aws.String(opts.Token)
	}
	_, err := executor{c}.TransactWriteItems(ctx, in)
	if err == nil {
		return nil
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		te := &TxError{Err: tce, Reasons: reasons(tce, len(writes))}
		for i := range te.Reasons {
			r := &te.Reasons[i]
			r.Action = writes[i].What
			if r.Failed() {
				r.Kind = writes[i].Failure(tce.CancellationReasons[i].Item)
			}
		}
		return te
	}
	return err // the executor's *Error, of TransactWriteItems
}

// oneActionPerItem refuses writes with two actions on one item before
// anything is sent: DynamoDB would refuse the whole transaction with a
// ValidationException that names neither.
func oneActionPerItem(writes []*txn.Write) error {
	seen := make(map[string]int, len(writes))
	for i, w := range writes {
		if len(w.Key) == 0 {
			continue
		}
		id := w.ID()
		if j, dup := seen[id]; dup {
			return &Error{Op: "TransactWriteItems", Table: w.Table, Key: w.Key,
				Err: fmt.Errorf("actions %d (%s) and %d (%s) act on one item, and DynamoDB takes one action per item in a transaction: combine them into one action, or send them separately", j, writes[j].What, i, w.What)}
		}
		seen[id] = i
	}
	return nil
}

// reasons returns the TxReasons of n actions cancelled by tce, with their
// codes and messages.
func reasons(tce *types.TransactionCanceledException, n int) []TxReason {
	out := make([]TxReason, n)
	for i := range out {
		if i < len(tce.CancellationReasons) {
			cr := tce.CancellationReasons[i]
			out[i].Code = aws.ToString(cr.Code)
			out[i].Message = aws.ToString(cr.Message)
		}
	}
	return out
}

// ReadTx reads items atomically, from one or more tables: every item as
// it is at one point in time, even while transactions write them. Each
// item found is stored in its read's destination; if any is missing, the
// others are still stored and ReadTx returns [ErrNotFound], naming the
// table of the first missing one, and leaves the missing ones' destinations
// unchanged. Every error it returns is an *[Error] of TransactGetItems:
// it matches [ErrTooManyActions] for more than [MaxTxActions] reads, and
// holds a *[TxError] when DynamoDB cancels the reads (for instance because
// a transaction was writing one of the items).
//
// It calls TransactGetItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
func (c *Client) ReadTx(ctx context.Context, reads ...TxRead) (err error) {
	ctx, op := c.startOp(ctx, "ReadTx", "")
	defer op.endErr(&err)
	built := make([]txn.Read, 0, len(reads))
	defer func() {
		if err != nil {
			err = txErr("TransactGetItems", err, oneTable(built, func(b txn.Read) string { return b.Table }))
		}
	}()
	if len(reads) == 0 {
		return errors.New("dynamokit: read transaction with no reads")
	}
	in := &dynamodb.TransactGetItemsInput{TransactItems: make([]types.TransactGetItem, len(reads))}
	for i, rd := range reads {
		if rd == nil {
			return fmt.Errorf("dynamokit: read %d is nil", i)
		}
		b, err := rd.TxRead(txn.Seal())
		if err != nil {
			return actionErr(i, err)
		}
		built = append(built, b)
		in.TransactItems[i] = b.Item
	}
	if len(built) > MaxTxActions {
		// Checked once the reads are built, so that the error names their
		// table; building sends nothing.
		return fmt.Errorf("%w: %d, at most %d", ErrTooManyActions, len(built), MaxTxActions)
	}
	out, err := executor{c}.TransactGetItems(ctx, in)
	if err != nil {
		var tce *types.TransactionCanceledException
		if errors.As(err, &tce) {
			te := &TxError{Err: tce, Reasons: make([]TxReason, len(reads))}
			for i := range te.Reasons {
				te.Reasons[i].Action = "get " + built[i].Table
				if i < len(tce.CancellationReasons) {
					te.Reasons[i].Code = aws.ToString(tce.CancellationReasons[i].Code)
					te.Reasons[i].Message = aws.ToString(tce.CancellationReasons[i].Message)
				}
			}
			return te
		}
		return err // the executor's *Error, of TransactGetItems
	}
	var missing error
	for i, b := range built {
		var item map[string]types.AttributeValue
		if i < len(out.Responses) {
			item = out.Responses[i].Item
		}
		found, err := b.Store(item)
		if err != nil {
			return &Error{Op: "TransactGetItems", Table: b.Table, Err: err}
		}
		if !found && missing == nil {
			missing = &Error{Op: "TransactGetItems", Table: b.Table, Key: b.Item.Get.Key, Kind: ErrNotFound}
		}
	}
	return missing
}
