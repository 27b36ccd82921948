package query

import (
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/internal/benchmodel"
)

// These benchmarks build requests with model-aware conditions and update
// operands, each of 2 or 3 operands, without I/O.

var benchHired = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)

// BenchmarkFilterInput builds a scan with a filter of three operands.
func BenchmarkFilterInput(b *testing.B) {
	r := benchTable(b)
	b.ReportAllocs()
	for b.Loop() {
		_, err := r.Scan().
			Filter(Name("age").GreaterThanEqual(Value(30))).
			Filter(Name("hired").LessThan(Value(benchHired))).
			Filter(Name("name").Equal(Value("Ada Lovelace"))).
			input()
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConditionInput builds a conditional delete with two operands.
func BenchmarkConditionInput(b *testing.B) {
	r := benchTable(b)
	key := benchmodel.Employee{Dept: "d-1", ID: "e-001"}
	b.ReportAllocs()
	for b.Loop() {
		_, err := r.testDelete(&key, []Cond{
			Name("age").Between(Value(30), Value(40)),
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateOperands builds an update with three operands.
func BenchmarkUpdateOperands(b *testing.B) {
	r := benchTable(b)
	key := benchmodel.Employee{Dept: "d-1", ID: "e-001"}
	b.ReportAllocs()
	for b.Loop() {
		_, err := r.Update(key).Set("name", "Ada").Set("hired", benchHired).AddToSet("skills", "go").input()
		if err != nil {
			b.Fatal(err)
		}
	}
}
