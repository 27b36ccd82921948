package query

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/internal/unprocessed"
	"github.com/dynamokit/dynamokit/internal/workers"
)

// maxBatchWrite is DynamoDB's limit of requests per BatchWriteItem; the
// limit of keys per BatchGetItem is rawread.MaxBatchGet.
const maxBatchWrite = 25

// BatchOptions tunes the batch calls. A nil *BatchOptions means the
// defaults.
type BatchOptions struct {
	// Concurrency is how many requests run at once; default
	// [dynamokit.DefaultConcurrency].
	Concurrency int
	// Retries is how many times unprocessed items, and requests that
	// failed with a retryable error (throttling, a 5xx status, a broken
	// connection), are retried; default 10. These retries come on top of
	// the SDK's own retries of each request. A batch write holds plain
	// puts and deletes only, so sending it again after its answer was
	// lost leaves the same items (though it can undo another writer's
	// change made in between, as a plain [Table.Put] can).
	Retries int
	// BaseDelay and MaxDelay bound the exponential backoff between retries
	// (full jitter); defaults 50ms and 5s.
	BaseDelay, MaxDelay time.Duration
}

func (o *BatchOptions) withDefaults() BatchOptions {
	d := unprocessed.Default
	out := BatchOptions{Concurrency: dynamokit.DefaultConcurrency, Retries: d.Retries, BaseDelay: d.BaseDelay, MaxDelay: d.MaxDelay}
	if o == nil {
		return out
	}
	if o.Concurrency > 0 {
		out.Concurrency = o.Concurrency
	}
	if o.Retries > 0 {
		out.Retries = o.Retries
	}
	if o.BaseDelay > 0 {
		out.BaseDelay = o.BaseDelay
	}
	if o.MaxDelay > 0 {
		out.MaxDelay = o.MaxDelay
	}
	return out
}

// retry is the retry of unprocessed items o asks for.
func (o BatchOptions) retry() unprocessed.Retry {
	return unprocessed.Retry{Retries: o.Retries, BaseDelay: o.BaseDelay, MaxDelay: o.MaxDelay}
}

// BatchError reports the values a batch call could not process after its
// retries: nothing is dropped silently. It is always a pointer, with the
// Table's model type, beneath the *[dynamokit.Error] that names the
// operation and the table: test for it with
//
//	var be *query.BatchError[Employee]
//	if errors.As(err, &be) { retry(be.Unprocessed) }
type BatchError[T any] struct {
	// Unprocessed holds the items (BatchPut) or keys (BatchGet,
	// BatchDelete) not processed, as the caller gave them, in the caller's
	// order and once per key.
	Unprocessed []T
	// Err is the last error seen, or nil when DynamoDB kept returning
	// the items as unprocessed.
	Err error
}

// Error implements the error interface.
func (e *BatchError[T]) Error() string {
	msg := fmt.Sprintf("query: %d not processed", len(e.Unprocessed))
	if e.Err != nil {
		msg += ": " + errtext.Trim(e.Err.Error())
	}
	return msg
}

// Unwrap returns the last error.
func (e *BatchError[T]) Unwrap() error { return e.Err }

// batch is the work of one batch call: one DynamoDB item or key per
// distinct key, with the caller's value it came from.
type batch[T any] struct {
	avs    []map[string]types.AttributeValue
	values []T
	pos    map[string]int // key id → index in avs
}

// add adds av, the item or key of v; a later value with the same key
// replaces an earlier one when replace is set, and is dropped otherwise.
func (b *batch[T]) add(id string, av map[string]types.AttributeValue, v T, replace bool) {
	if i, dup := b.pos[id]; dup {
		if replace {
			b.avs[i], b.values[i] = av, v
		}
		return
	}
	b.pos[id] = len(b.avs)
	b.avs = append(b.avs, av)
	b.values = append(b.values, v)
}

