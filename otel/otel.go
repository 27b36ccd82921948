package dynamokitotel

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/dynamokit/dynamokit"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the spans and metrics.
const ScopeName = "github.com/dynamokit/dynamokit/otel"

// Tracer turns a dynamokit Client's operations and requests into spans
// and metrics; give it to the Client with [dynamokit.WithTracer]. It is
// safe for concurrent use.
type Tracer struct {
	tracer   trace.Tracer
	duration metric.Float64Histogram
}

var _ dynamokit.Tracer = (*Tracer)(nil)

// Option configures [New].
type Option func(*config)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider makes the spans with tp; the default is the global
// provider (otel.GetTracerProvider).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider records the metrics with mp; the default is the global
// provider (otel.GetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// New returns a Tracer with the providers of opts. It fails only when the
// meter provider refuses the histogram.
func New(opts ...Option) (*Tracer, error) {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	duration, err := c.mp.Meter(ScopeName).Float64Histogram("db.client.operation.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of database client operations."),
		metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10))
	if err != nil {
		return nil, err
	}
	return &Tracer{tracer: c.tp.Tracer(ScopeName), duration: duration}, nil
}

// Attribute keys of the conventions, and dynamokit's own.
const (
	keySystem       = attribute.Key("db.system.name")
	keyOperation    = attribute.Key("db.operation.name")
	keyCollection   = attribute.Key("db.collection.name")
	keyErrorType    = attribute.Key("error.type")
	keyTables       = attribute.Key("aws.dynamodb.table_names")
	keyIndex        = attribute.Key("aws.dynamodb.index_name")
	keyCapacity     = attribute.Key("aws.dynamodb.consumed_capacity")
	keyConsistent   = attribute.Key("aws.dynamodb.consistent_read")
	keyLimit        = attribute.Key("aws.dynamodb.limit")
	keyProjection   = attribute.Key("aws.dynamodb.projection")
	keySelect       = attribute.Key("aws.dynamodb.select")
	keyForward      = attribute.Key("aws.dynamodb.scan_forward")
	keySegment      = attribute.Key("aws.dynamodb.segment")
	keySegments     = attribute.Key("aws.dynamodb.total_segments")
	keyCount        = attribute.Key("aws.dynamodb.count")
	keyScanned      = attribute.Key("aws.dynamodb.scanned_count")
	keyRPCSystem    = attribute.Key("rpc.system")
	keyRPCService   = attribute.Key("rpc.service")
	keyRPCMethod    = attribute.Key("rpc.method")
	keyDKOperation  = attribute.Key("dynamokit.operation")
	keyDKAttempt    = attribute.Key("dynamokit.attempt")
	keyDKRetry      = attribute.Key("dynamokit.retry")
	keyDKOutcome    = attribute.Key("dynamokit.outcome")
	systemDynamoDB  = "aws.dynamodb"
	outcomeUnknown  = "unknown"
	errorTypeOther  = "_OTHER"
	rpcSystemAWSAPI = "aws-api"
)

// StartOperation starts the span of op, a child of ctx's span.
func (t *Tracer) StartOperation(ctx context.Context, op *dynamokit.Operation) context.Context {
	attrs := []attribute.KeyValue{keySystem.String(systemDynamoDB), keyDKOperation.String(op.Name)}
	if op.Table != "" {
		attrs = append(attrs, keyTables.StringSlice([]string{op.Table}))
	}
	ctx, _ = t.tracer.Start(ctx, op.Name, trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithTimestamp(op.Start), trace.WithAttributes(attrs...))
	return ctx
}

// EndOperation ends the span of op, with its error.
func (t *Tracer) EndOperation(ctx context.Context, op *dynamokit.Operation) {
	span := trace.SpanFromContext(ctx)
	if op.Err != nil {
		span.SetAttributes(keyErrorType.String(operationErrorType(op.Err)))
		if errors.Is(op.Err, dynamokit.ErrUnknownOutcome) {
			span.SetAttributes(keyDKOutcome.String(outcomeUnknown))
		}
		span.RecordError(op.Err)
		span.SetStatus(codes.Error, op.Err.Error())
	}
	span.End(trace.WithTimestamp(op.Start.Add(op.Duration)))
}

