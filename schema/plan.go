package schema

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
)

// ChangeSet is what [Plan] found: the changes that bring the live tables in
// line with their models, in the order [Apply] makes them.
type ChangeSet struct {
	Changes []Change
}

// Empty reports whether there is nothing to change.
func (cs *ChangeSet) Empty() bool { return cs == nil || len(cs.Changes) == 0 }

// Refused returns the destructive changes that were planned without
// [Options.AllowDestructive]. [Apply] does not run a change set that has any.
func (cs *ChangeSet) Refused() []Change {
	if cs == nil {
		return nil
	}
	var out []Change
	for _, c := range cs.Changes {
		if c.Refused {
			out = append(out, c)
		}
	}
	return out
}

// String returns the change set as a readable diff, one block per table:
//
//	table dev-employee
//	  - delete index old: hash a S; projection ALL (not in any model) [destructive: refused, ...]
//	  + add index by-status: hash status S; projection ALL
//	  + enable ttl: attribute expires
//
// An empty change set prints as "no changes".
func (cs *ChangeSet) String() string {
	if cs.Empty() {
		return "no changes\n"
	}
	var b strings.Builder
	table := ""
	for _, c := range cs.Changes {
		if c.Table != table {
			table = c.Table
			b.WriteString("table " + table + "\n")
		}
		b.WriteString("  " + c.String() + "\n")
	}
	return b.String()
}

// Plan compares the tables of models (grouped as by [Definitions]) with the live
// tables and returns the changes that would bring them in line: create a
// missing table, add or delete global indexes, re-create a global index
// whose key or projection changed (delete, then add), change the billing
// mode or capacity, turn TTL on or off, and change the table's [Settings]
// (stream, point-in-time recovery, deletion protection, class, encryption,
// warm throughput, tags) and auto scaling. It changes nothing; pass the
// result to [Apply].
//
// Deleting a global index, disabling a stream (a new view type disables
// the stream, then enables it), disabling point-in-time recovery and
// turning deletion protection off are destructive: without opts.AllowDestructive
// the change is marked Refused (see [ChangeSet.Refused]) and Apply will not
// run the change set, so a plan can still be printed and reviewed. Plan
// does not look at tables that no model names.
//
// A table whose key schema, key attribute types or local indexes differ
// from its models cannot be changed in place: Plan returns an error
// matching [ErrRecreate] that names it and every difference (several
// tables give errors joined with errors.Join).
//
// With opts.AutoScalingClient, Plan also compares the auto scaling the
// models declare ([model.AutoScaling]) with the live scalable targets and
// target-tracking policies of each table and its global indexes: it adds
// what is missing, changes bounds and target utilisations that differ, and
// removes the scaling of a table or index whose models declare none (none
// of these is destructive). A table whose models declare auto scaling is
// refused with [ErrNoAutoScalingClient] when the client is nil, unless
// opts.SkipAutoScaling is set; then Plan leaves the scaling alone.
//
// It calls DescribeTable, DescribeTimeToLive, DescribeContinuousBackups
// and ListTagsOfResource for each table, and with an auto scaling client
// DescribeScalableTargets and DescribeScalingPolicies:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
func Plan(ctx context.Context, c *dynamokit.Client, opts *Options, models ...*model.Model) (*ChangeSet, error) {
	x, opts, err := clientOptions(c, opts)
	if err != nil {
		return nil, err
	}
	return plan(ctx, x, opts, models)
}

func plan(ctx context.Context, c client, opts *Options, models []*model.Model) (*ChangeSet, error) {
	tables, err := Definitions(opts, models...)
	if err != nil {
		return nil, err
	}
	if err := opts.checkAutoScaling(tables); err != nil {
		return nil, err
	}
	cs := &ChangeSet{}
	var errs []error
	for _, want := range tables {
		have, err := describe(ctx, c, want.Name)
		if err != nil {
			return nil, err
		}
		if api := opts.scalingClient(); api != nil && have != nil {
			if have.Scaling, err = describeScaling(ctx, api, have); err != nil {
				return nil, err
			}
		}
		changes, err := Diff(want, have)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if opts.skipScaling() {
			changes = slices.DeleteFunc(changes, func(c Change) bool { _, ok := c.in.(*scalingStep); return ok })
		}
		for i := range changes {
			changes[i].Refused = changes[i].Destructive && !opts.allowDestructive()
		}
		cs.Changes = append(cs.Changes, changes...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cs, nil
}
