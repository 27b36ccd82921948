// Package unprocessed sends again what a batch request leaves undone: the
// keys a BatchGetItem or the items a BatchWriteItem returns as
// unprocessed, and a whole chunk whose request failed with an error that a
// later attempt may get past. It is the one such loop of dynamokit, used by
// package query's batch calls and by the reads of package relations.
//
// Only batch requests come here: reads, and batch writes, which hold plain
// puts and deletes only. Sending those again after an answer was lost
// leaves the same items, which a conditional write, an update or a
// transaction would not: the executor of dynamokit.Client never sends
// those twice after an ambiguous failure, and nothing here resends them.
package unprocessed

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
)

// Retry says how often, and after which waits, what is left is sent
// again.
type Retry struct {
	// Retries is how many times at most what is left is sent again.
	Retries int
	// BaseDelay and MaxDelay bound the exponential backoff between
	// retries (full jitter).
	BaseDelay, MaxDelay time.Duration
}

// Default is the Retry of a batch call given no options: 10 retries, 50ms
// doubled up to 5s.
var Default = Retry{Retries: 10, BaseDelay: 50 * time.Millisecond, MaxDelay: 5 * time.Second}

// Backoff returns the wait before retry n (0-based): full jitter over a
// capped exponential, in (0, min(BaseDelay·2ⁿ, MaxDelay)].
func (p Retry) Backoff(n int) time.Duration {
	d := p.BaseDelay << min(n, 20)
	if d <= 0 || d > p.MaxDelay {
		d = p.MaxDelay
	}
	if d <= 0 {
		return 0
	}
	return rand.N(d) + 1
}

// Func sends one chunk and returns what it left unprocessed: on an error,
// everything it could not show was processed.
type Func func(ctx context.Context, chunk []map[string]types.AttributeValue) (left []map[string]types.AttributeValue, err error)

// Send sends chunk with send, then what it leaves, until nothing is left,
// p.Retries retries are spent, an error that no retry gets past comes
// back, or ctx ends (its error is returned then, with what is left).
func Send(ctx context.Context, p Retry, chunk []map[string]types.AttributeValue, send Func) ([]map[string]types.AttributeValue, error) {
	for attempt := 0; ; attempt++ {
		left, err := send(ctx, chunk)
		if err != nil && !Retryable(err) {
			return left, err
		}
		if len(left) == 0 && err == nil {
			return nil, nil
		}
		if attempt >= p.Retries {
			return left, err
		}
		chunk = left
		t := time.NewTimer(p.Backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return chunk, ctx.Err()
		case <-t.C:
		}
	}
}

var sdkRetryables = retry.IsErrorRetryables(retry.DefaultRetryables)

// Retryable reports whether a batch request that failed with err may be
// sent again: what [dynamokit.IsRetryable] retries (throttling), and also
// a 5xx status or a broken connection as the SDK classifies them, which
// the executor leaves to the SDK's retryer because a single write may not
// be sent twice, while a batch request may; never a cancelled or expired
// context.
func Retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return dynamokit.IsRetryable(err) || sdkRetryables.IsErrorRetryable(err).Bool()
}
