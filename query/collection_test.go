package query

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp"
)

// A customer's profile and orders share the customer's partition.
type (
	colProfile struct {
		_        struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer}"`
		_        struct{} `dynamo:"sk,range" template:"#PROFILE"`
		_        struct{} `dynamo:"entity" template:"Profile" dynamokit:"type"`
		Customer string   `dynamo:"customer"`
	}
	colOrder struct {
		_         struct{}  `dynamo:"pk,hash" template:"CUSTOMER#{customer}"`
		_         struct{}  `dynamo:"sk,range" template:"ORDER#{ordered_at}#{order_id}"`
		_         struct{}  `dynamo:"entity" template:"Order" dynamokit:"type"`
		Customer  string    `dynamo:"customer"`
		OrderedAt time.Time `dynamo:"ordered_at"`
		OrderID   string    `dynamo:"order_id"`
		Total     int       `dynamo:"total"`
	}
)

func (colProfile) TableName() string { return "customers" }
func (colOrder) TableName() string   { return "customers" }

// TestCollectionInput compares the Query request of a collection query to
// the one DynamoDB should get: no entity-type filter of its own, a range
// rendered through the member's template, a per-member filter that lets
// the other entity types through.
func TestCollectionInput(t *testing.T) {
	profiles, orders := newTable[colProfile](t), newTable[colOrder](t)
	col, err := NewCollection("customer", profiles, orders)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		q    *CollectionQuery
		want *dynamodb.QueryInput
	}{{
		name: "partition by example of any member",
		q:    col.Query(colProfile{Customer: "c1"}),
		want: &dynamodb.QueryInput{
			TableName:                 aws.String("customers"),
			KeyConditionExpression:    aws.String("#0 = :0"),
			ExpressionAttributeNames:  map[string]string{"#0": "pk"},
			ExpressionAttributeValues: avs{":0": s("CUSTOMER#c1")},
		},
	}, {
		name: "range of one member, filter on it, descending, pages of 5",
		q: col.Query(&colOrder{Customer: "c1"}).
			Range(Between, colOrder{OrderedAt: day}, colOrder{OrderedAt: day.AddDate(0, 0, 1)}).
			Filter(orders, Name("total").GreaterThan(Value(10))).
			Descending().PageSize(5),
		want: &dynamodb.QueryInput{
			TableName:                 aws.String("customers"),
			KeyConditionExpression:    aws.String("(#2 = :2) AND (#3 BETWEEN :3 AND :4)"),
			FilterExpression:          aws.String("(NOT (#0 = :0)) OR (#1 > :1)"),
			ExpressionAttributeNames:  map[string]string{"#0": "entity", "#1": "total", "#2": "pk", "#3": "sk"},
			ExpressionAttributeValues: avs{":0": s("Order"), ":1": n("10"), ":2": s("CUSTOMER#c1"), ":3": s("ORDER#2026-03-01T00:00:00.000000000Z#"), ":4": s("ORDER#2026-03-02T00:00:00.000000000Z$")},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(5),
		},
	}, {
		name: "only two members",
		q:    col.Query(colProfile{Customer: "c1"}).Only(profiles, orders),
		want: &dynamodb.QueryInput{
			TableName:                 aws.String("customers"),
			KeyConditionExpression:    aws.String("#1 = :2"),
			FilterExpression:          aws.String("#0 IN (:0, :1)"),
			ExpressionAttributeNames:  map[string]string{"#0": "entity", "#1": "pk"},
			ExpressionAttributeValues: avs{":0": s("Profile"), ":1": s("Order"), ":2": s("CUSTOMER#c1")},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := tt.q.build()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreUnexported); diff != "" {
				t.Errorf("build() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCollectionCursorScope: a collection query's cursor scope differs
// from the member Table's query of the same partition, so one's cursor is
// refused by the other.
func TestCollectionCursorScope(t *testing.T) {
	profiles, orders := newTable[colProfile](t), newTable[colOrder](t)
	col, err := NewCollection("customer", profiles, orders)
	if err != nil {
		t.Fatal(err)
	}
	_, spec, err := col.Query(colOrder{Customer: "c1"}).build()
	if err != nil {
		t.Fatal(err)
	}
	in, bounds, err := orders.Query(colOrder{Customer: "c1"}).build()
	if err != nil {
		t.Fatal(err)
	}
	tableSpec := orders.Query(colOrder{Customer: "c1"}).cursor(in, bounds)
	if spec.scope == tableSpec.scope {
		t.Errorf("collection scope = table scope %q, want them to differ", spec.scope)
	}
}

func TestEntities(t *testing.T) {
	es := []Entity{
		{Type: "Order", Value: colOrder{OrderID: "o1"}},
		{Type: "Profile", Value: colProfile{Customer: "c"}},
		{Type: "Coupon", Raw: avs{"code": s("X")}},
		{Type: "Order", Value: colOrder{OrderID: "o2"}},
	}
	got := Entities[colOrder](es)
	if len(got) != 2 || got[0].OrderID != "o1" || got[1].OrderID != "o2" {
		t.Errorf("Entities[colOrder] = %+v, want o1 and o2", got)
	}
	if es[2].Known() || !es[0].Known() {
		t.Errorf("Known() = %v for an unknown item, %v for an order; want false, true", es[2].Known(), es[0].Known())
	}
}