// Request makes the span of one attempt of r, a child of ctx's span, and
// records the duration of r after its last attempt.
func (t *Tracer) Request(ctx context.Context, r *dynamokit.Request) {
	attrs := make([]attribute.KeyValue, 0, 16)
	attrs = append(attrs,
		keySystem.String(systemDynamoDB),
		keyOperation.String(r.Op),
		keyRPCSystem.String(rpcSystemAWSAPI),
		keyRPCService.String("DynamoDB"),
		keyRPCMethod.String(r.Op),
		keyDKAttempt.Int(r.Attempt),
	)
	if len(r.Tables) > 0 {
		attrs = append(attrs, keyTables.StringSlice(r.Tables))
	}
	if r.Table != "" {
		attrs = append(attrs, keyCollection.String(r.Table))
	}
	if r.Index != "" {
		attrs = append(attrs, keyIndex.String(r.Index))
	}
	attrs = appendInput(attrs, r.Input)
	attrs = appendOutput(attrs, r.Output)
	if cc := capacityJSON(r.Capacity); len(cc) > 0 {
		attrs = append(attrs, keyCapacity.StringSlice(cc))
	}
	if r.Retry {
		attrs = append(attrs, keyDKRetry.Bool(true))
	}
	var errType string
	if r.Err != nil {
		errType = requestErrorType(r.Err)
		attrs = append(attrs, keyErrorType.String(errType))
		if r.Unknown {
			attrs = append(attrs, keyDKOutcome.String(outcomeUnknown))
		}
	}
	_, span := t.tracer.Start(ctx, "DynamoDB."+r.Op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(r.Start), trace.WithAttributes(attrs...))
	if r.Err != nil {
		span.RecordError(r.Err)
		desc := r.Err.Error()
		if r.Unknown {
			desc = "write outcome unknown: " + desc
		}
		span.SetStatus(codes.Error, desc)
	}
	span.End(trace.WithTimestamp(r.Start.Add(r.Duration)))

	if r.Retry {
		return // recorded after the last attempt, retries included
	}
	m := make([]attribute.KeyValue, 0, 4)
	m = append(m, keySystem.String(systemDynamoDB), keyOperation.String(r.Op))
	if r.Table != "" {
		m = append(m, keyCollection.String(r.Table))
	}
	if errType != "" {
		m = append(m, keyErrorType.String(errType))
	}
	t.duration.Record(ctx, r.Elapsed.Seconds(), metric.WithAttributes(m...))
}

// appendInput adds the attributes the conventions take from a request's
// input.
func appendInput(attrs []attribute.KeyValue, in any) []attribute.KeyValue {
	switch in := in.(type) {
	case *dynamodb.GetItemInput:
		attrs = appendBool(attrs, keyConsistent, in.ConsistentRead)
		attrs = appendString(attrs, keyProjection, in.ProjectionExpression)
	case *dynamodb.QueryInput:
		attrs = appendBool(attrs, keyConsistent, in.ConsistentRead)
		attrs = appendInt(attrs, keyLimit, in.Limit)
		attrs = appendString(attrs, keyProjection, in.ProjectionExpression)
		attrs = appendBool(attrs, keyForward, in.ScanIndexForward)
		if in.Select != "" {
			attrs = append(attrs, keySelect.String(string(in.Select)))
		}
	case *dynamodb.ScanInput:
		attrs = appendBool(attrs, keyConsistent, in.ConsistentRead)
		attrs = appendInt(attrs, keyLimit, in.Limit)
		attrs = appendString(attrs, keyProjection, in.ProjectionExpression)
		attrs = appendInt(attrs, keySegment, in.Segment)
		attrs = appendInt(attrs, keySegments, in.TotalSegments)
		if in.Select != "" {
			attrs = append(attrs, keySelect.String(string(in.Select)))
		}
	}
	return attrs
}

