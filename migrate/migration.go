package migrate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"reflect"
	"strings"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// Migration is one change of a model's stored items: a Go value,
// registered with [Runner.Register] in the order migrations apply.
type Migration struct {
	// ID names the migration for good: the record of its run is kept
	// under it, so a migration applied once is never applied again. It
	// must be unique among a runner's migrations, and not change.
	ID string
	// Description says what the migration does, for people.
	Description string
	// Step is what the migration does to each item.
	Step Step
	// Match picks the items the migration rewrites, as they are stored
	// (nil: the items of the runner's model: those of its entity type,
	// when it has a type attribute, else every item of the table).
	Match func(item Item) bool
}

// Options configure a [Runner]. The zero value (or nil) means the
// defaults.
type Options struct {
	// RecordTable is the table that keeps the record of each migration
	// (see [Runner]); its key attributes must be strings. "" means the
	// migrated table's name followed by "_migrations", keyed by a string
	// id, which the first run creates (on demand billing) when it is
	// missing, so that no Scan of the migrated table sees a record.
	RecordTable string
	// Segments is the number of segments of the parallel scan (default
	// 4), fixed by a migration's first run: a resumed run keeps the
	// number it started with. Concurrency is how many segments are read
	// and rewritten at once (default: all of them).
	Segments, Concurrency int
	// PageSize is how many items each Scan request reads (default 100):
	// the checkpoint is written after each page.
	PageSize int
	// WriteUnitsPerSecond caps the write capacity units the run spends
	// per second, counted from what DynamoDB reports for each write (0:
	// no cap). Its checkpoints and its lease are not counted.
	WriteUnitsPerSecond float64
	// MaxAttempts is how often an item changed by the application since
	// it was read is read again and migrated again, before it is counted
	// as failed (default 3).
	MaxAttempts int
	// Lease is how long a runner holds a migration without renewing it
	// (default one minute): a runner that crashed blocks the migration at
	// most this long. A running runner renews it every third of it.
	Lease time.Duration
	// Owner names this runner in the lease (default: a random name).
	Owner string
	// Progress, when set, is called after each page of each segment and
	// once at the end, one call at a time.
	Progress func(Progress)
	// Examples is how many items a dry run shows before and after
	// (default 3).
	Examples int
}

func (o *Options) withDefaults() Options {
	var out Options
	if o != nil {
		out = *o
	}
	if out.Segments <= 0 {
		out.Segments = 4
	}
	if out.Concurrency <= 0 {
		out.Concurrency = out.Segments
	}
	if out.PageSize <= 0 {
		out.PageSize = 100
	}
	if out.MaxAttempts <= 0 {
		out.MaxAttempts = 3
	}
	if out.Lease <= 0 {
		out.Lease = time.Minute
	}
	if out.Owner == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		out.Owner = "runner-" + hex.EncodeToString(b[:])
	}
	if out.Examples <= 0 {
		out.Examples = 3
	}
	return out
}

// Runner runs the migrations of one model's items, in the order they
// were registered, each at most once: see [Runner.Run]. Make one with
// [New], and register its migrations before running them: Run and DryRun
// may then be called from several goroutines (the lease lets one run a
// migration at a time).
//
// The record of a migration is one item of [Options.RecordTable] (by
// default the table <migrated table>_migrations), whose key attributes all hold
// "_dynamokit#migration#" followed by the table's name, "#" and the
// migration's ID. It holds the attributes mg_id, mg_description,
// mg_state ("running", "failed" or "done"), mg_owner and mg_lease_until
// (the lease, in Unix milliseconds), mg_segments, mg_seg_0... (each
// segment's checkpoint: the key to resume after, or "done"), mg_scanned,
// mg_changed, mg_skipped, mg_failed (totals over every run) and
// mg_failures (the last run's failed items). In a RecordTable that is a
// model's table, the record has no entity type and none of a model's index
// attributes, so queries of the models and their indexes never return it;
// a Scan of a model without a type attribute would.
type Runner struct {
	c     *dynamokit.Client
	pub   *model.Model
	m     *mapping.Model
	table string
	opts  Options
	migs  []Migration
}

// New returns a Runner of the items of model type T, in its table on c.
// The runner writes through c, so the write rules c enforces (such as the
// relations of a relations.Graph) apply to every item it rewrites.
func New[T any](c *dynamokit.Client, opts *Options) (*Runner, error) {
	if c == nil {
		return nil, errors.New("migrate: nil *dynamokit.Client")
	}
	pub, err := model.Of[T]()
	if err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	if o.Segments > 1000 {
		return nil, fmt.Errorf("migrate: %d segments, at most 1000", o.Segments)
	}
	return &Runner{c: c, pub: pub, m: mapping.Must(pub), table: c.TableName(pub), opts: o}, nil
}

