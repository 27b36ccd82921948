package dynamokit

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

type checkedDoc struct {
	ID    string `dynamo:"id,hash"`
	Title string `dynamo:"title,omitempty"`
	Body  string `dynamo:"body,omitempty"`
}

func (checkedDoc) TableName() string { return "docs" }

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// TestPutAsUpdate checks that a put made an update sets the item's
// attributes, removes the model's absent ones, leaves the key alone and
// keeps the put's condition.
func TestPutAsUpdate(t *testing.T) {
	m := mapping.Must(model.MustOf[checkedDoc]())
	key := map[string]types.AttributeValue{"id": str("a")}
	p := &types.Put{
		TableName:                 aws.String("docs"),
		Item:                      map[string]types.AttributeValue{"id": str("a"), "title": str("T")},
		ConditionExpression:       aws.String("attribute_not_exists (#0)"),
		ExpressionAttributeNames:  map[string]string{"#0": "id"},
		ExpressionAttributeValues: nil,
	}
	u := putAsUpdate(p, key, m)
	if got, want := aws.ToString(u.UpdateExpression), "SET #u1 = :u1 REMOVE #u2"; got != want {
		t.Errorf("UpdateExpression = %q, want %q", got, want)
	}
	if diff := cmp.Diff(map[string]string{"#0": "id", "#u1": "title", "#u2": "body"}, u.ExpressionAttributeNames); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if got := aws.ToString(u.ConditionExpression); got != "attribute_not_exists (#0)" {
		t.Errorf("ConditionExpression = %q, want the put's", got)
	}
	if _, ok := u.ExpressionAttributeValues[":u1"]; !ok || len(u.ExpressionAttributeValues) != 1 {
		t.Errorf("values = %v, want :u1 alone", u.ExpressionAttributeValues)
	}
}

// TestJoinCondition checks that a check's condition on the written item
// is joined to the write's own with its placeholders renamed apart, and
// that a write with no condition of its own reports the check's kind.
func TestJoinCondition(t *testing.T) {
	kind := errors.New("stale")
	cc := &types.ConditionCheck{
		ConditionExpression:       aws.String("#0 = :0"),
		ExpressionAttributeNames:  map[string]string{"#0": "dept"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":0": str("d-1")},
	}
	own := txn.Write{Item: types.TransactWriteItem{Delete: &types.Delete{
		ConditionExpression:       aws.String("#0 = :0"),
		ExpressionAttributeNames:  map[string]string{"#0": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":0": &types.AttributeValueMemberN{Value: "3"}},
	}}, Fail: func(map[string]types.AttributeValue) error { return ErrVersionConflict }}
	w := joinCondition(own, cc, 1, kind)
	d := w.Item.Delete
	if got, want := aws.ToString(d.ConditionExpression), "(#0 = :0) AND (#c1x0 = :c1x0)"; got != want {
		t.Errorf("ConditionExpression = %q, want %q", got, want)
	}
	if d.ExpressionAttributeNames["#c1x0"] != "dept" || d.ExpressionAttributeNames["#0"] != "version" {
		t.Errorf("names = %v", d.ExpressionAttributeNames)
	}
	if own.Item.Delete.ExpressionAttributeNames["#c1x0"] != "" {
		t.Error("joinCondition changed the original write's names")
	}
	if !errors.Is(w.Fail(nil), ErrVersionConflict) {
		t.Errorf("Fail = %v, want the write's own kind", w.Fail(nil))
	}
	bare := joinCondition(txn.Write{Item: types.TransactWriteItem{Delete: &types.Delete{}}}, cc, 1, kind)
	if got, want := aws.ToString(bare.Item.Delete.ConditionExpression), "#c1x0 = :c1x0"; got != want {
		t.Errorf("ConditionExpression = %q, want %q", got, want)
	}
	if !errors.Is(bare.Fail(nil), kind) {
		t.Errorf("Fail = %v, want the check's kind", bare.Fail(nil))
	}
}
