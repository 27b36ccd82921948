package dynamokit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// TestExecutorSettingsMissing: the executor has the table-settings
// methods that API leaves out, found by a type assertion as package schema
// does, and when the client underneath lacks one it fails with an *Error
// naming the method, not a panic.
func TestExecutorSettingsMissing(t *testing.T) {
	c := NewFromClient(&fakeAPI{})
	tagger, ok := c.Executor().(interface {
		TagResource(context.Context, *dynamodb.TagResourceInput, ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error)
	})
	if !ok {
		t.Fatalf("Executor() = %T, want a TagResource method", c.Executor())
	}
	_, err := tagger.TagResource(t.Context(), &dynamodb.TagResourceInput{ResourceArn: aws.String("arn:t")})
	var e *Error
	if !errors.As(err, &e) || e.Op != "TagResource" || !strings.Contains(err.Error(), "has no TagResource method") {
		t.Errorf("TagResource through an API without it = %v, want an *Error naming the missing method", err)
	}
}
