package dynamokit

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/dynamokit/dynamokit/internal/clientlink"
)

// tablesAPI answers every request with success, or with errs in turn.
type tablesAPI struct {
	API
	errs []error
}

func (a *tablesAPI) next() error {
	if len(a.errs) == 0 {
		return nil
	}
	err := a.errs[0]
	a.errs = a.errs[1:]
	return err
}

func (a *tablesAPI) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return &dynamodb.QueryOutput{}, a.next()
}

func (a *tablesAPI) BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return &dynamodb.BatchWriteItemOutput{}, a.next()
}

func (a *tablesAPI) TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if err := a.next(); err != nil {
		return nil, err
	}
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

func (a *tablesAPI) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if err := a.next(); err != nil {
		return nil, err
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

// TestRequestTables: a hook sees every table a request touches, and the
// index of a query.
func TestRequestTables(t *testing.T) {
	var seen []Request
	c := NewFromClient(&tablesAPI{}, WithHook(func(_ context.Context, r *Request) { seen = append(seen, *r) }))
	ctx := t.Context()
	if _, err := c.Executor().Query(ctx, &dynamodb.QueryInput{TableName: aws.String("t"), IndexName: aws.String("by-x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Executor().BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"b": nil, "a": nil}}); err != nil {
		t.Fatal(err)
	}
	put := func(table string) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table)}}
	}
	check := types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String("x")}}
	if _, err := c.Executor().TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{put("y"), check, put("y")}}); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		table, index string
		tables       []string
	}{{"t", "by-x", []string{"t"}}, {"", "", []string{"a", "b"}}, {"", "", []string{"x", "y"}}}
	if len(seen) != len(want) {
		t.Fatalf("hook saw %d requests, want %d", len(seen), len(want))
	}
	for i, w := range want {
		r := seen[i]
		if r.Table != w.table || r.Index != w.index || !slices.Equal(r.Tables, w.tables) {
			t.Errorf("%s: Table %q, Index %q, Tables %q; want %q, %q, %q", r.Op, r.Table, r.Index, r.Tables, w.table, w.index, w.tables)
		}
	}
}

// TestRequestRetryAndUnknown: a hook sees that an attempt is retried, and
// that a write's outcome is left unknown.
func TestRequestRetryAndUnknown(t *testing.T) {
	conflict := &types.TransactionConflictException{Message: aws.String("busy")}
	reset := &smithyhttp.RequestSendError{Err: errors.New("read tcp: connection reset by peer")}
	api := &tablesAPI{errs: []error{conflict, nil, reset}}
	var seen []Request
	c := NewFromClient(api, WithRetry(RetryPolicy{MaxAttempts: 3, Backoff: func(int) time.Duration { return 0 }}),
		WithHook(func(_ context.Context, r *Request) { seen = append(seen, *r) }))
	in := &dynamodb.UpdateItemInput{TableName: aws.String("t")}
	if _, err := c.Executor().UpdateItem(t.Context(), in); err != nil {
		t.Fatalf("UpdateItem after a conflict: %v", err)
	}
	if _, err := c.Executor().UpdateItem(t.Context(), in); !errors.Is(err, ErrUnknownOutcome) {
		t.Fatalf("UpdateItem after a reset = %v, want ErrUnknownOutcome", err)
	}
	type flags struct {
		attempt        int
		retry, unknown bool
	}
	var got []flags
	for _, r := range seen {
		got = append(got, flags{r.Attempt, r.Retry, r.Unknown})
	}
	want := []flags{{1, true, false}, {2, false, false}, {1, false, true}}
	if !slices.Equal(got, want) {
		t.Errorf("attempts seen %v, want %v", got, want)
	}
	if seen[1].Elapsed < seen[1].Duration {
		t.Errorf("second attempt: Elapsed %v < Duration %v", seen[1].Elapsed, seen[1].Duration)
	}
}

// recTracer records what a Tracer is told.
type recTracer struct {
	mu     sync.Mutex
	events []string
}

type recKey struct{}

func (rt *recTracer) add(e string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.events = append(rt.events, e)
}

func (rt *recTracer) StartOperation(ctx context.Context, op *Operation) context.Context {
	parent := ""
	if op.Parent != nil {
		parent = " in " + op.Parent.Name
	}
	rt.add("start " + op.Name + parent)
	return context.WithValue(ctx, recKey{}, op.Name)
}

func (rt *recTracer) EndOperation(ctx context.Context, op *Operation) {
	e := "end " + op.Name
	if op.Err != nil {
		e += " with error"
	}
	if ctx.Value(recKey{}) != op.Name {
		e += " (not its context)"
	}
	rt.add(e)
}

func (rt *recTracer) Request(ctx context.Context, r *Request) {
	rt.add("request " + r.Op + " in " + operationFrom(ctx).Name + " " + ctx.Value(recKey{}).(string))
}

// TestTracerNests: operations nest through the context, and a request is
// reported in the innermost one.
func TestTracerNests(t *testing.T) {
	rt := &recTracer{}
	c := NewFromClient(&tablesAPI{errs: []error{nil, &types.ResourceNotFoundException{}}}, WithTracer(rt))
	outer := func(ctx context.Context) (err error) {
		ctx, op := c.startOp(ctx, "outer", "t")
		defer op.endErr(&err)
		inner := func(ctx context.Context) (err error) {
			ctx, op := c.startOp(ctx, "inner", "t")
			defer op.endErr(&err)
			_, err = c.Executor().Query(ctx, &dynamodb.QueryInput{TableName: aws.String("t")})
			return err
		}
		if err := inner(ctx); err != nil {
			return err
		}
		_, err = c.Executor().Query(ctx, &dynamodb.QueryInput{TableName: aws.String("t")})
		return err
	}
	if err := outer(t.Context()); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("outer = %v, want ErrTableNotFound", err)
	}
	want := []string{
		"start outer", "start inner in outer", "request Query in inner inner", "end inner",
		"request Query in outer outer", "end outer with error",
	}
	if !slices.Equal(rt.events, want) {
		t.Errorf("tracer saw\n%q\nwant\n%q", rt.events, want)
	}
}

// TestStartOperationNoTracer: without a Tracer, starting an operation
// (clientlink.Start, as dynamokit's packages do) changes nothing and
// allocates nothing.
func TestStartOperationNoTracer(t *testing.T) {
	c := NewFromClient(&tablesAPI{})
	ctx := t.Context()
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		octx, op := clientlink.Start(ctx, c, "Table.Put", "t")
		op.End(&err)
		if octx != ctx {
			t.Fatal("clientlink.Start changed the context")
		}
	})
	if allocs != 0 {
		t.Errorf("clientlink.Start and End with no tracer: %v allocations, want 0", allocs)
	}
}
