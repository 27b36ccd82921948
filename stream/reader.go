package stream

import (
	"context"
	"errors"
	"fmt"
	"github.com/dynamokit/dynamokit/internal/errtext"
	"slices"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/dynamokit/dynamokit"
)

// Handler handles one event of a [Reader]. Returning nil marks the event
// handled, and the checkpoint moves past it; returning [Stop] does too
// and ends [Reader.Run]; any other error ends Run with that error and
// leaves the checkpoint before the event, so a reader resumed from it
// delivers the event again.
type Handler[T any] func(ctx context.Context, ev Event[T]) error

// Options configure a [Reader]. The zero value reads every shard from its
// oldest record, one shard at a time.
type Options struct {
	// API is the DynamoDB Streams client; nil means [NewAPI] of the
	// Reader's client.
	API API
	// Checkpoint resumes where an earlier reader of the same stream got
	// ([Reader.Checkpoint]); nil starts afresh: at the oldest record the
	// stream still holds (up to 24 hours old, DynamoDB's TRIM_HORIZON), or
	// after the newest with Latest.
	Checkpoint *Checkpoint
	// Latest makes a reader without a checkpoint begin after the newest
	// record (DynamoDB's LATEST): only changes made from now on. A shard
	// created later (a child of a shard that closed) is always read from
	// its beginning.
	Latest bool
	// Concurrency is how many shards are read at once, and so how many
	// handler calls may run at once (for records of different shards); 0
	// means 1, a handler never called concurrently.
	Concurrency int
	// Limit is the most records one GetRecords request returns; 0 means
	// the API's maximum, 1000.
	Limit int32
	// PollInterval is the longest a shard that returned no records waits
	// before it is read again; the waits start at a fraction of it and
	// double. 0 means one second.
	PollInterval time.Duration
	// DescribeInterval is how often the stream's shards are listed again
	// to find new ones (they are also listed when a shard ends); 0 means
	// one minute.
	DescribeInterval time.Duration
	// SkipTrimmed makes a reader whose checkpoint is older than the
	// stream's 24 hours of records go on from the oldest record left
	// instead of returning [ErrTrimmed]: the changes in between are lost.
	SkipTrimmed bool
}

// Reader follows a table's stream through the DynamoDB Streams API,
// delivering each record decoded by its [Decoder] to a [Handler]:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
// Records of one shard are delivered in order, one at a time, and a
// shard is read only after its parent was read to its end, so the
// changes of one item arrive in the order they were made. Make one with
// [NewReader]; Run it once at a time.
type Reader[T any] struct {
	db      *dynamokit.Client
	dec     *Decoder[T]
	api     API
	opts    Options
	table   string
	prog    progress
	running atomic.Bool
}

// NewReader returns a Reader of the stream of d's table, a table of db
// (for a collection, the collection's). It makes no request.
func NewReader[T any](db *dynamokit.Client, d *Decoder[T], opts *Options) (*Reader[T], error) {
	if db == nil {
		return nil, errors.New("stream: nil *dynamokit.Client")
	}
	if d == nil {
		return nil, errors.New("stream: nil *Decoder")
	}
	r := &Reader[T]{db: db, dec: d, table: d.table(db)}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.Concurrency < 0 || r.opts.Limit < 0 || r.opts.PollInterval < 0 || r.opts.DescribeInterval < 0 {
		return nil, errors.New("stream: negative Options value")
	}
	if r.opts.Concurrency == 0 {
		r.opts.Concurrency = 1
	}
	if r.opts.PollInterval == 0 {
		r.opts.PollInterval = time.Second
	}
	if r.opts.DescribeInterval == 0 {
		r.opts.DescribeInterval = time.Minute
	}
	if cp := r.opts.Checkpoint; cp != nil {
		r.prog.cp = cp.Clone()
	}
	r.api = r.opts.API
	if r.api == nil {
		api, err := NewAPI(db)
		if err != nil {
			return nil, err
		}
		r.api = api
	}
	return r, nil
}

// TableName returns the name of the table whose stream r reads.
func (r *Reader[T]) TableName() string { return r.table }

// Checkpoint returns how far r got: the position after the last handled
// record of each shard. It is safe to call at any time, also while Run
// runs (to save the checkpoint now and then), and is what to give
// Options.Checkpoint to resume.
func (r *Reader[T]) Checkpoint() Checkpoint { return r.prog.snapshot() }

// shard is what Run knows of one shard.
type shard struct {
	id, parent string
	iter       *string   // the next iterator; nil: get one from the checkpoint
	latest     bool      // no checkpoint: begin at LATEST
	busy       bool      // a goroutine reads it
	idle       int       // reads in a row without records
	notBefore  time.Time // when it may be read again
	lastRun    time.Time // when it was last read, for taking turns
}

