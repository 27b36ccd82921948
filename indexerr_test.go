package dynamokit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// indexAPI answers Query and Scan with err, and DescribeTable with a table
// that has the index "by-status" (or, when missing is set, no table).
type indexAPI struct {
	API
	err     error
	missing bool
}

func (a *indexAPI) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return nil, a.err
}

func (a *indexAPI) Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return nil, a.err
}

func (a *indexAPI) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	if a.missing {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")}
	}
	return &dynamodb.DescribeTableOutput{Table: &types.TableDescription{
		TableName:              in.TableName,
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndexDescription{{IndexName: aws.String("by-status")}},
	}}, nil
}

func TestMissingIndex(t *testing.T) {
	// The shapes of the answer: DynamoDB's and moto's.
	dynamoDB := &smithy.GenericAPIError{Code: "ValidationException", Message: "The table does not have the specified index: nope"}
	moto := &types.ResourceNotFoundException{Message: aws.String("Invalid index: nope for table: t. Available indexes are: by-status")}
	otherValidation := &smithy.GenericAPIError{Code: "ValidationException", Message: "Query condition missed key schema element"}
	for _, tt := range []struct {
		name    string
		api     *indexAPI
		index   string
		want    error
		wantMsg string
	}{
		{"DynamoDB", &indexAPI{err: dynamoDB}, "nope", ErrIndexNotFound, "dynamokit: Query t index nope: index not found"},
		{"moto", &indexAPI{err: moto}, "nope", ErrIndexNotFound, "dynamokit: Query t index nope: index not found"},
		{"missing table", &indexAPI{err: moto, missing: true}, "nope", ErrTableNotFound, "dynamokit: Query t: table not found"},
		{"missing table, no index", &indexAPI{err: moto}, "", ErrTableNotFound, "dynamokit: Query t: table not found"},
		{"another validation error", &indexAPI{err: otherValidation}, "by-status", nil, "dynamokit: Query t: api error ValidationException: Query condition missed key schema element"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewFromClient(tt.api)
			in := &dynamodb.QueryInput{TableName: aws.String("t")}
			if tt.index != "" {
				in.IndexName = aws.String(tt.index)
			}
			_, err := c.Executor().Query(t.Context(), in)
			if tt.want != nil && !errors.Is(err, tt.want) || tt.want == nil && (errors.Is(err, ErrIndexNotFound) || errors.Is(err, ErrTableNotFound)) {
				t.Errorf("Query = %v, want %v", err, tt.want)
			}
			if tt.want != ErrIndexNotFound && errors.Is(err, ErrIndexNotFound) {
				t.Errorf("Query = %v, which is ErrIndexNotFound", err)
			}
			if err == nil || err.Error() != tt.wantMsg {
				t.Errorf("Query error = %q, want %q", err, tt.wantMsg)
			}
			_, err = c.Executor().Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String("t"), IndexName: in.IndexName})
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Scan = %v, want %v", err, tt.want)
			}
			var e *Error
			if tt.want == ErrIndexNotFound && (!errors.As(err, &e) || e.Index != "nope" || !strings.Contains(err.Error(), "nope")) {
				t.Errorf("Scan = %v, want an *Error naming index nope", err)
			}
		})
	}
}
