package mapping_test

import (
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// benchOrder's keys are rendered from strings, a time and an integer.
type benchOrder struct {
	_        struct{}  `dynamo:"pk,hash" template:"ORD#{customer}#{order}"`
	_        struct{}  `dynamo:"sk,range" template:"AT#{at}#{seq:6}#{name}"`
	Customer string    `dynamo:"customer"`
	Order    string    `dynamo:"order"`
	At       time.Time `dynamo:"at"`
	Seq      int       `dynamo:"seq"`
	Name     string    `dynamo:"name"`
}

func (benchOrder) TableName() string { return "t" }

// BenchmarkKeyOf times rendering a key from two templates.
func BenchmarkKeyOf(b *testing.B) {
	m := mapping.MustOf[benchOrder]()
	v := &benchOrder{Customer: "acme", Order: "o-1", At: time.Date(2026, 3, 3, 10, 0, 0, 5e8, time.UTC), Seq: 42, Name: "widget"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.KeyOf(v); err != nil {
			b.Fatal(err)
		}
	}
}
