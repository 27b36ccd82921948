package query

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// shipment's sort key starts with a time; site's is hierarchical.
type shipment struct {
	_         struct{}  `dynamo:"pk,hash" template:"CUST#{customer}"`
	_         struct{}  `dynamo:"sk,range" template:"ORDER#{ordered_at}#{order_id}"`
	Customer  string    `dynamo:"customer"`
	OrderedAt time.Time `dynamo:"ordered_at"`
	OrderID   string    `dynamo:"order_id"`
}

func (shipment) TableName() string { return "orders" }

type site struct {
	_       struct{} `dynamo:"pk,hash" template:"COUNTRY#{country}"`
	_       struct{} `dynamo:"sk,range" template:"STATE#{state}#CITY#{city}#{id}"`
	Country string   `dynamo:"country"`
	State   string   `dynamo:"state"`
	City    string   `dynamo:"city"`
	ID      string   `dynamo:"id"`
}

func (site) TableName() string { return "sites" }

const (
	day3 = "2026-03-03T00:00:00.000000000Z"
	day5 = "2026-03-05T00:00:00.000000000Z"
)

// TestRangeByExample checks the condition a range by example becomes, and
// that a cursor of such a query is bound to it.
func TestRangeByExample(t *testing.T) {
	orders, sites := newTable[shipment](t), newTable[site](t)
	from := time.Date(2026, 3, 3, 1, 0, 0, 0, time.FixedZone("CET", 3600)) // 00:00 UTC
	to := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	ord := func() *Query[shipment] { return orders.Query(shipment{Customer: "c"}) }
	cal := func() *Query[site] { return sites.Query(site{Country: "us"}) }
	tests := []struct {
		name string
		q    interface {
			build() (*keyBoundsInput, error)
		}
		op      Op
		vals    []string
		inside  []string // sort keys a cursor may start after
		outside []string
	}{
		{"between times", probe(ord().Range(Between, shipment{OrderedAt: from}, shipment{OrderedAt: to})),
			Between, []string{"ORDER#" + day3 + "#", "ORDER#" + day5 + "$"},
			[]string{"ORDER#" + day3 + "#a", "ORDER#" + day5 + "#zzz"},
			[]string{"ORDER#2026-03-02T23:59:59.999999999Z#z", "ORDER#2026-03-05T00:00:00.000000001Z#a"}},
		{"from a time", probe(ord().Range(GreaterThanEqual, &shipment{OrderedAt: from})),
			GreaterThanEqual, []string{"ORDER#" + day3 + "#"}, []string{"ORDER#" + day3 + "#a"}, []string{"ORDER#2026-03-02T23:59:59.999999999Z#z"}},
		{"after a time", probe(ord().Range(GreaterThan, shipment{OrderedAt: from})),
			GreaterThanEqual, []string{"ORDER#" + day3 + "$"}, []string{"ORDER#2026-03-03T00:00:00.000000001Z#a"}, []string{"ORDER#" + day3 + "#zz"}},
		{"up to a time", probe(ord().Range(LessThanEqual, shipment{OrderedAt: from})),
			LessThan, []string{"ORDER#" + day3 + "$"}, []string{"ORDER#" + day3 + "#zz"}, []string{"ORDER#2026-03-03T00:00:00.000000001Z#a"}},
		{"before a time", probe(ord().Range(LessThan, shipment{OrderedAt: from})),
			LessThan, []string{"ORDER#" + day3 + "#"}, []string{"ORDER#2026-03-02T23:59:59.999999999Z#z"}, []string{"ORDER#" + day3 + "#a"}},
		{"one order", probe(ord().Range(Equal, shipment{OrderedAt: from, OrderID: "o#1"})),
			Equal, []string{"ORDER#" + day3 + "#o#1"}, []string{"ORDER#" + day3 + "#o#1"}, []string{"ORDER#" + day3 + "#o#10"}},
		{"a state", probe(cal().Range(BeginsWith, site{State: "CA"})),
			BeginsWith, []string{"STATE#CA#CITY#"}, []string{"STATE#CA#CITY#SF#1"}, []string{"STATE#CAL#CITY#X#1"}},
		{"a city, with Equal", probe(cal().Range(Equal, site{State: "CA", City: "SF"})),
			BeginsWith, []string{"STATE#CA#CITY#SF#"}, []string{"STATE#CA#CITY#SF#1"}, []string{"STATE#CA#CITY#SFO#1"}},
		{"raw", probe(cal().Range(BeginsWith, RawKey("STATE#C"))),
			BeginsWith, []string{"STATE#C"}, []string{"STATE#CA#CITY#SF#1"}, []string{"STATE#NY#CITY#X#1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.q.build()
			if err != nil {
				t.Fatal(err)
			}
			var vals []string
			for _, av := range got.bounds.vals {
				vals = append(vals, av.(*types.AttributeValueMemberS).Value)
			}
			if got.bounds.op != tt.op || strings.Join(vals, " ") != strings.Join(tt.vals, " ") {
				t.Errorf("range = %d %q, want %d %q", got.bounds.op, vals, tt.op, tt.vals)
			}
			pk := got.bounds.value
			for _, sk := range tt.inside {
				if _, err := decodeCursor(mustCursor(t, got, pk, sk), got.spec); err != nil {
					t.Errorf("cursor at %q = %v, want it accepted", sk, err)
				}
			}
			for _, sk := range tt.outside {
				if _, err := decodeCursor(mustCursor(t, got, pk, sk), got.spec); !errors.Is(err, ErrBadCursor) {
					t.Errorf("cursor at %q = %v, want ErrBadCursor", sk, err)
				}
			}
		})
	}
}

