package migrate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/internal/workers"
	"github.com/dynamokit/dynamokit/relations"
)

// maxFailures is how many failed items a run names.
const maxFailures = 20

// run is one run of one migration.
type run struct {
	r     *Runner
	mg    *Migration
	dry   *DryRun // set for a dry run: nothing is written
	lease *lease
	lim   *limiter
	start time.Time
	total int64

	mu       sync.Mutex
	p        Progress
	seen     int64 // items of the table read, of every model
	failures []Failure
	progress func(Progress)
	repMu    sync.Mutex // one progress call at a time
}

// hook counts the requests and units of the run's client.
func (ru *run) hook(_ context.Context, req *dynamokit.Request) {
	ru.mu.Lock()
	defer ru.mu.Unlock()
	ru.p.Requests++
	if req.Read {
		ru.p.ReadUnits += req.Units()
		return
	}
	units := req.Units()
	if len(req.Capacity) == 0 && req.Err == nil {
		units = estimateUnits(req.Input)
		ru.p.Estimated = ru.p.Estimated || units > 0
	}
	ru.p.WriteUnits += units
	ru.lim.add(units)
}

func (r *Runner) newRun(ctx context.Context, mg *Migration) *run {
	ru := &run{r: r, mg: mg, start: time.Now(), progress: r.opts.Progress}
	ru.p.Migration = mg.ID
	ru.lim = newLimiter(r.opts.WriteUnitsPerSecond, time.Now)
	if out, err := r.c.Executor().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(r.table)}); err == nil && out.Table != nil {
		ru.total = aws.ToInt64(out.Table.ItemCount)
	}
	ru.p.Total = ru.total
	return ru
}

// client is the runner's client with the run's counting hook.
func (ru *run) client() *Runner {
	cp := *ru.r
	cp.c = ru.r.c.With(dynamokit.WithHook(ru.hook))
	return &cp
}

// snapshot returns the progress so far.
func (ru *run) snapshot(done bool) Progress {
	ru.mu.Lock()
	defer ru.mu.Unlock()
	p := ru.p
	p.Elapsed = time.Since(ru.start)
	p.Done = done
	if !done {
		p.Remaining = remaining(ru.seen, ru.total, p.Elapsed)
	}
	p.Failures = append([]Failure(nil), ru.failures...)
	return p
}

// report calls the progress callback, one call at a time.
func (ru *run) report(done bool) {
	if ru.progress == nil {
		return
	}
	p := ru.snapshot(done)
	ru.repMu.Lock()
	defer ru.repMu.Unlock()
	ru.progress(p)
}

func (ru *run) fail(key Item, reason string) {
	ru.mu.Lock()
	defer ru.mu.Unlock()
	ru.p.Failed++
	if len(ru.failures) < maxFailures {
		ru.failures = append(ru.failures, Failure{Key: keyText(key), Reason: reason})
	}
}

// keyText renders a key as name=value pairs, sorted by name.
func keyText(key Item) string {
	names := make([]string, 0, len(key))
	for n := range key {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(n + "=")
		switch v := key[n].(type) {
		case *types.AttributeValueMemberS:
			b.WriteString(strconv.Quote(v.Value))
		case *types.AttributeValueMemberN:
			b.WriteString(v.Value)
		case *types.AttributeValueMemberB:
			fmt.Fprintf(&b, "%x", v.Value)
		default:
			fmt.Fprintf(&b, "%T", v)
		}
	}
	return b.String()
}

// runOne runs one migration, unless it is done.
func (r *Runner) runOne(ctx context.Context, mg *Migration) (Progress, error) {
	rc, err := r.records(ctx)
	if err != nil {
		return Progress{Migration: mg.ID}, err
	}
	l := &lease{r: r, rc: rc, key: rc.key(r.table, mg.ID), owner: r.opts.Owner, ttl: r.opts.Lease}
	rec, err := l.acquire(ctx, mg, r.opts.Segments)
	if err != nil {
		return Progress{Migration: mg.ID}, err
	}
	if rec.done {
		return Progress{Migration: mg.ID, Done: true}, nil
	}
	ru := r.newRun(ctx, mg)
	ru.lease = l
	rr := ru.client()

	// The lease is renewed in the background; losing it stops the run.
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopBeat := make(chan struct{})
	beatDone := make(chan struct{})
	go func() {
		defer close(beatDone)
		t := time.NewTicker(r.opts.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-stopBeat:
				return
			case <-runCtx.Done():
				return
			case <-t.C:
				if err := l.renew(runCtx, mg.ID); err != nil && runCtx.Err() == nil {
					cancel(err)
					return
				}
			}
		}
	}()

	err = workers.ForEach(runCtx, rec.segments, r.opts.Concurrency, func(ctx context.Context, seg int) error {
		if rec.finished[seg] {
			return nil
		}
		return rr.segment(ctx, ru, seg, rec.segments, rec.starts[seg])
	})
	close(stopBeat)
	<-beatDone
	if cause := context.Cause(runCtx); err != nil && cause != nil && errors.Is(cause, ErrLeaseLost) {
		err = cause
	}
	if err != nil {
		// Keep the checkpoints; give the lease up unless it was lost (or
		// ctx is done: the lease then expires on its own).
		if !errors.Is(err, ErrLeaseLost) && ctx.Err() == nil {
			_ = l.release(ctx, mg.ID)
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("migrate: %s: stopped, resumable: %w", mg.ID, err)
		}
		return ru.snapshot(false), err
	}
	p := ru.snapshot(true)
	if err := l.finish(ctx, mg.ID, rec.segments, p.Failures); err != nil {
		return p, err
	}
	ru.report(true)
	if p.Failed > 0 {
		return p, &IncompleteError{Migration: mg.ID, Failed: p.Failed, Failures: p.Failures}
	}
	return p, nil
}

