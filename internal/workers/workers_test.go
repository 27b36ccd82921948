package workers

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestForEach checks that calls run concurrently, up to the limit and no
// more.
func TestForEach(t *testing.T) {
	for _, tt := range []struct {
		name     string
		n, limit int
		want     int // calls running at once at the most
	}{
		{"20 calls, 3 at a time", 20, 3, 3},
		{"fewer calls than the limit", 2, 8, 2},
		{"limit 0 counts as 1", 5, 0, 1},
		{"no calls", 0, 4, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu      sync.Mutex
				running int
				most    int
				calls   int
			)
			// The first calls wait until want of them run at once: only
			// an implementation that runs them concurrently gets past
			// this, and without sleeping on the scheduler's good will.
			arrived := make(chan struct{}, tt.n)
			all := make(chan struct{})
			var closeOnce sync.Once
			err := ForEach(t.Context(), tt.n, tt.limit, func(ctx context.Context, i int) error {
				mu.Lock()
				running++
				most = max(most, running)
				calls++
				mu.Unlock()
				if i < tt.want {
					arrived <- struct{}{}
					if len(arrived) == tt.want {
						closeOnce.Do(func() { close(all) })
					}
					select {
					case <-all:
					case <-time.After(10 * time.Second):
						return errors.New("the first calls never ran at once")
					}
				}
				mu.Lock()
				running--
				mu.Unlock()
				return nil
			})
			if err != nil || calls != tt.n || most != tt.want {
				t.Errorf("ForEach(%d, limit %d) = %v after %d calls, at most %d at once; want nil after %d, at most %d",
					tt.n, tt.limit, err, calls, most, tt.n, tt.want)
			}
		})
	}
}

// TestForEachFirstError checks that the first error cancels the calls
// under way, starts no new call, and is what ForEach returns.
func TestForEachFirstError(t *testing.T) {
	boom := errors.New("boom")
	var calls atomic.Int64
	err := ForEach(t.Context(), 100, 1, func(ctx context.Context, i int) error {
		calls.Add(1)
		if i == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || calls.Load() != 3 {
		t.Errorf("ForEach with a failing call = %v after %d calls, want boom after 3", err, calls.Load())
	}

	// Three calls at once: 0 and 1 wait for their context, 2 fails. No
	// call 3 starts, 0 and 1 are cancelled, and boom is returned, not
	// their context.Canceled.
	calls.Store(0)
	var cancelled atomic.Int64
	err = ForEach(t.Context(), 50, 3, func(ctx context.Context, i int) error {
		calls.Add(1)
		if i == 2 {
			return boom
		}
		select {
		case <-ctx.Done():
			cancelled.Add(1)
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return nil
		}
	})
	if !errors.Is(err, boom) || calls.Load() != 3 || cancelled.Load() != 2 {
		t.Errorf("ForEach = %v after %d calls, %d cancelled; want boom after 3, 2 cancelled", err, calls.Load(), cancelled.Load())
	}
}

func TestForEachCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var calls atomic.Int64
	err := ForEach(ctx, 5, 2, func(ctx context.Context, i int) error { calls.Add(1); return nil })
	if !errors.Is(err, context.Canceled) || calls.Load() != 0 {
		t.Errorf("ForEach with a cancelled context = %v after %d calls, want context.Canceled after 0", err, calls.Load())
	}
}
