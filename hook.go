package dynamokit

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Hook is called by a [Client] after each request it sends, once per
// attempt (see [RetryPolicy]), on the goroutine that sent it. It must not
// keep r after it returns, and must be safe for concurrent use.
type Hook func(ctx context.Context, r *Request)

// Request is one request as a [Hook] sees it.
type Request struct {
	// Op is the DynamoDB operation, such as "GetItem" or "Query".
	Op string
	// Input is the SDK input of the request, such as a
	// *dynamodb.GetItemInput. A hook may read it, and must not change it.
	Input any
	// Table is the one table of the request, or "" for a batch or
	// transaction over several tables (Tables names them).
	Table string
	// Tables is every table the request touches, sorted: the one table of
	// a single-table request, the tables of a batch's RequestItems or of
	// a transaction's actions.
	Tables []string
	// Index is the secondary index a Query or Scan reads, or "".
	Index string
	// Output is the SDK output of a successful attempt, such as a
	// *dynamodb.QueryOutput (read it, don't change it), or nil.
	Output any
	// Attempt counts the attempts of the request, from 1; the SDK's own
	// retries (see [RetryPolicy]) are inside one attempt.
	Attempt int
	// Start is when the attempt started, and Duration how long it took.
	Start    time.Time
	Duration time.Duration
	// Elapsed is the time since the first attempt started, the waits
	// between attempts included: the request as its caller sees it.
	Elapsed time.Duration
	// Capacity is the capacity the request consumed, as DynamoDB reported
	// it: one entry per table (with its indexes), none for schema
	// operations or a failed request.
	Capacity []types.ConsumedCapacity
	// Read reports whether the operation reads: its units are read units.
	Read bool
	// Err is the SDK's error, or nil.
	Err error
	// Retry reports that the attempt failed and the [RetryPolicy] sends
	// the request again after a wait (unless the context ends first).
	Retry bool
	// Unknown reports that the attempt failed leaving the outcome of a
	// write unknown: it is not sent again, and the call returns an error
	// matching [ErrUnknownOutcome].
	Unknown bool

	one [1]string // Tables of a single-table request, without allocating
}

// Units returns the capacity units of r summed over its tables.
func (r *Request) Units() float64 {
	var n float64
	for _, c := range r.Capacity {
		n += units(c.CapacityUnits, c.ReadCapacityUnits, c.WriteCapacityUnits)
	}
	return n
}

