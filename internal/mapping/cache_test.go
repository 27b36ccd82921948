package mapping

import (
	"reflect"
	"sync"
	"testing"
	"time"
)

// benchItem is a typical model: keys, an index, a role and a few attributes.
type benchItem struct {
	_          struct{}  `dynamo:"pk,hash" template:"CUST#{customer_id}"`
	_          struct{}  `dynamo:"sk,range" template:"ORDER#{order_id}"`
	CustomerID string    `dynamo:"customer_id"`
	OrderID    string    `dynamo:"order_id" index:"by-order,hash"`
	Status     string    `dynamo:"status,omitempty" index:"by-status,hash"`
	Date       time.Time `dynamo:"date" index:"by-status,range"`
	Total      int64     `dynamo:"total"`
	Tags       []string  `dynamo:"tags,set"`
	Version    int       `dynamo:"version" dynamokit:"version"`
}

func (benchItem) TableName() string { return "orders" }

// TestOfConcurrent parses one type from many goroutines at once: all of
// them must get the same *Model (run with -race).
func TestOfConcurrent(t *testing.T) {
	type fresh struct {
		benchItem
	}
	const n = 32
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		got   [n]*Model
		errs  [n]error
	)
	for i := range n {
		wg.Go(func() {
			<-start
			got[i], errs[i] = Of[fresh]()
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if got[i] != got[0] {
			t.Errorf("goroutine %d got model %p, goroutine 0 got %p", i, got[i], got[0])
		}
	}
	if m, _ := Of[fresh](); m != got[0] {
		t.Errorf("a later Of = %p, want the cached %p", m, got[0])
	}
}

func TestOfCachedDoesNotAllocate(t *testing.T) {
	if _, err := Of[benchItem](); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = Of[benchItem]() }); n != 0 {
		t.Errorf("Of on a cached type allocates %v times, want 0", n)
	}
}

func BenchmarkOfCached(b *testing.B) {
	if _, err := Of[benchItem](); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Of[benchItem](); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOfUncached measures a cache miss: parsing and validating the type.
func BenchmarkOfUncached(b *testing.B) {
	t := reflect.TypeFor[benchItem]()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := build(t); err != nil {
			b.Fatal(err)
		}
	}
}