// segment migrates one segment from start (nil: its beginning), writing a
// checkpoint after each page.
func (r *Runner) segment(ctx context.Context, ru *run, seg, total int, start Item) error {
	for {
		in, err := rawread.ScanInput(rawread.Scan{Read: rawread.Read{Table: r.table}, Limit: aws.Int32(int32(r.opts.PageSize)), Segment: seg, Segments: total})
		if err != nil {
			return err
		}
		in.ExclusiveStartKey = start
		out, err := r.c.Executor().Scan(ctx, in)
		if err != nil {
			return fmt.Errorf("migrate: %s: scan segment %d: %w", ru.mg.ID, seg, err)
		}
		var n counts
		for _, item := range out.Items {
			ru.mu.Lock()
			ru.seen++
			ru.mu.Unlock()
			if !r.matches(ru.mg, item) {
				continue
			}
			n.scanned++
			o, err := r.item(ctx, ru, item)
			if err != nil {
				return err
			}
			switch o {
			case itemChanged:
				n.changed++
			case itemSkipped:
				n.skipped++
			case itemFailed:
				n.failed++
			}
		}
		ru.mu.Lock()
		ru.p.Scanned += n.scanned
		ru.p.Changed += n.changed
		ru.p.Skipped += n.skipped
		ru.mu.Unlock()
		start = out.LastEvaluatedKey
		if ru.dry == nil {
			if err := ru.lease.checkpoint(ctx, ru.mg.ID, seg, start, n); err != nil {
				return err
			}
		}
		ru.report(false)
		if start == nil {
			return nil
		}
	}
}

// itemResult is what became of one item.
type itemResult int

const (
	itemChanged itemResult = iota
	itemSkipped
	itemFailed
)

// item migrates one item; an error stops the run.
func (r *Runner) item(ctx context.Context, ru *run, old Item) (itemResult, error) {
	key := r.keyOf(old)
	for attempt := 1; ; attempt++ {
		next, err := ru.mg.Step.Apply(ctx, old)
		if errors.Is(err, ErrSkip) {
			return itemSkipped, nil
		}
		if err != nil {
			ru.fail(key, err.Error())
			return itemFailed, nil
		}
		extra, err := ru.mg.Step.actions(ctx, next)
		if err != nil {
			ru.fail(key, err.Error())
			return itemFailed, nil
		}
		same := itemcodec.EqualItems(old, next)
		if same && len(extra) == 0 {
			return itemSkipped, nil
		}
		rekey := !itemcodec.EqualItems(key, r.keyOf(next))
		if ru.dry != nil {
			ru.dry.add(key, old, next, rekey, same, r.opts.Examples)
			if same {
				return itemSkipped, nil
			}
			return itemChanged, nil
		}
		if err := ru.lim.wait(ctx); err != nil {
			return 0, err
		}
		wctx := ctx
		switch {
		case rekey:
			err = r.rekey(wctx, old, next, extra)
		case same:
			err = r.check(wctx, old, extra)
		default:
			err = r.rewrite(wctx, old, next, extra)
		}
		if err == nil {
			if same {
				return itemSkipped, nil
			}
			return itemChanged, nil
		}
		switch classify(err) {
		case outFatal:
			return 0, fmt.Errorf("migrate: %s: item %s: %w", ru.mg.ID, keyText(key), err)
		case outItem:
			reason := err.Error()
			if rekey && errors.Is(err, relations.ErrHasChildren) {
				reason = "a re-keyed parent with children is refused (the relation links its children to its key, and its counter cannot move with it): move its children to another parent or delete them first, or keep its key; " + reason
			}
			ru.fail(key, reason)
			return itemFailed, nil
		case outTarget:
			// The new key holds an item. Where it is the very item the
			// step makes (written by another runner or by the
			// application), the old item only goes; any other item there
			// is not overwritten, nor the old one deleted.
			got, err := rawread.Get(ctx, r.c.Executor(), rawread.Read{Table: r.table, Consistent: true}, r.keyOf(next))
			if err != nil {
				return 0, fmt.Errorf("migrate: %s: read item %s: %w", ru.mg.ID, keyText(r.keyOf(next)), err)
			}
			if got != nil && !itemcodec.EqualItems(withoutOthers(r, got), withoutOthers(r, next)) {
				ru.fail(key, fmt.Sprintf("its new key %s holds another item, which is left as it is", keyText(r.keyOf(next))))
				return itemFailed, nil
			}
			if got != nil {
				if err := r.remove(wctx, old); err == nil {
					return itemSkipped, nil
				} else if classify(err) != outChanged {
					ru.fail(key, "the new key holds the migrated item, and the old one could not be deleted: "+err.Error())
					return itemFailed, nil
				}
			}
		}
		if attempt >= r.opts.MaxAttempts {
			ru.fail(key, fmt.Sprintf("changed by another writer at each of %d attempts", attempt))
			return itemFailed, nil
		}
		got, err := rawread.Get(ctx, r.c.Executor(), rawread.Read{Table: r.table, Consistent: true}, key)
		if err != nil {
			return 0, fmt.Errorf("migrate: %s: read item %s again: %w", ru.mg.ID, keyText(key), err)
		}
		if got == nil || !r.matches(ru.mg, got) {
			return itemSkipped, nil // deleted (or moved) by the application meanwhile
		}
		old = got
	}
}

// withoutOthers returns the attributes of item the model declares: what
// tells an item written under the new key from the one the step makes,
// whatever counters a relation keeps in it.
func withoutOthers(r *Runner, item Item) Item {
	out := make(Item, len(item))
	for n, v := range item {
		if r.m.Attribute(n) != nil {
			out[n] = v
		}
	}
	return out
}