// result is what one read of a shard reports to Run.
type result struct {
	id      string
	iter    *string // the next iterator
	records int
	done    bool // read to its end
	limited bool // throttled: try again later
	stop    bool // the handler returned Stop
	err     error
}

// Run reads the stream until ctx is done, a handler returns [Stop] or an
// error, or the stream is disabled and read to its end (then it returns
// nil). It first finds the table's stream with DescribeTable, through
// the client's executor, then lists the shards (DescribeStream), and
// reads each (GetShardIterator, then GetRecords, again and again),
// taking turns among up to Options.Concurrency shards at once; a shard
// without new records is read again after a wait that grows up to
// Options.PollInterval. A throttled request (LimitExceededException,
// after the SDK's own retries) makes its shard wait; an expired iterator
// is replaced by one at the checkpoint. When ctx is done Run returns its
// error (errors.Is(err, context.Canceled)) after the handlers running
// have returned; [Reader.Checkpoint] then says how far it got. Every error
// it returns holds a *[dynamokit.Error] naming the table (errors.As), and
// errors.Is matches its cause: [ErrNoStream], a handler's error, ctx's.
func (r *Reader[T]) Run(ctx context.Context, h Handler[T]) (err error) {
	defer func() {
		var e *dynamokit.Error
		if err != nil && !errors.As(err, &e) {
			// A refusal, a stream's own state, a request to the streams
			// API or a handler's error: named by the table, with the
			// cause's message.
			err = &dynamokit.Error{Table: r.table, Err: err}
		}
	}()
	if h == nil {
		return errors.New("stream: nil Handler")
	}
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("stream: Run called while the reader runs")
	}
	defer r.running.Store(false)

	arn, err := r.streamARN(ctx)
	if err != nil {
		return err
	}
	cp := r.prog.snapshot()
	if cp.StreamARN != "" && cp.StreamARN != arn {
		return fmt.Errorf("%w: table %s: checkpoint of %s, stream %s", ErrOtherStream, r.table, cp.StreamARN, arn)
	}
	r.prog.mu.Lock()
	r.prog.cp.StreamARN = arn
	r.prog.mu.Unlock()
	fresh := len(cp.Shards) == 0

	// fetch is the context of requests; it ends early when Run ends for
	// a reason of its own, while the handlers running finish with ctx.
	fetch, cancelFetch := context.WithCancel(ctx)
	defer cancelFetch()
	var (
		shards     = make(map[string]*shard)
		results    = make(chan result)
		busy       int
		ending     bool
		endErr     error
		describeAt time.Time
		disabled   bool
	)
	end := func(err error) {
		if !ending {
			ending, endErr = true, err
			cancelFetch()
		}
	}
	for {
		now := time.Now()
		if !ending && !now.Before(describeAt) {
			d, err := r.describe(fetch, arn, shards, fresh)
			var limit *streamtypes.LimitExceededException
			switch {
			case err == nil:
				fresh, disabled = false, d
				describeAt = now.Add(r.opts.DescribeInterval)
			case errors.As(err, &limit):
				// Throttled after the SDK's own retries: the shards
				// known are read meanwhile, and the list is asked for
				// again later.
				describeAt = now.Add(r.opts.PollInterval)
			default:
				end(err)
			}
		}
		var wake time.Time
		if !ending {
			wake = describeAt
			for _, s := range r.ready(shards, now) {
				if busy >= r.opts.Concurrency {
					break
				}
				if s.notBefore.After(now) {
					if s.notBefore.Before(wake) {
						wake = s.notBefore
					}
					continue
				}
				s.busy, s.lastRun = true, now
				busy++
				go func(id string, iter *string, latest bool) {
					results <- r.read(fetch, ctx, arn, id, iter, latest, h)
				}(s.id, s.iter, s.latest)
			}
		}
		if busy == 0 {
			if ending {
				if errors.Is(endErr, Stop) {
					return nil
				}
				return endErr
			}
			if disabled && r.allDone(shards) {
				return nil
			}
		}
		var timer *time.Timer
		var tick <-chan time.Time
		if !ending && busy < r.opts.Concurrency {
			timer = time.NewTimer(time.Until(wake))
			tick = timer.C
		}
		canceled := ctx.Done()
		if ending {
			canceled = nil // only the running reads are waited for
		}
		select {
		case res := <-results:
			busy--
			s := shards[res.id]
			s.busy = false
			switch {
			case res.err != nil:
				end(res.err)
			case res.stop:
				end(Stop)
			case res.done:
				delete(shards, res.id)
				describeAt = time.Now() // list the shards again, to find its children
			case res.limited:
				s.iter = res.iter
				s.idle++
				s.notBefore = time.Now().Add(r.wait(s.idle))
			case res.records == 0:
				s.iter = res.iter
				s.idle++
				s.notBefore = time.Now().Add(r.wait(s.idle))
			default:
				s.iter, s.idle, s.notBefore = res.iter, 0, time.Time{}
			}
		case <-tick:
		case <-canceled:
			end(fmt.Errorf("stream: table %s: %w", r.table, context.Cause(ctx)))
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// wait is how long a shard waits after idle reads in a row without
// records: from PollInterval/8 (at most 250ms), doubled each time, up to
// PollInterval.
func (r *Reader[T]) wait(idle int) time.Duration {
	d := min(r.opts.PollInterval/8, 250*time.Millisecond) << min(idle-1, 10)
	return min(max(d, time.Millisecond), r.opts.PollInterval)
}

// ready returns the shards that may be read, least recently read first:
// not read to their end, not being read, and whose parent is read to its
// end or gone.
func (r *Reader[T]) ready(shards map[string]*shard, now time.Time) []*shard {
	var out []*shard
	for _, s := range shards {
		if s.busy || r.prog.get(s.id).Done {
			continue
		}
		if p, listed := shards[s.parent]; s.parent != "" && listed && p != nil && !r.prog.get(p.id).Done {
			continue
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *shard) int {
		if c := a.lastRun.Compare(b.lastRun); c != 0 {
			return c
		}
		if a.id < b.id {
			return -1
		}
		return 1
	})
	return out
}

// allDone reports whether every shard is read to its end.
func (r *Reader[T]) allDone(shards map[string]*shard) bool {
	for id := range shards {
		if !r.prog.get(id).Done {
			return false
		}
	}
	return true
}

// streamARN returns the ARN of the table's enabled stream, from
// DescribeTable sent through the client's executor.
func (r *Reader[T]) streamARN(ctx context.Context) (string, error) {
	out, err := r.db.Executor().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(r.table)})
	if err != nil {
		return "", fmt.Errorf("stream: %w", errtext.Quoted{Err: err}) // it names the table
	}
	t := out.Table
	if t == nil || t.LatestStreamArn == nil || t.StreamSpecification == nil || !aws.ToBool(t.StreamSpecification.StreamEnabled) {
		return "", fmt.Errorf("%w: table %s", ErrNoStream, r.table)
	}
	return *t.LatestStreamArn, nil
}