// appendOutput adds the attributes the conventions take from a response.
func appendOutput(attrs []attribute.KeyValue, out any) []attribute.KeyValue {
	switch out := out.(type) {
	case *dynamodb.QueryOutput:
		attrs = append(attrs, keyCount.Int(int(out.Count)), keyScanned.Int(int(out.ScannedCount)))
	case *dynamodb.ScanOutput:
		attrs = append(attrs, keyCount.Int(int(out.Count)), keyScanned.Int(int(out.ScannedCount)))
	}
	return attrs
}

func appendBool(attrs []attribute.KeyValue, k attribute.Key, v *bool) []attribute.KeyValue {
	if v == nil {
		return attrs
	}
	return append(attrs, k.Bool(*v))
}

func appendInt(attrs []attribute.KeyValue, k attribute.Key, v *int32) []attribute.KeyValue {
	if v == nil {
		return attrs
	}
	return append(attrs, k.Int(int(*v)))
}

func appendString(attrs []attribute.KeyValue, k attribute.Key, v *string) []attribute.KeyValue {
	if v == nil || *v == "" {
		return attrs
	}
	return append(attrs, k.String(*v))
}

// capacityJSON returns each entry of cc as JSON, with the field names of
// DynamoDB's ConsumedCapacity and without the fields it left out.
func capacityJSON(cc []types.ConsumedCapacity) []string {
	if len(cc) == 0 {
		return nil
	}
	out := make([]string, 0, len(cc))
	for _, c := range cc {
		m := map[string]any{}
		if c.TableName != nil {
			m["TableName"] = *c.TableName
		}
		putUnits(m, c.CapacityUnits, c.ReadCapacityUnits, c.WriteCapacityUnits)
		if c.Table != nil {
			m["Table"] = units(*c.Table)
		}
		if len(c.GlobalSecondaryIndexes) > 0 {
			m["GlobalSecondaryIndexes"] = indexUnits(c.GlobalSecondaryIndexes)
		}
		if len(c.LocalSecondaryIndexes) > 0 {
			m["LocalSecondaryIndexes"] = indexUnits(c.LocalSecondaryIndexes)
		}
		b, err := json.Marshal(m) // maps of strings and numbers: cannot fail
		if err != nil {
			continue
		}
		out = append(out, string(b))
	}
	return out
}

func putUnits(m map[string]any, total, read, write *float64) {
	if total != nil {
		m["CapacityUnits"] = *total
	}
	if read != nil {
		m["ReadCapacityUnits"] = *read
	}
	if write != nil {
		m["WriteCapacityUnits"] = *write
	}
}

func units(c types.Capacity) map[string]any {
	m := map[string]any{}
	putUnits(m, c.CapacityUnits, c.ReadCapacityUnits, c.WriteCapacityUnits)
	return m
}

func indexUnits(idx map[string]types.Capacity) map[string]any {
	m := make(map[string]any, len(idx))
	for name, c := range idx {
		m[name] = units(c)
	}
	return m
}

// requestErrorType is the error.type of a failed attempt: the error code
// DynamoDB answered with, else "_OTHER".
func requestErrorType(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() != "" {
		return api.ErrorCode()
	}
	return errorTypeOther
}

// sentinels are the errors an operation's error.type names, most specific
// first.
var sentinels = []struct {
	err  error
	name string
}{
	{dynamokit.ErrUnknownOutcome, "dynamokit.ErrUnknownOutcome"},
	{dynamokit.ErrTableNotFound, "dynamokit.ErrTableNotFound"},
	{dynamokit.ErrIndexNotFound, "dynamokit.ErrIndexNotFound"},
	{dynamokit.ErrNotFound, "dynamokit.ErrNotFound"},
	{dynamokit.ErrAlreadyExists, "dynamokit.ErrAlreadyExists"},
	{dynamokit.ErrVersionConflict, "dynamokit.ErrVersionConflict"},
	{dynamokit.ErrConditionFailed, "dynamokit.ErrConditionFailed"},
	{dynamokit.ErrTooManyActions, "dynamokit.ErrTooManyActions"},
	{context.DeadlineExceeded, "timeout"},
	{context.Canceled, "canceled"},
}

// operationErrorType is the error.type of a failed operation: the
// dynamokit sentinel its error matches, else as for a request.
func operationErrorType(err error) string {
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	return requestErrorType(err)
}
