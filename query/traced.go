package query

import (
	"context"
	"iter"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
)

// traced returns the stream all(ctx) as an operation called name on
// table for c's tracer: it starts when the iteration starts, with all
// made from its context, and ends with the iteration, with the error the
// stream ended with. With no tracer it is all(ctx) itself.
func traced[V any](c *dynamokit.Client, ctx context.Context, name, table string, all func(context.Context) iter.Seq2[V, error]) iter.Seq2[V, error] {
	if !clientlink.Traced(c) {
		return all(ctx)
	}
	return func(yield func(V, error) bool) {
		ctx, op := clientlink.Start(ctx, c, name, table)
		var err error
		defer op.End(&err)
		for v, e := range all(ctx) {
			if e != nil {
				err = e
			}
			if !yield(v, e) {
				return
			}
		}
	}
}
