package query

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/benchmodel"
)

// These benchmarks time what a Table does around the I/O of an operation
// (building the request, decoding the response) against the hand-written
// equivalent, with no engine: benchstat -col /lib shows dynamokit's share.
// integration_test/bench_test.go times the whole operations.

func benchTable(b *testing.B) *Table[benchmodel.Employee] {
	b.Helper()
	r, err := NewTable[benchmodel.Employee](dynamokit.New(aws.Config{Region: "us-east-1"}))
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// sink keeps the compiler from discarding the hand-written requests.
var sink any

func benchLibs(b *testing.B, hand, dynamokit func() error) {
	for _, lib := range []struct {
		name string
		run  func() error
	}{{"hand", hand}, {"dynamokit", dynamokit}} {
		b.Run("lib="+lib.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := lib.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGetInput(b *testing.B) {
	r := benchTable(b)
	key := benchmodel.Employee{Dept: "d-1", ID: "e-001"}
	benchLibs(b, func() error {
		sink = &dynamodb.GetItemInput{TableName: aws.String(r.table), Key: benchmodel.Key(key.Dept, key.ID)}
		return nil
	}, func() error {
		_, err := r.getInput(&key)
		return err
	})
}

func BenchmarkPutInput(b *testing.B) {
	r := benchTable(b)
	v := benchmodel.Sample("d-1", 1)
	benchLibs(b, func() error {
		sink = &dynamodb.PutItemInput{TableName: aws.String(r.table), Item: benchmodel.Encode(&v)}
		return nil
	}, func() error {
		_, _, err := r.testPut(&v, nil)
		return err
	})
}

func BenchmarkQueryInput(b *testing.B) {
	r := benchTable(b)
	benchLibs(b, func() error {
		sink = &dynamodb.QueryInput{
			TableName:                 aws.String(r.table),
			KeyConditionExpression:    aws.String("#0 = :0"),
			ExpressionAttributeNames:  map[string]string{"#0": "dept"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":0": &types.AttributeValueMemberS{Value: "d-1"}},
		}
		return nil
	}, func() error {
		_, err := r.Query(benchmodel.Employee{Dept: "d-1"}).input()
		return err
	})
}

// BenchmarkCollect decodes a page of ten items into a slice.
func BenchmarkCollect(b *testing.B) {
	r := benchTable(b)
	items := make([]map[string]types.AttributeValue, 10)
	for i := range items {
		v := benchmodel.Sample("d-1", i)
		items[i] = benchmodel.Encode(&v)
	}
	fetch := func(context.Context, map[string]types.AttributeValue) ([]map[string]types.AttributeValue, map[string]types.AttributeValue, error) {
		return items, nil, nil
	}
	ctx := context.Background()
	benchLibs(b, func() error {
		out := make([]benchmodel.Employee, len(items))
		for i, item := range items {
			if err := benchmodel.Decode(item, &out[i]); err != nil {
				return err
			}
		}
		return nil
	}, func() error {
		_, err := collect(r.stream(ctx, "Query", fetch, 0))
		return err
	})
}

// getAPI answers every GetItem with one item, with no engine.
type getAPI struct {
	dynamokit.API
	item map[string]types.AttributeValue
}

func (a getAPI) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{Item: a.item}, nil
}

// BenchmarkGetExecutor is a Table.Get through the Client's executor, with
// no hook and no tracer: what the executor and the operation events cost
// when nothing reads them.
func BenchmarkGetExecutor(b *testing.B) {
	v := benchmodel.Sample("d-1", 1)
	r, err := NewTable[benchmodel.Employee](dynamokit.NewFromClient(getAPI{item: benchmodel.Encode(&v)}))
	if err != nil {
		b.Fatal(err)
	}
	key := benchmodel.Employee{Dept: "d-1", ID: v.ID}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Get(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}
