package query

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

func TestBatchOptionsDefaults(t *testing.T) {
	want := BatchOptions{Concurrency: dynamokit.DefaultConcurrency, Retries: 10, BaseDelay: 50 * time.Millisecond, MaxDelay: 5 * time.Second}
	var nilOpts *BatchOptions
	if diff := cmp.Diff(want, nilOpts.withDefaults()); diff != "" {
		t.Errorf("nil options (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, (&BatchOptions{Concurrency: -1}).withDefaults()); diff != "" {
		t.Errorf("negative concurrency (-want +got):\n%s", diff)
	}
	got := (&BatchOptions{Concurrency: 1, Retries: 2, BaseDelay: 3, MaxDelay: 4}).withDefaults()
	if diff := cmp.Diff(BatchOptions{Concurrency: 1, Retries: 2, BaseDelay: 3, MaxDelay: 4}, got); diff != "" {
		t.Errorf("given options (-want +got):\n%s", diff)
	}
}

// fakeSend is an unprocessed.Func that leaves keys unprocessed or fails as told.
type fakeSend struct {
	mu       sync.Mutex
	calls    int
	stuck    map[string]bool // ids never processed
	flaky    map[string]int  // ids left unprocessed this many more times
	throttle int             // fail this many more calls with throttling
	done     map[string]int  // how often each id was processed
}

func (f *fakeSend) send(_ context.Context, chunk []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.throttle > 0 {
		f.throttle--
		return chunk, &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}
	}
	var left []map[string]types.AttributeValue
	for _, av := range chunk {
		id := av["id"].(*types.AttributeValueMemberS).Value
		switch {
		case f.stuck[id]:
			left = append(left, av)
		case f.flaky[id] > 0:
			f.flaky[id]--
			left = append(left, av)
		default:
			f.done[id]++
		}
	}
	return left, nil
}

