package mapping_test

import (
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// timeKinds stores a time in every way a field can.
type timeKinds struct {
	ID       string      `dynamo:"id,hash"`
	Default  time.Time   `dynamo:"default"`
	Named    time.Time   `dynamo:"named,layout=rfc3339nano"`
	Pointer  *time.Time  `dynamo:"pointer"`
	UTCNano  time.Time   `dynamo:"utcnano,layout=utcnano"`
	PynamoDB time.Time   `dynamo:"pynamodb,layout=pynamodb"`
	Unix     time.Time   `dynamo:"unix,unixtime"`
	Expires  time.Time   `dynamo:"expires" dynamokit:"ttl"`
	List     []time.Time `dynamo:"list"`
	Text     string      `dynamo:"text"`
	_        struct{}    `dynamo:"rendered" template:"T#{default}"`
}

func (timeKinds) TableName() string { return "t" }

func TestUnorderedTime(t *testing.T) {
	m := mapping.MustOf[timeKinds]()
	want := map[string]bool{"default": true, "named": true, "pointer": true}
	for _, a := range m.Attributes {
		if got := a.UnorderedTime(); got != want[a.Name] {
			t.Errorf("%s.UnorderedTime() = %v, want %v", a.Name, got, want[a.Name])
		}
	}
}
