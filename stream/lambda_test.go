package stream_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/stream"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Order is a model with an attribute of every DynamoDB type.
type Order struct {
	CustomerID string            `dynamo:"customer_id,hash"`
	OrderID    string            `dynamo:"order_id,range"`
	Total      float64           `dynamo:"total"`
	Paid       bool              `dynamo:"paid"`
	Tags       []string          `dynamo:"tags,set"`
	Sizes      []int             `dynamo:"sizes,set"`
	Blob       []byte            `dynamo:"blob"`
	Blobs      [][]byte          `dynamo:"blobs,set"`
	Lines      []Line            `dynamo:"lines"`
	Notes      map[string]string `dynamo:"notes"`
	Coupon     *string           `dynamo:"coupon"`
}

// Line is an order line, stored as a map.
type Line struct {
	SKU string `dynamo:"sku"`
	Qty int    `dynamo:"qty"`
}

func (Order) TableName() string { return "orders" }

var avOpts = cmpopts.IgnoreUnexported(
	types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberB{},
	types.AttributeValueMemberBOOL{}, types.AttributeValueMemberNULL{}, types.AttributeValueMemberSS{},
	types.AttributeValueMemberNS{}, types.AttributeValueMemberBS{}, types.AttributeValueMemberL{},
	types.AttributeValueMemberM{},
)

func sample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/lambda_event.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseLambda: every attribute value type of the documented event
// shape becomes its SDK AttributeValue, and the record's fields are kept.
func TestParseLambda(t *testing.T) {
	recs, err := stream.ParseLambda(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("ParseLambda() = %d records, want 3", len(recs))
	}
	keys := map[string]types.AttributeValue{
		"customer_id": &types.AttributeValueMemberS{Value: "c-1"},
		"order_id":    &types.AttributeValueMemberS{Value: "o-1"},
	}
	arn := "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2025-12-06T10:00:00.000"
	want := stream.Record{
		EventID: "c4ca4238a0b923820dcc509a6f75849b",
		Kind:    stream.Insert,
		Keys:    keys,
		NewImage: map[string]types.AttributeValue{
			"customer_id": &types.AttributeValueMemberS{Value: "c-1"},
			"order_id":    &types.AttributeValueMemberS{Value: "o-1"},
			"total":       &types.AttributeValueMemberN{Value: "42.5"},
			"paid":        &types.AttributeValueMemberBOOL{Value: false},
			"tags":        &types.AttributeValueMemberSS{Value: []string{"gift", "rush"}},
			"sizes":       &types.AttributeValueMemberNS{Value: []string{"38", "40"}},
			"blob":        &types.AttributeValueMemberB{Value: []byte("hello")},
			"blobs":       &types.AttributeValueMemberBS{Value: [][]byte{{1, 2}, {3, 4}}},
			"lines": &types.AttributeValueMemberL{Value: []types.AttributeValue{
				&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sku": &types.AttributeValueMemberS{Value: "A-1"}, "qty": &types.AttributeValueMemberN{Value: "2"}}},
				&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sku": &types.AttributeValueMemberS{Value: "B-7"}, "qty": &types.AttributeValueMemberN{Value: "1"}}},
			}},
			"notes":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"door": &types.AttributeValueMemberS{Value: "blue"}}},
			"coupon": &types.AttributeValueMemberNULL{Value: true},
		},
		SequenceNumber: "111100000000000000000001",
		Time:           time.Unix(1765000000, 0).UTC(),
		ViewType:       model.StreamNewAndOldImages,
		SizeBytes:      210,
		StreamARN:      arn,
	}
	if diff := cmp.Diff(recs[0], want, avOpts); diff != "" {
		t.Errorf("ParseLambda() record 0 (-got +want):\n%s", diff)
	}
	if got := recs[1]; got.Kind != stream.Modify || got.OldImage == nil || got.NewImage == nil || got.TTL {
		t.Errorf("record 1 = %v, TTL %v, images %v %v; want MODIFY with both images", got.Kind, got.TTL, got.OldImage, got.NewImage)
	}
	if got := recs[2]; got.Kind != stream.Remove || !got.TTL || got.NewImage != nil {
		t.Errorf("record 2 = %v, TTL %v, new image %v; want a REMOVE by TTL without a new image", got.Kind, got.TTL, got.NewImage)
	}
}

