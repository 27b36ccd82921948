package query

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// pyEvent stores its times in pynamodb's layout: its updated stamp and its
// sort key.
type pyEvent struct {
	Stream  string    `dynamo:"stream,hash"`
	At      time.Time `dynamo:"at,range,layout=pynamodb"`
	N       int       `dynamo:"n"`
	Updated time.Time `dynamo:"updated,layout=pynamodb" dynamokit:"updated"`
}

func (pyEvent) TableName() string { return "pyevent" }

// TestStampAndRangeFollowTheLayout checks that the updated stamp an Update
// writes, and a bare time given to Range, are encoded in the field's
// layout, as Create writes them and conditions compare them.
func TestStampAndRangeFollowTheLayout(t *testing.T) {
	events := newTable[pyEvent](t)
	want := clock.UTC().Format("2006-01-02T15:04:05.000000-0700")

	in, err := events.Update(pyEvent{Stream: "s", At: clock}).Set("n", 1).input()
	if err != nil {
		t.Fatal(err)
	}
	var stamp types.AttributeValue
	for k, name := range in.ExpressionAttributeNames {
		if name == "updated" {
			for vk, av := range in.ExpressionAttributeValues {
				if in.UpdateExpression != nil && containsPair(*in.UpdateExpression, k, vk) {
					stamp = av
				}
			}
		}
	}
	if got, ok := stamp.(*types.AttributeValueMemberS); !ok || got.Value != want {
		t.Errorf("Update's updated stamp = %#v, want S %q", stamp, want)
	}

	q, err := events.Query(pyEvent{Stream: "s"}).Range(GreaterThanEqual, clock).input()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, av := range q.ExpressionAttributeValues {
		if sv, ok := av.(*types.AttributeValueMemberS); ok && sv.Value == want {
			found = true
		}
	}
	if !found {
		t.Errorf("Range(GreaterThanEqual, a time) values = %#v, want one S %q", q.ExpressionAttributeValues, want)
	}
}

// containsPair reports whether expr sets name k to value v ("k = v").
func containsPair(expr, k, v string) bool {
	for i := 0; i+len(k) <= len(expr); i++ {
		if expr[i:i+len(k)] == k && len(expr) >= i+len(k)+3+len(v) && expr[i+len(k):i+len(k)+3+len(v)] == " = "+v {
			return true
		}
	}
	return false
}
