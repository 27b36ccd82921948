package query

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BenchmarkCollectionDecode decodes a page of ten orders as a member
// Table's query does (into a []T) and as a collection query does (into
// []Entity, each value boxed in an interface): the cost of telling entity
// types apart.
func BenchmarkCollectionDecode(b *testing.B) {
	profiles, err := NewTable[colProfile](offlineClient)
	if err != nil {
		b.Fatal(err)
	}
	orders, err := NewTable[colOrder](offlineClient)
	if err != nil {
		b.Fatal(err)
	}
	col, err := NewCollection("customer", profiles, orders)
	if err != nil {
		b.Fatal(err)
	}
	items := make([]map[string]types.AttributeValue, 10)
	for i := range items {
		o := colOrder{Customer: "c1", OrderedAt: time.Date(2026, 3, i+1, 0, 0, 0, 0, time.UTC), OrderID: "o", Total: i}
		if items[i], err = orders.m.Encode(&o); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("via=table", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := make([]colOrder, len(items))
			for i, item := range items {
				if !orders.m.IsEntity(item) {
					continue
				}
				if err := orders.decodeTo(item, &out[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("via=collection", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := make([]Entity, 0, len(items))
			for _, item := range items {
				e, err := col.entity(item)
				if err != nil {
					b.Fatal(err)
				}
				out = append(out, e)
			}
		}
	})
}
