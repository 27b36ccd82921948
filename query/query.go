package query

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/model"
)

// Op is a comparison of a sort key in [Query.Range].
type Op int

// The sort-key comparisons DynamoDB supports.
const (
	Equal Op = iota + 1
	LessThan
	LessThanEqual
	GreaterThan
	GreaterThanEqual
	Between    // two values, inclusive
	BeginsWith // a string or binary prefix
)

// Query is a typed Query request over one partition of the table or of a
// secondary index, made with [Table.Query]. Like [Update], it keeps the
// first error for the call that does I/O.
type Query[T any] struct {
	r          *Table[T]
	partition  T
	index      string
	op         Op
	vals       []any
	sorts      []sortCond // the conditions of SortKey, in order
	filters    []expression.ConditionBuilder
	desc       bool
	limit      int
	pageSize   int
	consistent bool // from the table view (Table.Consistent)
	project    []string
	cursorKey  []byte
	relation   string // the relation whose query this is, named in its errors (see relate)
	err        error  // the first error of the chain, returned by the call that does I/O
}

// Query starts a query of the partition whose hash key is taken from
// partition: the table's hash key, or the index's once [Query.Index] is
// set. For a single-table model, only items of the model's entity type are
// returned.
//
// It calls Query:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
func (r *Table[T]) Query(partition T) *Query[T] {
	return &Query[T]{r: r, partition: partition, consistent: r.consistent}
}

// Index queries the named secondary index instead of the table.
func (q *Query[T]) Index(name string) *Query[T] { q.index = name; return q }

// Range adds a condition on the sort key: one value, two for [Between].
//
// On a sort key computed from a template, give the values by example: a T
// whose leading fields are set, rendered through the template up to the
// last field it sets. For "ORDER#{ordered_at}#{order_id}",
// Range(Between, Order{OrderedAt: from}, Order{OrderedAt: to}) holds the
// orders from from to to, both included, whatever their order_id; for
// "STATE#{state}#CITY#{city}#{id}", Range(BeginsWith, Place{State: "CA"})
// holds every city of the state (Equal does the same). A [RawKey] gives
// the stored string instead. Any other value is an error naming the field
// the example should set.
//
// On a plain sort key, give the value itself (or an example of T).
func (q *Query[T]) Range(op Op, values ...any) *Query[T] { q.op, q.vals = op, values; return q }

// Filter adds a condition applied after items are read; several are joined
// with AND. The condition is checked against the model and its values
// encoded by their attributes (see [Cond]); a mistake, such as a name the
// model lacks, is returned by the call that runs the query, before any
// request. Filtered items still consume read capacity.
func (q *Query[T]) Filter(cond Cond) *Query[T] {
	c, err := cond.bind(q.r.m)
	if err != nil {
		q.setErr(fmt.Errorf("query: filter: %w", err))
		return q
	}
	q.filters = append(q.filters, c)
	return q
}

// Descending returns items in descending sort-key order (newest first for a
// date sort key).
func (q *Query[T]) Descending() *Query[T] { q.desc = true; return q }

// Limit makes [Query.All] and [Query.Collect] stop after n items and
// [Query.Count] count at most n; it is also the page size when
// [Query.PageSize] is not set. A limit of 0 or less is no limit.
func (q *Query[T]) Limit(n int) *Query[T] { q.limit = n; return q }

// PageSize sets how many items each request reads (DynamoDB's Limit, which
// counts items before [Query.Filter] drops any): the size of a
// [Query.Page], and of each request [Query.All] makes. Without it (or with
// n of 0 or less) a request reads [Query.Limit] items, or up to 1 MB.
func (q *Query[T]) PageSize(n int) *Query[T] { q.pageSize = n; return q }

// Project reads only the named attributes of the model; other fields stay
// zero.
func (q *Query[T]) Project(attrs ...string) *Query[T] { q.project = attrs; return q }

// SignCursors makes [Query.Page] sign its cursors with HMAC-SHA256 under
// key and reject cursors that were not signed with it. Use it whenever a
// cursor goes to an untrusted client, with a random secret key of at least
// [MinCursorKeyLen] bytes: a shorter key, an empty or nil one above all,
// is an error, returned by the call that runs the query.
func (q *Query[T]) SignCursors(key []byte) *Query[T] {
	k, err := cursorKey(key)
	q.setErr(err)
	q.cursorKey = k
	return q
}

