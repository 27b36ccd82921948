package query

import (
	"context"
	"iter"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Scan is a typed Scan request over the whole table or an index, made with
// [Repo.Scan]. For a single-table model only the model's entity type is
// returned.
type Scan[T any] struct {
	r          *Repo[T]
	index      string
	filters    []expression.ConditionBuilder
	limit      int
	segments   int
	consistent bool
	cursorKey  []byte
}

// Scan starts a scan of the table.
//
// It calls Scan:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
func (r *Repo[T]) Scan() *Scan[T] { return &Scan[T]{r: r} }

// Index scans a secondary index instead of the table.
func (s *Scan[T]) Index(name string) *Scan[T] { s.index = name; return s }

// Filter adds a condition on the items returned; several are joined with AND.
func (s *Scan[T]) Filter(cond expression.ConditionBuilder) *Scan[T] {
	s.filters = append(s.filters, cond)
	return s
}

// Limit stops after n items; for [Scan.Page] it is the page size.
func (s *Scan[T]) Limit(n int) *Scan[T] { s.limit = n; return s }

// Segments splits [Scan.All] into n parallel segments (a parallel scan).
// Items then arrive in no particular order.
func (s *Scan[T]) Segments(n int) *Scan[T] { s.segments = n; return s }

// Consistent asks for strongly consistent reads.
func (s *Scan[T]) Consistent() *Scan[T] { s.consistent = true; return s }

// SignCursors signs and checks page cursors; see [Query.SignCursors].
func (s *Scan[T]) SignCursors(key []byte) *Scan[T] { s.cursorKey = key; return s }

func (s *Scan[T]) input() (*dynamodb.ScanInput, error) {
	in := &dynamodb.ScanInput{TableName: aws.String(s.r.table)}
	filters := s.filters
	if m := s.r.m; m.EntityType != nil {
		filters = append(filters[:len(filters):len(filters)], name(m.EntityType.Name).Equal(expression.Value(m.Entity)))
	}
	if len(filters) > 0 {
		expr, err := expression.NewBuilder().WithFilter(and(filters)).Build()
		if err != nil {
			return nil, err
		}
		in.FilterExpression = expr.Filter()
		in.ExpressionAttributeNames = expr.Names()
		in.ExpressionAttributeValues = expr.Values()
	}
	if s.index != "" {
		in.IndexName = aws.String(s.index)
	}
	if s.limit > 0 {
		in.Limit = aws.Int32(int32(s.limit))
	}
	if s.consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	return in, nil
}

func (s *Scan[T]) fetch(in dynamodb.ScanInput) fetchFunc {
	return func(ctx context.Context, start map[string]types.AttributeValue) ([]map[string]types.AttributeValue, map[string]types.AttributeValue, error) {
		in.ExclusiveStartKey = start
		out, err := s.r.db.Client().Scan(ctx, &in)
		if err != nil {
			return nil, nil, err
		}
		return out.Items, out.LastEvaluatedKey, nil
	}
}

// All streams every item of the table. With [Scan.Segments], the segments
// are read in parallel and their items interleave.
func (s *Scan[T]) All(ctx context.Context) iter.Seq2[T, error] {
	in, err := s.input()
	if err != nil {
		return failed[T](wrap("scan", s.r.table, err, nil))
	}
	if s.segments <= 1 {
		return s.r.stream(ctx, "scan", s.fetch(*in), s.limit)
	}
	return s.parallel(ctx, in)
}

type scanResult[T any] struct {
	v   T
	err error
}

func (s *Scan[T]) parallel(ctx context.Context, in *dynamodb.ScanInput) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		ch := make(chan scanResult[T])
		var wg sync.WaitGroup
		for seg := range s.segments {
			segIn := *in
			segIn.Segment = aws.Int32(int32(seg))
			segIn.TotalSegments = aws.Int32(int32(s.segments))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for v, err := range s.r.stream(ctx, "scan", s.fetch(segIn), 0) {
					select {
					case ch <- scanResult[T]{v, err}:
					case <-ctx.Done():
						return
					}
					if err != nil {
						return
					}
				}
			}()
		}
		go func() { wg.Wait(); close(ch) }()
		n := 0
		for res := range ch {
			if !yield(res.v, res.err) || res.err != nil {
				return
			}
			n++
			if s.limit > 0 && n >= s.limit {
				return
			}
		}
	}
}

// Collect returns every item of the scan.
func (s *Scan[T]) Collect(ctx context.Context) ([]T, error) { return collect(s.All(ctx)) }

// Page reads one page of at most [Scan.Limit] items starting at cursor.
func (s *Scan[T]) Page(ctx context.Context, cursor string) (Page[T], error) {
	in, err := s.input()
	if err != nil {
		return Page[T]{}, wrap("scan", s.r.table, err, nil)
	}
	return s.r.page(ctx, "scan", s.fetch(*in), cursor, s.r.table+"/"+s.index+"/scan", s.cursorKey)
}
