package dynamokit

import (
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// RetryPolicy says which failed requests a [Client] sends again. It works
// on top of the SDK's own retryer, which already retries throttling and
// transient network errors a few times inside one attempt (set its
// attempts with [WithSDKOptions], RetryMaxAttempts). The policy adds what
// the SDK leaves to the caller: a transaction cancelled only because
// another transaction was writing the same item (TransactionConflict),
// and throttling that outlasted the SDK's attempts. The zero value
// retries nothing. A write that must not be sent twice is never sent
// again after a failure that leaves its outcome unknown, whatever
// Retryable says: it fails with [ErrUnknownOutcome].
type RetryPolicy struct {
	// MaxAttempts is how many times at most a request is sent; 0 or 1
	// means once.
	MaxAttempts int
	// Backoff is the wait before attempt n+1 after attempt n failed; nil
	// means 25ms doubled after each attempt, at most 1s. The wait ends
	// early, without a retry, when the request's context is done.
	Backoff func(n int) time.Duration
	// Retryable reports whether err may be retried; nil means
	// [IsRetryable].
	Retryable func(err error) bool
}

// DefaultRetry is a RetryPolicy of 5 attempts with the default backoff.
var DefaultRetry = RetryPolicy{MaxAttempts: 5}

// next returns the wait before the next attempt, and whether there is one.
func (p RetryPolicy) next(attempt int, err error) (time.Duration, bool) {
	if attempt >= p.MaxAttempts {
		return 0, false
	}
	retryable := p.Retryable
	if retryable == nil {
		retryable = IsRetryable
	}
	if !retryable(err) {
		return 0, false
	}
	if p.Backoff != nil {
		return p.Backoff(attempt), true
	}
	d := 25 * time.Millisecond << min(attempt-1, 6)
	return min(d, time.Second), true
}

// IsRetryable reports whether err is a throttling error (one the SDK counts
// as throttling, such as ProvisionedThroughputExceededException or
// ThrottlingException) or a transaction cancelled by conflicts alone:
// sending the request again can succeed and nothing of it was applied.
func IsRetryable(err error) bool {
	var (
		tce *types.TransactionCanceledException
		ptx *types.ProvisionedThroughputExceededException
		rle *types.RequestLimitExceeded
		tcf *types.TransactionConflictException
		tip *types.TransactionInProgressException
	)
	switch {
	case errors.As(err, &ptx), errors.As(err, &rle), errors.As(err, &tcf), errors.As(err, &tip), throttled(err):
		return true
	case errors.As(err, &tce):
		conflict := false
		for _, r := range tce.CancellationReasons {
			switch aws.ToString(r.Code) {
			case "None", "":
			case "TransactionConflict":
				conflict = true
			default:
				return false
			}
		}
		return conflict
	}
	return false
}
