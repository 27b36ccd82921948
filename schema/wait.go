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

// waitCreated polls DescribeTable until the table t and all its global
// indexes are ACTIVE. A table being deleted (CreateTable was refused with a
// ResourceInUseException) is waited for until it is gone; a table that is
// not found is created (again): it was deleted meanwhile, or DescribeTable
// does not see it yet, and then CreateTable's ResourceInUseException says
// it exists.
func waitCreated(ctx context.Context, c client, t *Definition, opts *Options) error {
	return waitFor(ctx, c, t.Name, opts, "wait for table "+t.Name+" to be active", func(ctx context.Context, td *types.TableDescription) (bool, error) {
		if td != nil {
			return active(td), nil
		}
		_, err := c.CreateTable(ctx, t.CreateInput())
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return false, fmt.Errorf("create table %s: %w", t.Name, err)
		}
		return false, nil
	})
}

// waitActive polls DescribeTable until the table and all its global indexes
// are ACTIVE. A missing table is waited for: DescribeTable may not see a
// table right after CreateTable. A table being deleted is an error.
func waitActive(ctx context.Context, c client, name string, opts *Options) error {
	return waitFor(ctx, c, name, opts, "wait for table "+name+" to be active", func(_ context.Context, td *types.TableDescription) (bool, error) {
		if err := notDeleting(td); err != nil {
			return false, err
		}
		return active(td), nil
	})
}

// waitExisting is waitActive for a table that must already exist.
func waitExisting(ctx context.Context, c client, name string, opts *Options) error {
	return waitFor(ctx, c, name, opts, "wait for table "+name+" to be active", func(_ context.Context, td *types.TableDescription) (bool, error) {
		if td == nil {
			return false, fmt.Errorf("table %s does not exist", name)
		}
		if err := notDeleting(td); err != nil {
			return false, err
		}
		return active(td), nil
	})
}

// waitGone polls DescribeTable until the table no longer exists. A table
// seen ACTIVE again is deleted: DeleteTable was refused with a
// ResourceInUseException while it was being created or updated.
func waitGone(ctx context.Context, c client, name string, opts *Options) error {
	return waitFor(ctx, c, name, opts, "wait for table "+name+" to be deleted", func(ctx context.Context, td *types.TableDescription) (bool, error) {
		if td == nil {
			return true, nil
		}
		if td.TableStatus != types.TableStatusActive {
			return false, nil
		}
		_, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		var (
			inUse    *types.ResourceInUseException
			notFound *types.ResourceNotFoundException
		)
		switch {
		case errors.As(err, &notFound):
			return true, nil
		case err != nil && !errors.As(err, &inUse):
			return false, fmt.Errorf("delete table %s: %w", name, err)
		}
		return false, nil
	})
}

// waitIndex polls DescribeTable until the table is ACTIVE and the global
// index exists and is ACTIVE (present) or is gone (!present).
func waitIndex(ctx context.Context, c client, table, index string, present bool, opts *Options) error {
	what := "wait for index " + index + " of " + table + " to be active"
	if !present {
		what = "wait for index " + index + " of " + table + " to be deleted"
	}
	return waitFor(ctx, c, table, opts, what, func(_ context.Context, td *types.TableDescription) (bool, error) {
		if td == nil {
			return false, fmt.Errorf("table %s does not exist", table)
		}
		if err := notDeleting(td); err != nil {
			return false, err
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

// notDeleting returns an error when the table is being deleted: it will
// not become ACTIVE again.
func notDeleting(td *types.TableDescription) error {
	if td != nil && td.TableStatus == types.TableStatusDeleting {
		return fmt.Errorf("table %s is being deleted", aws.ToString(td.TableName))
	}
	return nil
}

// status describes what DescribeTable last said, for a wait that gave up.
func status(td *types.TableDescription) string {
	if td == nil {
		return "table not found"
	}
	s := "table " + string(td.TableStatus)
	for _, g := range td.GlobalSecondaryIndexes {
		if g.IndexStatus != types.IndexStatusActive {
			s += ", index " + aws.ToString(g.IndexName) + " " + string(g.IndexStatus)
		}
	}
	return s
}

// waitFor polls DescribeTable until done reports true for the description
// (nil when the table does not exist) or fails, or ctx is done, or
// opts.WaitTimeout has passed: every wait has a bound, even under a ctx
// without a deadline. done gets the bounded context for its own requests.
// The error of a wait that gave up matches context.DeadlineExceeded, and
// says what the table last looked like.
func waitFor(ctx context.Context, c client, name string, opts *Options, what string, done func(context.Context, *types.TableDescription) (bool, error)) error {
	d := opts.waitTimeout()
	ctx, cancel := context.WithTimeoutCause(ctx, d, fmt.Errorf("%w: gave up after %v (Options.WaitTimeout)", context.DeadlineExceeded, d))
	defer cancel()
	last := "not described yet"
	err := poll(ctx, opts.poll(), func() (bool, error) {
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		var (
			notFound *types.ResourceNotFoundException
			td       *types.TableDescription
		)
		switch {
		case errors.As(err, &notFound):
		case err != nil:
			return false, err
		default:
			td = out.Table
		}
		last = status(td)
		return done(ctx, td)
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("schema: %s (last seen: %s): %w", what, last, context.Cause(ctx))
	}
	return failed(what, err)
}

// poll calls check at once and then every interval until it reports done,
// fails, or ctx is done.
func poll(ctx context.Context, interval time.Duration, check func() (bool, error)) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		done, err := check()
		if err != nil || done {
			return err
		}
		t.Reset(interval)
	}
}