// setTables fills r.Tables and r.Index from the request's input.
func (r *Request) setTables() {
	switch in := r.Input.(type) {
	case *dynamodb.QueryInput:
		r.Index = aws.ToString(in.IndexName)
	case *dynamodb.ScanInput:
		r.Index = aws.ToString(in.IndexName)
	case *dynamodb.BatchGetItemInput:
		r.Tables = sortedKeys(in.RequestItems)
		return
	case *dynamodb.BatchWriteItemInput:
		r.Tables = sortedKeys(in.RequestItems)
		return
	case *dynamodb.TransactGetItemsInput:
		var ts []string
		for _, it := range in.TransactItems {
			if it.Get != nil {
				ts = append(ts, aws.ToString(it.Get.TableName))
			}
		}
		r.Tables = sortedSet(ts)
		return
	case *dynamodb.TransactWriteItemsInput:
		ts := make([]string, 0, len(in.TransactItems))
		for _, it := range in.TransactItems {
			ts = append(ts, aws.ToString(writeItemTable(it)))
		}
		r.Tables = sortedSet(ts)
		return
	}
	if r.Table != "" {
		r.one[0] = r.Table
		r.Tables = r.one[:]
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ts := make([]string, 0, len(m))
	for k := range m {
		ts = append(ts, k)
	}
	slices.Sort(ts)
	return ts
}

func sortedSet(ts []string) []string {
	slices.Sort(ts)
	return slices.Compact(ts)
}

// A Tracer sees a [Client]'s operations, a dynamokit verb that may send
// several requests (a relation's Link or DeleteParent, a cascade, a query
// read page by page, [Client.WriteTx]), and each attempt of each request
// inside them: an adapter opens a span per operation, with the requests
// as its children. Operations nest: one started with a context that
// carries another (a cascade inside a DeleteParent) has it as its Parent.
// A Tracer is called on the goroutines that run the operation and send
// the requests, and must be safe for concurrent use. Package
// github.com/dynamokit/dynamokit/otel, a module of its own, is a Tracer
// for OpenTelemetry.
type Tracer interface {
	// StartOperation is called when op starts. The context it returns
	// (ctx, or one derived from it, say with a span) is the one the
	// operation's requests and nested operations are made with, and is
	// given back to EndOperation.
	StartOperation(ctx context.Context, op *Operation) context.Context
	// EndOperation is called when op ends, with Duration and Err set.
	EndOperation(ctx context.Context, op *Operation)
	// Request is called after each attempt of each request, as a [Hook]
	// is, with the context of the innermost operation.
	Request(ctx context.Context, r *Request)
}

// WithTracer makes the Client report its operations and requests to t.
// A Client has one Tracer: the last given wins, and nil removes it.
func WithTracer(t Tracer) Option { return func(c *Client) { c.tracer = t } }

// Operation is one dynamokit operation as a [Tracer] sees it. It must not
// be changed by the Tracer, and not kept after EndOperation returns.
type Operation struct {
	// Name is the verb, as Type.Method: "Table.Put", "Query.All",
	// "HasMany.DeleteParent", "ManyToMany.Link", "WriteTx"; or a step of
	// one, such as "cascade" or "copies".
	Name string
	// Table is the table the operation is on, or "" for one over several.
	Table string
	// Parent is the operation this one runs inside, or nil.
	Parent *Operation
	// Start is when the operation started.
	Start time.Time
	// Duration and Err are set when the operation ends: how long it took
	// and the error it returned, or nil.
	Duration time.Duration
	Err      error

	t   Tracer
	ctx context.Context // the context StartOperation returned
}

type operationKey struct{}

// operationFrom returns the innermost [Operation] ctx was made in, or nil
// when there is none or the Client has no [Tracer].
func operationFrom(ctx context.Context) *Operation {
	op, _ := ctx.Value(operationKey{}).(*Operation)
	return op
}

// startOp starts an operation called name on table for c's [Tracer], and
// returns the context to make its requests with; defer End on the
// operation returned. With no Tracer it returns ctx and a nil
// *Operation, whose End does nothing: nothing is allocated. Package
// dynamokit's own packages reach it as clientlink.Start.
func (c *Client) startOp(ctx context.Context, name, table string) (context.Context, *Operation) {
	if c == nil || c.tracer == nil {
		return ctx, nil
	}
	return c.startOperation(ctx, name, table)
}

func (c *Client) startOperation(ctx context.Context, name, table string) (context.Context, *Operation) {
	op := &Operation{Name: name, Table: table, Parent: operationFrom(ctx), Start: time.Now(), t: c.tracer}
	ctx = c.tracer.StartOperation(context.WithValue(ctx, operationKey{}, op), op)
	op.ctx = ctx
	return ctx, op
}

// endErr ends op with the error *errp (nil errp, or nil *errp: success).
// It does nothing on a nil *Operation.
func (op *Operation) endErr(errp *error) {
	if op == nil {
		return
	}
	var err error
	if errp != nil {
		err = *errp
	}
	op.end(err)
}

// end ends op with err (nil: success) and reports it to the Tracer. It
// does nothing on a nil *Operation, or one no Tracer started.
func (op *Operation) end(err error) {
	if op == nil || op.t == nil {
		return
	}
	op.Duration = time.Since(op.Start)
	op.Err = err
	op.t.EndOperation(op.ctx, op)
}
