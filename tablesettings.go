package dynamokit

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// settingsAPI is the part of the DynamoDB API that package schema calls
// for a table's settings besides those of [API]: backups and tags. The
// SDK's *dynamodb.Client has it, and so has the executor, whose methods
// return an error when the Client's [API] lacks it.
type settingsAPI interface {
	DescribeContinuousBackups(context.Context, *dynamodb.DescribeContinuousBackupsInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error)
	UpdateContinuousBackups(context.Context, *dynamodb.UpdateContinuousBackupsInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateContinuousBackupsOutput, error)
	ListTagsOfResource(context.Context, *dynamodb.ListTagsOfResourceInput, ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error)
	TagResource(context.Context, *dynamodb.TagResourceInput, ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error)
	UntagResource(context.Context, *dynamodb.UntagResourceInput, ...func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error)
}

// settings returns the API's settingsAPI, or an error naming op.
func (c *Client) settings(op string) (settingsAPI, error) {
	if s, ok := c.api.(settingsAPI); ok {
		return s, nil
	}
	return nil, fmt.Errorf("the API given to the client (%T) has no %s method; pass the SDK's *dynamodb.Client", c.api, op)
}

var _ settingsAPI = executor{}

// DescribeContinuousBackups sends a DescribeContinuousBackups request
// through the executor. The client's API must have the method, as the
// SDK's *dynamodb.Client does.
func (x executor) DescribeContinuousBackups(ctx context.Context, in *dynamodb.DescribeContinuousBackupsInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error) {
	c := x.c
	return do(ctx, c, call{op: "DescribeContinuousBackups", table: aws.ToString(in.TableName), read: true, input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error) {
			s, err := c.settings("DescribeContinuousBackups")
			if err != nil {
				return nil, err
			}
			return s.DescribeContinuousBackups(ctx, in, o...)
		}, nil)
}

// UpdateContinuousBackups sends an UpdateContinuousBackups request
// through the executor: it turns point-in-time recovery on or off.
func (x executor) UpdateContinuousBackups(ctx context.Context, in *dynamodb.UpdateContinuousBackupsInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateContinuousBackupsOutput, error) {
	c := x.c
	return do(ctx, c, call{op: "UpdateContinuousBackups", table: aws.ToString(in.TableName), input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.UpdateContinuousBackupsOutput, error) {
			s, err := c.settings("UpdateContinuousBackups")
			if err != nil {
				return nil, err
			}
			return s.UpdateContinuousBackups(ctx, in, o...)
		}, nil)
}

// ListTagsOfResource sends a ListTagsOfResource request through the
// executor.
func (x executor) ListTagsOfResource(ctx context.Context, in *dynamodb.ListTagsOfResourceInput, opts ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error) {
	c := x.c
	return do(ctx, c, call{op: "ListTagsOfResource", table: aws.ToString(in.ResourceArn), read: true, input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error) {
			s, err := c.settings("ListTagsOfResource")
			if err != nil {
				return nil, err
			}
			return s.ListTagsOfResource(ctx, in, o...)
		}, nil)
}

// TagResource sends a TagResource request through the executor.
func (x executor) TagResource(ctx context.Context, in *dynamodb.TagResourceInput, opts ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error) {
	c := x.c
	return do(ctx, c, call{op: "TagResource", table: aws.ToString(in.ResourceArn), input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error) {
			s, err := c.settings("TagResource")
			if err != nil {
				return nil, err
			}
			return s.TagResource(ctx, in, o...)
		}, nil)
}

// UntagResource sends an UntagResource request through the executor.
func (x executor) UntagResource(ctx context.Context, in *dynamodb.UntagResourceInput, opts ...func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error) {
	c := x.c
	return do(ctx, c, call{op: "UntagResource", table: aws.ToString(in.ResourceArn), input: in}, opts,
		func(ctx context.Context, o []func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error) {
			s, err := c.settings("UntagResource")
			if err != nil {
				return nil, err
			}
			return s.UntagResource(ctx, in, o...)
		}, nil)
}
