package relations

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestForEach(t *testing.T) {
	var (
		mu      sync.Mutex
		running int
		most    int
		done    atomic.Int64
	)
	err := forEach(t.Context(), 20, 3, func(ctx context.Context, i int) error {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
		done.Add(1)
		return nil
	})
	if err != nil || done.Load() != 20 || most > 3 || most < 2 {
		t.Errorf("forEach(20, limit 3) = %v after %d calls, at most %d at once; want nil, 20, 2 or 3", err, done.Load(), most)
	}

	boom := errors.New("boom")
	var calls atomic.Int64
	err = forEach(t.Context(), 100, 1, func(ctx context.Context, i int) error {
		calls.Add(1)
		if i == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || calls.Load() != 3 {
		t.Errorf("forEach with a failing call = %v after %d calls, want boom after 3", err, calls.Load())
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls.Store(0)
	err = forEach(ctx, 5, 2, func(ctx context.Context, i int) error { calls.Add(1); return nil })
	if !errors.Is(err, context.Canceled) || calls.Load() != 0 {
		t.Errorf("forEach with a cancelled context = %v after %d calls, want context.Canceled after 0", err, calls.Load())
	}
}
