package integration_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/benchmodel"
	"github.com/dynamokit/dynamokit/query"
	"github.com/guregu/dynamo/v2"
)

// The benchmarks below time one typed operation through each library
// against the same engine and table. In BenchmarkGetItem, BenchmarkPutItem
// and BenchmarkQuery every sub-benchmark is one library (lib=...), so
// benchstat -col /lib prints each library's ratio to the raw SDK with
// hand-written decoding (lib=sdk). The engine's latency drifts more than
// the libraries differ, so BenchmarkPaired also runs all libraries in
// every iteration, in rotating order, and reports each one's time as a
// ratio to the SDK's in the same iterations. They skip without an engine;
// docs/performance.md shows how to run them.

// benchDept is the partition the benchmarks read: benchItems employees.
const (
	benchDept  = "d-bench"
	benchItems = 10
)

// sdkClient is the part of the SDK client the raw-SDK benchmarks call.
type sdkClient interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// benchEnv is a seeded table and a handle on it through every library.
type benchEnv struct {
	client sdkClient
	table  dynamo.Table
	emps   *query.Table[benchmodel.Employee]
	name   string
}

func newBenchEnv(b *testing.B) benchEnv {
	b.Helper()
	e := newEnv(b, must[benchmodel.Employee](b))
	emps, err := query.NewTable[benchmodel.Employee](e.db)
	if err != nil {
		b.Fatal(err)
	}
	sdk := e.db.API().(*dynamodb.Client) // the raw SDK client, under no executor
	be := benchEnv{client: sdk, table: dynamo.NewFromIface(sdk).Table(emps.TableName()), emps: emps, name: emps.TableName()}
	ctx := b.Context()
	for i := range benchItems {
		item := benchmodel.Sample(benchDept, i)
		if err := emps.Put(ctx, &item); err != nil {
			b.Fatal(err)
		}
	}
	// Warm the engine's JIT so that the first library measured is not
	// penalised.
	for range 200 {
		if _, err := emps.Get(ctx, benchmodel.Employee{Dept: benchDept, ID: "e-000"}); err != nil {
			b.Fatal(err)
		}
		if _, err := emps.Query(benchmodel.Employee{Dept: benchDept}).Collect(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return be
}

// libNames lists the libraries compared, the baseline first.
var libNames = []string{"sdk", "sdk+attributevalue", "guregu", "dynamokit"}

// ops maps a library name to one operation through it.
type ops map[string]func(ctx context.Context) error

// libs runs one sub-benchmark per library.
func libs(b *testing.B, ops ops) {
	for _, lib := range libNames {
		op := ops[lib]
		b.Run("lib="+lib, func(b *testing.B) {
			ctx := b.Context()
			if err := op(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := op(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// paired runs every library's operation once per iteration, starting with
// a different library each time, and reports each library's median time
// (LIB-ns/op) and its ratio to the SDK's median over the same iterations
// (LIB/sdk). Medians ignore the engine's occasional stalls, which would
// otherwise decide a mean.
func paired(b *testing.B, ops ops) {
	ctx := b.Context()
	times := make([][]time.Duration, len(libNames))
	for i := 0; b.Loop(); i++ {
		for k := range libNames {
			j := (i + k) % len(libNames)
			start := time.Now()
			if err := ops[libNames[j]](ctx); err != nil {
				b.Fatal(err)
			}
			times[j] = append(times[j], time.Since(start))
		}
	}
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2])
	}
	base := median(times[0])
	for j, lib := range libNames {
		m := median(times[j])
		b.ReportMetric(m, lib+"-ns/op")
		if j > 0 {
			b.ReportMetric(m/base, lib+"/sdk")
		}
	}
}

func BenchmarkGetItem(b *testing.B) { libs(b, getItemOps(newBenchEnv(b))) }
func BenchmarkPutItem(b *testing.B) { libs(b, putItemOps(newBenchEnv(b))) }
func BenchmarkQuery(b *testing.B)   { libs(b, queryOps(newBenchEnv(b))) }

func BenchmarkPaired(b *testing.B) {
	e := newBenchEnv(b)
	b.Run("op=GetItem", func(b *testing.B) { paired(b, getItemOps(e)) })
	b.Run("op=PutItem", func(b *testing.B) { paired(b, putItemOps(e)) })
	b.Run("op=Query", func(b *testing.B) { paired(b, queryOps(e)) })
}

func getItemOps(e benchEnv) ops {
	const id = "e-003"
	getItem := func(ctx context.Context) (map[string]types.AttributeValue, error) {
		out, err := e.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(e.name), Key: benchmodel.Key(benchDept, id)})
		if err != nil {
			return nil, err
		}
		return out.Item, nil
	}
	return ops{
		"sdk": func(ctx context.Context) error {
			item, err := getItem(ctx)
			if err != nil {
				return err
			}
			var v benchmodel.Employee
			return benchmodel.Decode(item, &v)
		},
		"sdk+attributevalue": func(ctx context.Context) error {
			item, err := getItem(ctx)
			if err != nil {
				return err
			}
			var v benchmodel.Employee
			return attributevalue.UnmarshalMap(item, &v)
		},
		"guregu": func(ctx context.Context) error {
			var v benchmodel.Employee
			return e.table.Get("dept", benchDept).Range("id", dynamo.Equal, id).One(ctx, &v)
		},
		"dynamokit": func(ctx context.Context) error {
			_, err := e.emps.Get(ctx, benchmodel.Employee{Dept: benchDept, ID: id})
			return err
		},
	}
}

func putItemOps(e benchEnv) ops {
	v := benchmodel.Sample(benchDept, 5)
	return ops{
		"sdk": func(ctx context.Context) error {
			_, err := e.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(e.name), Item: benchmodel.Encode(&v)})
			return err
		},
		"sdk+attributevalue": func(ctx context.Context) error {
			item, err := attributevalue.MarshalMap(&v)
			if err != nil {
				return err
			}
			_, err = e.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(e.name), Item: item})
			return err
		},
		"guregu": func(ctx context.Context) error {
			return e.table.Put(&v).Run(ctx)
		},
		"dynamokit": func(ctx context.Context) error {
			return e.emps.Put(ctx, &v)
		},
	}
}

