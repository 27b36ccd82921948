package dynamokit

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// executor is the one executor of a Client's requests: each of its
// methods sends one request of the DynamoDB API through [do]. It is what
// [Client.Executor] returns, and what the Client's own transactions and
// write rules send with.
type executor struct{ c *Client }

// Executor returns the executor of c as an [API]: every call made through
// it is retried under c's [RetryPolicy], asks for and records the consumed
// capacity when something will read it (a [Hook], the [Tracer], a
// [Capacity] on the context), is passed to the hooks and the tracer like
// dynamokit's own requests, and fails with an *[Error] (a write that must
// not be sent twice is sent once: see [ErrUnknownOutcome]).
//
// The write rules of c ([WithRules]: relations, unique attributes) are NOT
// applied, and neither are versions, created and updated times: they are
// built into the request by package query's builders, and a request sent
// here is sent as it is. Write the items of related models through query.
//
// The value returned also sends DescribeContinuousBackups,
// UpdateContinuousBackups, ListTagsOfResource, TagResource and
// UntagResource: assert it to an interface with the methods needed. They
// fail when c's own API lacks them (the SDK's *dynamodb.Client has them).
func (c *Client) Executor() API { return executor{c} }

// call is one request, as the executor sees it.
type call struct {
	op    string // the DynamoDB operation, such as "GetItem"
	table string // the table, or "" for a request over several
	read  bool   // whether the operation reads (its units are read units)
	input any    // the SDK input, for hooks
	// once is set for a write that must not be sent twice: neither the
	// SDK's retryer nor the RetryPolicy sends it again after an ambiguous
	// failure, which is reported as ErrUnknownOutcome.
	once bool
	// token is the ClientRequestToken of a TransactWriteItems.
	token string
}

// do is the one executor: it sends a request with send, retrying under
// the Client's policy, records the consumed capacity, calls the hooks and
// classifies the error.
func do[Out any](ctx context.Context, c *Client, k call, opts []func(*dynamodb.Options), send func(context.Context, []func(*dynamodb.Options)) (*Out, error), capacity func(*Out) []types.ConsumedCapacity) (*Out, error) {
	if c == nil || c.api == nil {
		return nil, &Error{Op: k.op, Table: k.table, Err: errors.New("nil client")}
	}
	if len(c.sdkOpts) > 0 || k.once {
		all := make([]func(*dynamodb.Options), 0, len(c.sdkOpts)+len(opts)+1)
		all = append(append(all, c.sdkOpts...), opts...)
		if k.once {
			all = append(all, sendOnce) // last, to wrap whatever retryer the others set
		}
		opts = all
	}
	if k.once && ctx.Err() != nil {
		// Nothing is sent: say so, rather than let the SDK's transport
		// fail in a way that reads as a request that may have left.
		return nil, &Error{Op: k.op, Table: k.table, Err: fmt.Errorf("not sent: %w", context.Cause(ctx))}
	}
	first := time.Now()
	for attempt := 1; ; attempt++ {
		start := first
		if attempt > 1 {
			start = time.Now()
		}
		out, err := send(ctx, opts)
		var cc []types.ConsumedCapacity
		if out != nil && capacity != nil {
			cc = capacity(out)
		}
		if len(cc) > 0 {
			if acc := capacityFrom(ctx); acc != nil {
				acc.add(cc, k.read)
			}
		}
		// What follows the attempt is decided before the hooks, so that
		// they see it: a retry, or an outcome left unknown.
		var (
			wait      time.Duration
			retry     bool
			lost      bool // a write whose outcome is unknown: not sent again
			appliedOK bool
		)
		if err != nil {
			if k.once && ambiguous(err) {
				lost = true
				// The engine answered success, and only the body, which
				// holds nothing this write returns, was lost: the write
				// was applied once, and that is the answer.
				if s := statusOf(err); s >= 200 && s < 300 && !needsBody(k.input) {
					appliedOK = true
				}
			} else {
				wait, retry = c.retry.next(attempt, err)
			}
		}
		if len(c.hooks) > 0 || c.tracer != nil {
			now := time.Now()
			r := &Request{Op: k.op, Input: k.input, Table: k.table, Attempt: attempt, Start: start, Duration: now.Sub(start), Elapsed: now.Sub(first), Capacity: cc, Read: k.read, Err: err,
				Retry: retry, Unknown: lost && !appliedOK && kindOf(err) == nil}
			if err == nil {
				r.Output = out
			}
			r.setTables()
			hctx := txn.Unmarked(ctx) // a relation's mark never reaches user code
			for _, h := range c.hooks {
				h(hctx, r)
			}
			if c.tracer != nil {
				c.tracer.Request(hctx, r)
			}
		}
		if err == nil {
			return out, nil
		}
		if lost {
			if appliedOK {
				return new(Out), nil
			}
			return nil, classify(c, k, err) // whatever the policy says
		}
		if retry {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				// The caller gave up: say so (errors.Is(err,
				// context.Canceled)), with the failure that caused the wait.
				return nil, &Error{Op: k.op, Table: k.table, Kind: kindOf(err), Err: fmt.Errorf("%w while waiting to retry after: %w", context.Cause(ctx), err)}
			case <-t.C:
			}
			continue
		}
		return nil, c.missingIndex(ctx, k, classify(c, k, err))
	}
}

