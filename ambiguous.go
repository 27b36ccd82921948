package dynamokit

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/dynamokit/dynamokit/internal/errtext"
)

// ErrUnknownOutcome matches the failure of a write that may or may not have
// been applied: its request may have reached DynamoDB, and no answer that
// says what happened came back (a connection reset or closed while waiting
// for the response or reading it, a timeout or a cancelled context after
// the request left, or an HTTP 5xx status such as InternalServerError).
// Such a write is not sent again, by dynamokit or by the SDK, when sending
// it twice could apply it twice (an ADD counted twice, a transaction
// applied twice on an engine that ignores its token) or report a condition
// the first attempt made false (a Create that finds its own item, a
// versioned Put that finds its own version): updates, transactions, and
// puts and deletes with a condition or returned values. The error wraps an
// *[UnknownOutcomeError] that says what was sent; a failure that proves
// nothing was applied (throttling, a transaction conflict, a refused
// connection) is retried as before.
var ErrUnknownOutcome = errors.New("dynamokit: write outcome unknown")

// UnknownOutcomeError describes a write whose outcome is unknown
// ([ErrUnknownOutcome], which it matches with errors.Is). It is always a
// pointer, inside the *[Error] the write returns: reach it with errors.As.
//
// What the caller can do depends on the write. A put (a Create, a versioned
// Put) can be checked by reading its item back: query's Table.Applied does.
// A transaction can be sent again exactly as it was, under its Token, with
// [UnknownOutcomeError.Resend]: DynamoDB applies one token only once within
// ten minutes, so the second call finishes the first or does nothing, but
// an engine that ignores the token (moto) applies it again. An update with
// ADD cannot be told apart from another writer's: read the item.
type UnknownOutcomeError struct {
	Op    string // the DynamoDB operation, such as "PutItem" or "TransactWriteItems"
	Table string // the table, or "" for a transaction over several
	// Item is the item a PutItem sent, created, updated and version
	// attributes included; nil for other operations.
	Item map[string]types.AttributeValue
	// Key is the key a DeleteItem or UpdateItem was sent for; nil for other
	// operations.
	Key map[string]types.AttributeValue
	// Token is the ClientRequestToken a TransactWriteItems was sent with
	// (the caller's, or one dynamokit made for the call); "" otherwise.
	Token string
	// Status is the HTTP status of the response that was lost, or 0 when
	// none arrived. A 2xx status means DynamoDB reported the write applied
	// and the body of its answer was lost on the way.
	Status int
	Err    error // the failure, as the SDK returned it

	c  *Client                           // the client that sent tx
	tx *dynamodb.TransactWriteItemsInput // the transaction as sent, for Resend
}

// Error implements the error interface.
func (e *UnknownOutcomeError) Error() string {
	msg := "dynamokit: " + e.Op
	if e.Table != "" {
		msg += " " + e.Table
	}
	msg += ": write outcome unknown"
	if e.Err != nil {
		msg += ": " + errtext.Trim(e.Err.Error())
	}
	return msg
}

// Is reports whether target is [ErrUnknownOutcome].
func (e *UnknownOutcomeError) Is(target error) bool { return target == ErrUnknownOutcome }

// Unwrap returns the failure.
func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// Applied reports whether the answer that was lost said the write was
// applied (a 2xx status whose body could not be read).
func (e *UnknownOutcomeError) Applied() bool { return e.Status >= 200 && e.Status < 300 }

// Resend sends a transaction whose outcome is unknown again, exactly as it
// was sent, with the same ClientRequestToken, through the same [Client]
// (its retry policy and hooks): on DynamoDB, within ten minutes of the
// first attempt, it returns nil when the transaction is applied (by the
// first attempt or by this one, never both), an *[Error] holding a *[TxError]
// when it was not
// and cannot be, or ErrUnknownOutcome again. Use it only with an engine
// that honours the token: moto ignores it and applies the transaction
// again. The values given to [Client.WriteTx] are not changed. For other
// writes Resend returns an error and sends nothing.
func (e *UnknownOutcomeError) Resend(ctx context.Context) error {
	if e.tx == nil || e.c == nil {
		return fmt.Errorf("dynamokit: resend %s: only a transaction can be sent again, under its token", e.Op)
	}
	_, err := executor{e.c}.TransactWriteItems(ctx, e.tx)
	if err == nil {
		return nil
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		rs := reasons(tce, len(e.tx.TransactItems))
		for i, it := range e.tx.TransactItems {
			rs[i].Action = sentAction(it)
		}
		return &Error{Op: e.Op, Table: e.Table, Err: errtext.Quoted{Err: &TxError{Err: tce, Reasons: rs}}}
	}
	var tip *types.TransactionInProgressException
	if errors.As(err, &tip) {
		// The first attempt is still being applied under the token: the
		// outcome is as unknown as before, and Resend may be called again.
		again := *e
		again.Status, again.Err = statusOf(err), err
		return &Error{Op: e.Op, Table: e.Table, Kind: ErrUnknownOutcome, Err: &again}
	}
	return err
}

