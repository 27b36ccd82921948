package query

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/dynamokit/dynamokit"
	"github.com/google/go-cmp/cmp"
)

func TestBackoffBounds(t *testing.T) {
	o := (&BatchOptions{BaseDelay: 10 * time.Millisecond, MaxDelay: 300 * time.Millisecond}).withDefaults()
	for n := range 70 {
		ceiling := min(o.BaseDelay<<min(n, 20), o.MaxDelay)
		for range 200 {
			d := o.backoff(n)
			if d <= 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want in (0, %v]", n, d, ceiling)
			}
		}
	}
	// A huge base delay overflowing the shift still yields MaxDelay at most.
	o = BatchOptions{BaseDelay: time.Duration(1 << 62), MaxDelay: time.Second}
	if d := o.backoff(30); d <= 0 || d > time.Second {
		t.Errorf("backoff with an overflowing base = %v, want in (0, 1s]", d)
	}
}

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

func TestRetryable(t *testing.T) {
	status := func(code int) error {
		return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: errors.New("x")}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"provisioned throughput", &types.ProvisionedThroughputExceededException{}, true},
		{"request limit", &types.RequestLimitExceeded{}, true},
		{"throttling code", &smithy.GenericAPIError{Code: "ThrottlingException"}, true},
		{"wrapped, after the SDK's own retries", &retry.MaxAttemptsError{Attempt: 3, Err: &types.ProvisionedThroughputExceededException{}}, true},
		{"500", status(500), true},
		{"503", status(503), true},
		{"400", status(400), false},
		{"validation", &smithy.GenericAPIError{Code: "ValidationException"}, false},
		{"missing table", &types.ResourceNotFoundException{}, false},
		{"condition", &types.ConditionalCheckFailedException{}, false},
		{"cancelled", fmt.Errorf("send: %w", context.Canceled), false},
		{"cancelled by the SDK", &smithy.CanceledError{Err: context.Canceled}, false},
		{"deadline", context.DeadlineExceeded, false},
		{"plain", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryable(tt.err); got != tt.want {
				t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// fakeSend is a batchFunc that leaves keys unprocessed or fails as told.
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
	if _, err := users.keys([]user{{ID: "a"}, {}}); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("keys with an empty key: error = %v, want ErrEmptyKey", err)
	}
}

// TestBatchPutEmptyKey checks that an item with an empty key (plain or
// computed) is refused before any request.
func TestBatchPutEmptyKey(t *testing.T) {
	users := newTable[user](t)
	if err := users.BatchPut(t.Context(), []user{{ID: "a"}, {Name: "no id"}}, nil); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("BatchPut(user without id) = %v, want ErrEmptyKey", err)
	}
	emps := newTable[emp](t)
	if err := emps.BatchPut(t.Context(), []emp{{ID: "e"}}, nil); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("BatchPut(emp without dept) = %v, want ErrEmptyKey", err)
	}
}

// TestBatchErrorMessage: a BatchError names the package once, as every
// dynamokit error does, whatever the error it holds.
func TestBatchErrorMessage(t *testing.T) {
	e := &BatchError[user]{Op: "BatchGetItem", Table: "users", Unprocessed: make([]user, 1),
		Err: &dynamokit.Error{Op: "BatchGetItem", Table: "users", Kind: dynamokit.ErrTableNotFound}}
	got := e.Error()
	want := "dynamokit: BatchGetItem users: 1 not processed: BatchGetItem users: table not found"
	if got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, dynamokit.ErrTableNotFound) {
		t.Errorf("errors.Is(%v, ErrTableNotFound) = false, want true", e)
	}
}
