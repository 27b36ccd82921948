package dynamokit

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit/internal/clientlink"
)

// TestZeroClient: a Client not made by New or NewFromClient fails with an
// error, never a panic, as NewFromClient(nil) does.
func TestZeroClient(t *testing.T) {
	c := &Client{}
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("zero Client panicked: %v", r)
		}
	}()
	if r := clientlink.Rules(c); r != nil {
		t.Errorf("clientlink.Rules = %v, want nil", r)
	}
	if clientlink.WriteRules(c) != nil || clientlink.Traced(c) {
		t.Errorf("a zero Client has write rules or a tracer")
	}
	if clientlink.Now(c).IsZero() {
		t.Errorf("clientlink.Now is zero, want the time")
	}
	if _, err := c.Executor().GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("t")}); err == nil {
		t.Errorf("GetItem on a zero Client: err = nil, want an error")
	}
}
