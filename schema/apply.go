package schema

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
)

// ErrDestructive is returned (wrapped) by [Apply] when a change set holds a
// destructive change that was refused by [Plan], or that opts does not
// allow. Nothing has been changed then.
var ErrDestructive = errors.New("schema: destructive change not allowed")

// Apply makes the changes of cs, in order, one request at a time. Before
// each change it waits until the table and its indexes are ACTIVE, and
// after creating a table or adding or deleting an index it waits until that
// is done, since DynamoDB builds one index at a time. Each wait is bounded
// by [Options.WaitTimeout], whatever ctx says, and a table being deleted
// meanwhile is an error. opts.Progress hears of each change as it starts
// and ends. An empty change set sends nothing.
//
// A destructive change runs only when the change set was planned with
// [Options.AllowDestructive] and opts allows it too; otherwise Apply
// returns an error matching [ErrDestructive] before sending anything.
// Apply does not check again that the tables are as cs found them: when
// they changed since, DynamoDB may reject a step and Apply returns the
// error, with the earlier steps made. Plan again and apply the new set.
//
// Note that DynamoDB allows switching a table's billing mode once per 24
// hours and re-enabling TTL only some time after disabling it.
//
// An auto scaling change needs [Options.AutoScalingClient] (and no
// SkipAutoScaling): without it Apply returns an error matching
// [ErrNoAutoScalingClient] before sending anything.
//
// It calls CreateTable, UpdateTable, UpdateTimeToLive,
// UpdateContinuousBackups, TagResource, UntagResource and DescribeTable,
// and for auto scaling RegisterScalableTarget, PutScalingPolicy,
// DeleteScalingPolicy and DeregisterScalableTarget:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
func Apply(ctx context.Context, c *dynamokit.Client, cs *ChangeSet, opts *Options) error {
	x, opts, err := clientOptions(c, opts)
	if err != nil {
		return err
	}
	return apply(ctx, x, cs, opts)
}

func apply(ctx context.Context, c client, cs *ChangeSet, opts *Options) error {
	if cs.Empty() {
		return nil
	}
	var refused []string
	for _, ch := range cs.Changes {
		if ch.in == nil {
			return fmt.Errorf("schema: apply: table %s: %s: no request (a Change must come from Plan or Diff)", ch.Table, ch.step())
		}
		if _, ok := ch.in.(*scalingStep); ok && opts.scalingClient() == nil {
			return fmt.Errorf("%w: apply: table %s: %s is a change of Application Auto Scaling (give Apply the Options that Plan had)", ErrNoAutoScalingClient, ch.Table, ch.step())
		}
		if ch.Refused || ch.Destructive && !opts.allowDestructive() {
			refused = append(refused, ch.Table+": "+ch.String())
		}
	}
	if len(refused) > 0 {
		return fmt.Errorf("%w: set Options.AllowDestructive for Plan and Apply to allow:\n%s", ErrDestructive, strings.Join(refused, "\n"))
	}
	for _, ch := range cs.Changes {
		step := ch.step()
		opts.progress(Event{Table: ch.Table, Step: step})
		if err := applyChange(ctx, c, ch, opts); err != nil {
			return failed(fmt.Sprintf("apply: table %s: %s", ch.Table, step), err)
		}
		opts.progress(Event{Table: ch.Table, Step: step, Done: true})
	}
	return nil
}

// step names a change for progress events and errors, such as
// "add index by-status" or "add auto scaling of index by-status".
func (c Change) step() string {
	switch {
	case c.Index == "":
		return string(c.Kind)
	case c.Kind == AddAutoScaling || c.Kind == UpdateAutoScaling || c.Kind == RemoveAutoScaling:
		return string(c.Kind) + " of index " + c.Index
	}
	return string(c.Kind) + " " + c.Index
}

func applyChange(ctx context.Context, c client, ch Change, opts *Options) error {
	if ch.Kind != CreateTable {
		if err := waitExisting(ctx, c, ch.Table, opts); err != nil {
			return err
		}
	}
	switch in := ch.in.(type) {
	case *dynamodb.CreateTableInput:
		if _, err := c.CreateTable(ctx, in); err != nil {
			return err
		}
		return waitActive(ctx, c, ch.Table, opts)
	case *dynamodb.UpdateTableInput:
		if _, err := c.UpdateTable(ctx, in); err != nil {
			return err
		}
		switch ch.Kind {
		case AddIndex:
			return waitIndex(ctx, c, ch.Table, ch.Index, true, opts)
		case DeleteIndex:
			return waitIndex(ctx, c, ch.Table, ch.Index, false, opts)
		}
		return waitActive(ctx, c, ch.Table, opts)
	case *dynamodb.UpdateTimeToLiveInput:
		_, err := c.UpdateTimeToLive(ctx, in)
		return err
	case *scalingStep:
		return applyScaling(ctx, opts.scalingClient(), in)
	}
	if ok, err := applySetting(ctx, c, ch.in); ok {
		return err
	}
	return fmt.Errorf("unknown request %T", ch.in)
}
