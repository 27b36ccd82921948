// Package workers runs calls concurrently, a bounded number at a time, the
// first error cancelling the rest: the one way dynamokit runs requests in
// parallel (segments of a scan, chunks of a batch, the children of many
// parents).
package workers

import (
	"context"
	"sync"
)

// ForEach calls fn(ctx, i) for every i in [0, n), in the order of i, each
// in a goroutine of its own, with at most limit calls running at once
// (limit < 1 counts as 1): at most limit goroutines, whatever n is.
//
// The first error a call returns cancels the context of the calls under
// way, starts no new call, and is returned once every call has ended. When
// ctx ends first, no new call starts and ctx's error is returned the same
// way. ForEach returns nil when every call returned nil.
func ForEach(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	limit = max(limit, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		sem   = make(chan struct{}, limit)
	)
	fail := func(err error) { once.Do(func() { first = err; cancel() }) }
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if err := ctx.Err(); err != nil {
			fail(err)
			break
		}
		wg.Go(func() {
			// The error is recorded (and the others cancelled) before the
			// slot is freed, so the loop cannot start another call first.
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	return first
}