// setErr keeps err when it is the chain's first error.
func (q *Query[T]) setErr(err error) {
	if q.err == nil {
		q.err = err
	}
}

// keySchema returns the key the query runs against.
func (q *Query[T]) keySchema() (mapping.KeySchema, error) {
	if q.index == "" {
		return q.r.m.Key, nil
	}
	idx := q.r.m.Index(q.index)
	if idx == nil {
		return mapping.KeySchema{}, fmt.Errorf("query: %s has no index %q", q.r.m.Type, q.index)
	}
	if q.consistent && !idx.Local {
		return mapping.KeySchema{}, fmt.Errorf("query: %s is a global secondary index, which has no consistent reads", q.index)
	}
	return idx.Key, nil
}

// input builds the Query request without I/O.
func (q *Query[T]) input() (*dynamodb.QueryInput, error) {
	in, _, err := q.build()
	return in, err
}

// build builds the Query request without I/O, and the bounds its key
// condition sets on the position a page starts after.
func (q *Query[T]) build() (*dynamodb.QueryInput, *keyBounds, error) {
	if q.err != nil {
		return nil, nil, q.err
	}
	m := q.r.m
	ks, err := q.keySchema()
	if err != nil {
		return nil, nil, err
	}
	if ks.Multi() || len(q.sorts) > 0 {
		kc, bounds, err := q.multiKeyCond(ks)
		if err != nil {
			return nil, nil, err
		}
		return q.finish(kc, bounds)
	}
	hv, err := m.Value(ks.Hash.Name, &q.partition)
	if err != nil {
		return nil, nil, err
	}
	if hv == nil {
		return nil, nil, fmt.Errorf("query: partition attribute %s: %w%s", ks.Hash.Name, model.ErrEmptyKey, q.indexHint())
	}
	bounds := &keyBounds{hash: ks.Hash.Name, value: hv}
	kc := expression.Key(ks.Hash.Name).Equal(expression.Value(hv))
	if q.op != 0 {
		if ks.Range == nil {
			target := "table " + q.r.table
			if q.index != "" {
				target = "index " + q.index
			}
			return nil, nil, fmt.Errorf("query: Range on %s, which has no sort key", target)
		}
		rc, op, vals, err := q.rangeCond(ks.Range)
		if err != nil {
			return nil, nil, err
		}
		kc = kc.And(rc)
		bounds.sort, bounds.op, bounds.vals = ks.Range.Name, op, vals
	} else if ks.Range != nil && ks.Range.Computed() && ks.Range.Template.Prefix() != "" {
		// Single-table: keep to this entity's items in the collection.
		prefix := ks.Range.Template.Prefix()
		kc = kc.And(expression.Key(ks.Range.Name).BeginsWith(prefix))
		bounds.sort, bounds.op, bounds.vals = ks.Range.Name, BeginsWith, []types.AttributeValue{&types.AttributeValueMemberS{Value: prefix}}
	}
	return q.finish(kc, bounds)
}

// finish builds the Query request with the key condition kc, whose bounds
// on a page's position are bounds.
func (q *Query[T]) finish(kc expression.KeyConditionBuilder, bounds *keyBounds) (*dynamodb.QueryInput, *keyBounds, error) {
	m := q.r.m
	rq := rawread.Query{Read: rawread.Read{Table: q.r.table, Index: q.index, Consistent: q.consistent}, Key: kc,
		Descending: q.desc, Limit: requestLimit(q.pageSize, q.limit)}
	filters := q.filters
	if m.EntityType != nil {
		filters = append(filters[:len(filters):len(filters)], name(m.EntityType.Name).Equal(expression.Value(m.Entity)))
	}
	if len(filters) > 0 {
		rq.Filter = and(filters)
	}
	if len(q.project) > 0 {
		attrs, err := projection(q.project, m)
		if err != nil {
			return nil, nil, err
		}
		rq.Attrs = attrs
	}
	in, err := rawread.QueryInput(rq)
	if err != nil {
		return nil, nil, err
	}
	return in, bounds, nil
}

