package schema

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// waitActive polls DescribeTable until the table and all its global indexes
// are ACTIVE, or ctx is done.
func waitActive(ctx context.Context, db *dynamo.DB, name string, opts *Options) error {
	return poll(ctx, opts.poll(), func() (bool, error) {
		out, err := db.Client().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			var notFound *types.ResourceNotFoundException
			if errors.As(err, &notFound) {
				return false, nil // eventually consistent right after CreateTable
			}
			return false, err
		}
		t := out.Table
		if t == nil || t.TableStatus != types.TableStatusActive {
			return false, nil
		}
		for _, g := range t.GlobalSecondaryIndexes {
			if g.IndexStatus != types.IndexStatusActive {
				return false, nil
			}
		}
		return true, nil
	}, "wait for table "+name+" to be active")
}

// waitGone polls DescribeTable until the table no longer exists.
func waitGone(ctx context.Context, db *dynamo.DB, name string, opts *Options) error {
	return poll(ctx, opts.poll(), func() (bool, error) {
		_, err := db.Client().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		var notFound *types.ResourceNotFoundException
		if errors.As(err, &notFound) {
			return true, nil
		}
		return false, err
	}, "wait for table "+name+" to be deleted")
}

// poll calls check at once and then every interval until it reports done,
// fails, or ctx is done.
func poll(ctx context.Context, interval time.Duration, check func() (bool, error), what string) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("schema: %s: %w", what, context.Cause(ctx))
		case <-t.C:
		}
		done, err := check()
		if err != nil {
			return fmt.Errorf("schema: %s: %w", what, err)
		}
		if done {
			return nil
		}
		t.Reset(interval)
	}
}