// classify wraps an SDK error into an *Error with the kind it means.
// Errors that are already an *Error pass unchanged.
func classify(c *Client, k call, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	kind := kindOf(err)
	if kind == nil && k.once && ambiguous(err) {
		return &Error{Op: k.op, Table: k.table, Kind: ErrUnknownOutcome, Err: unknownOutcome(c, k, err)}
	}
	return &Error{Op: k.op, Table: k.table, Kind: kind, Err: err}
}

// kindOf returns the sentinel an SDK error means, or nil.
func kindOf(err error) error {
	var rnf *types.ResourceNotFoundException
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &rnf):
		return ErrTableNotFound
	case errors.As(err, &ccf):
		return ErrConditionFailed
	}
	return nil
}

// asksCapacity reports whether a request whose ReturnConsumedCapacity is
// rc should ask for it: when the caller left it unset and someone will
// read the capacity, a hook or tracer of c or a [Capacity] on ctx. Otherwise the
// request is sent as the caller built it, at the cost of a request with no
// capacity asked for. The caller's input is never written to (callers of
// an SDK client may share one between goroutines): the methods ask on a
// copy.
func (c *Client) asksCapacity(ctx context.Context, rc types.ReturnConsumedCapacity) bool {
	return rc == "" && c != nil && (len(c.hooks) > 0 || c.tracer != nil || capacityFrom(ctx) != nil)
}

func one(cc *types.ConsumedCapacity) []types.ConsumedCapacity {
	if cc == nil {
		return nil
	}
	return []types.ConsumedCapacity{*cc}
}

// withCapacity returns in, or a copy of it that asks for the consumed
// capacity by index when the request's hooks or a [Capacity] in ctx want
// it and in does not ask already (see asksCapacity); field reaches the
// input's ReturnConsumedCapacity. The caller's input is never changed.
func withCapacity[In any](ctx context.Context, c *Client, in *In, field func(*In) *types.ReturnConsumedCapacity) *In {
	if !c.asksCapacity(ctx, *field(in)) {
		return in
	}
	cp := *in
	*field(&cp) = types.ReturnConsumedCapacityIndexes
	return &cp
}

