package dynamokit

import (
	"context"
	"slices"

	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit/model"
)

// API is the part of the DynamoDB API that dynamokit calls. The SDK's
// *dynamodb.Client satisfies it, and so does the executor of a Client
// ([Client.Executor]).
type API interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactGetItems(context.Context, *dynamodb.TransactGetItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DeleteTable(context.Context, *dynamodb.DeleteTableInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTable(context.Context, *dynamodb.UpdateTableInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error)
	DescribeTimeToLive(context.Context, *dynamodb.DescribeTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	UpdateTimeToLive(context.Context, *dynamodb.UpdateTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// Client is dynamokit's handle on DynamoDB. It is safe for concurrent use.
// Make one with [New] or [NewFromClient].
type Client struct {
	api     API
	namer   model.Namer
	now     func() time.Time
	retry   RetryPolicy
	sdkOpts []func(*dynamodb.Options)
	hooks   []Hook
	tracer  Tracer
	rules   Rules
}

// Option configures a [Client].
type Option func(*Client)

// WithNamer makes the Client's tables take their names from n: every
// typed table, schema operation and relation of the Client uses it.
func WithNamer(n model.Namer) Option { return func(c *Client) { c.namer = n } }

// WithClock makes the Client take the time written to created and updated
// attributes from now; the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *Client) {
		if now != nil {
			c.now = now
		}
	}
}

// WithRetry sets the Client's [RetryPolicy].
func WithRetry(p RetryPolicy) Option { return func(c *Client) { c.retry = p } }

// WithSDKOptions adds options of the SDK applied to every request, such
// as a custom HTTP client or the SDK's own retry settings. With [New] they
// are applied once, when the SDK client is made; with [NewFromClient] and
// [Client.With] they are passed on every call, before the caller's own
// per-call options, so an option that makes a value (an HTTP client that
// counts, a middleware) should make it once, outside the function it
// returns.
func WithSDKOptions(opts ...func(*dynamodb.Options)) Option {
	return func(c *Client) { c.sdkOpts = append(c.sdkOpts, opts...) }
}

// WithHook adds a [Hook] called after every request the Client sends.
// Hooks are called in the order they were added.
func WithHook(h Hook) Option {
	return func(c *Client) {
		if h != nil {
			c.hooks = append(c.hooks, h)
		}
	}
}

// New returns a Client that sends its requests through an SDK client made
// from cfg (dynamodb.NewFromConfig).
func New(cfg aws.Config, opts ...Option) *Client {
	c := newClient(opts)
	c.api = dynamodb.NewFromConfig(cfg, c.sdkOpts...)
	c.sdkOpts = nil
	return c
}

// NewFromClient returns a Client that sends its requests through api,
// usually a *dynamodb.Client. A nil api makes every request fail with an
// error.
func NewFromClient(api API, opts ...Option) *Client {
	c := newClient(opts)
	c.api = api
	return c
}

func newClient(opts []Option) *Client {
	c := &Client{now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// With returns a copy of c with opts applied after c's own. The copy sends
// its requests through the same API and shares c's write rules ([WithRules]); hooks
// given to With are added to c's.
func (c *Client) With(opts ...Option) *Client {
	d := *c
	d.hooks = append([]Hook(nil), c.hooks...)
	d.sdkOpts = slices.Clone(c.sdkOpts)
	for _, o := range opts {
		if o != nil {
			o(&d)
		}
	}
	return &d
}

// API returns the client c sends its requests through, such as the
// *dynamodb.Client [New] made. Requests sent to it directly bypass c's
// executor: no retry policy, capacity or hooks ([Client.Executor] has
// them).
func (c *Client) API() API { return c.api }

// Namer returns the Client's [model.Namer]; nil means the base names.
func (c *Client) Namer() model.Namer { return c.namer }

// TableName returns the name of the table of m under the Client's namer.
func (c *Client) TableName(m *model.Model) string { return m.TableName(c.namer) }

// clock returns the Client's current time, from its clock (WithClock).
func (c *Client) clock() time.Time {
	if c == nil || c.now == nil {
		return time.Now()
	}
	return c.now()
}