// keyBoundsInput is what TestRangeByExample reads of a built query.
type keyBoundsInput struct {
	bounds *keyBounds
	spec   cursorSpec
}

type rangeProbe[T any] struct{ q *Query[T] }

func (b rangeProbe[T]) build() (*keyBoundsInput, error) {
	in, bounds, err := b.q.build()
	if err != nil {
		return nil, err
	}
	return &keyBoundsInput{bounds: bounds, spec: b.q.cursor(in, bounds)}, nil
}

func probe[T any](q *Query[T]) rangeProbe[T] { return rangeProbe[T]{q} }

func mustCursor(t *testing.T, got *keyBoundsInput, pk types.AttributeValue, sk string) string {
	t.Helper()
	c, err := encodeCursor(avs{got.bounds.hash: pk, got.bounds.sort: s(sk)}, got.spec)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRangeByExampleErrors: a value of the wrong type names the field to
// set and its type.
func TestRangeByExampleErrors(t *testing.T) {
	orders, sites := newTable[shipment](t), newTable[site](t)
	day := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a time", buildErr(orders.Query(shipment{Customer: "c"}).Range(GreaterThanEqual, day)), "got time.Time, want an example of query.shipment with OrderedAt (ordered_at, a time.Time) set, or a query.RawKey"},
		{"a string", buildErr(orders.Query(shipment{Customer: "c"}).Range(GreaterThanEqual, "2026-03-03")), "got string, want an example of query.shipment"},
		{"a city without its state", buildErr(sites.Query(site{Country: "us"}).Range(BeginsWith, site{City: "SF"})), "city is set but state, which comes before it, is not"},
		{"a raw key on a plain sort key", buildErr(newTable[plain](t).Query(plain{K: "k"}).Range(Equal, RawKey("1"))), "a RawKey is for a computed sort key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("build() = %v, want an error containing %q", tt.err, tt.want)
			}
		})
	}
	// An example of a plain sort key gives its value.
	in, err := newTable[plain](t).Query(plain{K: "k"}).Range(GreaterThanEqual, plain{R: 7}).input()
	if err != nil || in.ExpressionAttributeValues[":1"].(*types.AttributeValueMemberN).Value != "7" {
		t.Errorf("Range(GreaterThanEqual, plain{R: 7}) = %v, %v; want r >= 7", in, err)
	}
}

func buildErr[T any](q *Query[T]) error {
	_, _, err := q.build()
	return err
}