// describe lists the stream's shards (DescribeStream, page by page) into
// shards, and reports whether the stream is disabled. A shard the
// checkpoint holds that is gone from the stream was trimmed: dropped from
// the checkpoint when read to its end, else [ErrTrimmed] unless
// SkipTrimmed. With fresh and Options.Latest, the closed shards are marked read
// and the open ones begin at LATEST.
func (r *Reader[T]) describe(ctx context.Context, arn string, shards map[string]*shard, fresh bool) (disabled bool, err error) {
	listed := make(map[string]bool)
	in := &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)}
	for {
		out, err := r.api.DescribeStream(ctx, in)
		if err != nil {
			return false, fmt.Errorf("stream: table %s: describe stream: %w", r.table, err)
		}
		d := out.StreamDescription
		if d == nil {
			return false, fmt.Errorf("stream: table %s: describe stream: no description", r.table)
		}
		disabled = d.StreamStatus == streamtypes.StreamStatusDisabled
		for _, sh := range d.Shards {
			id := aws.ToString(sh.ShardId)
			listed[id] = true
			if _, known := shards[id]; known || r.prog.get(id).Done {
				continue
			}
			s := &shard{id: id, parent: aws.ToString(sh.ParentShardId)}
			closed := sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil
			if fresh && r.opts.Latest {
				if closed {
					r.prog.set(id, Position{Done: true})
					continue
				}
				s.latest = true
			}
			shards[id] = s
		}
		if d.LastEvaluatedShardId == nil {
			break
		}
		in.ExclusiveStartShardId = d.LastEvaluatedShardId
	}
	for _, id := range r.prog.snapshot().ShardIDs() {
		if listed[id] {
			continue
		}
		pos := r.prog.get(id)
		switch {
		case pos.Done:
			r.prog.drop(id) // trimmed after it was read: nothing lost
		case r.opts.SkipTrimmed:
			r.prog.drop(id)
		default:
			return false, fmt.Errorf("%w: table %s: shard %s (after sequence number %q) is gone; Options.SkipTrimmed goes on without it", ErrTrimmed, r.table, id, pos.Sequence)
		}
	}
	for id, s := range shards {
		if !listed[id] && !s.busy {
			delete(shards, id)
		}
	}
	return disabled, nil
}

