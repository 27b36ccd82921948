package dynamokit

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// answered is err as the SDK returns it with a response of status.
func answered(status int, err error) error {
	return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err}
}

func TestAmbiguous(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"a connection reset while waiting for the response", &smithyhttp.RequestSendError{Err: errors.New("read tcp: connection reset by peer")}, true},
		{"a timeout waiting for the response", &smithyhttp.RequestSendError{Err: &net.OpError{Op: "read", Err: errors.New("i/o timeout")}}, true},
		{"a refused connection", &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}, false},
		{"an unknown host", &smithyhttp.RequestSendError{Err: &net.DNSError{Err: "no such host", Name: "x"}}, false},
		{"a reset while reading a success's body", answered(200, &smithy.DeserializationError{Err: errors.New("read tcp: connection reset by peer")}), true},
		{"the context ended on the way", answered(0, &smithy.CanceledError{Err: context.DeadlineExceeded}), true},
		{"the context ended between the SDK's attempts", &aws.RequestCanceledError{Err: context.Canceled}, false},
		{"an InternalServerError", answered(500, &types.InternalServerError{}), true},
		{"a 502 from a proxy", answered(502, &smithy.GenericAPIError{Code: "UnknownError"}), true},
		{"a 503 throttling", answered(503, &smithy.GenericAPIError{Code: "ThrottlingException"}), false},
		{"throttled", answered(400, &types.ProvisionedThroughputExceededException{}), false},
		{"a failed condition", answered(400, &types.ConditionalCheckFailedException{}), false},
		{"a transaction conflict", answered(400, &types.TransactionCanceledException{}), false},
		{"an error of another API", errors.New("ConditionalCheckFailedException"), false},
		{"no error", nil, false},
	}
	for _, tt := range tests {
		if got := ambiguous(tt.err); got != tt.want {
			t.Errorf("%s: ambiguous(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
	if !notIdempotent(new(string), "") || !notIdempotent(nil, "ALL_OLD") || notIdempotent(nil, "NONE") || notIdempotent(nil, "") {
		t.Error("notIdempotent: a condition or old values make a write not idempotent, nothing else does")
	}
}

// TestUnknownOutcomeError: the error says what was sent, matches
// ErrUnknownOutcome and the cause, and Resend sends only a transaction.
func TestUnknownOutcomeError(t *testing.T) {
	cause := answered(200, &smithy.DeserializationError{Err: errors.New("unexpected EOF")})
	item := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}}
	err := classify(nil, call{op: "PutItem", table: "t", input: &dynamodb.PutItemInput{Item: item}, once: true}, cause)
	var u *UnknownOutcomeError
	if !errors.Is(err, ErrUnknownOutcome) || !errors.Is(err, cause) || !errors.As(err, &u) {
		t.Fatalf("classify = %v, want ErrUnknownOutcome with its cause", err)
	}
	if u.Op != "PutItem" || u.Table != "t" || u.Item["id"] == nil || u.Status != 200 || !u.Applied() {
		t.Errorf("UnknownOutcomeError = %+v, want the PutItem's item and the 200 status", u)
	}
	if want := "dynamokit: PutItem t: write outcome unknown: http response error StatusCode: 200, deserialization failed, unexpected EOF"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if rerr := u.Resend(t.Context()); rerr == nil {
		t.Error("Resend of a PutItem = nil, want an error")
	}
	if err := classify(nil, call{op: "PutItem", table: "t", input: &dynamodb.PutItemInput{}}, cause); errors.Is(err, ErrUnknownOutcome) {
		t.Errorf("classify of an idempotent put = %v, want no ErrUnknownOutcome", err)
	}
}
