package dynamokitotel_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	dynamokitotel "github.com/dynamokit/dynamokit/otel"
	"github.com/dynamokit/dynamokit/query"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// recordedAPI stands in for DynamoDB in the example, so that its output
// does not depend on an engine: it answers every PutItem with the
// capacity DynamoDB reports for a 1 KB item.
type recordedAPI struct{ dynamokit.API }

func (recordedAPI) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return &dynamodb.PutItemOutput{ConsumedCapacity: &types.ConsumedCapacity{
		TableName: in.TableName, CapacityUnits: aws.Float64(1), Table: &types.Capacity{CapacityUnits: aws.Float64(1)},
	}}, nil
}

type Account struct {
	AccountID string `dynamo:"account_id,hash"`
	Owner     string `dynamo:"owner"`
}

func (Account) TableName() string { return "account" }

// A Client given the Tracer reports each operation as a span, with one
// child span per request attempt, and records
// db.client.operation.duration. A program passes its own providers (or
// none: the global ones); this one exports to memory to print the spans.
func Example() {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer tp.Shutdown(context.Background())

	tracer, err := dynamokitotel.New(dynamokitotel.WithTracerProvider(tp))
	if err != nil {
		log.Fatal(err)
	}
	// With a real engine: connect.FromEnv(ctx, dynamokit.WithTracer(tracer)).
	c := dynamokit.NewFromClient(recordedAPI{}, dynamokit.WithTracer(tracer))
	accounts, err := query.NewTable[Account](c)
	if err != nil {
		log.Fatal(err)
	}
	if err := accounts.Put(context.Background(), &Account{AccountID: "a-1", Owner: "ada"}); err != nil {
		log.Fatal(err)
	}

	for _, s := range exporter.GetSpans() { // in the order they ended
		fmt.Println(s.Name, s.SpanKind)
		for _, kv := range s.Attributes {
			fmt.Printf("  %s = %s\n", kv.Key, kv.Value.Emit())
		}
	}
	// Output:
	// DynamoDB.PutItem client
	//   db.system.name = aws.dynamodb
	//   db.operation.name = PutItem
	//   rpc.system = aws-api
	//   rpc.service = DynamoDB
	//   rpc.method = PutItem
	//   dynamokit.attempt = 1
	//   aws.dynamodb.table_names = ["account"]
	//   db.collection.name = account
	//   aws.dynamodb.consumed_capacity = ["{\"CapacityUnits\":1,\"Table\":{\"CapacityUnits\":1},\"TableName\":\"account\"}"]
	// Table.Put internal
	//   db.system.name = aws.dynamodb
	//   dynamokit.operation = Table.Put
	//   aws.dynamodb.table_names = ["account"]
}