func queryOps(e benchEnv) ops {
	// The hand-written request: the same expression the others build.
	queryItems := func(ctx context.Context) ([]map[string]types.AttributeValue, error) {
		out, err := e.client.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(e.name),
			KeyConditionExpression:    aws.String("#0 = :0"),
			ExpressionAttributeNames:  map[string]string{"#0": "dept"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":0": &types.AttributeValueMemberS{Value: benchDept}},
		})
		if err != nil {
			return nil, err
		}
		return out.Items, nil
	}
	check := func(n int) error {
		if n != benchItems {
			return fmt.Errorf("query returned %d items, want %d", n, benchItems)
		}
		return nil
	}
	return ops{
		"sdk": func(ctx context.Context) error {
			items, err := queryItems(ctx)
			if err != nil {
				return err
			}
			out := make([]benchmodel.Employee, len(items))
			for i, item := range items {
				if err := benchmodel.Decode(item, &out[i]); err != nil {
					return err
				}
			}
			return check(len(out))
		},
		"sdk+attributevalue": func(ctx context.Context) error {
			items, err := queryItems(ctx)
			if err != nil {
				return err
			}
			var out []benchmodel.Employee
			if err := attributevalue.UnmarshalListOfMaps(items, &out); err != nil {
				return err
			}
			return check(len(out))
		},
		"guregu": func(ctx context.Context) error {
			var out []benchmodel.Employee
			if err := e.table.Get("dept", benchDept).All(ctx, &out); err != nil {
				return err
			}
			return check(len(out))
		},
		"dynamokit": func(ctx context.Context) error {
			out, err := e.emps.Query(benchmodel.Employee{Dept: benchDept}).Collect(ctx)
			if err != nil {
				return err
			}
			return check(len(out))
		},
	}
}
