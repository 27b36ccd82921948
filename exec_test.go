package dynamokit

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// fakeAPI answers GetItem with errs, in turn, then with an item that
// consumed 0.5 units; other methods are not used.
type fakeAPI struct {
	API
	errs  []error
	calls int
	asked []types.ReturnConsumedCapacity
}

func (f *fakeAPI) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.calls++
	f.asked = append(f.asked, in.ReturnConsumedCapacity)
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	return &dynamodb.GetItemOutput{ConsumedCapacity: &types.ConsumedCapacity{
		TableName: in.TableName, CapacityUnits: aws.Float64(0.5), Table: &types.Capacity{CapacityUnits: aws.Float64(0.5)},
	}}, nil
}

func TestExecutor(t *testing.T) {
	throttled := &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}
	instant := func(int) time.Duration { return 0 }
	for _, tt := range []struct {
		name      string
		errs      []error
		policy    RetryPolicy
		wantCalls int
		wantKind  error // nil: success
		wantUnits float64
	}{
		{"success", nil, RetryPolicy{}, 1, nil, 0.5},
		{"no policy: no retry", []error{throttled}, RetryPolicy{}, 1, errors.New("any"), 0},
		{"retried", []error{throttled, throttled}, RetryPolicy{MaxAttempts: 3, Backoff: instant}, 3, nil, 0.5},
		{"attempts run out", []error{throttled, throttled, throttled}, RetryPolicy{MaxAttempts: 2, Backoff: instant}, 2, errors.New("any"), 0},
		{"not retryable", []error{&types.ResourceNotFoundException{}}, RetryPolicy{MaxAttempts: 3, Backoff: instant}, 1, ErrTableNotFound, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeAPI{errs: tt.errs}
			var seen []Request
			c := NewFromClient(api, WithRetry(tt.policy), WithHook(func(_ context.Context, r *Request) { seen = append(seen, *r) }))
			var used Capacity
			_, err := c.Executor().GetItem(WithCapacity(t.Context(), &used), &dynamodb.GetItemInput{TableName: aws.String("t")})
			if (err == nil) != (tt.wantKind == nil) {
				t.Fatalf("GetItem error = %v, want error %v", err, tt.wantKind)
			}
			if tt.wantKind == ErrTableNotFound && !errors.Is(err, ErrTableNotFound) {
				t.Errorf("GetItem error = %v, want ErrTableNotFound", err)
			}
			var e *Error
			if err != nil && (!errors.As(err, &e) || e.Op != "GetItem" || e.Table != "t") {
				t.Errorf("GetItem error = %#v, want an *Error of GetItem on t", err)
			}
			if api.calls != tt.wantCalls || len(seen) != tt.wantCalls {
				t.Errorf("sent %d requests, hook saw %d, want %d", api.calls, len(seen), tt.wantCalls)
			}
			for i, r := range seen {
				if r.Attempt != i+1 || r.Op != "GetItem" || r.Table != "t" || !r.Read {
					t.Errorf("hook call %d saw %+v, want attempt %d of a GetItem read of t", i, r, i+1)
				}
			}
			if got := used.Total(); got != (Units{Read: tt.wantUnits}) {
				t.Errorf("Capacity.Total() = %+v, want %v read units", got, tt.wantUnits)
			}
			for _, rc := range api.asked {
				if rc != types.ReturnConsumedCapacityIndexes {
					t.Errorf("ReturnConsumedCapacity = %q, want INDEXES", rc)
				}
			}
		})
	}
}

// TestExecutorBackoffHonoursContext: a cancelled context ends the wait
// before a retry, with the last error.
func TestExecutorBackoffHonoursContext(t *testing.T) {
	throttled := &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}
	api := &fakeAPI{errs: []error{throttled, throttled}}
	c := NewFromClient(api, WithRetry(RetryPolicy{MaxAttempts: 5, Backoff: func(int) time.Duration { return time.Hour }}))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Executor().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t")})
	if !errors.As(err, &throttled) || api.calls != 1 {
		t.Errorf("GetItem = %v after %d requests, want the throttling error after 1", err, api.calls)
	}
}

