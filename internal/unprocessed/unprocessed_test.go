package unprocessed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestBackoffBounds(t *testing.T) {
	o := Retry{BaseDelay: 10 * time.Millisecond, MaxDelay: 300 * time.Millisecond}
	for n := range 70 {
		ceiling := min(o.BaseDelay<<min(n, 20), o.MaxDelay)
		for range 200 {
			d := o.Backoff(n)
			if d <= 0 || d > ceiling {
				t.Fatalf("Backoff(%d) = %v, want in (0, %v]", n, d, ceiling)
			}
		}
	}
	// A huge base delay overflowing the shift still yields MaxDelay at most.
	o = Retry{BaseDelay: time.Duration(1 << 62), MaxDelay: time.Second}
	if d := o.Backoff(30); d <= 0 || d > time.Second {
		t.Errorf("Backoff with an overflowing base = %v, want in (0, 1s]", d)
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
		{"transaction conflict, as the executor retries it", &types.TransactionConflictException{}, true},
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
			if got := Retryable(tt.err); got != tt.want {
				t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestSend(t *testing.T) {
	chunk := []map[string]types.AttributeValue{{"id": &types.AttributeValueMemberS{Value: "a"}}}
	throttled := &types.ProvisionedThroughputExceededException{}
	missing := &types.ResourceNotFoundException{}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name      string
		ctx       context.Context
		p         Retry
		err       error
		wantCalls int
		want      error
	}{
		{"throttled until the retries run out", t.Context(), Retry{Retries: 3, BaseDelay: time.Microsecond, MaxDelay: time.Millisecond}, throttled, 4, throttled},
		{"not retryable", t.Context(), Retry{Retries: 3, BaseDelay: time.Microsecond, MaxDelay: time.Millisecond}, missing, 1, missing},
		{"cancelled while waiting", cancelled, Retry{Retries: 3, BaseDelay: time.Hour, MaxDelay: time.Hour}, throttled, 1, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			left, err := Send(tt.ctx, tt.p, chunk, func(context.Context, []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
				calls++
				return chunk, tt.err
			})
			if calls != tt.wantCalls || len(left) != 1 || err == nil {
				t.Fatalf("Send = %d left, %v after %d calls; want 1 left and an error after %d", len(left), err, calls, tt.wantCalls)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Send = %v, want %v", err, tt.want)
			}
		})
	}
}