// read reads one page of shard id from iter (or from the checkpoint when
// iter is nil) and hands its records to h, one at a time, recording each
// handled one in the checkpoint. Requests use fetch; h gets ctx.
func (r *Reader[T]) read(fetch, ctx context.Context, arn, id string, iter *string, latest bool, h Handler[T]) result {
	res := result{id: id}
	var out *dynamodbstreams.GetRecordsOutput
	for retried := false; ; retried = true {
		if iter == nil {
			it, err := r.iterator(fetch, arn, id, latest)
			if err != nil {
				var limit *streamtypes.LimitExceededException
				if errors.As(err, &limit) {
					res.limited = true
					return res
				}
				res.err = err
				return res
			}
			iter = it
		}
		in := &dynamodbstreams.GetRecordsInput{ShardIterator: iter}
		if r.opts.Limit > 0 {
			in.Limit = aws.Int32(r.opts.Limit)
		}
		var err error
		out, err = r.api.GetRecords(fetch, in)
		if err == nil {
			break
		}
		var (
			expired *streamtypes.ExpiredIteratorException
			trimmed *streamtypes.TrimmedDataAccessException
			limit   *streamtypes.LimitExceededException
		)
		switch {
		case errors.As(err, &limit):
			res.iter, res.limited = iter, true
			return res
		case !retried && (errors.As(err, &expired) || errors.As(err, &trimmed)):
			// An iterator lasts 15 minutes; one whose records were
			// trimmed meanwhile is replaced too, and iterator tells a
			// loss from a race with the trimming.
			iter = nil
			continue
		}
		res.err = fmt.Errorf("stream: table %s: shard %s: get records: %w", r.table, id, err)
		return res
	}
	for _, sr := range out.Records {
		if fetch.Err() != nil {
			// Run is ending: the rest of the page is not handled, and the
			// iterator past it is not kept.
			return res
		}
		rec, err := FromStreams(sr)
		if err != nil {
			res.err = fmt.Errorf("stream: table %s: shard %s: %w", r.table, id, err)
			return res
		}
		rec.StreamARN, rec.Shard = arn, id
		ev, ok, err := r.dec.Decode(rec)
		if err != nil {
			res.err = fmt.Errorf("stream: table %s: shard %s: %w", r.table, id, err)
			return res
		}
		var herr error
		if ok {
			herr = h(ctx, ev)
		}
		if herr != nil && !errors.Is(herr, Stop) {
			res.err = fmt.Errorf("stream: table %s: shard %s: record %s: %w", r.table, id, rec.SequenceNumber, herr)
			return res
		}
		r.prog.set(id, Position{Sequence: rec.SequenceNumber})
		res.records++
		if herr != nil {
			res.stop = true
			return res
		}
	}
	if out.NextShardIterator == nil {
		pos := r.prog.get(id)
		pos.Done = true
		r.prog.set(id, pos)
		res.done = true
		return res
	}
	res.iter = out.NextShardIterator
	return res
}

// iterator gets an iterator of shard id at its checkpoint: after the last
// handled record, else at LATEST or TRIM_HORIZON. A checkpoint behind the
// stream's trim horizon is [ErrTrimmed], or the trim horizon with
// SkipTrimmed.
func (r *Reader[T]) iterator(ctx context.Context, arn, id string, latest bool) (*string, error) {
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(id), ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon}
	pos := r.prog.get(id)
	switch {
	case pos.Sequence != "":
		in.ShardIteratorType, in.SequenceNumber = streamtypes.ShardIteratorTypeAfterSequenceNumber, aws.String(pos.Sequence)
	case latest:
		in.ShardIteratorType = streamtypes.ShardIteratorTypeLatest
	}
	out, err := r.api.GetShardIterator(ctx, in)
	var trimmed *streamtypes.TrimmedDataAccessException
	if errors.As(err, &trimmed) && in.SequenceNumber != nil {
		if !r.opts.SkipTrimmed {
			return nil, fmt.Errorf("%w: table %s: shard %s: after sequence number %s; Options.SkipTrimmed goes on from the oldest record left", ErrTrimmed, r.table, id, pos.Sequence)
		}
		in.ShardIteratorType, in.SequenceNumber = streamtypes.ShardIteratorTypeTrimHorizon, nil
		out, err = r.api.GetShardIterator(ctx, in)
	}
	if err != nil {
		return nil, fmt.Errorf("stream: table %s: shard %s: get shard iterator: %w", r.table, id, err)
	}
	if out.ShardIterator == nil {
		return nil, fmt.Errorf("stream: table %s: shard %s: get shard iterator: no iterator", r.table, id)
	}
	return out.ShardIterator, nil
}
