package dynamokit

import (
	"context"
	"errors"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrUnknownOutcome matches the failure of a write that may or may not have
// been applied: its request was sent, and the response was lost (a
// connection reset or a timeout while waiting for it). A conditional write
// or an update is not sent again after such a failure, as sending it again
// could apply it twice (an ADD counted twice) or report a condition the
// first attempt made false (a Create that finds its own item, a versioned
// Put that finds its own version). Read the item to learn what happened.
var ErrUnknownOutcome = errors.New("dynamokit: write outcome unknown")

// ambiguous reports whether err is a failure after the request may have
// reached DynamoDB: an error sending the request or reading its response,
// other than a failure to connect or resolve the endpoint (nothing was sent
// then).
func ambiguous(err error) bool {
	var send *smithyhttp.RequestSendError
	if !errors.As(err, &send) {
		return false
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	var dns *net.DNSError
	return !errors.As(err, &dns)
}

// sendOnce makes the SDK's retryer leave ambiguous failures alone, for
// writes that are not idempotent.
func sendOnce(o *dynamodb.Options) {
	if o.Retryer != nil {
		o.Retryer = onceRetryer{o.Retryer}
	}
}

// onceRetryer is the SDK's retryer, except that it does not retry an
// ambiguous failure.
type onceRetryer struct{ aws.Retryer }

// IsErrorRetryable reports whether the inner retryer retries err and err
// is not ambiguous.
func (r onceRetryer) IsErrorRetryable(err error) bool {
	return !ambiguous(err) && r.Retryer.IsErrorRetryable(err)
}

// GetAttemptToken passes through to the inner retryer (aws.RetryerV2).
func (r onceRetryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.Retryer.GetInitialToken(), nil
}

// notIdempotent reports whether a single-item write with this condition
// and these return values may not be sent twice: a condition can be made
// false by the first attempt, and old values differ the second time.
func notIdempotent(cond *string, rv string) bool {
	return cond != nil || (rv != "" && rv != "NONE")
}
