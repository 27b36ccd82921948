package query

import (
	"context"
	"fmt"
	"iter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
)

// Op is a comparison of a sort key in [Query.Range].
type Op int

// The sort-key comparisons DynamoDB supports.
const (
	Equal Op = iota + 1
	Less
	LessOrEqual
	Greater
	GreaterOrEqual
	Between    // two values, inclusive
	BeginsWith // a string or binary prefix
)

// Query is a typed Query request over one partition of the table or of a
// secondary index, made with [Repo.Query]. Like [Update], it keeps the
// first error for the call that does I/O.
type Query[T any] struct {
	r          *Repo[T]
	partition  T
	index      string
	op         Op
	vals       []any
	filters    []expression.ConditionBuilder
	desc       bool
	limit      int
	consistent bool
	project    []string
	cursorKey  []byte
}

// Query starts a query of the partition whose hash key is taken from
// partition: the table's hash key, or the index's once [Query.Index] is
// set. For a single-table model, only items of the model's entity type are
// returned.
//
// It calls Query:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
func (r *Repo[T]) Query(partition T) *Query[T] {
	return &Query[T]{r: r, partition: partition}
}

// Index queries the named secondary index instead of the table.
func (q *Query[T]) Index(name string) *Query[T] { q.index = name; return q }

// Range adds a condition on the sort key: one value, two for [Between].
func (q *Query[T]) Range(op Op, values ...any) *Query[T] { q.op, q.vals = op, values; return q }

// Filter adds a condition applied after items are read; several are joined
// with AND. Filtered items still consume read capacity.
func (q *Query[T]) Filter(cond expression.ConditionBuilder) *Query[T] {
	q.filters = append(q.filters, cond)
	return q
}

// Descending returns items in descending sort-key order (newest first for a
// date sort key).
func (q *Query[T]) Descending() *Query[T] { q.desc = true; return q }

// Limit stops after n items; for [Query.Page] it is the page size.
func (q *Query[T]) Limit(n int) *Query[T] { q.limit = n; return q }

// Consistent asks for strongly consistent reads (not on global indexes).
func (q *Query[T]) Consistent() *Query[T] { q.consistent = true; return q }

// Project reads only the named attributes; other fields stay zero.
func (q *Query[T]) Project(attrs ...string) *Query[T] { q.project = attrs; return q }

// SignCursors makes [Query.Page] sign its cursors with HMAC-SHA256 under
// key and reject cursors that were not signed with it. Use it whenever a
// cursor goes to an untrusted client.
func (q *Query[T]) SignCursors(key []byte) *Query[T] { q.cursorKey = key; return q }

// keySchema returns the key the query runs against.
func (q *Query[T]) keySchema() (model.KeySchema, error) {
	if q.index == "" {
		return q.r.m.Key, nil
	}
	idx := q.r.m.Index(q.index)
	if idx == nil {
		return model.KeySchema{}, fmt.Errorf("query: %s has no index %q", q.r.m.Type, q.index)
	}
	return idx.Key, nil
}

// input builds the Query request without I/O.
func (q *Query[T]) input() (*dynamodb.QueryInput, error) {
	m := q.r.m
	ks, err := q.keySchema()
	if err != nil {
		return nil, err
	}
	hv, err := m.Value(ks.Hash.Name, &q.partition)
	if err != nil {
		return nil, err
	}
	if hv == nil {
		return nil, fmt.Errorf("query: partition attribute %s: %w", ks.Hash.Name, ErrEmptyKey)
	}
	kc := expression.Key(ks.Hash.Name).Equal(expression.Value(hv))
	if q.op != 0 {
		if ks.Range == nil {
			return nil, fmt.Errorf("query: Range on %s, which has no sort key", q.scope())
		}
		rc, err := q.rangeCond(ks.Range.Name)
		if err != nil {
			return nil, err
		}
		kc = kc.And(rc)
	} else if ks.Range != nil && ks.Range.Computed() && ks.Range.Template.Prefix() != "" {
		// Single-table: keep to this entity's items in the collection.
		kc = kc.And(expression.Key(ks.Range.Name).BeginsWith(ks.Range.Template.Prefix()))
	}
	b := expression.NewBuilder().WithKeyCondition(kc)
	filters := q.filters
	if m.EntityType != nil {
		filters = append(filters[:len(filters):len(filters)], name(m.EntityType.Name).Equal(expression.Value(m.Entity)))
	}
	if len(filters) > 0 {
		b = b.WithFilter(and(filters))
	}
	if len(q.project) > 0 {
		b = b.WithProjection(projection(q.project, m))
	}
	expr, err := b.Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(q.r.table),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ProjectionExpression:      expr.Projection(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}
	if q.index != "" {
		in.IndexName = aws.String(q.index)
	}
	if q.desc {
		in.ScanIndexForward = aws.Bool(false)
	}
	if q.limit > 0 {
		in.Limit = aws.Int32(int32(q.limit))
	}
	if q.consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	return in, nil
}