func TestRunBatches(t *testing.T) {
	users := newTable[user](t)
	values := make([]user, 60)
	for i := range values {
		values[i] = user{ID: fmt.Sprintf("u%02d", i), Name: fmt.Sprint("n", i)}
	}
	values = append(values, user{ID: "u07", Name: "duplicate"})
	fast := &BatchOptions{BaseDelay: time.Microsecond, MaxDelay: time.Millisecond, Retries: 5}

	t.Run("retries until done", func(t *testing.T) {
		f := &fakeSend{flaky: map[string]int{"u03": 2, "u40": 5}, throttle: 3, done: map[string]int{}}
		b, err := users.keys(values)
		if err != nil {
			t.Fatal(err)
		}
		// Up to 3 throttles and 5 holds may hit one chunk: 8 retries.
		o := *fast
		o.Retries = 8
		if err := users.runBatches(t.Context(), "batch test", b, 25, o.withDefaults(), f.send); err != nil {
			t.Fatalf("runBatches = %v", err)
		}
		if len(f.done) != 60 {
			t.Errorf("%d distinct keys processed, want 60", len(f.done))
		}
		for id, n := range f.done {
			if n != 1 {
				t.Errorf("%s processed %d times, want once", id, n)
			}
		}
	})
	t.Run("reports exactly what is left", func(t *testing.T) {
		f := &fakeSend{stuck: map[string]bool{"u07": true, "u59": true, "u30": true}, done: map[string]int{}}
		b, err := users.keys(values)
		if err != nil {
			t.Fatal(err)
		}
		err = users.runBatches(t.Context(), "batch test", b, 25, fast.withDefaults(), f.send)
		var be *BatchError[user]
		if !errors.As(err, &be) {
			t.Fatalf("runBatches = %v, want a *BatchError[user]", err)
		}
		// The caller's values, in the caller's order; the first of a
		// duplicated key, since keys() keeps the first.
		want := []user{values[7], values[30], values[59]}
		if diff := cmp.Diff(want, be.Unprocessed); diff != "" {
			t.Errorf("Unprocessed (-want +got):\n%s", diff)
		}
		if be.Err != nil {
			t.Errorf("Err = %v, want nil (DynamoDB kept returning them)", be.Err)
		}
		if len(f.done) != 57 {
			t.Errorf("%d keys processed, want 57", len(f.done))
		}
	})
	t.Run("throttled until the retries run out", func(t *testing.T) {
		f := &fakeSend{throttle: 1000, done: map[string]int{}}
		b, err := users.keys(values[:30])
		if err != nil {
			t.Fatal(err)
		}
		err = users.runBatches(t.Context(), "batch test", b, 25, fast.withDefaults(), f.send)
		var be *BatchError[user]
		if !errors.As(err, &be) || len(be.Unprocessed) != 30 {
			t.Fatalf("runBatches = %v, want a BatchError listing 30 keys", err)
		}
		var pte *types.ProvisionedThroughputExceededException
		if !errors.As(err, &pte) {
			t.Errorf("errors.As(%v, ProvisionedThroughputExceededException) = false", err)
		}
		if want := 2 * (fast.Retries + 1); f.calls != want {
			t.Errorf("%d calls, want %d (two chunks, each tried 1+%d times)", f.calls, want, fast.Retries)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		f := &fakeSend{throttle: 1000, done: map[string]int{}}
		b, err := users.keys(values)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err = users.runBatches(ctx, "batch test", b, 25, (&BatchOptions{Concurrency: 1, Retries: 100}).withDefaults(), f.send)
		var be *BatchError[user]
		if !errors.As(err, &be) || !errors.Is(err, context.Canceled) {
			t.Fatalf("runBatches = %v, want a BatchError for context.Canceled", err)
		}
		if len(be.Unprocessed) != 60 {
			t.Errorf("%d unprocessed, want 60", len(be.Unprocessed))
		}
	})
}

func TestBatchKeysDeduplicate(t *testing.T) {
	users := newTable[user](t)
	b, err := users.keys([]user{{ID: "a", Name: "1"}, {ID: "b"}, {ID: "a", Name: "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]user{{ID: "a", Name: "1"}, {ID: "b"}}, b.values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if _, err := users.keys([]user{{ID: "a"}, {}}); !errors.Is(err, model.ErrEmptyKey) {
		t.Errorf("keys with an empty key: error = %v, want model.ErrEmptyKey", err)
	}
}

// TestBatchPutEmptyKey checks that an item with an empty key (plain or
// computed) is refused before any request.
func TestBatchPutEmptyKey(t *testing.T) {
	users := newTable[user](t)
	if err := users.BatchPut(t.Context(), []user{{ID: "a"}, {Name: "no id"}}, nil); !errors.Is(err, model.ErrEmptyKey) {
		t.Errorf("BatchPut(user without id) = %v, want model.ErrEmptyKey", err)
	}
	emps := newTable[emp](t)
	if err := emps.BatchPut(t.Context(), []emp{{ID: "e"}}, nil); !errors.Is(err, model.ErrEmptyKey) {
		t.Errorf("BatchPut(emp without dept) = %v, want model.ErrEmptyKey", err)
	}
}

// TestBatchErrorMessage: a BatchError names the package once, as every
// dynamokit error does, whatever the error it holds.
func TestBatchErrorMessage(t *testing.T) {
	e := &dynamokit.Error{Op: "BatchGetItem", Table: "users", Err: &BatchError[user]{Unprocessed: make([]user, 1),
		Err: &dynamokit.Error{Op: "BatchGetItem", Table: "users", Kind: dynamokit.ErrTableNotFound}}}
	got := e.Error()
	want := "dynamokit: BatchGetItem users: 1 not processed: BatchGetItem users: table not found"
	if got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, dynamokit.ErrTableNotFound) {
		t.Errorf("errors.Is(%v, ErrTableNotFound) = false, want true", e)
	}
}
