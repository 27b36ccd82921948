package query

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestQueryInput(t *testing.T) {
	users := newTable[user](t)
	emps := newTable[emp](t)
	plains := newTable[plain](t)
	tests := []struct {
		name string
		q    interface {
			input() (*dynamodb.QueryInput, error)
		}
		want *dynamodb.QueryInput
	}{{
		name: "partition only",
		q:    users.Query(user{ID: "u1"}),
		want: &dynamodb.QueryInput{
			TableName:                 aws.String("users"),
			KeyConditionExpression:    aws.String("#0 = :0"),
			ExpressionAttributeNames:  map[string]string{"#0": "id"},
			ExpressionAttributeValues: avs{":0": s("u1")},
		},
	}, {
		name: "every option on an index",
		q: users.Query(user{Org: "o"}).Index("org-index").Range(Between, 1, 9).
			Filter(Name("name").BeginsWith("A")).Descending().Limit(5).Project("name", "age"),
		want: &dynamodb.QueryInput{
			TableName:                 aws.String("users"),
			IndexName:                 aws.String("org-index"),
			KeyConditionExpression:    aws.String("(#1 = :1) AND (#2 BETWEEN :2 AND :3)"),
			FilterExpression:          aws.String("begins_with (#0, :0)"),
			ProjectionExpression:      aws.String("#0, #2"),
			ExpressionAttributeNames:  map[string]string{"#0": "name", "#1": "org", "#2": "age"},
			ExpressionAttributeValues: avs{":0": s("A"), ":1": s("o"), ":2": n("1"), ":3": n("9")},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(5),
		},
	}, {
		name: "page size wins over limit; consistent read of the table",
		q:    plains.Consistent().Query(plain{K: "k"}).Range(GreaterThanEqual, 3).Limit(100).PageSize(10),
		want: &dynamodb.QueryInput{
			TableName:                 aws.String("plain"),
			KeyConditionExpression:    aws.String("(#0 = :0) AND (#1 >= :1)"),
			ExpressionAttributeNames:  map[string]string{"#0": "k", "#1": "r"},
			ExpressionAttributeValues: avs{":0": s("k"), ":1": n("3")},
			Limit:                     aws.Int32(10),
			ConsistentRead:            aws.Bool(true),
		},
	}, {
		name: "single table: entity prefix and type",
		q:    emps.Query(emp{Dept: "d"}),
		want: &dynamodb.QueryInput{
			TableName:                 aws.String("app"),
			KeyConditionExpression:    aws.String("(#1 = :1) AND (begins_with (#2, :2))"),
			FilterExpression:          aws.String("#0 = :0"),
			ExpressionAttributeNames:  map[string]string{"#0": "entity", "#1": "pk", "#2": "sk"},
			ExpressionAttributeValues: avs{":0": s("Employee"), ":1": s("DEPT#d"), ":2": s("EMP#")},
		},
	}, {
		name: "single table: computed index partition; the type is always projected",
		q:    emps.Query(emp{Level: 3}).Index("gsi1").Range(BeginsWith, "A").Project("name"),
		want: &dynamodb.QueryInput{
			TableName:                 aws.String("app"),
			IndexName:                 aws.String("gsi1"),
			KeyConditionExpression:    aws.String("(#1 = :1) AND (begins_with (#2, :2))"),
			FilterExpression:          aws.String("#0 = :0"),
			ProjectionExpression:      aws.String("#2, #0"),
			ExpressionAttributeNames:  map[string]string{"#0": "entity", "#1": "gsi1pk", "#2": "name"},
			ExpressionAttributeValues: avs{":0": s("Employee"), ":1": s("LEVEL#3"), ":2": s("A")},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.q.input()
			if err != nil {
				t.Fatalf("input() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreUnexported); diff != "" {
				t.Errorf("input() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueryRangeOps(t *testing.T) {
	plains := newTable[plain](t)
	for _, tt := range []struct {
		op   Op
		vals []any
		want string
	}{
		{Equal, []any{1}, "#1 = :1"},
		{LessThan, []any{1}, "#1 < :1"},
		{LessThanEqual, []any{1}, "#1 <= :1"},
		{GreaterThan, []any{1}, "#1 > :1"},
		{GreaterThanEqual, []any{1}, "#1 >= :1"},
		{Between, []any{1, 2}, "#1 BETWEEN :1 AND :2"},
	} {
		in, err := plains.Query(plain{K: "k"}).Range(tt.op, tt.vals...).input()
		if err != nil {
			t.Fatalf("Range(%d): %v", tt.op, err)
		}
		if got, want := aws.ToString(in.KeyConditionExpression), "(#0 = :0) AND ("+tt.want+")"; got != want {
			t.Errorf("Range(%d) key condition = %q, want %q", tt.op, got, want)
		}
	}
}

func TestQueryInputErrors(t *testing.T) {
	users := newTable[user](t)
	plains := newTable[plain](t)
	tests := []struct {
		name    string
		q       *Query[user]
		want    string
		wantErr error
	}{
		{"empty partition", users.Query(user{}), "partition attribute id", model.ErrEmptyKey},
		{"index forgotten", users.Query(user{Org: "o"}), `did you mean .Index("org-index")?`, model.ErrEmptyKey},
		{"unknown index", users.Query(user{ID: "u"}).Index("nope"), `no index "nope"`, nil},
		{"consistent global index", users.Consistent().Query(user{Org: "o"}).Index("org-index"), "no consistent reads", nil},
		{"range without a sort key", users.Query(user{ID: "u"}).Range(Equal, 1), "which has no sort key", nil},
		{"between needs two", users.Query(user{Org: "o"}).Index("org-index").Range(Between, 1), "needs 2 value(s)", nil},
		{"begins with a number", users.Query(user{Org: "o"}).Index("org-index").Range(BeginsWith, 1), "needs a string", nil},
		{"unknown operator", users.Query(user{Org: "o"}).Index("org-index").Range(Op(99), 1), "unknown range operator", nil},
		{"string for a number sort key", users.Query(user{Org: "o"}).Index("org-index").Range(GreaterThan, "30"), "holds values of type int, not string", nil},
		{"unknown projected attribute", users.Query(user{ID: "u"}).Project("nope"), `no attribute "nope"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.q.input()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("input() error = %v, want one containing %q", err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("input() error = %v, want errors.Is %v", err, tt.wantErr)
			}
		})
	}
	if _, err := plains.Query(plain{K: "k"}).Range(Equal).input(); err == nil {
		t.Error("Range(Equal) with no value: error = nil")
	}
}

func TestScanInput(t *testing.T) {
	users := newTable[user](t)
	emps := newTable[emp](t)
	tests := []struct {
		name string
		s    interface {
			input() (*dynamodb.ScanInput, error)
		}
		want *dynamodb.ScanInput
	}{{
		name: "whole table",
		s:    users.Scan(),
		want: &dynamodb.ScanInput{TableName: aws.String("users")},
	}, {
		name: "index, limit, consistent local-less table",
		s:    users.Scan().Index("org-index").Limit(7),
		want: &dynamodb.ScanInput{TableName: aws.String("users"), IndexName: aws.String("org-index"), Limit: aws.Int32(7)},
	}, {
		name: "single table type filter",
		s:    emps.Consistent().Scan(),
		want: &dynamodb.ScanInput{
			TableName:                 aws.String("app"),
			FilterExpression:          aws.String("#0 = :0"),
			ExpressionAttributeNames:  map[string]string{"#0": "entity"},
			ExpressionAttributeValues: avs{":0": s("Employee")},
			ConsistentRead:            aws.Bool(true),
		},
	}, {
		name: "filter, projection, page size; segments are per request",
		s:    emps.Scan().Filter(Name("level").GreaterThan(Value(1))).Project("name").Segments(4).PageSize(10),
		want: &dynamodb.ScanInput{
			TableName:                 aws.String("app"),
			FilterExpression:          aws.String("(#0 > :0) AND (#1 = :1)"),
			ProjectionExpression:      aws.String("#2, #1"),
			ExpressionAttributeNames:  map[string]string{"#0": "level", "#1": "entity", "#2": "name"},
			ExpressionAttributeValues: avs{":0": n("1"), ":1": s("Employee")},
			Limit:                     aws.Int32(10),
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.s.input()
			if err != nil {
				t.Fatalf("input() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreUnexported); diff != "" {
				t.Errorf("input() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScanSegments(t *testing.T) {
	users := newTable[user](t)
	sc := users.Scan().Segments(3)
	in, err := sc.input()
	if err != nil {
		t.Fatal(err)
	}
	ins := sc.segmentInputs(in)
	if len(ins) != 3 {
		t.Fatalf("segmentInputs: %d inputs, want 3", len(ins))
	}
	for i, in := range ins {
		if got := aws.ToInt32(in.Segment); got != int32(i) || aws.ToInt32(in.TotalSegments) != 3 {
			t.Errorf("input %d: Segment %d of %d, want %d of 3", i, got, aws.ToInt32(in.TotalSegments), i)
		}
	}
	for _, tt := range []struct {
		name string
		s    *Scan[user]
		want string
	}{
		{"unknown index", users.Scan().Index("nope"), `no index "nope"`},
		{"consistent global index", users.Consistent().Scan().Index("org-index"), "no consistent reads"},
		{"too many segments", users.Scan().Segments(maxSegments + 1), "segments"},
		{"unknown projected attribute", users.Scan().Project("nope"), `no attribute "nope"`},
		{"negative concurrency", users.Scan().Segments(4).Concurrency(-1), "Concurrency(-1)"},
	} {
		if _, err := tt.s.input(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: input() error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// order has a unixtime sort key: range values must be sent as numbers.
type order struct {
	Customer string    `dynamo:"customer_id,hash"`
	At       time.Time `dynamo:"ordered_at,range,unixtime"`
}

func (order) TableName() string { return "orders" }

func TestQueryRangeEncodesLikeTheField(t *testing.T) {
	orders := newTable[order](t)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	in, err := orders.Query(order{Customer: "c"}).Range(GreaterThanEqual, at).input()
	if err != nil {
		t.Fatal(err)
	}
	want := &types.AttributeValueMemberN{Value: "1893553445"}
	if diff := cmp.Diff(want, in.ExpressionAttributeValues[":1"], cmpopts.IgnoreUnexported(types.AttributeValueMemberN{})); diff != "" {
		t.Errorf("range value (-want +got):\n%s", diff)
	}
	if _, err := orders.Query(order{Customer: "c"}).Range(GreaterThanEqual, "yesterday").input(); err == nil {
		t.Error("Range(GreaterThanEqual, \"yesterday\") on a number sort key: error = nil, want one")
	}
}
