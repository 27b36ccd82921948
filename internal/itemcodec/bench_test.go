package itemcodec_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/benchmodel"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/guregu/dynamo/v2"
)

type Employee = benchmodel.Employee

var benchEmployee = benchmodel.Sample("d-1", 0)

// lib is one library's way to decode and encode an Employee.
type lib struct {
	name   string
	decode func(map[string]types.AttributeValue, *Employee) error
	encode func(*Employee) (map[string]types.AttributeValue, error)
}

// libs lists the libraries compared, the hand-written baseline first.
func libs() []lib {
	m := mapping.MustOf[Employee]()
	return []lib{{
		name:   "hand",
		decode: benchmodel.Decode,
		encode: func(e *Employee) (map[string]types.AttributeValue, error) { return benchmodel.Encode(e), nil },
	}, {
		name:   "guregu",
		decode: func(item map[string]types.AttributeValue, e *Employee) error { return dynamo.UnmarshalItem(item, e) },
		encode: func(e *Employee) (map[string]types.AttributeValue, error) { return dynamo.MarshalItem(e) },
	}, {
		name: "attributevalue",
		decode: func(item map[string]types.AttributeValue, e *Employee) error {
			return attributevalue.UnmarshalMap(item, e)
		},
		encode: func(e *Employee) (map[string]types.AttributeValue, error) { return attributevalue.MarshalMap(e) },
	}, {
		name:   "dynamokit",
		decode: func(item map[string]types.AttributeValue, e *Employee) error { return m.Decode(item, e) },
		encode: func(e *Employee) (map[string]types.AttributeValue, error) { return m.Encode(e) },
	}}
}

// BenchmarkDecode decodes one Employee item with each library. Compare the
// libraries with: benchstat -col /lib.
func BenchmarkDecode(b *testing.B) {
	item := benchmodel.Encode(&benchEmployee)
	for _, l := range libs() {
		b.Run("lib="+l.name, func(b *testing.B) {
			var e Employee
			b.ReportAllocs()
			for b.Loop() {
				if err := l.decode(item, &e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncode encodes one Employee with each library.
func BenchmarkEncode(b *testing.B) {
	e := benchEmployee
	for _, l := range libs() {
		b.Run("lib="+l.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.encode(&e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPaired runs batches of every library in each iteration, in
// rotating order, so that the machine's drift hits all of them alike. It
// reports each library's median time per operation (LIB-ns/op) and its
// ratio to the hand-written code's (LIB/hand) and to guregu's
// (dynamokit/guregu) over the same iterations; ns/op is the time of one
// iteration, all batches together.
func BenchmarkPaired(b *testing.B) {
	item := benchmodel.Encode(&benchEmployee)
	ls := libs()
	e := benchEmployee
	ops := map[string]func(l lib) error{
		"Decode": func(l lib) error { return l.decode(item, &e) },
		"Encode": func(l lib) error {
			_, err := l.encode(&e)
			return err
		},
	}
	for _, op := range []string{"Decode", "Encode"} {
		b.Run("op="+op, func(b *testing.B) {
			const batch = 64
			times := make([][]time.Duration, len(ls))
			for i := 0; b.Loop(); i++ {
				for k := range ls {
					j := (i + k) % len(ls)
					start := time.Now()
					for range batch {
						if err := ops[op](ls[j]); err != nil {
							b.Fatal(err)
						}
					}
					times[j] = append(times[j], time.Since(start))
				}
			}
			perOp := make([]float64, len(ls))
			for j, l := range ls {
				slices.Sort(times[j])
				perOp[j] = float64(times[j][len(times[j])/2]) / batch
				b.ReportMetric(perOp[j], l.name+"-ns/op")
				if j > 0 {
					b.ReportMetric(perOp[j]/perOp[0], l.name+"/hand")
				}
			}
			b.ReportMetric(perOp[3]/perOp[1], "dynamokit/guregu")
		})
	}
}

// TestBenchmarksAgree checks that the benchmarked libraries write and read
// the same item, so the benchmarks compare like with like.
func TestBenchmarksAgree(t *testing.T) {
	want := benchmodel.Encode(&benchEmployee)
	for _, l := range libs() {
		e := benchEmployee
		got, err := l.encode(&e)
		if err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberSS{})); diff != "" {
			t.Errorf("%s item differs from the hand-written one (-hand +%s):\n%s", l.name, l.name, diff)
		}
		var back Employee
		if err := l.decode(want, &back); err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		if diff := cmp.Diff(benchEmployee, back); diff != "" {
			t.Errorf("%s decodes a different value (-want +got):\n%s", l.name, diff)
		}
	}
}
