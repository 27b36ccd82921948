package integration_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
)

// Tally is a versioned model whose items another program also writes.
type Tally struct {
	ID      string `dynamo:"id,hash"`
	N       int    `dynamo:"n"`
	Limit   int    `dynamo:"limit"`
	Version int    `dynamo:"version" dynamokit:"version"`
}

func (Tally) TableName() string { return "tally" }

// TestUpdateValueWrittenNotDecoded checks that Update.Value, when the write
// succeeded but the item it returns does not decode into the model, says
// that the write happened: the caller must not retry with the old version.
func TestUpdateValueWrittenNotDecoded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Tally](t))
	ctx := t.Context()
	tallies := tableOf[Tally](t, e, nil, nil)
	// Another writer stores a string where the model has an int.
	_, err := e.db.Executor().PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(tallies.TableName()),
		Item: map[string]types.AttributeValue{
			"id":      &types.AttributeValueMemberS{Value: "c-1"},
			"n":       &types.AttributeValueMemberN{Value: "0"},
			"limit":   &types.AttributeValueMemberS{Value: "lots"},
			"version": &types.AttributeValueMemberN{Value: "1"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	key := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "c-1"}}
	stored := func() (n, version string) {
		t.Helper()
		raw := rawItem(t, e, tallies, key)
		return raw["n"].(*types.AttributeValueMemberN).Value, raw["version"].(*types.AttributeValueMemberN).Value
	}

	got, err := tallies.Update(Tally{ID: "c-1", Version: 1}).Add("n", 1).Value(ctx)
	var we *query.WrittenError
	if !errors.As(err, &we) {
		t.Fatalf("Update.Value on an item that does not decode = %v, want a *query.WrittenError", err)
	}
	if got != (Tally{}) {
		t.Errorf("Update.Value returned %+v with its error, want the zero value", got)
	}
	var de *dynamokit.Error
	if !errors.As(err, &de) || de.Op != "UpdateItem" || de.Table != tallies.TableName() {
		t.Fatalf("Update.Value = %v, want a *dynamokit.Error of UpdateItem naming the table", err)
	}
	if diff := cmp.Diff(key, de.Key, cmp.AllowUnexported(types.AttributeValueMemberS{})); diff != "" {
		t.Errorf("Error.Key (-want +got):\n%s", diff)
	}
	if v, ok := we.Item["version"].(*types.AttributeValueMemberN); !ok || v.Value != "2" {
		t.Errorf("WrittenError.Item[version] = %#v, want the new version 2", we.Item["version"])
	}
	var ccf *types.ConditionalCheckFailedException
	if errors.Is(err, dynamokit.ErrVersionConflict) || errors.Is(err, dynamokit.ErrNotFound) || errors.Is(err, dynamokit.ErrConditionFailed) || errors.As(err, &ccf) {
		t.Errorf("error %v matches a not-written sentinel", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "written") || !strings.Contains(msg, "limit") {
		t.Errorf("error %q does not say the item was written and which attribute failed", msg)
	}
	if n, v := stored(); n != "1" || v != "2" {
		t.Errorf("after one Update: n = %s, version = %s; want 1, 2 (written once)", n, v)
	}

	// A retry with the new version is accepted, not a version conflict.
	next, err := strconv.Atoi(we.Item["version"].(*types.AttributeValueMemberN).Value)
	if err != nil {
		t.Fatal(err)
	}
	if err := tallies.Update(Tally{ID: "c-1", Version: next}).Add("n", 1).Run(ctx); err != nil {
		t.Fatalf("retry with version %d: %v", next, err)
	}
	if n, v := stored(); n != "2" || v != "3" {
		t.Errorf("after the retry: n = %s, version = %s; want 2, 3", n, v)
	}
	// The old version is now a conflict, as for any stale write.
	if err := tallies.Update(Tally{ID: "c-1", Version: 1}).Add("n", 1).Run(ctx); !errors.Is(err, dynamokit.ErrVersionConflict) {
		t.Errorf("Update with the version before the write = %v, want ErrVersionConflict", err)
	}
}

// OrderNo is an integer key that encodes itself as text, "ORD-42": guregu
// (and so the codec) writes it as a string.
type OrderNo int

func (n OrderNo) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("ORD-%d", int(n))), nil }

func (n *OrderNo) UnmarshalText(b []byte) error {
	s, ok := strings.CutPrefix(string(b), "ORD-")
	if !ok {
		return fmt.Errorf("order number %q: want ORD-<n>", b)
	}
	i, err := strconv.Atoi(s)
	*n = OrderNo(i)
	return err
}

// Shipment is keyed by a text-marshalled integer, in the table and in an
// index.
type Shipment struct {
	Order OrderNo `dynamo:"order,hash"`
	Line  int     `dynamo:"line,range"`
	Ref   OrderNo `dynamo:"ref" index:"ref-index,hash"`
	What  string  `dynamo:"what"`
}

func (Shipment) TableName() string { return "shipment" }

// TestTextMarshalerKey creates a table from a model keyed by an integer type
// with MarshalText and writes, reads and queries by it: the table declares
// the key as the type the codec writes.
func TestTextMarshalerKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Shipment](t))
	ctx := t.Context()
	shipments := tableOf[Shipment](t, e, nil, nil)
	desc, err := e.db.Executor().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(shipments.TableName())})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range desc.Table.AttributeDefinitions {
		want := types.ScalarAttributeTypeS
		if aws.ToString(d.AttributeName) == "line" {
			want = types.ScalarAttributeTypeN
		}
		if d.AttributeType != want {
			t.Errorf("table attribute %s is %s, want %s", aws.ToString(d.AttributeName), d.AttributeType, want)
		}
	}
	items := []Shipment{{Order: 42, Line: 1, Ref: 7, What: "bolts"}, {Order: 42, Line: 2, Ref: 7, What: "nuts"}, {Order: 43, Line: 1, Ref: 8, What: "gears"}}
	for i := range items {
		if err := shipments.Create(ctx, &items[i]); err != nil {
			t.Fatalf("Create(%+v): %v", items[i], err)
		}
	}
	raw := rawItem(t, e, shipments, map[string]types.AttributeValue{
		"order": &types.AttributeValueMemberS{Value: "ORD-42"},
		"line":  &types.AttributeValueMemberN{Value: "1"},
	})
	if raw == nil {
		t.Fatal(`no item stored under order "ORD-42", line 1`)
	}
	got, err := shipments.Get(ctx, Shipment{Order: 42, Line: 2})
	if err != nil || got != items[1] {
		t.Errorf("Get(42, 2) = %+v, %v; want %+v", got, err, items[1])
	}
	var lines []Shipment
	for s, err := range shipments.Query(Shipment{Order: 42}).All(ctx) {
		if err != nil {
			t.Fatalf("Query(42): %v", err)
		}
		lines = append(lines, s)
	}
	if diff := cmp.Diff(items[:2], lines); diff != "" {
		t.Errorf("Query(42) (-want +got):\n%s", diff)
	}
	var byRef []Shipment
	for s, err := range shipments.Query(Shipment{Ref: 8}).Index("ref-index").All(ctx) {
		if err != nil {
			t.Fatalf("Query(ref-index, 8): %v", err)
		}
		byRef = append(byRef, s)
	}
	if diff := cmp.Diff(items[2:], byRef); diff != "" {
		t.Errorf("Query(ref-index, 8) (-want +got):\n%s", diff)
	}
}