func TestIsRetryable(t *testing.T) {
	cancelled := func(codes ...string) error {
		e := &types.TransactionCanceledException{}
		for _, c := range codes {
			e.CancellationReasons = append(e.CancellationReasons, types.CancellationReason{Code: aws.String(c)})
		}
		return e
	}
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"throttled", &types.ProvisionedThroughputExceededException{}, true},
		{"throttling code", &smithy.GenericAPIError{Code: "ThrottlingException"}, true},
		{"conflict", cancelled("None", "TransactionConflict"), true},
		{"condition and conflict", cancelled("ConditionalCheckFailed", "TransactionConflict"), false},
		{"condition", cancelled("ConditionalCheckFailed"), false},
		{"other", errors.New("x"), false},
	} {
		if got := IsRetryable(tt.err); got != tt.want {
			t.Errorf("IsRetryable(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCapacityIndexes(t *testing.T) {
	var c Capacity
	c.add([]types.ConsumedCapacity{{
		TableName: aws.String("t"), CapacityUnits: aws.Float64(3),
		Table:                  &types.Capacity{CapacityUnits: aws.Float64(1)},
		GlobalSecondaryIndexes: map[string]types.Capacity{"g": {CapacityUnits: aws.Float64(2)}},
	}}, false)
	c.add([]types.ConsumedCapacity{{TableName: aws.String("t"), ReadCapacityUnits: aws.Float64(4), WriteCapacityUnits: aws.Float64(0)}}, true)
	if got, want := c.Total(), (Units{Read: 4, Write: 3}); got != want {
		t.Errorf("Total() = %+v, want %+v", got, want)
	}
	if got, want := c.Tables()["t"], (Units{Read: 4, Write: 1}); got != want {
		t.Errorf("Tables()[t] = %+v, want %+v", got, want)
	}
	if got, want := c.Indexes()["t/g"], (Units{Write: 2}); got != want {
		t.Errorf("Indexes()[t/g] = %+v, want %+v", got, want)
	}
}

// TestExecutorAsksCapacityOnlyForAReader: with no hook and no Capacity on
// the context, a request goes out as the caller built it.
func TestExecutorAsksCapacityOnlyForAReader(t *testing.T) {
	api := &fakeAPI{}
	c := NewFromClient(api)
	if _, err := c.Executor().GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("t")}); err != nil {
		t.Fatal(err)
	}
	var used Capacity
	if _, err := c.Executor().GetItem(WithCapacity(t.Context(), &used), &dynamodb.GetItemInput{TableName: aws.String("t")}); err != nil {
		t.Fatal(err)
	}
	if want := []types.ReturnConsumedCapacity{"", types.ReturnConsumedCapacityIndexes}; !slices.Equal(api.asked, want) {
		t.Errorf("ReturnConsumedCapacity sent = %q, want %q", api.asked, want)
	}
}

// TestExecutorBackoffCancelled: a context cancelled while the executor
// waits to retry ends the call at once, and the error says the context
// was cancelled (errors.Is), not only the throttling that caused the wait.
func TestExecutorBackoffCancelled(t *testing.T) {
	throttled := &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}
	api := &fakeAPI{errs: []error{throttled, throttled}}
	ctx, cancel := context.WithCancel(t.Context())
	c := NewFromClient(api, WithRetry(RetryPolicy{MaxAttempts: 3, Backoff: func(int) time.Duration { return time.Hour }}),
		WithHook(func(context.Context, *Request) { cancel() }))
	start := time.Now()
	_, err := c.Executor().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t")})
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("GetItem took %v, want it to end when ctx is cancelled", took)
	}
	if got, want := api.calls, 1; got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = false, want true", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Op != "GetItem" {
		t.Errorf("err = %#v, want an *Error of GetItem", err)
	}
}

// sharedInputAPI answers GetItem with an empty item, and may be called
// concurrently.
type sharedInputAPI struct{ API }

func (sharedInputAPI) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{}, nil
}

// TestExecutorLeavesInputAlone: asking for the consumed capacity does not
// write to the caller's input, which callers of an SDK client may share
// between goroutines (run with -race), and which keeps what they set.
func TestExecutorLeavesInputAlone(t *testing.T) {
	c := NewFromClient(sharedInputAPI{}, WithHook(func(context.Context, *Request) {}))
	in := &dynamodb.GetItemInput{TableName: aws.String("t")}
	done := make(chan struct{})
	for range 2 {
		go func() {
			defer func() { done <- struct{}{} }()
			if _, err := c.Executor().GetItem(t.Context(), in); err != nil {
				t.Error(err)
			}
		}()
	}
	<-done
	<-done
	if got := in.ReturnConsumedCapacity; got != "" {
		t.Errorf("caller's ReturnConsumedCapacity = %q after GetItem, want it unset", got)
	}
}
