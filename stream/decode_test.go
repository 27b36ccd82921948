package stream_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/stream"
)

// Invoice shares a table with other entity types.
type Invoice struct {
	_      struct{} `dynamo:"pk,hash" template:"INVOICE#{id}"`
	_      struct{} `dynamo:"entity" template:"Invoice" dynamokit:"type"`
	ID     string   `dynamo:"id"`
	Amount int      `dynamo:"amount"`
}

func (Invoice) TableName() string { return "billing" }

func image(entity, id string, amount string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk":     &types.AttributeValueMemberS{Value: "X#" + id},
		"entity": &types.AttributeValueMemberS{Value: entity},
		"id":     &types.AttributeValueMemberS{Value: id},
		"amount": &types.AttributeValueMemberN{Value: amount},
	}
}

// TestDecodeEntityType: a model's decoder skips a record of another
// entity type, as a query of the model does, and keeps a keys-only one,
// whose type it cannot see.
func TestDecodeEntityType(t *testing.T) {
	dec, err := stream.NewDecoder[Invoice]()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		rec    stream.Record
		wantOK bool
		want   *Invoice // New
	}{
		{"own", stream.Record{Kind: stream.Insert, NewImage: image("Invoice", "i-1", "7")}, true, &Invoice{ID: "i-1", Amount: 7}},
		{"other", stream.Record{Kind: stream.Insert, NewImage: image("Receipt", "r-1", "7")}, false, nil},
		{"keys only", stream.Record{Kind: stream.Remove, Keys: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "INVOICE#i-1"}}}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, ok, err := dec.Decode(tt.rec)
			if err != nil || ok != tt.wantOK {
				t.Fatalf("Decode() = ok %v, %v; want ok %v", ok, err, tt.wantOK)
			}
			if (ev.New == nil) != (tt.want == nil) || ev.New != nil && *ev.New != *tt.want {
				t.Errorf("Decode().New = %v, want %v", ev.New, tt.want)
			}
		})
	}
}

// TestDecodeError: an image the model cannot hold is a *model.DecodeError
// naming the field, with the record's sequence number.
func TestDecodeError(t *testing.T) {
	dec, err := stream.NewDecoder[Invoice]()
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = dec.Decode(stream.Record{Kind: stream.Insert, SequenceNumber: "42", NewImage: image("Invoice", "i-1", "not a number")})
	var de *model.DecodeError
	if !errors.As(err, &de) || de.Field != "Amount" {
		t.Fatalf("Decode() = %v, want a *model.DecodeError of Amount", err)
	}
	if want := "stream: stream_test.Invoice: record 42: new image: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Decode() = %q, want it to start with %q", err, want)
	}
}