// sentAction describes an action of a transaction as it was sent, such as
// "update orders": a resent transaction has only its request.
func sentAction(it types.TransactWriteItem) string {
	switch {
	case it.Put != nil:
		return "put " + aws.ToString(it.Put.TableName)
	case it.Update != nil:
		return "update " + aws.ToString(it.Update.TableName)
	case it.Delete != nil:
		return "delete " + aws.ToString(it.Delete.TableName)
	case it.ConditionCheck != nil:
		return "check " + aws.ToString(it.ConditionCheck.TableName)
	}
	return ""
}

// unknownOutcome makes the *UnknownOutcomeError of call k of c failing
// with err.
func unknownOutcome(c *Client, k call, err error) *UnknownOutcomeError {
	u := &UnknownOutcomeError{Op: k.op, Table: k.table, Token: k.token, Status: statusOf(err), Err: err}
	switch in := k.input.(type) {
	case *dynamodb.PutItemInput:
		u.Item = in.Item
	case *dynamodb.DeleteItemInput:
		u.Key = in.Key
	case *dynamodb.UpdateItemInput:
		u.Key = in.Key
	case *dynamodb.TransactWriteItemsInput:
		u.c, u.tx = c, in
	}
	return u
}

// statusOf returns the HTTP status of the response err came with, or 0.
// needsBody reports whether the response of a write with input in holds
// something its caller reads: the item's values (ReturnValues), or the
// items a batch left unprocessed. Without it, a success status alone says
// all there is to say. Consumed capacity is in the body too; losing it
// only leaves that request out of a [Capacity].
func needsBody(in any) bool {
	returns := func(rv types.ReturnValue) bool { return rv != "" && rv != types.ReturnValueNone }
	switch in := in.(type) {
	case *dynamodb.PutItemInput:
		return returns(in.ReturnValues)
	case *dynamodb.UpdateItemInput:
		return returns(in.ReturnValues)
	case *dynamodb.DeleteItemInput:
		return returns(in.ReturnValues)
	case *dynamodb.TransactWriteItemsInput:
		return false
	}
	return true
}

func statusOf(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.HTTPStatusCode()
	}
	return 0
}

// ambiguous reports whether err is a failure after which a write may have
// been applied: the request may have reached DynamoDB and no answer says
// it was refused. That is
//   - a failure sending the request or reading its response, other than a
//     failure to connect or to resolve the endpoint (nothing was sent then);
//   - the context ending while the request was on its way;
//   - a response whose body could not be read or decoded (a 2xx status:
//     the write was applied);
//   - an HTTP 5xx status (InternalServerError, a 502 from a proxy, ...),
//     unless its body is a throttling error, which DynamoDB sends before
//     doing anything.
//
// An answer with a 4xx status (a condition that failed, a transaction
// conflict, throttling, a validation error) says nothing was applied.
func ambiguous(err error) bool {
	if err == nil {
		return false
	}
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return false
		}
		var dns *net.DNSError
		return !errors.As(err, &dns)
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) {
		// No response and no send error: the request failed before it
		// was sent (building, signing), or did not come from the SDK.
		return false
	}
	status := 0
	if re.Response != nil {
		status = re.HTTPStatusCode()
	}
	switch {
	case status == 0:
		// The transport failed with no response: the context ended while
		// the request was on its way (the SDK reports a
		// *smithy.CanceledError then, without the send error).
		var ce *smithy.CanceledError
		return errors.As(err, &ce)
	case status >= 500:
		return !throttled(err)
	case status >= 400:
		return false
	}
	return true // a 1xx, 2xx or 3xx answer whose body was lost
}

var sdkThrottles = retry.IsErrorThrottles(retry.DefaultThrottles)

// throttled reports whether err is a throttling error as the SDK classifies
// them (an error code of DynamoDB's throttling errors, or an HTTP 429):
// DynamoDB answers those before anything is written.
func throttled(err error) bool { return sdkThrottles.IsErrorThrottle(err).Bool() }

// sendOnce makes the SDK's retryer leave ambiguous failures alone, for
// writes that are not idempotent.
func sendOnce(o *dynamodb.Options) {
	if o.Retryer != nil {
		o.Retryer = onceRetryer{o.Retryer}
	}
}

// onceRetryer is the SDK's retryer, except that it does not retry an
// ambiguous failure.
type onceRetryer struct{ aws.Retryer }

// IsErrorRetryable reports whether the inner retryer retries err and err
// is not ambiguous.
func (r onceRetryer) IsErrorRetryable(err error) bool {
	return !ambiguous(err) && r.Retryer.IsErrorRetryable(err)
}

// GetAttemptToken passes through to the inner retryer (aws.RetryerV2).
func (r onceRetryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.Retryer.GetInitialToken(), nil
}

// notIdempotent reports whether a single-item write with this condition
// and these return values may not be sent twice: a condition can be made
// false by the first attempt, and old values differ the second time. A put
// or delete with neither leaves the item the same however often it is
// sent.
func notIdempotent(cond *string, rv string) bool {
	return cond != nil || (rv != "" && rv != "NONE")
}
