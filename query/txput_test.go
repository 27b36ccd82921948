package query

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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
			w, err := tt.action.TxWrite(txn.Key{})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(w.Item.Put.ConditionExpression); got != tt.want {
				t.Errorf("ConditionExpression = %q, want %q", got, tt.want)
			}
		})
	}
}
