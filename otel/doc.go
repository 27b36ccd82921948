// Package dynamokitotel reports a dynamokit [dynamokit.Client]'s
// operations and requests to OpenTelemetry, as spans and metrics named by
// OpenTelemetry's semantic conventions. It is a module of its own
// (github.com/dynamokit/dynamokit/otel), so that dynamokit itself requires
// no OpenTelemetry.
//
//	tracer, err := dynamokitotel.New() // the global providers; see WithTracerProvider
//	if err != nil { ... }
//	c, err := connect.FromEnv(ctx, dynamokit.WithTracer(tracer))
//
// # Spans
//
// Each dynamokit operation ([dynamokit.Operation]: a verb of query or
// relations such as Table.Put, Query.All, HasMany.DeleteParent or
// ManyToMany.Link, a step inside one such as a cascade or the fan-out of
// copies, or [dynamokit.Client.WriteTx]) is a span of kind INTERNAL named
// after the operation, with the attribute dynamokit.operation and, when
// it is on one table, aws.dynamodb.table_names. Operations nest: a cascade
// is a child of the DeleteParent that runs it. An operation that fails
// has status Error, the error recorded as an event, and error.type.
//
// Each attempt of each request is a span of kind CLIENT, a child of the
// operation it was sent in (or of the span of the caller's context, for a
// request sent outside any operation), named DynamoDB.Operation
// ("DynamoDB.PutItem") as the AWS SDK conventions name spans, with
//
//   - db.system.name "aws.dynamodb", db.operation.name and rpc.method the
//     DynamoDB operation, rpc.system "aws-api", rpc.service "DynamoDB";
//   - aws.dynamodb.table_names: every table of the request, a batch's and a
//     transaction's included (a string array); db.collection.name when
//     there is one table;
//   - aws.dynamodb.index_name, consistent_read, limit, projection, select,
//     scan_forward, segment, total_segments from the input, and count and
//     scanned_count from the output of a Query or Scan, where they are set;
//   - aws.dynamodb.consumed_capacity: each ConsumedCapacity entry of the
//     response as a JSON string (dynamokit asks for the capacity when a
//     tracer is set);
//   - dynamokit.attempt: the attempt, from 1; dynamokit.retry true when
//     the client's RetryPolicy sends the request again;
//   - on failure, status Error, the error recorded and error.type: the
//     error code DynamoDB answered with (such as
//     "ConditionalCheckFailedException"), else "_OTHER". A write whose
//     outcome is unknown ([dynamokit.ErrUnknownOutcome]) has
//     dynamokit.outcome "unknown", on its request span and on the spans
//     of the operations it fails; the error.type of an operation is the
//     dynamokit sentinel its error matches ("dynamokit.ErrUnknownOutcome",
//     "dynamokit.ErrConditionFailed", ...) when there is one.
//
// The SDK's own instrumentation (otelaws) may be added too: its spans are
// not children of these, which are made when an attempt has ended.
//
// # Metrics
//
// db.client.operation.duration, a histogram in seconds, is recorded once
// per request, when its last attempt ends: the time since the first
// attempt started, retries and the waits between them included, as the
// database conventions ask. Its attributes are db.system.name,
// db.operation.name, db.collection.name (one table) and error.type (on
// failure).
//
// # Conventions followed
//
// The semantic conventions for AWS DynamoDB client operations
// (https://opentelemetry.io/docs/specs/semconv/db/dynamodb/, status
// Development: db.system.name "aws.dynamodb", rpc.system "aws-api", the
// aws.dynamodb.* attributes per operation, consumed_capacity as an array
// of JSON strings), which extend the AWS SDK conventions
// (https://opentelemetry.io/docs/specs/semconv/cloud-providers/aws-sdk/:
// span names Service.Operation, rpc.service, rpc.method) and the
// database client span and metric conventions
// (https://opentelemetry.io/docs/specs/semconv/db/database-spans/ and
// database-metrics/: db.operation.name, db.collection.name, error.type and
// its "_OTHER" fallback, span kind CLIENT, db.client.operation.duration in
// seconds with its recommended buckets, covering retries). The
// dynamokit.* attributes (attempt, retry, outcome, operation) are
// dynamokit's own: the conventions have none for them.
package dynamokitotel
