package query

import (
	"context"
	"iter"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/rawread"
)

// Page is one page of results and the cursor of the next one.
type Page[T any] struct {
	Items []T
	// Next is the cursor of the following page, or "" after the last page.
	Next string
}

// stream yields every item of every page, decoded and filtered by entity
// type, up to limit items (0: no limit). It stops at the first error,
// yielding it, and checks ctx before each request and each item, so a
// cancellation ends the stream at once, with no further request.
func (r *Table[T]) stream(ctx context.Context, op string, fetch rawread.Fetch, limit int) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero, v T // items are decoded into v, then yielded by value
		var start map[string]types.AttributeValue
		n := 0
		for {
			if err := ctx.Err(); err != nil {
				yield(zero, &dynamokit.Error{Op: op, Table: r.table, Err: err})
				return
			}
			items, lek, err := fetch(ctx, start)
			if err != nil {
				yield(zero, wrap(op, r.table, err, nil))
				return
			}
			for _, item := range items {
				if err := ctx.Err(); err != nil {
					yield(zero, &dynamokit.Error{Op: op, Table: r.table, Err: err})
					return
				}
				if !r.m.IsEntity(item) {
					continue
				}
				if err := r.decodeTo(item, &v); err != nil {
					yield(zero, wrap(op, r.table, err, nil))
					return
				}
				if !yield(v, nil) {
					return
				}
				n++
				if limit > 0 && n >= limit {
					return
				}
			}
			if len(lek) == 0 {
				return
			}
			start = lek
		}
	}
}

// collect gathers a stream into a slice.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
