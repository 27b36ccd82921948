package query

import (
	"context"
	"fmt"
	"iter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/internal/workers"
)

// Scan is a typed Scan request over the whole table or an index, made with
// [Table.Scan]. For a single-table model only the model's entity type is
// returned. Like [Update], it keeps the first error for the call that does
// I/O.
type Scan[T any] struct {
	r          *Table[T]
	index      string
	filters    []expression.ConditionBuilder
	limit      int
	pageSize   int
	segments   int
	workers    int  // segments read at once; 0: dynamokit.DefaultConcurrency
	consistent bool // from the table view (Table.Consistent)
	project    []string
	cursorKey  []byte
	err        error // the first error of the chain, returned by the call that does I/O
}

// Scan starts a scan of the table.
//
// It calls Scan:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
func (r *Table[T]) Scan() *Scan[T] { return &Scan[T]{r: r, consistent: r.consistent} }

// Index scans a secondary index instead of the table.
func (s *Scan[T]) Index(name string) *Scan[T] { s.index = name; return s }

// Filter adds a condition on the items returned; several are joined with
// AND. As with [Query.Filter], it is checked against the model and its
// values encoded by their attributes. Filtered items still consume read
// capacity.
func (s *Scan[T]) Filter(cond Cond) *Scan[T] {
	c, err := cond.bind(s.r.m)
	if err != nil {
		s.setErr(fmt.Errorf("query: filter: %w", err))
		return s
	}
	s.filters = append(s.filters, c)
	return s
}

// Limit makes [Scan.All] and [Scan.Collect] stop after n items and
// [Scan.Count] count at most n; it is also the page size when
// [Scan.PageSize] is not set. A limit of 0 or less is no limit.
func (s *Scan[T]) Limit(n int) *Scan[T] { s.limit = n; return s }

// PageSize sets how many items each request reads (before filtering); see
// [Query.PageSize].
func (s *Scan[T]) PageSize(n int) *Scan[T] { s.pageSize = n; return s }

// Segments splits [Scan.All] and [Scan.Count] into n segments read in
// parallel (a parallel scan), at most [Scan.Concurrency] at a time. Items
// then arrive in no particular order. [Scan.Page] reads the table in one
// segment.
func (s *Scan[T]) Segments(n int) *Scan[T] { s.segments = n; return s }

// Concurrency sets how many segments [Scan.All] and [Scan.Count] read at
// once: n goroutines, each with one request in flight, whatever the number
// of [Scan.Segments]; the others wait their turn. 0 means
// [dynamokit.DefaultConcurrency]; a negative n is an error, returned by the call
// that runs the scan.
func (s *Scan[T]) Concurrency(n int) *Scan[T] {
	if n < 0 {
		s.setErr(fmt.Errorf("query: Concurrency(%d): want 0 (the default) or more", n))
	}
	s.workers = n
	return s
}

// Project reads only the named attributes of the model; other fields stay
// zero.
func (s *Scan[T]) Project(attrs ...string) *Scan[T] { s.project = attrs; return s }

// SignCursors signs and checks page cursors with key, of at least
// [MinCursorKeyLen] bytes; see [Query.SignCursors].
func (s *Scan[T]) SignCursors(key []byte) *Scan[T] {
	k, err := cursorKey(key)
	s.setErr(err)
	s.cursorKey = k
	return s
}

// setErr keeps err when it is the chain's first error.
func (s *Scan[T]) setErr(err error) {
	if s.err == nil {
		s.err = err
	}
}

// input builds the Scan request without I/O.
func (s *Scan[T]) input() (*dynamodb.ScanInput, error) {
	if s.err != nil {
		return nil, s.err
	}
	m := s.r.m
	rs := rawread.Scan{Read: rawread.Read{Table: s.r.table, Index: s.index, Consistent: s.consistent}, Limit: requestLimit(s.pageSize, s.limit)}
	if s.index != "" {
		idx := m.Index(s.index)
		if idx == nil {
			return nil, fmt.Errorf("query: %s has no index %q", m.Type, s.index)
		}
		if s.consistent && !idx.Local {
			return nil, fmt.Errorf("query: %s is a global secondary index, which has no consistent reads", s.index)
		}
	}
	if s.segments > maxSegments {
		return nil, fmt.Errorf("query: %d segments, at most %d", s.segments, maxSegments)
	}
	if filters := append(s.filters[:len(s.filters):len(s.filters)], s.r.isEntity()...); len(filters) > 0 {
		rs.Filter = and(filters)
	}
	if len(s.project) > 0 {
		attrs, err := projection(s.project, m)
		if err != nil {
			return nil, err
		}
		rs.Attrs = attrs
	}
	return rawread.ScanInput(rs)
}

// maxSegments is DynamoDB's limit on TotalSegments.
const maxSegments = 1000000

// segmentInputs returns one request per segment: in itself without
// segments.
func (s *Scan[T]) segmentInputs(in *dynamodb.ScanInput) []*dynamodb.ScanInput {
	if s.segments <= 1 {
		return []*dynamodb.ScanInput{in}
	}
	ins := make([]*dynamodb.ScanInput, s.segments)
	for seg := range s.segments {
		segIn := *in
		segIn.Segment = aws.Int32(int32(seg))
		segIn.TotalSegments = aws.Int32(int32(s.segments))
		ins[seg] = &segIn
	}
	return ins
}

