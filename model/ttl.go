package model

import (
	"reflect"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// encodeTTL stores a time.Time TTL attribute as Unix seconds, as DynamoDB's
// TTL requires, even when its dynamo tag lacks the unixtime option (which
// guregu/dynamo's item encoding follows); a zero time is left out.
func (m *Model) encodeTTL(item Item, rv reflect.Value) {
	a := m.TTL
	if a == nil || a.GoType == nil || deref(a.GoType) != typeTime {
		return
	}
	fv := field(rv, a.Index)
	for fv.IsValid() && fv.Kind() == reflect.Pointer {
		fv = fv.Elem()
	}
	if !fv.IsValid() || fv.Interface().(time.Time).IsZero() {
		delete(item, a.Name)
		return
	}
	item[a.Name] = &types.AttributeValueMemberN{Value: strconv.FormatInt(fv.Interface().(time.Time).Unix(), 10)}
}
