package integration_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
)

// TestClientTableNotFound: every kind of request on a missing table
// returns dynamokit.ErrTableNotFound, whatever the engine's message.
func TestClientTableNotFound(t *testing.T) {
	t.Parallel()
	// No tables: the namer leads to names no test creates.
	c := graphClient(t, dynamokit.WithNamer(model.Prefix(dynamotest.TablePrefix(t)+"missing-")))
	ctx := t.Context()
	events, err := query.NewTable[Event](c)
	if err != nil {
		t.Fatal(err)
	}
	ev := Event{Stream: "s", Seq: 1}
	for _, tt := range []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := events.Get(ctx, ev); return err }},
		{"Put", func() error { v := ev; return events.Put(ctx, &v) }},
		{"Create", func() error { v := ev; return events.Create(ctx, &v) }},
		{"Update", func() error { return events.Update(ev).Set("body", "b").Run(ctx) }},
		{"Delete", func() error { return events.Delete(ctx, ev) }},
		{"Query", func() error { _, err := events.Query(Event{Stream: "s"}).Collect(ctx); return err }},
		{"Scan", func() error { _, err := events.Scan().Collect(ctx); return err }},
		{"Count", func() error { _, err := events.Query(Event{Stream: "s"}).Count(ctx); return err }},
		{"WriteTx", func() error { v := ev; return c.WriteTx(ctx, nil, events.TxCreate(&v)) }},
		{"ReadTx", func() error { var v Event; return c.ReadTx(ctx, events.TxGet(ev, &v)) }},
		{"BatchPut", func() error { return events.BatchPut(ctx, []Event{ev}, &query.BatchOptions{Retries: 1}) }},
		{"BatchGet", func() error { _, err := events.BatchGet(ctx, []Event{ev}, &query.BatchOptions{Retries: 1}); return err }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, dynamokit.ErrTableNotFound) {
				t.Fatalf("%s on a missing table: error = %v, want ErrTableNotFound", tt.name, err)
			}
			var de *dynamokit.Error
			if !errors.As(err, &de) {
				t.Errorf("%s error %T is not a *dynamokit.Error", tt.name, err)
			}
			if msg := err.Error(); strings.Count(msg, "dynamokit:") != 1 || !strings.Contains(msg, "table not found") {
				t.Errorf("%s error = %q, want one dynamokit: prefix and \"table not found\"", tt.name, msg)
			}
		})
	}
}

// recorder is a client hook that keeps every request it sees.
type recorder struct {
	mu   sync.Mutex
	reqs []dynamokit.Request
}

func (r *recorder) hook(_ context.Context, req *dynamokit.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, *req)
}

// take returns the requests seen since the last take.
func (r *recorder) take() []dynamokit.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

// opsOf returns the operations of reqs, in order.
func opsOf(reqs []dynamokit.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Op
	}
	return out
}

