package dynamokit

import (
	"errors"
	"net"
	"testing"

	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestAmbiguous(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"a connection reset while reading the response", &smithyhttp.RequestSendError{Err: errors.New("read tcp: connection reset by peer")}, true},
		{"a timeout waiting for the response", &smithyhttp.RequestSendError{Err: &net.OpError{Op: "read", Err: errors.New("i/o timeout")}}, true},
		{"a refused connection", &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}, false},
		{"an unknown host", &smithyhttp.RequestSendError{Err: &net.DNSError{Err: "no such host", Name: "x"}}, false},
		{"an answer from DynamoDB", errors.New("ConditionalCheckFailedException"), false},
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