// GetItem sends a GetItem request through the executor.
func (x executor) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c := x.c
	in = withCapacity(ctx, c, in, func(in *dynamodb.GetItemInput) *types.ReturnConsumedCapacity { return &in.ReturnConsumedCapacity })
	return do(ctx, c, call{op: "GetItem", table: aws.ToString(in.TableName), read: true, input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
			return c.api.GetItem(ctx, in, o...)
		}, func(o *dynamodb.GetItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

// PutItem sends a PutItem request through the executor.
func (x executor) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c := x.c
	in = withCapacity(ctx, c, in, func(in *dynamodb.PutItemInput) *types.ReturnConsumedCapacity { return &in.ReturnConsumedCapacity })
	return do(ctx, c, call{op: "PutItem", table: aws.ToString(in.TableName), input: in, once: notIdempotent(in.ConditionExpression, string(in.ReturnValues))}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
			return c.api.PutItem(ctx, in, o...)
		}, func(o *dynamodb.PutItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

// UpdateItem sends an UpdateItem request through the executor.
func (x executor) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c := x.c
	in = withCapacity(ctx, c, in, func(in *dynamodb.UpdateItemInput) *types.ReturnConsumedCapacity { return &in.ReturnConsumedCapacity })
	return do(ctx, c, call{op: "UpdateItem", table: aws.ToString(in.TableName), input: in, once: true}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
			return c.api.UpdateItem(ctx, in, o...)
		}, func(o *dynamodb.UpdateItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

// DeleteItem sends a DeleteItem request through the executor.
func (x executor) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c := x.c
	in = withCapacity(ctx, c, in, func(in *dynamodb.DeleteItemInput) *types.ReturnConsumedCapacity { return &in.ReturnConsumedCapacity })
	return do(ctx, c, call{op: "DeleteItem", table: aws.ToString(in.TableName), input: in, once: notIdempotent(in.ConditionExpression, string(in.ReturnValues))}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
			return c.api.DeleteItem(ctx, in, o...)
		}, func(o *dynamodb.DeleteItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

// Query sends one Query request (one page) through the executor.
func (x executor) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c := x.c
	in = withCapacity(ctx, c, in, func(in *dynamodb.QueryInput) *types.ReturnConsumedCapacity { return &in.ReturnConsumedCapacity })
	return do(ctx, c, call{op: "Query", table: aws.ToString(in.TableName), read: true, input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
			return c.api.Query(ctx, in, o...)
		}, func(o *dynamodb.QueryOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

// Scan sends one Scan request (one page) through the executor.
func (x executor) Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	c := x.c
	in = withCapacity(ctx, c, in, func(in *dynamodb.ScanInput) *types.ReturnConsumedCapacity { return &in.ReturnConsumedCapacity })
	return do(ctx, c, call{op: "Scan", table: aws.ToString(in.TableName), read: true, input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
			return c.api.Scan(ctx, in, o...)
		}, func(o *dynamodb.ScanOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

// BatchGetItem sends a BatchGetItem request through the executor. Keys
// left unprocessed are returned, not retried.
func (x executor) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	c := x.c
	in = withCapacity(ctx, c, in, func(in *dynamodb.BatchGetItemInput) *types.ReturnConsumedCapacity { return &in.ReturnConsumedCapacity })
	return do(ctx, c, call{op: "BatchGetItem", table: onlyKey(in.RequestItems), read: true, input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
			return c.api.BatchGetItem(ctx, in, o...)
		}, func(o *dynamodb.BatchGetItemOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

// BatchWriteItem sends a BatchWriteItem request through the executor.
// Items left unprocessed are returned, not retried.
func (x executor) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	c := x.c
	in = withCapacity(ctx, c, in, func(in *dynamodb.BatchWriteItemInput) *types.ReturnConsumedCapacity {
		return &in.ReturnConsumedCapacity
	})
	return do(ctx, c, call{op: "BatchWriteItem", table: onlyKey(in.RequestItems), input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
			return c.api.BatchWriteItem(ctx, in, o...)
		}, func(o *dynamodb.BatchWriteItemOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

// TransactGetItems sends a TransactGetItems request through the
// executor.
func (x executor) TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
	c := x.c
	in = withCapacity(ctx, c, in, func(in *dynamodb.TransactGetItemsInput) *types.ReturnConsumedCapacity {
		return &in.ReturnConsumedCapacity
	})
	table := ""
	for i, it := range in.TransactItems {
		if it.Get == nil {
			continue
		}
		if t := aws.ToString(it.Get.TableName); i == 0 {
			table = t
		} else if t != table {
			table = ""
			break
		}
	}
	return do(ctx, c, call{op: "TransactGetItems", table: table, read: true, input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
			return c.api.TransactGetItems(ctx, in, o...)
		}, func(o *dynamodb.TransactGetItemsOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

// TransactWriteItems sends a TransactWriteItems request through the
// executor. A request without a ClientRequestToken is sent with one made
// for the call (on a copy of in), the same in every attempt; after a
// failure that leaves the outcome unknown it is not sent again, and the
// error, matching [ErrUnknownOutcome], holds the token in its
// *[UnknownOutcomeError].
func (x executor) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c := x.c
	if ask, token := c.asksCapacity(ctx, in.ReturnConsumedCapacity), in.ClientRequestToken == nil; ask || token {
		cp := *in
		if ask {
			cp.ReturnConsumedCapacity = types.ReturnConsumedCapacityIndexes
		}
		if token {
			cp.ClientRequestToken = aws.String(rand.Text())
		}
		in = &cp
	}
	return do(ctx, c, call{op: "TransactWriteItems", table: writeTxTable(in.TransactItems), input: in, once: true, token: aws.ToString(in.ClientRequestToken)}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
			return c.api.TransactWriteItems(ctx, in, o...)
		}, func(o *dynamodb.TransactWriteItemsOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

// CreateTable sends a CreateTable request through the executor.
func (x executor) CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	c := x.c
	return do(ctx, c, call{op: "CreateTable", table: aws.ToString(in.TableName), input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
			return c.api.CreateTable(ctx, in, o...)
		}, nil)
}

// DeleteTable sends a DeleteTable request through the executor.
func (x executor) DeleteTable(ctx context.Context, in *dynamodb.DeleteTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	c := x.c
	return do(ctx, c, call{op: "DeleteTable", table: aws.ToString(in.TableName), input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
			return c.api.DeleteTable(ctx, in, o...)
		}, nil)
}

// DescribeTable sends a DescribeTable request through the executor.
func (x executor) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	c := x.c
	return do(ctx, c, call{op: "DescribeTable", table: aws.ToString(in.TableName), read: true, input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
			return c.api.DescribeTable(ctx, in, o...)
		}, nil)
}

// UpdateTable sends an UpdateTable request through the executor.
func (x executor) UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	c := x.c
	return do(ctx, c, call{op: "UpdateTable", table: aws.ToString(in.TableName), input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
			return c.api.UpdateTable(ctx, in, o...)
		}, nil)
}

// DescribeTimeToLive sends a DescribeTimeToLive request through the executor.
func (x executor) DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error) {
	c := x.c
	return do(ctx, c, call{op: "DescribeTimeToLive", table: aws.ToString(in.TableName), read: true, input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error) {
			return c.api.DescribeTimeToLive(ctx, in, o...)
		}, nil)
}

// UpdateTimeToLive sends an UpdateTimeToLive request through the executor.
func (x executor) UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	c := x.c
	return do(ctx, c, call{op: "UpdateTimeToLive", table: aws.ToString(in.TableName), input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
			return c.api.UpdateTimeToLive(ctx, in, o...)
		}, nil)
}

// onlyKey returns the one key of m, or "" when it has several.
func onlyKey[V any](m map[string]V) string {
	if len(m) != 1 {
		return ""
	}
	for k := range m {
		return k
	}
	return ""
}

// writeTxTable returns the one table the items write, or "".
func writeTxTable(items []types.TransactWriteItem) string {
	table := ""
	for i, it := range items {
		t := aws.ToString(writeItemTable(it))
		if i == 0 {
			table = t
		} else if t != table {
			return ""
		}
	}
	return table
}

// writeItemTable returns the table of one action of a write transaction.
func writeItemTable(it types.TransactWriteItem) *string {
	switch {
	case it.Put != nil:
		return it.Put.TableName
	case it.Update != nil:
		return it.Update.TableName
	case it.Delete != nil:
		return it.Delete.TableName
	case it.ConditionCheck != nil:
		return it.ConditionCheck.TableName
	}
	return nil
}

var _ API = executor{}