// TestClientHookAndCapacity: the hook sees each request (operation,
// table, attempt, capacity), and a Capacity on the context sums the
// capacity over the pages of a query.
func TestClientHookAndCapacity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	rec := &recorder{}
	c := e.db.With(dynamokit.WithHook(rec.hook))
	events, err := query.NewTable[Event](c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for i := range 5 {
		v := Event{Stream: "s", Seq: i, Kind: "k"}
		if err := events.Put(ctx, &v); err != nil {
			t.Fatal(err)
		}
	}
	puts := rec.take()
	if got, want := opsOf(puts), []string{"PutItem", "PutItem", "PutItem", "PutItem", "PutItem"}; !cmp.Equal(got, want) {
		t.Errorf("hook saw %v for 5 puts, want %v", got, want)
	}
	for _, r := range puts {
		if r.Table != events.TableName() || r.Attempt != 1 || r.Err != nil || r.Read || r.Duration <= 0 {
			t.Errorf("hook saw %+v, want table %s, attempt 1, no error, a write with a duration", r, events.TableName())
		}
		if r.Units() <= 0 {
			t.Errorf("PutItem consumed %v units, want some (ReturnConsumedCapacity is asked for)", r.Units())
		}
	}

	var used dynamokit.Capacity
	got, err := events.Query(Event{Stream: "s"}).PageSize(2).Collect(dynamokit.WithCapacity(ctx, &used))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("query returned %d events, want 5", len(got))
	}
	pages := rec.take()
	var sum float64
	for _, r := range pages {
		if r.Op != "Query" || !r.Read {
			t.Errorf("hook saw %s (read %v) during a query, want Query reads", r.Op, r.Read)
		}
		sum += r.Units()
	}
	if len(pages) < 3 {
		t.Errorf("a query of 5 items, 2 a page, sent %d requests, want at least 3", len(pages))
	}
	total := used.Total()
	if total.Read <= 0 || total.Write != 0 || total.Read != sum {
		t.Errorf("Capacity.Total() = %+v over %d pages, want the %v read units the hook saw, and no write units", total, len(pages), sum)
	}
	if tables := used.Tables(); tables[events.TableName()].Read <= 0 {
		t.Errorf("Capacity.Tables() = %v, want read units for %s", tables, events.TableName())
	}

	// Over a transaction and a batch: the units of every request add up.
	used = dynamokit.Capacity{}
	cctx := dynamokit.WithCapacity(ctx, &used)
	v := Event{Stream: "t", Seq: 1}
	if err := c.WriteTx(cctx, nil, events.TxCreate(&v)); err != nil {
		t.Fatal(err)
	}
	if err := events.BatchPut(cctx, []Event{{Stream: "t", Seq: 2}, {Stream: "t", Seq: 3}}, nil); err != nil {
		t.Fatal(err)
	}
	if got := opsOf(rec.take()); !cmp.Equal(got, []string{"TransactWriteItems", "BatchWriteItem"}) {
		t.Errorf("hook saw %v, want TransactWriteItems and BatchWriteItem", got)
	}
	// moto reports no capacity for these two (docs/testing.md); DynamoDB
	// does, as write units.
	if total := used.Total(); total.Read != 0 || total.Write < 0 {
		t.Errorf("Capacity of a transaction and a batch write = %+v, want write units only", total)
	}
}

// TestClientRetry: a transaction cancelled by a conflict alone is sent
// again under the retry policy, and the hook sees each attempt.
func TestClientRetry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	rec := &recorder{}
	conflicts := 2
	api := &conflictAPI{API: e.db.API(), left: &conflicts}
	c := dynamokit.NewFromClient(api, dynamokit.WithNamer(e.names), dynamokit.WithHook(rec.hook),
		dynamokit.WithRetry(dynamokit.RetryPolicy{MaxAttempts: 3, Backoff: func(int) time.Duration { return time.Millisecond }}))
	events, err := query.NewTable[Event](c)
	if err != nil {
		t.Fatal(err)
	}
	v := Event{Stream: "r", Seq: 1}
	if err := c.WriteTx(t.Context(), nil, events.TxCreate(&v)); err != nil {
		t.Fatalf("WriteTx after %d conflicts, with 3 attempts: %v", 2, err)
	}
	reqs := rec.take()
	if len(reqs) != 3 || reqs[0].Attempt != 1 || reqs[2].Attempt != 3 || reqs[0].Err == nil || reqs[2].Err != nil {
		t.Errorf("hook saw %d attempts %+v, want 3: two conflicts, then success", len(reqs), reqs)
	}
	if _, err := events.Consistent().Get(t.Context(), v); err != nil {
		t.Errorf("Get after the retried transaction: %v", err)
	}

	// Without a policy, the conflict is returned.
	conflicts = 1
	c = dynamokit.NewFromClient(api, dynamokit.WithNamer(e.names))
	events, _ = query.NewTable[Event](c)
	w := Event{Stream: "r", Seq: 2}
	if err := c.WriteTx(t.Context(), nil, events.TxCreate(&w)); !dynamokit.IsRetryable(err) {
		t.Errorf("WriteTx with a conflict and no retry policy = %v, want the retryable conflict", err)
	}
}

// conflictAPI cancels the first *left transactions with a
// TransactionConflict, as DynamoDB does when another transaction writes
// the same item, without sending them.
type conflictAPI struct {
	dynamokit.API
	left *int
}

func (a *conflictAPI) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if *a.left > 0 {
		*a.left--
		reasons := make([]types.CancellationReason, len(in.TransactItems))
		for i := range reasons {
			reasons[i].Code = aws.String("TransactionConflict")
		}
		return nil, &types.TransactionCanceledException{Message: aws.String("conflict"), CancellationReasons: reasons}
	}
	return a.API.TransactWriteItems(ctx, in, opts...)
}
