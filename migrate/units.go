package migrate

import (
	"math"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// estimateUnits estimates the write units of a write DynamoDB reported no
// capacity for, as DynamoDB charges them: one unit per KB of the item
// written (a delete or an update: at least one), twice that in a
// transaction.
func estimateUnits(input any) float64 {
	switch in := input.(type) {
	case *dynamodb.PutItemInput:
		return kb(in.Item)
	case *dynamodb.UpdateItemInput, *dynamodb.DeleteItemInput:
		return 1
	case *dynamodb.TransactWriteItemsInput:
		var n float64
		for _, it := range in.TransactItems {
			if it.Put != nil {
				n += 2 * kb(it.Put.Item)
			} else {
				n += 2
			}
		}
		return n
	}
	return 0
}

// kb is the size of an item in KB, rounded up.
func kb(item Item) float64 {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return math.Max(1, math.Ceil(float64(n)/1024))
}

// valueSize is the size of a value as DynamoDB counts it, near enough.
func valueSize(av types.AttributeValue) int {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return len(v.Value)/2 + 1
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += len(s)/2 + 1
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 1
}