// requestLimit is the Limit of each request: the page size, else the
// overall limit, else none.
func requestLimit(pageSize, limit int) *int32 {
	n := pageSize
	if n <= 0 {
		n = limit
	}
	if n <= 0 {
		return nil
	}
	return aws.Int32(int32(min(n, math.MaxInt32)))
}

// projection returns the attributes to read: attrs, which must be
// attributes of m, and the entity type, which decoding checks.
func projection(attrs []string, m *mapping.Model) ([]string, error) {
	out := make([]string, 0, len(attrs)+1)
	for _, a := range attrs {
		if m.Attribute(a) == nil {
			return nil, fmt.Errorf("query: project: %s has no attribute %q", m.Type, a)
		}
		out = append(out, a)
	}
	if m.EntityType != nil {
		out = append(out, m.EntityType.Name)
	}
	return out, nil
}

// RawKey is a sort-key value given as it is stored, for [Query.Range] on a
// computed sort key, whose values are otherwise given by example:
// Range(query.BeginsWith, query.RawKey("ORDER#2026-03")) matches the
// stored strings as they are, rendering rules aside.
type RawKey string

// rangeCond returns the condition on sort key a, the operator it uses and
// its values: a range by example on a computed key becomes a condition on
// the rendered prefix, whose operator may differ from q.op.
func (q *Query[T]) rangeCond(a *mapping.Attribute) (expression.KeyConditionBuilder, Op, []types.AttributeValue, error) {
	var zero expression.KeyConditionBuilder
	want := 1
	if q.op == Between {
		want = 2
	}
	if len(q.vals) != want {
		return zero, 0, nil, fmt.Errorf("query: range condition needs %d value(s), got %d", want, len(q.vals))
	}
	if q.op < Equal || q.op > BeginsWith {
		return zero, 0, nil, fmt.Errorf("query: unknown range operator %d", q.op)
	}
	if q.op != Equal && !a.Computed() {
		if err := refuseUnordered(a, "a range "+opWhat(q.op)+" of sort key", false); err != nil {
			return zero, 0, nil, err
		}
	}
	op := q.op
	avs := make([]types.AttributeValue, len(q.vals))
	for i, v := range q.vals {
		av, partial, err := q.rangeValue(a, v)
		if err != nil {
			return zero, 0, nil, err
		}
		if got := scalarType(av); got != a.Type && !(q.op == BeginsWith && got == model.String) {
			return zero, 0, nil, fmt.Errorf("query: range value %v for %s is of DynamoDB type %q, but the sort key is %q", v, a.Name, got, a.Type)
		}
		if partial {
			// The example sets the leading fields of the key: the condition
			// holds for every key that begins with the rendering.
			s := av.(*types.AttributeValueMemberS)
			if s.Value, op, err = prefixBound(op, i, s.Value); err != nil {
				return zero, 0, nil, fmt.Errorf("query: range value for %s: %w", a.Name, err)
			}
		}
		avs[i] = av
	}
	k := expression.Key(a.Name)
	vals := make([]expression.ValueBuilder, len(avs))
	for i, av := range avs {
		vals[i] = expression.Value(av)
	}
	switch op {
	case Equal:
		return k.Equal(vals[0]), op, avs, nil
	case LessThan:
		return k.LessThan(vals[0]), op, avs, nil
	case LessThanEqual:
		return k.LessThanEqual(vals[0]), op, avs, nil
	case GreaterThan:
		return k.GreaterThan(vals[0]), op, avs, nil
	case GreaterThanEqual:
		return k.GreaterThanEqual(vals[0]), op, avs, nil
	case Between:
		return k.Between(vals[0], vals[1]), op, avs, nil
	default: // BeginsWith
		s, ok := avs[0].(*types.AttributeValueMemberS)
		if !ok || a.Type != model.String {
			return zero, 0, nil, fmt.Errorf("query: BeginsWith needs a string sort key and a string prefix")
		}
		return k.BeginsWith(s.Value), op, avs, nil
	}
}

