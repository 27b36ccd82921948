package schema

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// Drop deletes the table of each model and waits until it is gone. A table
// that does not exist is skipped; a table being created or updated is
// deleted once it is ACTIVE, and one already being deleted is waited for.
// Each wait is bounded by [Options.WaitTimeout], whatever ctx says. Models
// sharing a table delete it once. The table of the uniqueness records of a
// model with unique attributes (its table's name with "_unique") is
// deleted with it. Drop destroys data: it is never called
// by [Apply].
//
// With [Options.AutoScalingClient], Drop also removes the auto scaling of
// each table it deletes, once the table is gone (DynamoDB leaves a
// deleted table's scalable targets and policies behind): the targets of
// the table and of the global indexes it had, and their target-tracking
// policies.
//
// It calls DeleteTable and DescribeTable, and with an auto scaling client
// DescribeScalableTargets, DescribeScalingPolicies, DeleteScalingPolicy
// and DeregisterScalableTarget:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
func Drop(ctx context.Context, c *dynamokit.Client, opts *Options, models ...*model.Model) error {
	x, opts, err := clientOptions(c, opts)
	if err != nil {
		return err
	}
	return drop(ctx, x, opts, models)
}

func drop(ctx context.Context, c client, opts *Options, models []*model.Model) error {
	seen := map[string]bool{}
	var names []string
	for _, m := range models {
		if m == nil {
			return errors.New("schema: nil model")
		}
		name := m.TableName(opts.namer())
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
		if u := mapping.UniqueTable(name); len(m.Unique()) > 0 && !seen[u] {
			seen[u] = true
			names = append(names, u)
		}
	}
	var (
		notFound *types.ResourceNotFoundException
		inUse    *types.ResourceInUseException
	)
	scaled, err := liveScaling(ctx, c, opts.scalingClient(), names)
	if err != nil {
		return err
	}
	for _, name := range names {
		opts.progress(Event{Table: name, Step: "delete table"})
		_, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		// A table in use (being created, updated or deleted) is dealt
		// with by waitGone.
		if err != nil && !errors.As(err, &notFound) && !errors.As(err, &inUse) {
			return failed(fmt.Sprintf("delete table %s", name), err)
		}
	}
	for _, name := range names {
		if err := waitGone(ctx, c, name, opts); err != nil {
			return err
		}
		opts.progress(Event{Table: name, Step: "delete table", Done: true})
		for _, h := range scaled[name] {
			ch := removeScaling(name, h, "the table is deleted")
			opts.progress(Event{Table: name, Step: ch.step()})
			if err := applyScaling(ctx, opts.scalingClient(), ch.in.(*scalingStep)); err != nil {
				return failed(fmt.Sprintf("delete table %s: %s", name, ch.step()), err)
			}
			opts.progress(Event{Table: name, Step: ch.step(), Done: true})
		}
	}
	return nil
}

// liveScaling reads the scalable targets of the tables named, those that
// exist, when api is not nil.
func liveScaling(ctx context.Context, c client, api AutoScalingAPI, names []string) (map[string][]ScalingTarget, error) {
	if api == nil {
		return nil, nil
	}
	out := map[string][]ScalingTarget{}
	for _, name := range names {
		d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		var notFound *types.ResourceNotFoundException
		switch {
		case errors.As(err, &notFound):
			continue
		case err != nil:
			return nil, failed(fmt.Sprintf("describe table %s", name), err)
		case d.Table == nil:
			continue
		}
		t := described(d.Table, nil)
		t.Name = name
		if out[name], err = describeScaling(ctx, api, t); err != nil {
			return nil, err
		}
	}
	return out, nil
}
