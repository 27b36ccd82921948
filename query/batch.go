package query

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// DynamoDB's limits per batch request.
const (
	MaxBatchGet   = 100
	MaxBatchWrite = 25
)

// BatchOptions tunes the batch calls. A nil *BatchOptions means the
// defaults.
type BatchOptions struct {
	// Concurrency is how many requests run at once; default 4.
	Concurrency int
	// Retries is how many times unprocessed items (and throttled requests)
	// are retried; default 10.
	Retries int
	// BaseDelay and MaxDelay bound the exponential backoff between retries
	// (full jitter); defaults 50ms and 5s.
	BaseDelay, MaxDelay time.Duration
}

func (o *BatchOptions) withDefaults() BatchOptions {
	out := BatchOptions{Concurrency: 4, Retries: 10, BaseDelay: 50 * time.Millisecond, MaxDelay: 5 * time.Second}
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

// backoff returns the wait before retry n (0-based): full jitter over a
// capped exponential.
func (o BatchOptions) backoff(n int) time.Duration {
	d := o.BaseDelay << min(n, 20)
	if d <= 0 || d > o.MaxDelay {
		d = o.MaxDelay
	}
	return rand.N(d) + 1
}

// BatchError reports the items or keys a batch call could not process
// after its retries: nothing is dropped silently. It is always a pointer.
type BatchError struct {
	Op    string // "batch get", "batch put" or "batch delete"
	Table string
	// Unprocessed holds the keys (get, delete) or items (put) not
	// processed, as DynamoDB items.
	Unprocessed []map[string]types.AttributeValue
	// Err is the last error seen, or nil when DynamoDB kept returning
	// the items as unprocessed.
	Err error
}

// Error implements the error interface.
func (e *BatchError) Error() string {
	msg := fmt.Sprintf("query: %s %s: %d not processed", e.Op, e.Table, len(e.Unprocessed))
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the last error.
func (e *BatchError) Unwrap() error { return e.Err }

// BatchGet returns the items with the given keys, 100 keys per request,
// several requests at once, retrying unprocessed keys. Keys with no item are
// skipped; duplicates are read once. The order of the result is not the
// order of keys. When keys remain unprocessed it returns the items it did
// read and a *[BatchError].
//
// It calls BatchGetItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
func (r *Repo[T]) BatchGet(ctx context.Context, keys []T, opts *BatchOptions) ([]T, error) {
	ks, err := r.uniqueKeys(keys)
	if err != nil {
		return nil, wrap("batch get", r.table, err, nil)
	}
	var (
		mu  sync.Mutex
		out = make([]T, 0, len(ks))
	)
	berr := r.runBatches(ctx, "batch get", ks, MaxBatchGet, opts, func(ctx context.Context, chunk []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
		res, err := r.db.Client().BatchGetItem(ctx, &dynamodb.BatchGetItemInput{
			RequestItems: map[string]types.KeysAndAttributes{r.table: {Keys: chunk}},
		})
		if err != nil {
			return chunk, err
		}
		got := make([]T, 0, len(res.Responses[r.table]))
		for _, item := range res.Responses[r.table] {
			if !r.m.IsEntity(item) {
				continue
			}
			v, err := r.decode(item)
			if err != nil {
				return nil, err
			}
			got = append(got, v)
		}
		mu.Lock()
		out = append(out, got...)
		mu.Unlock()
		return res.UnprocessedKeys[r.table].Keys, nil
	})
	return out, berr
}

// BatchPut writes items without conditions, 25 per request, several
// requests at once, retrying unprocessed items. Items with the same key are
// written once (the last one wins). Created, updated and version attributes
// are not maintained: use [Repo.Put] or [WriteTx] where they matter.
//
// It calls BatchWriteItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
func (r *Repo[T]) BatchPut(ctx context.Context, items []T, opts *BatchOptions) error {
	avs := make([]map[string]types.AttributeValue, 0, len(items))
	index := make(map[string]int, len(items))
	for i := range items {
		av, err := r.m.Encode(&items[i])
		if err != nil {
			return wrap("batch put", r.table, err, nil)
		}
		k, err := r.m.KeyOf(&items[i])
		if err != nil {
			return wrap("batch put", r.table, err, nil)
		}
		id := keyString(k)
		if j, dup := index[id]; dup {
			avs[j] = av
			continue
		}
		index[id] = len(avs)
		avs = append(avs, av)
	}
	return r.batchWrite(ctx, "batch put", avs, opts, func(av map[string]types.AttributeValue) types.WriteRequest {
		return types.WriteRequest{PutRequest: &types.PutRequest{Item: av}}
	})
}

// BatchDelete deletes the items with the given keys, 25 per request,
// several requests at once, retrying unprocessed keys. Deleting a missing
// item is not an error.
//
// It calls BatchWriteItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
func (r *Repo[T]) BatchDelete(ctx context.Context, keys []T, opts *BatchOptions) error {
	ks, err := r.uniqueKeys(keys)
	if err != nil {
		return wrap("batch delete", r.table, err, nil)
	}
	return r.batchWrite(ctx, "batch delete", ks, opts, func(k map[string]types.AttributeValue) types.WriteRequest {
		return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
	})
}

func (r *Repo[T]) batchWrite(ctx context.Context, op string, avs []map[string]types.AttributeValue, opts *BatchOptions, req func(map[string]types.AttributeValue) types.WriteRequest) error {
	return r.runBatches(ctx, op, avs, MaxBatchWrite, opts, func(ctx context.Context, chunk []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
		reqs := make([]types.WriteRequest, len(chunk))
		for i, av := range chunk {
			reqs[i] = req(av)
		}
		res, err := r.db.Client().BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
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

// uniqueKeys returns the keys of values, without duplicates.
func (r *Repo[T]) uniqueKeys(values []T) ([]map[string]types.AttributeValue, error) {
	out := make([]map[string]types.AttributeValue, 0, len(values))
	seen := make(map[string]bool, len(values))
	for i := range values {
		k, err := r.m.KeyOf(&values[i])
		if err != nil {
			return nil, err
		}
		if id := keyString(k); !seen[id] {
			seen[id] = true
			out = append(out, k)
		}
	}
	return out, nil
}

// batchFunc sends one chunk and returns what was left unprocessed.
type batchFunc func(ctx context.Context, chunk []map[string]types.AttributeValue) (left []map[string]types.AttributeValue, err error)

// runBatches splits avs into chunks of size, sends them with bounded
// concurrency, and retries what is left (unprocessed, or throttled) with
// backoff. Everything still left at the end is reported in a *BatchError.
func (r *Repo[T]) runBatches(ctx context.Context, op string, avs []map[string]types.AttributeValue, size int, opts *BatchOptions, send batchFunc) error {
	o := opts.withDefaults()
	var (
		mu      sync.Mutex
		left    []map[string]types.AttributeValue
		lastErr error
		wg      sync.WaitGroup
		sem     = make(chan struct{}, o.Concurrency)
	)
	for start := 0; start < len(avs); start += size {
		chunk := avs[start:min(start+size, len(avs))]
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			mu.Lock()
			left = append(left, avs[start:]...)
			lastErr = ctx.Err()
			mu.Unlock()
			wg.Wait()
			return &BatchError{Op: op, Table: r.table, Unprocessed: left, Err: lastErr}
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			rest, err := r.sendWithRetry(ctx, o, chunk, send)
			if len(rest) > 0 || err != nil {
				mu.Lock()
				left = append(left, rest...)
				if err != nil {
					lastErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(left) > 0 || lastErr != nil {
		return &BatchError{Op: op, Table: r.table, Unprocessed: left, Err: lastErr}
	}
	return nil
}

func (r *Repo[T]) sendWithRetry(ctx context.Context, o BatchOptions, chunk []map[string]types.AttributeValue, send batchFunc) ([]map[string]types.AttributeValue, error) {
	for attempt := 0; ; attempt++ {
		left, err := send(ctx, chunk)
		if err != nil && !retryable(err) {
			return left, err
		}
		if len(left) == 0 && err == nil {
			return nil, nil
		}
		if attempt >= o.Retries {
			return left, err
		}
		chunk = left
		t := time.NewTimer(o.backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return chunk, ctx.Err()
		case <-t.C:
		}
	}
}

// retryable reports whether err is throttling, which a later retry may
// get past.
func retryable(err error) bool {
	var (
		pte *types.ProvisionedThroughputExceededException
		rle *types.RequestLimitExceeded
		ae  smithy.APIError
	)
	if errors.As(err, &pte) || errors.As(err, &rle) {
		return true
	}
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "ThrottlingException", "Throttling", "TooManyRequestsException":
			return true
		}
	}
	return false
}
