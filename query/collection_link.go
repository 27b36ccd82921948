package query

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/collectionlink"
	"github.com/dynamokit/dynamokit/internal/querylink"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// init lets package stream decode a collection's stream images with the
// collection's own decoding (see [Collection.entity]), so an item of an
// unknown entity type is reported there as it is by a query, and lets
// package relations name its relation in the errors of the queries it
// returns (see [Query.relate]) and stamp a parent's update with an
// attribute outside its model (see [Update.setOther]).
func init() {
	querylink.Relate = func(q any, relation string) {
		q.(interface{ setRelation(string) }).setRelation(relation)
	}
	querylink.SetOther = func(u any, o *txn.Other) {
		u.(interface{ setOther(*txn.Other) }).setOther(o)
	}
	collectionlink.Decode = func(col any, item map[string]types.AttributeValue) (any, error) {
		return col.(*Collection).entity(item)
	}
}
