package query

import (
	"testing"
	"time"
)

// BenchmarkRangeInput times building a query with a range on a computed
// sort key: op=example renders the operand through the template, op=raw
// sends the stored string.
func BenchmarkRangeInput(b *testing.B) {
	r, err := NewTable[shipment](offlineClient)
	if err != nil {
		b.Fatal(err)
	}
	day := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	for _, op := range []struct {
		name string
		val  any
	}{{"example", shipment{OrderedAt: day}}, {"raw", RawKey("ORDER#2026-03-03T10:00:00.000000000Z#")}} {
		b.Run("op="+op.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Query(shipment{Customer: "c"}).Range(GreaterThanEqual, op.val).input(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
