package migrate

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/internal/workers"
)

// DryRun is what a migration would do, as [Runner.DryRun] reports it: it
// writes nothing.
type DryRun struct {
	// Progress counts the items the migration would change (Changed) and
	// leave as they are (Skipped), and those whose step fails (Failed).
	Progress
	// Rekeyed counts the changed items whose key would change.
	Rekeyed int64
	// Examples are a few of the items that would change, before and after.
	Examples []Example

	mu sync.Mutex
}

// Example is one item a dry run would change.
type Example struct {
	Key           string // the item's key, as attribute=value pairs
	Before, After Item
	Rekeyed       bool // the key changes: the item is deleted and created under its new key
}

// String describes the example: the attributes that change.
func (e Example) String() string {
	s := e.Key
	if e.Rekeyed {
		s += " (re-keyed)"
	}
	for _, n := range sortedNames(e.Before, e.After) {
		b, inB := e.Before[n]
		a, inA := e.After[n]
		switch {
		case inB && !inA:
			s += fmt.Sprintf("\n  - %s: %s", n, valueText(b))
		case !inB && inA:
			s += fmt.Sprintf("\n  + %s: %s", n, valueText(a))
		case !itemcodec.EqualValues(a, b):
			s += fmt.Sprintf("\n  ~ %s: %s -> %s", n, valueText(b), valueText(a))
		}
	}
	return s
}

func (d *DryRun) add(key, before, after Item, rekey, same bool, examples int) {
	if same {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if rekey {
		d.Rekeyed++
	}
	if len(d.Examples) < examples {
		d.Examples = append(d.Examples, Example{Key: keyText(key), Before: before, After: after, Rekeyed: rekey})
	}
}

// DryRun reports what each registered migration not yet applied would do
// to the items as they are now, with a few examples, and writes nothing:
// no item, no record, no lease. Each migration is evaluated against the
// stored items, not against what the migrations before it would leave.
// It reads the table with the same parallel scan as [Runner.Run].
func (r *Runner) DryRun(ctx context.Context) (_ []*DryRun, err error) {
	defer func() { err = r.tableErr(err) }()
	rc, err := r.records(ctx)
	if err != nil {
		return nil, err
	}
	var out []*DryRun
	for i := range r.migs {
		mg := &r.migs[i]
		d := &DryRun{}
		if done, err := r.applied(ctx, rc, mg.ID); err != nil {
			return out, err
		} else if done {
			d.Progress = Progress{Migration: mg.ID, Done: true}
			out = append(out, d)
			continue
		}
		ru := r.newRun(ctx, mg)
		ru.dry = d
		rr := ru.client()
		err := workers.ForEach(ctx, r.opts.Segments, r.opts.Concurrency, func(ctx context.Context, seg int) error {
			return rr.segment(ctx, ru, seg, r.opts.Segments, nil)
		})
		d.Progress = ru.snapshot(err == nil)
		out = append(out, d)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// applied reports whether migration id is done, from its record.
func (r *Runner) applied(ctx context.Context, rc records, id string) (bool, error) {
	st, err := r.status(ctx, rc, id)
	return st == stateDone, err
}

// Applied reports whether the migration with the given ID has been
// applied to every item (its record says done).
func (r *Runner) Applied(ctx context.Context, id string) (_ bool, err error) {
	defer func() { err = r.tableErr(err) }()
	rc, err := r.records(ctx)
	if err != nil {
		return false, err
	}
	return r.applied(ctx, rc, id)
}

func (r *Runner) status(ctx context.Context, rc records, id string) (string, error) {
	rec, err := rawread.Get(ctx, r.c.Executor(), rawread.Read{Table: rc.table, Consistent: true}, rc.key(r.table, id))
	if err != nil {
		return "", fmt.Errorf("migrate: read the record of %s: %w", id, err)
	}
	if s, ok := rec[attrState].(*types.AttributeValueMemberS); ok {
		return s.Value, nil
	}
	return "", nil
}
