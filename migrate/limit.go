package migrate

import (
	"context"
	"sync"
	"time"
)

// limiter keeps the write units spent at most rate per second, averaged
// from the start, with a burst of one second's budget: before each write
// a worker waits until the units spent so far fit the budget of the time
// elapsed. The units are those DynamoDB reported for the writes already
// made, so a write is never held back by a guess of its own cost.
type limiter struct {
	rate  float64 // units per second; 0: no limit
	now   func() time.Time
	mu    sync.Mutex
	start time.Time
	spent float64
}

func newLimiter(rate float64, now func() time.Time) *limiter {
	return &limiter{rate: rate, now: now, start: now()}
}

// delay returns how long to wait before the next write (0: none).
func (l *limiter) delay() time.Duration {
	if l.rate <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	allowed := l.rate * (l.now().Sub(l.start).Seconds() + 1)
	if l.spent < allowed {
		return 0
	}
	return time.Duration((l.spent - allowed) / l.rate * float64(time.Second))
}

// wait waits until the next write fits the budget, or ctx is done.
func (l *limiter) wait(ctx context.Context) error {
	for {
		d := l.delay()
		if d <= 0 {
			return ctx.Err()
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// add records units spent.
func (l *limiter) add(units float64) {
	l.mu.Lock()
	l.spent += units
	l.mu.Unlock()
}