// Register adds migrations, to run after those already registered. It
// refuses a migration without an ID, an ID registered already, and a step
// typed on another model than the runner's.
func (r *Runner) Register(migs ...Migration) error {
	seen := make(map[string]bool, len(r.migs)+len(migs))
	for _, m := range r.migs {
		seen[m.ID] = true
	}
	for _, m := range migs {
		switch {
		case strings.TrimSpace(m.ID) == "":
			return errors.New("migrate: register: a migration without an ID")
		case seen[m.ID]:
			return fmt.Errorf("migrate: register: migration %q registered twice", m.ID)
		case m.Step.err != nil:
			return fmt.Errorf("migrate: register %s: %w", m.ID, m.Step.err)
		case m.Step.model != nil && m.Step.model != r.m.Type:
			return fmt.Errorf("migrate: register %s: step %s is typed on %s, and the runner migrates %s", m.ID, m.Step, m.Step.model, r.m.Type)
		}
		seen[m.ID] = true
	}
	r.migs = append(r.migs, migs...)
	return nil
}

// Migrations returns the registered migrations, in order.
func (r *Runner) Migrations() []Migration { return append([]Migration(nil), r.migs...) }

// matches reports whether mg rewrites item.
func (r *Runner) matches(mg *Migration, item Item) bool {
	if isRecord(item) {
		return false
	}
	if mg.Match != nil {
		return mg.Match(item)
	}
	return r.m.EntityType == nil || r.m.IsEntity(item)
}

// typeName names the runner's model in messages.
func (r *Runner) typeName() string { return reflect.Type(r.m.Type).String() }

// Run applies the registered migrations that have not been applied, in
// order, and returns the final [Progress] of each it ran (or found
// applied). For each it takes the migration's lease, scans the table in
// [Options.Segments] parallel segments, rewrites each item the step
// changes with a conditional write, writes a checkpoint after each page,
// and marks the migration done. A migration already done is skipped
// (its Progress has Done set and nothing counted); one whose lease another
// runner holds stops the run with an error matching [ErrLeaseHeld].
//
// An item is rewritten on condition that it is still as read: where the
// application changed it meanwhile, it is read again and the step applied
// again (up to [Options.MaxAttempts] times), and where the application
// deleted it, it is skipped. An item whose key the step changes is
// deleted and created under its new key in one transaction, so the
// client's write rules keep their relations and counters. Where the new
// key holds the very item the step makes, the old item is only deleted;
// where it holds another item, neither is touched and the item counts as
// failed. Items the client's write rules refuse
// to move (a parent whose children a relation counts) and items changed
// too often are left as they are and counted as failed; the migration is
// then not marked done, and Run returns an error matching
// [ErrIncomplete] once every item was tried: run it again (after the fix)
// to retry them, skipping the items already migrated. A refusal the rules
// make before any request stops the run at once.
//
// A run stopped by ctx, a crash or an error resumes, when run again, from
// each segment's checkpoint; items of a page interrupted midway are
// recognised as migrated and skipped.
//
// Every error Run, [Runner.DryRun] and [Runner.Applied] return holds a
// *[dynamokit.Error] (errors.As): a failed request's, or one naming the
// table with no Op around the run's own error, such as a *[LeaseError] or
// an *[IncompleteError], which errors.As finds beneath it.
func (r *Runner) Run(ctx context.Context) ([]Progress, error) {
	var out []Progress
	for i := range r.migs {
		p, err := r.runOne(ctx, &r.migs[i])
		out = append(out, p)
		if err != nil {
			return out, r.tableErr(err)
		}
	}
	return out, nil
}

// tableErr makes err an error of the runner's table: one that holds no
// *dynamokit.Error (a lease, items left, a step's own error) is wrapped in
// one naming the table, with no Op and err's message, so that errors.As
// finds a *dynamokit.Error in every error of Run, DryRun and Applied.
func (r *Runner) tableErr(err error) error {
	var e *dynamokit.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return errtext.Outer{Err: err} // a request's error, quoted once
	}
	return &dynamokit.Error{Table: r.table, Err: err}
}

// Owner returns the name this runner holds leases under ([Options.Owner]).
func (r *Runner) Owner() string { return r.opts.Owner }
