package dynamokitotel_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/model"
	dynamokitotel "github.com/dynamokit/dynamokit/otel"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// Team has members, in a table of their own found through an index.
type Team struct {
	TeamID string `dynamo:"team_id,hash"`
	Name   string `dynamo:"name"`
}

func (Team) TableName() string { return "otel-team" }

type Member struct {
	MemberID string `dynamo:"member_id,hash"`
	TeamID   string `dynamo:"team_id,omitempty" index:"team-index,hash"`
	Name     string `dynamo:"name"`
}

func (Member) TableName() string { return "otel-member" }

// Note is in no relation: its Put is one PutItem.
type Note struct {
	NoteID string `dynamo:"note_id,hash"`
	Text   string `dynamo:"text"`
}

func (Note) TableName() string { return "otel-note" }

// fixture is a client traced into an in-memory exporter and a manual
// reader, with the tables of Team and Member.
type fixture struct {
	spans   *tracetest.InMemoryExporter
	metrics *sdkmetric.ManualReader
	c       *dynamokit.Client
	teams   *query.Table[Team]
	members *query.Table[Member]
	notes   *query.Table[Note]
	staff   *relations.HasMany[Team, Member]
}

// graphClient is a client of the engine that enforces the relations'
// rules, as integration_test's helper of the same name.
func graphClient(t testing.TB, opts ...dynamokit.Option) *dynamokit.Client {
	t.Helper()
	return dynamotest.Client(t, append([]dynamokit.Option{dynamokit.WithRules(relations.NewGraph())}, opts...)...)
}