// rangeValue encodes v, a value of Range, as sort key a is stored (a
// unixtime time is a number). A computed key takes an example of T, rendered
// up to the last field it sets (partial is then true unless it sets them
// all), or a [RawKey]; any other value is an error that says what to give.
func (q *Query[T]) rangeValue(a *mapping.Attribute, v any) (av types.AttributeValue, partial bool, err error) {
	m := q.r.m
	_, isExample := v.(T)
	if p, ok := v.(*T); ok && p != nil {
		isExample = true
	}
	if raw, ok := v.(RawKey); ok {
		if !a.Computed() {
			return nil, false, fmt.Errorf("query: range value for %s: a RawKey is for a computed sort key; give the value itself", a.Name)
		}
		return &types.AttributeValueMemberS{Value: string(raw)}, false, nil
	}
	switch {
	case isExample && a.Computed():
		s, complete, err := m.KeyPrefix(a.Name, v)
		if err != nil {
			return nil, false, fmt.Errorf("query: range value for %s: %w", a.Name, err)
		}
		return &types.AttributeValueMemberS{Value: s}, !complete, nil
	case isExample:
		av, err := m.Value(a.Name, v)
		if err == nil && av == nil {
			err = fmt.Errorf("the example leaves %s empty", a.Name)
		}
		if err != nil {
			return nil, false, fmt.Errorf("query: range value for %s: %w", a.Name, err)
		}
		return av, false, nil
	case a.Computed():
		return nil, false, fmt.Errorf("query: range value for %s: got %T, want an example of %s%s, or a query.RawKey: %s is computed from %q",
			a.Name, v, m.Type, firstField(a), a.Name, a.Template.Source)
	}
	// Check the key type so a mismatch is ours to report.
	av, err = encodeValue(a, v)
	if err != nil {
		return nil, false, fmt.Errorf("query: range value for %s: %w", a.Name, err)
	}
	return av, false, nil
}

// firstField describes the field a range example on computed key a sets
// first, such as " with OrderedAt (ordered_at, a time.Time) set".
func firstField(a *mapping.Attribute) string {
	for _, p := range a.Template.Parts {
		if p.Ref != nil && p.Ref.GoType != nil {
			return fmt.Sprintf(" with %s (%s, a %s) set", p.Ref.Field, p.Ref.Name, p.Ref.GoType)
		}
	}
	return ""
}

// prefixBound turns the condition op on value i, a prefix that every key of
// the example's fields begins with, into a condition on the keys: Equal
// becomes BeginsWith, and a bound that includes the example's keys (the
// upper bound of LessThanEqual and Between) or excludes them (GreaterThan) moves
// past every key with the prefix, to its successor: the prefix with its
// last byte incremented. No key equals the successor, as every key is
// longer than a partial rendering of it.
func prefixBound(op Op, i int, prefix string) (string, Op, error) {
	past := func() (string, error) {
		n := len(prefix)
		if n == 0 || prefix[n-1] >= 0x7f {
			return "", fmt.Errorf("a range past %q needs its last byte to be ASCII; use a query.RawKey", prefix)
		}
		return prefix[:n-1] + string(prefix[n-1]+1), nil
	}
	switch {
	case op == Equal:
		return prefix, BeginsWith, nil
	case op == GreaterThan:
		s, err := past()
		return s, GreaterThanEqual, err
	case op == LessThanEqual:
		s, err := past()
		return s, LessThan, err
	case op == Between && i == 1:
		s, err := past()
		return s, Between, err
	}
	return prefix, op, nil
}

// indexHint suggests the index a table query with an empty partition was
// probably meant for: one whose hash key the partition value does set.
func (q *Query[T]) indexHint() string {
	if q.index != "" {
		return ""
	}
	for _, idx := range q.r.m.GSIs {
		if v, err := q.r.m.Value(idx.Key.Hash.Name, &q.partition); err == nil && v != nil {
			return fmt.Sprintf(" (the value sets %s: did you mean .Index(%q)?)", idx.Key.Hash.Name, idx.Name)
		}
	}
	return ""
}

// scalarType returns the key type of av: "S", "N", "B", or "" for others.
func scalarType(av types.AttributeValue) model.ScalarType {
	switch av.(type) {
	case *types.AttributeValueMemberS:
		return model.String
	case *types.AttributeValueMemberN:
		return model.Number
	case *types.AttributeValueMemberB:
		return model.Binary
	}
	return ""
}

