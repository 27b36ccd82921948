package schema

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/errtext"
)

// failed is the error of what, which err ended. A request's error through
// the executor names its operation and table already ("CreateTable
// orders"), so what is left out of the message rather than said twice.
func failed(what string, err error) error {
	var de *dynamokit.Error
	if errors.As(err, &de) && de.Op != "" {
		return fmt.Errorf("schema: %w", errtext.Quoted{Err: err})
	}
	return fmt.Errorf("schema: %s: %w", what, errtext.Quoted{Err: err})
}

// client is the part of the DynamoDB API that schema calls. The executor
// of a *dynamokit.Client satisfies it (see [executor]); tests use a fake.
type client interface {
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DeleteTable(context.Context, *dynamodb.DeleteTableInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTable(context.Context, *dynamodb.UpdateTableInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error)
	DescribeTimeToLive(context.Context, *dynamodb.DescribeTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	UpdateTimeToLive(context.Context, *dynamodb.UpdateTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
	DescribeContinuousBackups(context.Context, *dynamodb.DescribeContinuousBackupsInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error)
	UpdateContinuousBackups(context.Context, *dynamodb.UpdateContinuousBackupsInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateContinuousBackupsOutput, error)
	ListTagsOfResource(context.Context, *dynamodb.ListTagsOfResourceInput, ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error)
	TagResource(context.Context, *dynamodb.TagResourceInput, ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error)
	UntagResource(context.Context, *dynamodb.UntagResourceInput, ...func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error)
}

// executor returns the executor of c as the client schema calls. Besides
// the methods of dynamokit.API, the executor has those of a table's
// backups and tags, which fail with an error naming the method when c's
// own API lacks them.
func executor(c *dynamokit.Client) (client, error) {
	x, ok := c.Executor().(client)
	if !ok {
		return nil, fmt.Errorf("schema: the executor of the client (%T) cannot manage table settings", c.Executor())
	}
	return x, nil
}
