package integration_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit"
)

// Counter is a versioned counter.
type Counter struct {
	ID      string `dynamo:"id,hash"`
	N       int    `dynamo:"n"`
	Version int    `dynamo:"version" dynamokit:"version"`
}

func (Counter) TableName() string { return "counter" }

// TestQueryOptimisticLocking has every write with a stale version refused,
// and then 8 goroutines increment one counter 10 times each by reading it
// and updating it with the version read, retrying on a conflict: no
// increment may be lost or applied twice.
func TestQueryOptimisticLocking(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Counter](t))
	ctx := t.Context()
	counters := tableOf[Counter](t, e, nil, nil)
	c := Counter{ID: "c"}
	if err := counters.Create(ctx, &c); err != nil {
		t.Fatal(err)
	}

	t.Run("stale writes", func(t *testing.T) {
		stale := c // version 1
		fresh := c
		if err := counters.Update(fresh).Add("n", 0).Run(ctx); err != nil {
			t.Fatal(err)
		}
		if err := counters.Put(ctx, &stale); !errors.Is(err, dynamokit.ErrVersionConflict) {
			t.Errorf("stale Put = %v, want ErrVersionConflict", err)
		}
		if err := counters.Update(stale).Add("n", 1).Run(ctx); !errors.Is(err, dynamokit.ErrVersionConflict) {
			t.Errorf("stale Update = %v, want ErrVersionConflict", err)
		}
		if err := counters.Delete(ctx, stale); !errors.Is(err, dynamokit.ErrVersionConflict) {
			t.Errorf("stale Delete = %v, want ErrVersionConflict", err)
		}
		got, err := counters.Consistent().Get(ctx, Counter{ID: "c"})
		if err != nil || got.N != 0 || got.Version != 2 {
			t.Errorf("after stale writes: %+v, %v; want n 0, version 2", got, err)
		}
	})

	const workers, increments = 8, 10
	var conflicts atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range increments {
				for attempt := 0; ; attempt++ {
					if attempt > 10000 {
						errs <- errors.New("no progress after 10000 attempts")
						return
					}
					cur, err := counters.Consistent().Get(ctx, Counter{ID: "c"})
					if err != nil {
						errs <- err
						return
					}
					err = counters.Update(cur).Add("n", 1).Run(ctx)
					if errors.Is(err, dynamokit.ErrVersionConflict) {
						conflicts.Add(1) // someone else won: read again
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					break
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, err := counters.Consistent().Get(ctx, Counter{ID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if got.N != workers*increments {
		t.Errorf("counter = %d after %d×%d increments, want %d", got.N, workers, increments, workers*increments)
	}
	if want := 2 + workers*increments; got.Version != want {
		t.Errorf("version = %d, want %d", got.Version, want)
	}
	t.Logf("%d increments by %d goroutines in %v, %d version conflicts retried", workers*increments, workers, time.Since(start).Round(time.Millisecond), conflicts.Load())
}
