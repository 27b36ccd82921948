package query

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/txn"
)

type txPutItem struct {
	ID      string `dynamo:"id,hash"`
	Version int    `dynamo:"version" dynamokit:"version"`
}

func (txPutItem) TableName() string { return "items" }

type txPutPlain struct {
	ID string `dynamo:"id,hash"`
}

func (txPutPlain) TableName() string { return "plain" }

// TestTxPutConditions checks that TxPut joins its extra conditions with the
// version check.
func TestTxPutConditions(t *testing.T) {
	db := dynamokit.New(aws.Config{Region: "us-east-1"})
	versioned, err := NewTable[txPutItem](db)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := NewTable[txPutPlain](db)
	if err != nil {
		t.Fatal(err)
	}
	missing := Name("id").AttributeNotExists()
	tests := []struct {
		name   string
		action dynamokit.TxAction
		want   string
	}{
		{"plain, no condition", plain.TxPut(&txPutPlain{ID: "a"}), ""},
		{"plain, one condition", plain.TxPut(&txPutPlain{ID: "a"}, missing), "attribute_not_exists (#0)"},
		{"versioned, new item", versioned.TxPut(&txPutItem{ID: "a"}), "attribute_not_exists (#0)"},
		{"versioned, version and condition", versioned.TxPut(&txPutItem{ID: "a", Version: 3}, missing), "(attribute_not_exists (#0)) AND (#1 = :0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := tt.action.TxWrite(txn.Seal())
			if err != nil {
				t.Fatal(err)
			}
			it, err := w.TransactItem()
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(it.Put.ConditionExpression); got != tt.want {
				t.Errorf("ConditionExpression = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTxAdd checks that TxAdd adds to an attribute outside the model
// without touching the version, and only to an existing item.
func TestTxAdd(t *testing.T) {
	db := dynamokit.New(aws.Config{Region: "us-east-1"})
	versioned, err := NewTable[txPutItem](db)
	if err != nil {
		t.Fatal(err)
	}
	w, err := versioned.TxAdd(txPutItem{ID: "a", Version: 3}, "child_count", -2, Path("child_count").GreaterThan(Value(1))).TxWrite(txn.Seal())
	if err != nil {
		t.Fatal(err)
	}
	it, err := w.TransactItem()
	if err != nil {
		t.Fatal(err)
	}
	u := it.Update
	if got, want := aws.ToString(u.UpdateExpression), "ADD #1 :1\n"; got != want {
		t.Errorf("UpdateExpression = %q, want %q", got, want)
	}
	if got, want := aws.ToString(u.ConditionExpression), "(attribute_exists (#0)) AND (#1 > :0)"; got != want {
		t.Errorf("ConditionExpression = %q, want %q", got, want)
	}
	if got, want := u.ExpressionAttributeNames, map[string]string{"#0": "id", "#1": "child_count"}; !maps.Equal(got, want) {
		t.Errorf("ExpressionAttributeNames = %v, want %v", got, want)
	}
	if n, ok := u.ExpressionAttributeValues[":1"].(*types.AttributeValueMemberN); !ok || n.Value != "-2" {
		t.Errorf("added value = %#v, want the number -2", u.ExpressionAttributeValues[":1"])
	}
	if w.Model == nil || !slices.Contains(w.Unknown, "child_count") {
		t.Errorf("TxAdd's write has model %v and unknown %v: the write rules must see what it adds to", w.Model, w.Unknown)
	}
	if _, err := versioned.TxAdd(txPutItem{ID: "a"}, "child_count", 1).TxWrite(txn.Key{}); !errors.Is(err, txn.ErrUnsealed) {
		t.Errorf("TxAdd built with an unsealed key: %v, want txn.ErrUnsealed", err)
	}
	if _, err := versioned.TxAdd(txPutItem{}, "child_count", 1).TxWrite(txn.Seal()); err == nil {
		t.Error("TxAdd of an empty key built an item")
	}
}
