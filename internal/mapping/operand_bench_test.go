package mapping_test

import (
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// BenchmarkKeyPrefix times rendering a sort-key template up to the fields
// a value sets, as a typed range does.
func BenchmarkKeyPrefix(b *testing.B) {
	m := mapping.MustOf[benchOrder]()
	v := &benchOrder{At: time.Date(2026, 3, 3, 10, 0, 0, 5e8, time.UTC)}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.KeyPrefix("sk", v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValue times encoding one attribute of a value: a template part
// and a plain field.
func BenchmarkValue(b *testing.B) {
	m := mapping.MustOf[benchOrder]()
	v := &benchOrder{Customer: "acme", Order: "o-1", At: time.Date(2026, 3, 3, 10, 0, 0, 5e8, time.UTC), Seq: 42, Name: "widget"}
	for _, name := range []string{"pk", "at"} {
		b.Run("attr="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Value(name, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOperand times converting and encoding a condition operand with
// its attribute's own encoder.
func BenchmarkOperand(b *testing.B) {
	a := mapping.MustOf[benchOrder]().Attribute("at")
	at := time.Date(2026, 3, 3, 10, 0, 0, 5e8, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		fv, err := a.Convert(at)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.EncodeOperand(fv); err != nil {
			b.Fatal(err)
		}
	}
}
