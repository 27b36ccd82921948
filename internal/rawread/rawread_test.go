package rawread

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/unprocessed"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var ignore = cmpopts.IgnoreUnexported(dynamodb.GetItemInput{}, dynamodb.BatchGetItemInput{}, dynamodb.QueryInput{},
	dynamodb.ScanInput{}, types.KeysAndAttributes{}, types.AttributeValueMemberS{})

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func TestInputs(t *testing.T) {
	key := Item{"pk": s("a")}
	projected := Read{Table: "t", Consistent: true, Attrs: []string{"pk", "n.x", "pk"}}
	tests := []struct {
		name string
		got  func() (any, error)
		want any
	}{
		{"get", func() (any, error) { return GetInput(Read{Table: "t"}, key) }, &dynamodb.GetItemInput{TableName: aws.String("t"), Key: key}},
		{"projected consistent get", func() (any, error) { return GetInput(projected, key) }, &dynamodb.GetItemInput{
			TableName: aws.String("t"), Key: key, ConsistentRead: aws.Bool(true),
			ProjectionExpression: aws.String("#0, #1"), ExpressionAttributeNames: map[string]string{"#0": "pk", "#1": "n.x"},
		}},
		{"batch get", func() (any, error) { return BatchGetInput(projected, []Item{key}) }, &dynamodb.BatchGetItemInput{
			RequestItems: map[string]types.KeysAndAttributes{"t": {
				Keys: []map[string]types.AttributeValue{key}, ConsistentRead: aws.Bool(true),
				ProjectionExpression: aws.String("#0, #1"), ExpressionAttributeNames: map[string]string{"#0": "pk", "#1": "n.x"},
			}},
		}},
		{"query", func() (any, error) {
			return QueryInput(Query{Read: Read{Table: "t", Index: "i"}, Key: expression.Key("pk").Equal(expression.Value("a")),
				Filter: expression.Name("e").Equal(expression.Value("E")), Descending: true, Limit: aws.Int32(5)})
		}, &dynamodb.QueryInput{
			TableName: aws.String("t"), IndexName: aws.String("i"), KeyConditionExpression: aws.String("#1 = :1"),
			FilterExpression: aws.String("#0 = :0"), ExpressionAttributeNames: map[string]string{"#0": "e", "#1": "pk"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":0": s("E"), ":1": s("a")},
			ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(5),
		}},
		{"scan", func() (any, error) { return ScanInput(Scan{Read: Read{Table: "t"}}) }, &dynamodb.ScanInput{TableName: aws.String("t")}},
		{"one segment is no segment", func() (any, error) { return ScanInput(Scan{Read: Read{Table: "t"}, Segments: 1}) }, &dynamodb.ScanInput{TableName: aws.String("t")}},
		{"segment", func() (any, error) { return ScanInput(Scan{Read: Read{Table: "t"}, Segment: 2, Segments: 4}) }, &dynamodb.ScanInput{
			TableName: aws.String("t"), Segment: aws.Int32(2), TotalSegments: aws.Int32(4)}},
		{"projected consistent scan", func() (any, error) { return ScanInput(Scan{Read: projected, Limit: aws.Int32(2)}) }, &dynamodb.ScanInput{
			TableName: aws.String("t"), ConsistentRead: aws.Bool(true), Limit: aws.Int32(2),
			ProjectionExpression: aws.String("#0, #1"), ExpressionAttributeNames: map[string]string{"#0": "pk", "#1": "n.x"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.got()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignore); diff != "" {
				t.Errorf("input (-want +got):\n%s", diff)
			}
		})
	}
}

// batchAPI answers BatchGetItem with an item per key, leaving the keys of
// held unprocessed that many times.
type batchAPI struct {
	held  map[string]int
	sizes []int
}

func (b *batchAPI) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	ka := in.RequestItems["t"]
	b.sizes = append(b.sizes, len(ka.Keys))
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
	var left []map[string]types.AttributeValue
	for _, k := range ka.Keys {
		id := k["pk"].(*types.AttributeValueMemberS).Value
		if b.held[id] > 0 {
			b.held[id]--
			left = append(left, k)
			continue
		}
		out.Responses["t"] = append(out.Responses["t"], Item{"pk": k["pk"], "n": s("v")})
	}
	if left != nil {
		out.UnprocessedKeys = map[string]types.KeysAndAttributes{"t": {Keys: left}}
	}
	return out, nil
}

func TestBatchGet(t *testing.T) {
	keys := make([]Item, 150)
	for i := range keys {
		keys[i] = Item{"pk": s(fmt.Sprint(i))}
	}
	fast := unprocessed.Retry{Retries: 3, BaseDelay: time.Microsecond, MaxDelay: time.Millisecond}
	t.Run("unprocessed keys sent again", func(t *testing.T) {
		api := &batchAPI{held: map[string]int{"3": 2, "120": 1}}
		items, left, err := BatchGet(t.Context(), api, Read{Table: "t"}, keys, fast)
		if err != nil || len(left) != 0 || len(items) != 150 {
			t.Fatalf("BatchGet = %d items, %d left, %v; want 150, 0, nil", len(items), len(left), err)
		}
		if want := []int{100, 1, 1, 50, 1}; !cmp.Equal(api.sizes, want) {
			t.Errorf("request sizes %v, want %v", api.sizes, want)
		}
	})
	t.Run("retries run out", func(t *testing.T) {
		api := &batchAPI{held: map[string]int{"7": 100}}
		items, left, err := BatchGet(t.Context(), api, Read{Table: "t"}, keys, fast)
		if err != nil || len(items) != 99 || !cmp.Equal(left, []Item{keys[7]}, ignore) {
			t.Errorf("BatchGet = %d items, %v left, %v; want 99 and key 7 left", len(items), left, err)
		}
	})
}