// cursor is what binds a page cursor of q to q: everything that defines
// the request in, the key attributes its position has, and the bounds the
// key condition sets on it.
func (q *Query[T]) cursor(in *dynamodb.QueryInput, bounds *keyBounds) cursorSpec {
	return cursorSpec{
		scope:  queryScope(in),
		key:    q.cursorKey,
		names:  q.r.positionNames(q.index),
		sorts:  q.r.sortKeys(q.index),
		bounds: bounds,
	}
}

// All streams the matching items, reading pages as needed. Stop early by
// breaking out of the loop; an error (such as ctx's, when it is cancelled)
// ends the stream.
func (q *Query[T]) All(ctx context.Context) iter.Seq2[T, error] {
	seq := traced(q.r.c, ctx, "Query.All", q.r.table, q.all)
	if q.relation == "" {
		return seq
	}
	return func(yield func(T, error) bool) {
		for v, err := range seq {
			if !yield(v, q.relate(err)) {
				return
			}
		}
	}
}

// setRelation makes q's errors name relation; package relations calls it
// through querylink.Relate on the queries it returns.
func (q *Query[T]) setRelation(relation string) { q.relation = relation }

// relate returns err naming q's relation, if q has one: a
// *dynamokit.Error whose Relation is set, as the errors of the relation's
// verbs are.
func (q *Query[T]) relate(err error) error {
	if err == nil || q.relation == "" {
		return err
	}
	var e *dynamokit.Error
	if !errors.As(err, &e) {
		return &dynamokit.Error{Table: q.r.table, Relation: q.relation, Err: err}
	}
	if e.Relation == "" {
		e.Relation = q.relation
	}
	return err
}

func (q *Query[T]) all(ctx context.Context) iter.Seq2[T, error] {
	in, err := q.input()
	if err != nil {
		return failed[T](wrap("Query", q.r.table, err, nil))
	}
	return q.r.stream(ctx, "Query", rawread.QueryPage(q.r.c.Executor(), in), q.limit)
}

// Collect returns every matching item (at most [Query.Limit]).
func (q *Query[T]) Collect(ctx context.Context) ([]T, error) { return collect(q.All(ctx)) }

// Page reads one page of at most [Query.PageSize] (else [Query.Limit])
// items, starting at cursor ("" for the first page). Page.Next is the
// cursor of the next page, "" after the last. A page may hold fewer items
// than its size, even none, when a filter drops some. A cursor made by
// another query (another table, index, partition, range, filter,
// projection or order: anything but the page size and consistency) or
// altered returns [ErrBadCursor]; see [Query.SignCursors].
func (q *Query[T]) Page(ctx context.Context, cursor string) (_ Page[T], err error) {
	ctx, op := clientlink.Start(ctx, q.r.c, "Query.Page", q.r.table)
	defer op.End(&err)
	defer func() { err = q.relate(err) }()
	in, bounds, err := q.build()
	if err != nil {
		return Page[T]{}, wrap("Query", q.r.table, err, nil)
	}
	return q.r.page(ctx, "Query", rawread.QueryPage(q.r.c.Executor(), in), cursor, q.cursor(in, bounds))
}

// Count returns how many items match (at most [Query.Limit]), without
// reading them.
func (q *Query[T]) Count(ctx context.Context) (_ int, err error) {
	ctx, op := clientlink.Start(ctx, q.r.c, "Query.Count", q.r.table)
	defer op.End(&err)
	defer func() { err = q.relate(err) }()
	c := *q
	c.project = nil // DynamoDB rejects a projection with Select COUNT
	in, err := c.input()
	if err != nil {
		return 0, wrap("Query", q.r.table, err, nil)
	}
	in.Select = types.SelectCount
	n, err := countPages(ctx, q.limit, in.Limit, func(ctx context.Context, start map[string]types.AttributeValue, limit *int32) (int, map[string]types.AttributeValue, error) {
		in.ExclusiveStartKey, in.Limit = start, limit
		out, err := q.r.c.Executor().Query(ctx, in)
		if err != nil {
			return 0, nil, err
		}
		return int(out.Count), out.LastEvaluatedKey, nil
	})
	return n, wrap("Query", q.r.table, err, nil)
}

func failed[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}
