// Package rawread builds and sends dynamokit's reads, whose answers are
// attribute maps as stored: one builder per request kind (GetItem,
// BatchGetItem, Query, Scan), used by package query for its typed reads,
// by package relations for the attributes no struct field holds
// (counters, cascade marks and pending pages, unique records), and by
// package migrate for the items and records it reads as stored. Each request
// is sent through the client it is given, the executor of a
// *dynamokit.Client (Client.Executor), which retries, counts capacity and
// calls the hooks; BatchGetItem's
// unprocessed keys are sent again by package unprocessed.
package rawread

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/internal/unprocessed"
)

// Item is an item or a key, as stored.
type Item = map[string]types.AttributeValue

// MaxBatchGet is DynamoDB's limit of keys per BatchGetItem request.
const MaxBatchGet = 100

// Read says what a read returns.
type Read struct {
	Table string
	// Index is the secondary index a Query or Scan reads, "" for the
	// table.
	Index string
	// Consistent asks for a strongly consistent read.
	Consistent bool
	// Attrs are the attributes read, by name (a dot is part of a name,
	// not a path), each once; nil reads every attribute.
	Attrs []string
}

// consistent is the ConsistentRead of r: true, or nil for the default.
func (r Read) consistent() *bool {
	if r.Consistent {
		return aws.Bool(true)
	}
	return nil
}

// with adds r's projection to b, and reports whether it has one.
func (r Read) with(b expression.Builder) (expression.Builder, bool) {
	if len(r.Attrs) == 0 {
		return b, false
	}
	var p expression.ProjectionBuilder
	seen := make(map[string]bool, len(r.Attrs))
	for _, a := range r.Attrs {
		if !seen[a] {
			seen[a] = true
			p = p.AddNames(expression.NameNoDotSplit(a))
		}
	}
	return b.WithProjection(p), true
}

// projection builds r's projection alone: nil expressions when r reads
// every attribute.
func (r Read) projection() (*string, map[string]string, error) {
	b, ok := r.with(expression.NewBuilder())
	if !ok {
		return nil, nil, nil
	}
	e, err := b.Build()
	if err != nil {
		return nil, nil, err
	}
	return e.Projection(), e.Names(), nil
}

// GetInput builds the GetItem request of r for key, without I/O.
func GetInput(r Read, key Item) (*dynamodb.GetItemInput, error) {
	proj, names, err := r.projection()
	if err != nil {
		return nil, err
	}
	return &dynamodb.GetItemInput{TableName: aws.String(r.Table), Key: key, ConsistentRead: r.consistent(),
		ProjectionExpression: proj, ExpressionAttributeNames: names}, nil
}

// Get reads the item of r with key through g, the executor of a
// *dynamokit.Client: nil when there is none.
func Get(ctx context.Context, g txn.Getter, r Read, key Item) (Item, error) {
	in, err := GetInput(r, key)
	if err != nil {
		return nil, err
	}
	out, err := g.GetItem(ctx, in)
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

// BatchGetInput builds the BatchGetItem request of r for keys (at most
// [MaxBatchGet]), without I/O.
func BatchGetInput(r Read, keys []Item) (*dynamodb.BatchGetItemInput, error) {
	proj, names, err := r.projection()
	if err != nil {
		return nil, err
	}
	return &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{r.Table: {
		Keys: keys, ConsistentRead: r.consistent(), ProjectionExpression: proj, ExpressionAttributeNames: names,
	}}}, nil
}

