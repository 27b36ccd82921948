package schema

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// waitActive polls DescribeTable until the table and all its global indexes
// are ACTIVE, or ctx is done. A missing table is waited for: DescribeTable
// may not see a table right after CreateTable.
func waitActive(ctx context.Context, c client, name string, opts *Options) error {
	return waitFor(ctx, c, name, opts, "wait for table "+name+" to be active", func(td *types.TableDescription) (bool, error) {
		return active(td), nil
	})
}

// waitExisting is waitActive for a table that must already exist.
func waitExisting(ctx context.Context, c client, name string, opts *Options) error {
	return waitFor(ctx, c, name, opts, "wait for table "+name+" to be active", func(td *types.TableDescription) (bool, error) {
		if td == nil {
			return false, fmt.Errorf("table %s does not exist", name)
		}
		return active(td), nil
	})
}

// waitGone polls DescribeTable until the table no longer exists.
func waitGone(ctx context.Context, c client, name string, opts *Options) error {
	return waitFor(ctx, c, name, opts, "wait for table "+name+" to be deleted", func(td *types.TableDescription) (bool, error) {
		return td == nil, nil
	})
}

// waitIndex polls DescribeTable until the table is ACTIVE and the global
// index exists and is ACTIVE (present) or is gone (!present).
func waitIndex(ctx context.Context, c client, table, index string, present bool, opts *Options) error {
	what := "wait for index " + index + " of " + table + " to be active"
	if !present {
		what = "wait for index " + index + " of " + table + " to be deleted"
	}
	return waitFor(ctx, c, table, opts, what, func(td *types.TableDescription) (bool, error) {
		if td == nil {
			return false, fmt.Errorf("table %s does not exist", table)
		}
		if !active(td) {
			return false, nil
		}
		found := false
		for _, g := range td.GlobalSecondaryIndexes {
			found = found || aws.ToString(g.IndexName) == index
		}
		return found == present, nil
	})
}

// active reports whether a table and its global indexes are all ACTIVE.
func active(td *types.TableDescription) bool {
	if td == nil || td.TableStatus != types.TableStatusActive {
		return false
	}
	for _, g := range td.GlobalSecondaryIndexes {
		if g.IndexStatus != types.IndexStatusActive {
			return false
		}
	}
	return true
}

// waitFor polls DescribeTable until done reports true for the description
// (nil when the table does not exist) or fails, or ctx is done.
func waitFor(ctx context.Context, c client, name string, opts *Options, what string, done func(*types.TableDescription) (bool, error)) error {
	return poll(ctx, opts.poll(), func() (bool, error) {
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		var notFound *types.ResourceNotFoundException
		switch {
		case errors.As(err, &notFound):
			return done(nil)
		case err != nil:
			return false, err
		}
		return done(out.Table)
	}, what)
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