// All streams every item of the table. With [Scan.Segments], the segments
// are read in parallel, [Scan.Concurrency] at a time, and their items
// interleave. An error (such as ctx's, when it is cancelled) ends the
// stream; in a parallel scan it also cancels the other segments.
func (s *Scan[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return traced(s.r.c, ctx, "Scan.All", s.r.table, s.all)
}

func (s *Scan[T]) all(ctx context.Context) iter.Seq2[T, error] {
	in, err := s.input()
	if err != nil {
		return failed[T](wrap("Scan", s.r.table, err, nil))
	}
	if s.segments <= 1 {
		return s.r.stream(ctx, "Scan", rawread.ScanPage(s.r.c.Executor(), in), s.limit)
	}
	return s.parallel(ctx, s.segmentInputs(in))
}

type scanResult[T any] struct {
	v   T
	err error
}

// concurrency is how many segments are read at once.
func (s *Scan[T]) concurrency() int {
	if s.workers > 0 {
		return s.workers
	}
	return dynamokit.DefaultConcurrency
}

// parallel streams the segments, s.concurrency() at a time, each read
// by its own goroutine. The first error ends the stream and cancels the
// other segments. When the consumer stops, it waits for the goroutines to
// end, so no request is made after it returns.
func (s *Scan[T]) parallel(parent context.Context, ins []*dynamodb.ScanInput) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		ctx, cancel := context.WithCancel(parent)
		ch := make(chan scanResult[T])
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer close(ch)
			_ = workers.ForEach(ctx, len(ins), s.concurrency(), func(ctx context.Context, i int) error {
				for v, err := range s.r.stream(ctx, "Scan", rawread.ScanPage(s.r.c.Executor(), ins[i]), 0) {
					select {
					case ch <- scanResult[T]{v, err}:
					case <-ctx.Done():
						return ctx.Err()
					}
					if err != nil {
						return err // the consumer has it; stop the others
					}
				}
				return nil
			})
		}()
		defer func() { cancel(); <-done }()
		var zero T
		n := 0
		for res := range ch {
			// An item sent after the consumer cancelled parent is not
			// yielded: the stream ends with the cancellation.
			if err := parent.Err(); err != nil && res.err == nil {
				break
			}
			if !yield(res.v, res.err) || res.err != nil {
				return
			}
			n++
			if s.limit > 0 && n >= s.limit {
				return
			}
		}
		// A segment that saw the cancellation stopped without sending it.
		if err := parent.Err(); err != nil {
			yield(zero, &dynamokit.Error{Op: "Scan", Table: s.r.table, Err: err})
		}
	}
}

// Collect returns every item of the scan (at most [Scan.Limit]).
func (s *Scan[T]) Collect(ctx context.Context) ([]T, error) { return collect(s.All(ctx)) }

// Page reads one page of at most [Scan.PageSize] (else [Scan.Limit]) items
// starting at cursor ("" for the first page); see [Query.Page].
func (s *Scan[T]) Page(ctx context.Context, cursor string) (_ Page[T], err error) {
	ctx, op := clientlink.Start(ctx, s.r.c, "Scan.Page", s.r.table)
	defer op.End(&err)
	in, err := s.input()
	if err != nil {
		return Page[T]{}, wrap("Scan", s.r.table, err, nil)
	}
	return s.r.page(ctx, "Scan", rawread.ScanPage(s.r.c.Executor(), in), cursor, s.cursor(in))
}

// cursor is what binds a page cursor of s to s, as Query.cursor does.
func (s *Scan[T]) cursor(in *dynamodb.ScanInput) cursorSpec {
	return cursorSpec{
		scope: scanScope(in),
		key:   s.cursorKey,
		names: s.r.positionNames(s.index),
		sorts: s.r.sortKeys(s.index),
	}
}

// Count returns how many items the scan matches (at most [Scan.Limit]),
// without reading them. With [Scan.Segments], the segments are counted in
// parallel, [Scan.Concurrency] at a time; the first error cancels the
// others and is returned.
func (s *Scan[T]) Count(ctx context.Context) (_ int, err error) {
	ctx, op := clientlink.Start(ctx, s.r.c, "Scan.Count", s.r.table)
	defer op.End(&err)
	c := *s
	c.project = nil // DynamoDB rejects a projection with Select COUNT
	in, err := c.input()
	if err != nil {
		return 0, wrap("Scan", s.r.table, err, nil)
	}
	in.Select = types.SelectCount
	ins := s.segmentInputs(in)
	counts := make([]int, len(ins))
	err = workers.ForEach(ctx, len(ins), s.concurrency(), func(ctx context.Context, i int) error {
		in := ins[i]
		var err error
		counts[i], err = countPages(ctx, s.limit, in.Limit, func(ctx context.Context, start map[string]types.AttributeValue, limit *int32) (int, map[string]types.AttributeValue, error) {
			in.ExclusiveStartKey, in.Limit = start, limit
			out, err := s.r.c.Executor().Scan(ctx, in)
			if err != nil {
				return 0, nil, err
			}
			return int(out.Count), out.LastEvaluatedKey, nil
		})
		return err
	})
	if err != nil {
		return 0, wrap("Scan", s.r.table, err, nil)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	if s.limit > 0 {
		n = min(n, s.limit)
	}
	return n, nil
}