func setup(t *testing.T, opts ...dynamokit.Option) *fixture {
	t.Helper()
	f := &fixture{spans: tracetest.NewInMemoryExporter(), metrics: sdkmetric.NewManualReader(
		// Each Collect reports what was recorded since the one before.
		sdkmetric.WithTemporalitySelector(func(sdkmetric.InstrumentKind) metricdata.Temporality { return metricdata.DeltaTemporality }))}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(f.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(f.metrics))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tr, err := dynamokitotel.New(dynamokitotel.WithTracerProvider(tp), dynamokitotel.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	// The tables are made by a client without the test's options: a fault
	// option turns the SDK's own retries off, which must not make the
	// setup fail on a response that a normal client would resend.
	base := dynamotest.CreateTables(t, graphClient(t), model.MustOf[Team](), model.MustOf[Member](), model.MustOf[Note]())
	f.c = base.With(append(opts, dynamokit.WithTracer(tr))...)
	if f.teams, err = query.NewTable[Team](f.c); err != nil {
		t.Fatal(err)
	}
	if f.members, err = query.NewTable[Member](f.c); err != nil {
		t.Fatal(err)
	}
	if f.notes, err = query.NewTable[Note](f.c); err != nil {
		t.Fatal(err)
	}
	if f.staff, err = relations.Declare(f.teams, f.members, relations.Spec{
		Layout: relations.MultiTable, Index: "team-index", OnDelete: relations.Cascade,
	}); err != nil {
		t.Fatal(err)
	}
	f.spans.Reset() // the tables' creation
	var rm metricdata.ResourceMetrics
	_ = f.metrics.Collect(context.Background(), &rm)
	return f
}

// ended returns the spans ended since the last call, in the order they
// ended.
func (f *fixture) ended() tracetest.SpanStubs {
	s := f.spans.GetSpans()
	f.spans.Reset()
	return s
}

func attr(s tracetest.SpanStub, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func str(s tracetest.SpanStub, key string) string {
	v, _ := attr(s, key)
	return v.Emit()
}

func strs(s tracetest.SpanStub, key string) []string {
	v, _ := attr(s, key)
	return v.AsStringSlice()
}

func named(spans tracetest.SpanStubs, name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

func one(t *testing.T, spans tracetest.SpanStubs, name string) tracetest.SpanStub {
	t.Helper()
	got := named(spans, name)
	if len(got) != 1 {
		var names []string
		for _, s := range spans {
			names = append(names, s.Name)
		}
		t.Fatalf("%d spans named %s, want 1; spans: %q", len(got), name, names)
	}
	return got[0]
}

func childOf(child, parent tracetest.SpanStub) bool {
	return child.Parent.SpanID() == parent.SpanContext.SpanID() && child.SpanContext.TraceID() == parent.SpanContext.TraceID()
}

// TestPut: a Put is an operation span with one PutItem request span as
// its child, named and attributed as the conventions say, and one
// duration recorded.
func TestPut(t *testing.T) {
	f := setup(t)
	if err := f.notes.Put(t.Context(), &Note{NoteID: "n-1", Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	spans := f.ended()
	op := one(t, spans, "Table.Put")
	req := one(t, spans, "DynamoDB.PutItem")
	if !childOf(req, op) {
		t.Errorf("PutItem span is not a child of the Table.Put span")
	}
	if op.SpanKind != trace.SpanKindInternal || req.SpanKind != trace.SpanKindClient {
		t.Errorf("kinds: operation %v, request %v; want internal, client", op.SpanKind, req.SpanKind)
	}
	table := f.notes.TableName()
	for key, want := range map[string]string{
		"db.system.name":     "aws.dynamodb",
		"db.operation.name":  "PutItem",
		"db.collection.name": table,
		"rpc.system":         "aws-api",
		"rpc.service":        "DynamoDB",
		"rpc.method":         "PutItem",
		"dynamokit.attempt":  "1",
	} {
		if got := str(req, key); got != want {
			t.Errorf("request %s = %q, want %q", key, got, want)
		}
	}
	if got := strs(req, "aws.dynamodb.table_names"); !slices.Equal(got, []string{table}) {
		t.Errorf("request aws.dynamodb.table_names = %q, want [%s]", got, table)
	}
	if got := strs(op, "aws.dynamodb.table_names"); !slices.Equal(got, []string{table}) {
		t.Errorf("operation aws.dynamodb.table_names = %q, want [%s]", got, table)
	}
	cc := strs(req, "aws.dynamodb.consumed_capacity")
	if len(cc) != 1 || !strings.Contains(cc[0], `"TableName":"`+table+`"`) || !strings.Contains(cc[0], `"CapacityUnits":`) {
		t.Errorf("request aws.dynamodb.consumed_capacity = %q, want one JSON entry for %s", cc, table)
	}
	if req.Status.Code != codes.Unset || op.Status.Code != codes.Unset {
		t.Errorf("status: request %v, operation %v; want unset", req.Status, op.Status)
	}
	h := duration(t, f.metrics)
	if len(h) != 1 {
		t.Fatalf("%d duration points, want 1", len(h))
	}
	if h[0].Count != 1 || h[0].Sum <= 0 {
		t.Errorf("duration point: count %d, sum %v; want 1 and > 0", h[0].Count, h[0].Sum)
	}
	if v, _ := h[0].Attributes.Value("db.operation.name"); v.AsString() != "PutItem" {
		t.Errorf("duration db.operation.name = %q, want PutItem", v.AsString())
	}
	if v, _ := h[0].Attributes.Value("db.system.name"); v.AsString() != "aws.dynamodb" {
		t.Errorf("duration db.system.name = %q, want aws.dynamodb", v.AsString())
	}
}

// duration collects the points of db.client.operation.duration.
func duration(t *testing.T, r *sdkmetric.ManualReader) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "db.client.operation.duration" {
				continue
			}
			if m.Unit != "s" {
				t.Errorf("db.client.operation.duration unit %q, want s", m.Unit)
			}
			return m.Data.(metricdata.Histogram[float64]).DataPoints
		}
	}
	return nil
}

// TestQueryIndex: a query of an index has the index's name, the count
// from the response, and the query's settings.
func TestQueryIndex(t *testing.T) {
	f := setup(t)
	ctx := t.Context()
	if err := f.teams.Create(ctx, &Team{TeamID: "t-1"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"m-1", "m-2"} {
		if err := f.members.Put(ctx, &Member{MemberID: id, TeamID: "t-1"}); err != nil {
			t.Fatal(err)
		}
	}
	f.ended()
	got, err := f.members.Query(Member{TeamID: "t-1"}).Index("team-index").PageSize(5).Collect(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("query = %d members, %v; want 2", len(got), err)
	}
	spans := f.ended()
	op := one(t, spans, "Query.All")
	req := one(t, spans, "DynamoDB.Query")
	if !childOf(req, op) {
		t.Errorf("Query span is not a child of the Query.All span")
	}
	for key, want := range map[string]string{
		"aws.dynamodb.index_name":    "team-index",
		"aws.dynamodb.count":         "2",
		"aws.dynamodb.scanned_count": "2",
		"aws.dynamodb.limit":         "5",
	} {
		if got := str(req, key); got != want {
			t.Errorf("query %s = %q, want %q", key, got, want)
		}
	}
}

// TestWriteTxTables: a transaction over two tables names both.
func TestWriteTxTables(t *testing.T) {
	f := setup(t)
	ctx := t.Context()
	err := f.c.WriteTx(ctx, nil,
		f.teams.TxPut(&Team{TeamID: "t-9"}),
		f.members.TxPut(&Member{MemberID: "m-9"}))
	if err != nil {
		t.Fatal(err)
	}
	spans := f.ended()
	op := one(t, spans, "WriteTx")
	req := one(t, spans, "DynamoDB.TransactWriteItems")
	if !childOf(req, op) {
		t.Errorf("TransactWriteItems span is not a child of the WriteTx span")
	}
	want := []string{f.members.TableName(), f.teams.TableName()}
	slices.Sort(want)
	if got := strs(req, "aws.dynamodb.table_names"); !slices.Equal(got, want) {
		t.Errorf("aws.dynamodb.table_names = %q, want %q", got, want)
	}
	if _, ok := attr(req, "db.collection.name"); ok {
		t.Errorf("db.collection.name set on a request over two tables")
	}
}

// TestRelationVerb: DeleteParent is one span, its cascade a child of it,
// and every request a child of one of the two.
func TestRelationVerb(t *testing.T) {
	f := setup(t)
	ctx := t.Context()
	if err := f.teams.Create(ctx, &Team{TeamID: "t-1"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"m-1", "m-2"} {
		if err := f.staff.Link(ctx, &Member{MemberID: id}, Team{TeamID: "t-1"}); err != nil {
			t.Fatal(err)
		}
	}
	spans := f.ended()
	link := named(spans, "HasMany.Link")
	if len(link) != 2 {
		t.Fatalf("%d HasMany.Link spans, want 2", len(link))
	}
	if err := f.staff.DeleteParent(ctx, Team{TeamID: "t-1"}, nil); err != nil {
		t.Fatal(err)
	}
	spans = f.ended()
	verb := one(t, spans, "HasMany.DeleteParent")
	cascade := one(t, spans, "cascade")
	if !childOf(cascade, verb) {
		t.Errorf("cascade span is not a child of HasMany.DeleteParent")
	}
	requests := 0
	for _, s := range spans {
		if !strings.HasPrefix(s.Name, "DynamoDB.") {
			continue
		}
		requests++
		if s.Parent.SpanID() == (trace.SpanID{}) {
			t.Errorf("request %s has no parent", s.Name)
			continue
		}
		// Every request is inside the verb: its parent, or a span under it.
		if s.SpanContext.TraceID() != verb.SpanContext.TraceID() {
			t.Errorf("request %s is in another trace", s.Name)
		}
	}
	if requests == 0 {
		t.Error("no request spans under HasMany.DeleteParent")
	}
	if verb.Status.Code != codes.Unset {
		t.Errorf("DeleteParent status %v, want unset", verb.Status)
	}
}

// faultClient forwards requests to the engine, and fails the first
// request of op: with a throttling answer, without forwarding it
// ("throttled"), or by losing the answer after the engine applied it
// ("lost").
type faultClient struct {
	next  *http.Client
	op    string
	fault string
	mu    sync.Mutex
	done  bool
}

func (c *faultClient) Do(r *http.Request) (*http.Response, error) {
	target := r.Header.Get("X-Amz-Target")
	c.mu.Lock()
	hit := !c.done && strings.HasSuffix(target, "."+c.op)
	c.done = c.done || hit
	c.mu.Unlock()
	if !hit {
		return c.next.Do(r)
	}
	switch c.fault {
	case "throttled":
		body := `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"injected"}`
		return &http.Response{
			StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
			Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r,
		}, nil
	default: // lost
		resp, err := c.next.Do(r)
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		return nil, errors.New("read tcp: connection reset by peer")
	}
}

func faults(op, fault string) dynamokit.Option {
	// One fault client for the option's life: the option may be applied
	// on every call, and each call must not get a fault of its own.
	fc := &faultClient{next: &http.Client{}, op: op, fault: fault}
	return dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		o.HTTPClient = fc
		o.RetryMaxAttempts = 1
	})
}

// TestRetry: a throttled attempt is retried by the client's policy; each
// attempt is a span, the first marked retried, and the duration is
// recorded once.
func TestRetry(t *testing.T) {
	f := setup(t, faults("GetItem", "throttled"),
		dynamokit.WithRetry(dynamokit.RetryPolicy{MaxAttempts: 3, Backoff: func(int) time.Duration { return 0 }}))
	if err := f.teams.Put(t.Context(), &Team{TeamID: "t-1"}); err != nil {
		t.Fatal(err)
	}
	f.ended()
	duration(t, f.metrics)
	if _, err := f.teams.Get(t.Context(), Team{TeamID: "t-1"}); err != nil {
		t.Fatal(err)
	}
	spans := f.ended()
	op := one(t, spans, "Table.Get")
	gets := named(spans, "DynamoDB.GetItem")
	if len(gets) != 2 {
		t.Fatalf("%d GetItem spans, want 2", len(gets))
	}
	first, second := gets[0], gets[1]
	if !childOf(first, op) || !childOf(second, op) {
		t.Errorf("the attempts are not children of Table.Get")
	}
	if str(first, "dynamokit.attempt") != "1" || str(second, "dynamokit.attempt") != "2" {
		t.Errorf("attempts %s, %s; want 1, 2", str(first, "dynamokit.attempt"), str(second, "dynamokit.attempt"))
	}
	if str(first, "dynamokit.retry") != "true" || str(first, "error.type") != "ProvisionedThroughputExceededException" || first.Status.Code != codes.Error {
		t.Errorf("first attempt: retry %q, error.type %q, status %v; want true, ProvisionedThroughputExceededException, Error",
			str(first, "dynamokit.retry"), str(first, "error.type"), first.Status)
	}
	if _, ok := attr(second, "error.type"); ok || second.Status.Code == codes.Error {
		t.Errorf("second attempt failed: %v", second.Status)
	}
	if op.Status.Code == codes.Error {
		t.Errorf("Table.Get failed: %v", op.Status)
	}
	var gotPoints int
	for _, p := range duration(t, f.metrics) {
		if v, _ := p.Attributes.Value("db.operation.name"); v.AsString() == "GetItem" {
			gotPoints += int(p.Count)
			if _, failed := p.Attributes.Value("error.type"); failed {
				t.Errorf("GetItem duration recorded with error.type")
			}
		}
	}
	if gotPoints != 1 {
		t.Errorf("GetItem durations recorded %d times, want once for two attempts", gotPoints)
	}
}

// TestUnknownOutcome: a transaction whose answer is lost is one attempt,
// marked unknown, and the operation fails with ErrUnknownOutcome, said in
// its status and attributes.
func TestUnknownOutcome(t *testing.T) {
	f := setup(t, faults("TransactWriteItems", "lost"),
		dynamokit.WithRetry(dynamokit.DefaultRetry))
	err := f.c.WriteTx(t.Context(), nil, f.teams.TxPut(&Team{TeamID: "t-1"}))
	if !errors.Is(err, dynamokit.ErrUnknownOutcome) {
		t.Fatalf("WriteTx = %v, want ErrUnknownOutcome", err)
	}
	spans := f.ended()
	op := one(t, spans, "WriteTx")
	req := one(t, spans, "DynamoDB.TransactWriteItems")
	if str(req, "dynamokit.outcome") != "unknown" || req.Status.Code != codes.Error || !strings.Contains(req.Status.Description, "outcome unknown") {
		t.Errorf("request: outcome %q, status %v; want unknown, Error", str(req, "dynamokit.outcome"), req.Status)
	}
	if str(op, "dynamokit.outcome") != "unknown" || str(op, "error.type") != "dynamokit.ErrUnknownOutcome" || op.Status.Code != codes.Error {
		t.Errorf("operation: outcome %q, error.type %q, status %v; want unknown, dynamokit.ErrUnknownOutcome, Error",
			str(op, "dynamokit.outcome"), str(op, "error.type"), op.Status)
	}
	if len(op.Events) == 0 || op.Events[0].Name != "exception" {
		t.Errorf("operation events %v, want the error recorded", op.Events)
	}
}