// keyID identifies the key of item, an item or a key of the table.
func (r *Table[T]) keyID(item map[string]types.AttributeValue) string {
	k := make(map[string]types.AttributeValue, 2)
	for _, n := range r.m.Key.Names() {
		k[n] = item[n]
	}
	return keyString(k)
}

// keys collects the distinct keys of values.
func (r *Table[T]) keys(values []T) (*batch[T], error) {
	b := &batch[T]{pos: make(map[string]int, len(values))}
	for i := range values {
		k, err := r.m.KeyOf(&values[i])
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		b.add(keyString(k), k, values[i], false)
	}
	return b, nil
}

// BatchGet returns the items with the given keys, in the order of keys:
// 100 keys per request, several requests at once, retrying unprocessed
// keys. Keys with no item are skipped; a key given twice is read once.
// When keys remain unprocessed it returns the items it did read and a
// *[BatchError] listing those keys. The reads are eventually consistent,
// or strongly consistent through the [Table.Consistent] view.
//
// It calls BatchGetItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
func (r *Table[T]) BatchGet(ctx context.Context, keys []T, opts *BatchOptions) (_ []T, err error) {
	ctx, op := clientlink.Start(ctx, r.c, "Table.BatchGet", r.table)
	defer op.End(&err)
	b, err := r.keys(keys)
	if err != nil {
		return nil, wrap("BatchGetItem", r.table, err, nil)
	}
	o := opts.withDefaults()
	var (
		mu    sync.Mutex
		found = make(map[string]T, len(b.avs))
	)
	berr := r.runBatches(ctx, "BatchGetItem", b, rawread.MaxBatchGet, o, func(ctx context.Context, chunk []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
		items, left, err := rawread.BatchGetOnce(ctx, r.c.Executor(), rawread.Read{Table: r.table, Consistent: r.consistent}, chunk)
		if err != nil {
			return left, err
		}
		got := make(map[string]T, len(items))
		for _, item := range items {
			if !r.m.IsEntity(item) {
				continue
			}
			v, err := r.decode(item)
			if err != nil {
				return chunk, err
			}
			got[r.keyID(item)] = v
		}
		mu.Lock()
		maps.Copy(found, got)
		mu.Unlock()
		return left, nil
	})
	out := make([]T, 0, len(found))
	for _, k := range b.avs {
		if v, ok := found[keyString(k)]; ok {
			out = append(out, v)
		}
	}
	return out, berr
}

// BatchPut writes items without conditions, 25 per request, several
// requests at once, retrying unprocessed items. Of items with the same key
// only the last is written. Created, updated and version attributes are
// not maintained: use [Table.Put] or [dynamokit.Client.WriteTx] where they matter. When
// items remain unprocessed it returns a *[BatchError] listing them.
//
// It calls BatchWriteItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
func (r *Table[T]) BatchPut(ctx context.Context, items []T, opts *BatchOptions) (err error) {
	ctx, op := clientlink.Start(ctx, r.c, "Table.BatchPut", r.table)
	defer op.End(&err)
	b := &batch[T]{pos: make(map[string]int, len(items))}
	rules := r.rules()
	for i := range items {
		av, err := r.m.Encode(&items[i])
		if err != nil {
			return wrap("BatchWriteItem", r.table, fmt.Errorf("item %d: %w", i, err), nil)
		}
		if err := r.checkKey(av); err != nil {
			return wrap("BatchWriteItem", r.table, fmt.Errorf("item %d: %w", i, err), nil)
		}
		if rules != nil {
			w := r.draft("put", r.keyOfItem(av))
			w.Item, w.Attrs, w.Batch = av, av, true
			if _, err := txn.Plan(ctx, rules, []*txn.Write{w}); err != nil {
				return refused("BatchWriteItem", r.table, nil, err)
			}
		}
		b.add(r.keyID(av), av, items[i], true)
	}
	return r.batchWrite(ctx, "BatchWriteItem", b, opts.withDefaults(), func(av map[string]types.AttributeValue) types.WriteRequest {
		return types.WriteRequest{PutRequest: &types.PutRequest{Item: av}}
	})
}

