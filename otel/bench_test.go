package dynamokitotel_test

import (
	"context"
	"testing"

	"github.com/dynamokit/dynamokit"
	dynamokitotel "github.com/dynamokit/dynamokit/otel"
	"github.com/dynamokit/dynamokit/query"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkPut is a Table.Put through the executor with no engine
// (recordedAPI), without a tracer and with this package's, sampling every
// span into a discarding exporter: what tracing adds to a request.
func BenchmarkPut(b *testing.B) {
	exporter := tracetest.NewNoopExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tr, err := dynamokitotel.New(dynamokitotel.WithTracerProvider(tp), dynamokitotel.WithMeterProvider(mp))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		opts []dynamokit.Option
	}{{"tracer=none", nil}, {"tracer=otel", []dynamokit.Option{dynamokit.WithTracer(tr)}}} {
		b.Run(bc.name, func(b *testing.B) {
			accounts, err := query.NewTable[Account](dynamokit.NewFromClient(recordedAPI{}, bc.opts...))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := accounts.Put(ctx, &Account{AccountID: "a-1", Owner: "ada"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