// BatchGetter sends a BatchGetItem request: the executor of a
// *dynamokit.Client.
type BatchGetter interface {
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// BatchGetOnce sends one BatchGetItem request of r for keys (at most
// [MaxBatchGet]) and returns the items read and the keys left
// unprocessed; on an error, every key is left.
func BatchGetOnce(ctx context.Context, c BatchGetter, r Read, keys []Item) (items, left []Item, err error) {
	in, err := BatchGetInput(r, keys)
	if err != nil {
		return nil, keys, err
	}
	out, err := c.BatchGetItem(ctx, in)
	if err != nil {
		return nil, keys, err
	}
	return out.Responses[r.Table], out.UnprocessedKeys[r.Table].Keys, nil
}

// BatchGet reads the items of r with keys, [MaxBatchGet] keys a request,
// one request after the other, sending unprocessed keys again as p says.
// It returns the items read (keys with no item have none) and the keys
// still unprocessed when the retries ran out; on an error it stops and
// returns what it read.
func BatchGet(ctx context.Context, c BatchGetter, r Read, keys []Item, p unprocessed.Retry) (items, left []Item, err error) {
	for start := 0; start < len(keys); start += MaxBatchGet {
		chunk := keys[start:min(start+MaxBatchGet, len(keys))]
		left, err = unprocessed.Send(ctx, p, chunk, func(ctx context.Context, chunk []Item) ([]Item, error) {
			got, left, err := BatchGetOnce(ctx, c, r, chunk)
			items = append(items, got...)
			return left, err
		})
		if err != nil || len(left) > 0 {
			return items, left, err
		}
	}
	return items, nil, nil
}

// Query is a Query request.
type Query struct {
	Read
	// Key is the key condition.
	Key expression.KeyConditionBuilder
	// Filter, when set, is applied to the items read.
	Filter expression.ConditionBuilder
	// Descending reads the sort key from high to low.
	Descending bool
	// Limit is the Limit of each request, nil for none.
	Limit *int32
}

// QueryInput builds the request of q, without I/O.
func QueryInput(q Query) (*dynamodb.QueryInput, error) {
	b := expression.NewBuilder().WithKeyCondition(q.Key)
	if q.Filter.IsSet() {
		b = b.WithFilter(q.Filter)
	}
	b, _ = q.with(b)
	expr, err := b.Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(q.Table),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ProjectionExpression:      expr.Projection(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		Limit:                     q.Limit,
		ConsistentRead:            q.consistent(),
	}
	if q.Index != "" {
		in.IndexName = aws.String(q.Index)
	}
	if q.Descending {
		in.ScanIndexForward = aws.Bool(false)
	}
	return in, nil
}

// Querier sends a Query request: the executor of a *dynamokit.Client.
type Querier interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// QueryPage returns the Fetch of the pages of in, sent by c; each call
// sets in's ExclusiveStartKey.
func QueryPage(c Querier, in *dynamodb.QueryInput) Fetch {
	return func(ctx context.Context, start Item) ([]Item, Item, error) {
		in.ExclusiveStartKey = start
		out, err := c.Query(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		return out.Items, out.LastEvaluatedKey, nil
	}
}

// QueryEach calls fn with every item q reads, page after page, each page
// a request.
func QueryEach(ctx context.Context, c Querier, q Query, fn func(Item) error) error {
	in, err := QueryInput(q)
	if err != nil {
		return err
	}
	return Each(ctx, QueryPage(c, in), fn)
}

// Scan is a Scan request.
type Scan struct {
	Read
	// Filter, when set, is applied to the items read.
	Filter expression.ConditionBuilder
	// Limit is the Limit of each request, nil for none.
	Limit *int32
	// Segment and Segments make the Scan one segment of a parallel scan
	// when Segments > 1.
	Segment, Segments int
}

// ScanInput builds the request of s, without I/O.
func ScanInput(s Scan) (*dynamodb.ScanInput, error) {
	in := &dynamodb.ScanInput{TableName: aws.String(s.Table), Limit: s.Limit, ConsistentRead: s.consistent()}
	if s.Segments > 1 {
		in.Segment, in.TotalSegments = aws.Int32(int32(s.Segment)), aws.Int32(int32(s.Segments))
	}
	if s.Index != "" {
		in.IndexName = aws.String(s.Index)
	}
	var b expression.Builder
	build := false
	if s.Filter.IsSet() {
		b, build = b.WithFilter(s.Filter), true
	}
	if b2, ok := s.with(b); ok {
		b, build = b2, true
	}
	if build {
		expr, err := b.Build()
		if err != nil {
			return nil, err
		}
		in.FilterExpression = expr.Filter()
		in.ProjectionExpression = expr.Projection()
		in.ExpressionAttributeNames = expr.Names()
		in.ExpressionAttributeValues = expr.Values()
	}
	return in, nil
}

// Scanner sends a Scan request: the executor of a *dynamokit.Client.
type Scanner interface {
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// ScanPage returns the Fetch of the pages of in, sent by c; each call
// sets in's ExclusiveStartKey.
func ScanPage(c Scanner, in *dynamodb.ScanInput) Fetch {
	return func(ctx context.Context, start Item) ([]Item, Item, error) {
		in.ExclusiveStartKey = start
		out, err := c.Scan(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		return out.Items, out.LastEvaluatedKey, nil
	}
}

// ScanEach calls fn with every item s reads, page after page, each page a
// request.
func ScanEach(ctx context.Context, c Scanner, s Scan, fn func(Item) error) error {
	in, err := ScanInput(s)
	if err != nil {
		return err
	}
	return Each(ctx, ScanPage(c, in), fn)
}

// Fetch reads one page of a Query or Scan, starting after start (nil: at
// the beginning), and returns its items and its LastEvaluatedKey.
type Fetch func(ctx context.Context, start Item) (items []Item, last Item, err error)

// Each calls fn with every item of the pages fetch reads, until a page has
// no LastEvaluatedKey or fn returns an error.
func Each(ctx context.Context, fetch Fetch, fn func(Item) error) error {
	var start Item
	for {
		items, last, err := fetch(ctx, start)
		if err != nil {
			return err
		}
		for _, item := range items {
			if err := fn(item); err != nil {
				return err
			}
		}
		if len(last) == 0 {
			return nil
		}
		start = last
	}
}