// BatchDelete deletes the items with the given keys, 25 per request,
// several requests at once, retrying unprocessed keys. Deleting a missing
// item is not an error. When keys remain unprocessed it returns a
// *[BatchError] listing them.
//
// It calls BatchWriteItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
func (r *Table[T]) BatchDelete(ctx context.Context, keys []T, opts *BatchOptions) (err error) {
	ctx, op := clientlink.Start(ctx, r.c, "Table.BatchDelete", r.table)
	defer op.End(&err)
	b, err := r.keys(keys)
	if err != nil {
		return wrap("BatchWriteItem", r.table, err, nil)
	}
	if rules := r.rules(); rules != nil {
		for _, k := range b.avs {
			w := r.draft("delete", k)
			w.Batch = true
			if _, err := txn.Plan(ctx, rules, []*txn.Write{w}); err != nil {
				return refused("BatchWriteItem", r.table, nil, err)
			}
		}
	}
	return r.batchWrite(ctx, "BatchWriteItem", b, opts.withDefaults(), func(k map[string]types.AttributeValue) types.WriteRequest {
		return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
	})
}

func (r *Table[T]) batchWrite(ctx context.Context, op string, b *batch[T], o BatchOptions, req func(map[string]types.AttributeValue) types.WriteRequest) error {
	return r.runBatches(ctx, op, b, maxBatchWrite, o, func(ctx context.Context, chunk []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
		reqs := make([]types.WriteRequest, len(chunk))
		for i, av := range chunk {
			reqs[i] = req(av)
		}
		res, err := r.c.Executor().BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{r.table: reqs},
		})
		if err != nil {
			return chunk, err
		}
		var left []map[string]types.AttributeValue
		for _, w := range res.UnprocessedItems[r.table] {
			switch {
			case w.PutRequest != nil:
				left = append(left, w.PutRequest.Item)
			case w.DeleteRequest != nil:
				left = append(left, w.DeleteRequest.Key)
			}
		}
		return left, nil
	})
}

// runBatches splits b into chunks of size, sends them o.Concurrency at a
// time, and retries what is left (unprocessed, or throttled) with
// backoff. Everything still left at the end is reported in a *BatchError,
// inside a *dynamokit.Error of op.
func (r *Table[T]) runBatches(ctx context.Context, op string, b *batch[T], size int, o BatchOptions, send unprocessed.Func) error {
	var (
		mu      sync.Mutex
		left    []map[string]types.AttributeValue
		lastErr error
		chunks  = slices.Collect(slices.Chunk(b.avs, size))
		started = make([]bool, len(chunks))
	)
	fail := func(rest []map[string]types.AttributeValue, err error) {
		mu.Lock()
		defer mu.Unlock()
		left = append(left, rest...)
		if err != nil {
			lastErr = err
		}
	}
	// A chunk that fails does not stop the others: each reports what it
	// left, and the BatchError lists it all.
	err := workers.ForEach(ctx, len(chunks), o.Concurrency, func(ctx context.Context, i int) error {
		started[i] = true
		if rest, err := unprocessed.Send(ctx, o.retry(), chunks[i], send); len(rest) > 0 || err != nil {
			fail(rest, err)
		}
		return nil
	})
	if err != nil { // ctx ended: the chunks not started are left too
		for i, chunk := range chunks {
			if !started[i] {
				fail(chunk, err)
			}
		}
	}
	if len(left) == 0 && lastErr == nil {
		return nil
	}
	// Report the caller's values, in the caller's order.
	idx := make([]int, 0, len(left))
	for _, av := range left {
		if i, ok := b.pos[r.keyID(av)]; ok {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	e := &BatchError[T]{Unprocessed: make([]T, len(idx)), Err: lastErr}
	for j, i := range idx {
		e.Unprocessed[j] = b.values[i]
	}
	return &dynamokit.Error{Op: op, Table: r.table, Err: e}
}