func projection(attrs []string, m *model.Model) expression.ProjectionBuilder {
	var p expression.ProjectionBuilder
	for _, a := range attrs {
		p = p.AddNames(name(a))
	}
	if m.EntityType != nil {
		p = p.AddNames(name(m.EntityType.Name))
	}
	return p
}

func (q *Query[T]) rangeCond(attr string) (expression.KeyConditionBuilder, error) {
	var zero expression.KeyConditionBuilder
	want := 1
	if q.op == Between {
		want = 2
	}
	if len(q.vals) != want {
		return zero, fmt.Errorf("query: range condition needs %d value(s), got %d", want, len(q.vals))
	}
	vals := make([]expression.ValueBuilder, len(q.vals))
	for i, v := range q.vals {
		av, err := marshal(v)
		if err != nil {
			return zero, err
		}
		vals[i] = expression.Value(av)
	}
	k := expression.Key(attr)
	switch q.op {
	case Equal:
		return k.Equal(vals[0]), nil
	case Less:
		return k.LessThan(vals[0]), nil
	case LessOrEqual:
		return k.LessThanEqual(vals[0]), nil
	case Greater:
		return k.GreaterThan(vals[0]), nil
	case GreaterOrEqual:
		return k.GreaterThanEqual(vals[0]), nil
	case Between:
		return k.Between(vals[0], vals[1]), nil
	case BeginsWith:
		s, ok := q.vals[0].(string)
		if !ok {
			return zero, fmt.Errorf("query: BeginsWith needs a string")
		}
		return k.BeginsWith(s), nil
	}
	return zero, fmt.Errorf("query: unknown range operator %d", q.op)
}

func (q *Query[T]) scope() string {
	return q.r.table + "/" + q.index
}

func (q *Query[T]) fetch(in *dynamodb.QueryInput) fetchFunc {
	return func(ctx context.Context, start map[string]types.AttributeValue) ([]map[string]types.AttributeValue, map[string]types.AttributeValue, error) {
		in.ExclusiveStartKey = start
		out, err := q.r.db.Client().Query(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		return out.Items, out.LastEvaluatedKey, nil
	}
}

// All streams the matching items, reading pages as needed. Stop early by
// breaking out of the loop; an error ends the stream.
func (q *Query[T]) All(ctx context.Context) iter.Seq2[T, error] {
	in, err := q.input()
	if err != nil {
		return failed[T](wrap("query", q.r.table, err, nil))
	}
	return q.r.stream(ctx, "query", q.fetch(in), q.limit)
}

// Collect returns every matching item.
func (q *Query[T]) Collect(ctx context.Context) ([]T, error) { return collect(q.All(ctx)) }

// Page reads one page of at most [Query.Limit] items, starting at cursor ("" for
// the first page). A cursor from another query returns [ErrBadCursor].
func (q *Query[T]) Page(ctx context.Context, cursor string) (Page[T], error) {
	in, err := q.input()
	if err != nil {
		return Page[T]{}, wrap("query", q.r.table, err, nil)
	}
	hv := in.ExpressionAttributeValues
	scope := q.scope() + "/" + fmt.Sprint(keyString(hv))
	return q.r.page(ctx, "query", q.fetch(in), cursor, scope, q.cursorKey)
}

// Count returns how many items match, without decoding them.
func (q *Query[T]) Count(ctx context.Context) (int, error) {
	in, err := q.input()
	if err != nil {
		return 0, wrap("count", q.r.table, err, nil)
	}
	in.Select = types.SelectCount
	in.ProjectionExpression = nil
	if in.ExpressionAttributeNames != nil && in.FilterExpression == nil {
		// Names used only by the projection would be rejected as unused.
		in.ExpressionAttributeNames = usedNames(in)
	}
	n := 0
	for {
		out, err := q.r.db.Client().Query(ctx, in)
		if err != nil {
			return 0, wrap("count", q.r.table, err, nil)
		}
		n += int(out.Count)
		if len(out.LastEvaluatedKey) == 0 {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func usedNames(in *dynamodb.QueryInput) map[string]string {
	out := map[string]string{}
	expr := aws.ToString(in.KeyConditionExpression) + aws.ToString(in.FilterExpression)
	for k, v := range in.ExpressionAttributeNames {
		if containsToken(expr, k) {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func failed[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}