// TestDecoderLambda: the sample event decodes into the model: the insert's
// new image, the change's both images, the TTL removal's old image.
func TestDecoderLambda(t *testing.T) {
	dec, err := stream.NewDecoder[Order]()
	if err != nil {
		t.Fatal(err)
	}
	evs, err := dec.Lambda(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	inserted := &Order{
		CustomerID: "c-1", OrderID: "o-1", Total: 42.5, Tags: []string{"gift", "rush"}, Sizes: []int{38, 40},
		Blob: []byte("hello"), Blobs: [][]byte{{1, 2}, {3, 4}},
		Lines: []Line{{"A-1", 2}, {"B-7", 1}}, Notes: map[string]string{"door": "blue"},
	}
	unpaid := &Order{CustomerID: "c-1", OrderID: "o-1", Total: 42.5}
	paid := &Order{CustomerID: "c-1", OrderID: "o-1", Total: 42.5, Paid: true}
	type line struct {
		Kind     stream.Kind
		TTL      bool
		Old, New *Order
	}
	var got []line
	for _, ev := range evs {
		got = append(got, line{ev.Kind, ev.TTL, ev.Old, ev.New})
	}
	want := []line{{stream.Insert, false, nil, inserted}, {stream.Modify, false, unpaid, paid}, {stream.Remove, true, paid, nil}}
	if diff := cmp.Diff(got, want, cmpopts.SortSlices(func(a, b []byte) bool { return string(a) < string(b) })); diff != "" {
		t.Errorf("Lambda() (-got +want):\n%s", diff)
	}
}

// TestParseLambdaErrors: what is not a stream event is an error naming
// what is wrong, never a record decoded wrongly.
func TestParseLambdaErrors(t *testing.T) {
	rec := func(eventName, dynamodb string) string {
		return `{"Records":[{"eventID":"id-1","eventName":"` + eventName + `","dynamodb":` + dynamodb + `}]}`
	}
	tests := []struct {
		name, payload, want string
	}{
		{"not JSON", `{`, "lambda event"},
		{"no records", `{"Other": []}`, "no Records"},
		{"unknown event name", rec("UPSERT", `{"Keys":{"id":{"S":"a"}}}`), `event name "UPSERT"`},
		{"no dynamodb part", rec("INSERT", `null`), "no dynamodb part"},
		{"unknown type", rec("INSERT", `{"Keys":{"id":{"X":"a"}}}`), `unknown attribute value type "X"`},
		{"unknown type in a list", rec("INSERT", `{"NewImage":{"l":{"L":[{"S":"a"},{"Q":"b"}]}}}`), `attribute l: [1]: unknown attribute value type "Q"`},
		{"number not a string", rec("INSERT", `{"Keys":{"id":{"N":1}}}`), "NumberAttributeValue"},
		{"bad base64", rec("INSERT", `{"Keys":{"id":{"B":"%%"}}}`), "base64"},
		{"bad time", rec("INSERT", `{"ApproximateCreationDateTime":"yesterday"}`), "ApproximateCreationDateTime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stream.ParseLambda([]byte(tt.payload))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "stream: ") {
				t.Errorf("ParseLambda(%s) = %v, want an error containing %q", tt.payload, err, tt.want)
			}
		})
	}
}

// TestLambdaTime: ApproximateCreationDateTime in seconds, with a fraction,
// or as RFC 3339.
func TestLambdaTime(t *testing.T) {
	tests := []struct {
		raw  string
		want time.Time
	}{
		{`1765000000`, time.Unix(1765000000, 0).UTC()},
		{`1765000000.25`, time.Unix(1765000000, 250_000_000).UTC()},
		{`"2025-12-06T05:46:40.5Z"`, time.Date(2025, 12, 6, 5, 46, 40, 500_000_000, time.UTC)},
		{`null`, time.Time{}},
	}
	for _, tt := range tests {
		recs, err := stream.ParseLambda([]byte(`{"Records":[{"eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":` + tt.raw + `}}]}`))
		if err != nil {
			t.Fatalf("ParseLambda(%s): %v", tt.raw, err)
		}
		if got := recs[0].Time; !got.Equal(tt.want) {
			t.Errorf("time of %s = %v, want %v", tt.raw, got, tt.want)
		}
	}
}
