package mapping_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/google/go-cmp/cmp"
)

// ticket has a global index with a multi-attribute key, declared as
// guregu/dynamo declares it: the same index tag on several fields, whose
// order is the order of the key.
type ticket struct {
	ID       string    `dynamo:"id,hash"`
	Tenant   string    `dynamo:"tenant" index:"by-parent,hash"`
	Parent   string    `dynamo:"parent" index:"by-parent,hash"`
	Status   string    `dynamo:"status" index:"by-parent,range"`
	Priority int       `dynamo:"priority" index:"by-parent,range"`
	Opened   time.Time `dynamo:"opened" index:"by-parent,range" index:"by-day,range"`
	Day      string    `dynamo:"day" index:"by-day,hash"`
}

func (ticket) TableName() string { return "tickets" }

// TestMultiAttributeKey: the index keeps every key attribute of each role
// in field order, with its own type; the table key and a single-attribute
// index list their one attribute.
func TestMultiAttributeKey(t *testing.T) {
	m, err := mapping.For(reflect.TypeFor[ticket]())
	if err != nil {
		t.Fatal(err)
	}
	idx := m.Index("by-parent")
	type attr struct{ Name, Type string }
	list := func(as []*mapping.Attribute) []attr {
		var out []attr
		for _, a := range as {
			out = append(out, attr{a.Name, string(a.Type)})
		}
		return out
	}
	if diff := cmp.Diff(list(idx.Key.Hashes), []attr{{"tenant", "S"}, {"parent", "S"}}); diff != "" {
		t.Errorf("Hashes (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(list(idx.Key.Ranges), []attr{{"status", "S"}, {"priority", "N"}, {"opened", "S"}}); diff != "" {
		t.Errorf("Ranges (-got +want):\n%s", diff)
	}
	if idx.Key.Hash.Name != "tenant" || idx.Key.Range.Name != "status" || !idx.Key.Multi() {
		t.Errorf("Hash, Range, Multi = %s, %s, %v; want tenant, status, true", idx.Key.Hash.Name, idx.Key.Range.Name, idx.Key.Multi())
	}
	if diff := cmp.Diff(idx.Key.Names(), []string{"tenant", "parent", "status", "priority", "opened"}); diff != "" {
		t.Errorf("Names (-got +want):\n%s", diff)
	}
	day := m.Index("by-day")
	if day.Key.Multi() || len(day.Key.Hashes) != 1 || len(day.Key.Ranges) != 1 {
		t.Errorf("by-day: Multi = %v, Hashes %d, Ranges %d; want false, 1, 1", day.Key.Multi(), len(day.Key.Hashes), len(day.Key.Ranges))
	}
	if m.Key.Multi() || len(m.Key.Hashes) != 1 || m.Key.Ranges != nil {
		t.Errorf("table key: Multi = %v, Hashes %v, Ranges %v; want one hash attribute", m.Key.Multi(), m.Key.Hashes, m.Key.Ranges)
	}

	at := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	key, err := m.IndexKeyOf("by-parent", ticket{ID: "1", Tenant: "acme", Parent: "p-1", Status: "open", Priority: 2, Opened: at})
	if err != nil {
		t.Fatal(err)
	}
	want := mapping.Item{
		"tenant":   &types.AttributeValueMemberS{Value: "acme"},
		"parent":   &types.AttributeValueMemberS{Value: "p-1"},
		"status":   &types.AttributeValueMemberS{Value: "open"},
		"priority": &types.AttributeValueMemberN{Value: "2"},
		"opened":   &types.AttributeValueMemberS{Value: "2026-03-03T09:00:00Z"},
	}
	if diff := cmp.Diff(key, want, cmp.AllowUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{})); diff != "" {
		t.Errorf("IndexKeyOf (-got +want):\n%s", diff)
	}
	_, err = m.IndexKeyOf("by-parent", ticket{ID: "1", Tenant: "acme", Status: "open", Opened: at})
	if err == nil || err.Error() != "model: mapping_test.ticket: empty key attribute parent" {
		t.Errorf("IndexKeyOf without parent = %v, want the empty key attribute parent", err)
	}
}

type fiveHashes struct {
	ID string `dynamo:"id,hash"`
	A  string `dynamo:"a" index:"g,hash"`
	B  string `dynamo:"b" index:"g,hash"`
	C  string `dynamo:"c" index:"g,hash"`
	D  string `dynamo:"d" index:"g,hash"`
	E  string `dynamo:"e" index:"g,hash"`
}

func (fiveHashes) TableName() string { return "t" }

type fiveRanges struct {
	ID string `dynamo:"id,hash"`
	H  string `dynamo:"h" index:"g,hash"`
	A  int    `dynamo:"a" index:"g,range"`
	B  int    `dynamo:"b" index:"g,range"`
	C  int    `dynamo:"c" index:"g,range"`
	D  int    `dynamo:"d" index:"g,range"`
	E  int    `dynamo:"e" index:"g,range"`
}

func (fiveRanges) TableName() string { return "t" }

// multiWithTemplate mixes a computed key with a typed one in one index.
type multiWithTemplate struct {
	ID     string   `dynamo:"id,hash"`
	Tenant string   `dynamo:"tenant" index:"g,hash"`
	_      struct{} `dynamo:"parent_key" template:"PARENT#{parent}" index:"g,hash"`
	Parent string   `dynamo:"parent"`
}

func (multiWithTemplate) TableName() string { return "t" }

type multiNotScalar struct {
	ID     string   `dynamo:"id,hash"`
	Tenant string   `dynamo:"tenant" index:"g,hash"`
	Tags   []string `dynamo:"tags" index:"g,hash"`
}

func (multiNotScalar) TableName() string { return "t" }

type multiTwice struct {
	ID     string `dynamo:"id,hash"`
	Tenant string `dynamo:"tenant" index:"g,hash" index:"g,hash"`
}

func (multiTwice) TableName() string { return "t" }

type multiRangeOnly struct {
	ID string `dynamo:"id,hash"`
	A  string `dynamo:"a" index:"g,range"`
	B  string `dynamo:"b" index:"g,range"`
}

func (multiRangeOnly) TableName() string { return "t" }

// TestMultiAttributeKeyValidation: each broken multi-attribute key is a
// *TagError naming the field and the index.
func TestMultiAttributeKeyValidation(t *testing.T) {
	tests := []struct {
		name   string
		typ    reflect.Type
		field  string
		reason string
	}{
		{"five hash attributes", reflect.TypeFor[fiveHashes](), "E", "index g has more than 4 hash attributes (a, b, c, d and e): DynamoDB allows at most 4"},
		{"five range attributes", reflect.TypeFor[fiveRanges](), "E", "index g has more than 4 range attributes (a, b, c, d and e): DynamoDB allows at most 4"},
		{"a template among them", reflect.TypeFor[multiWithTemplate](), "_", "index g has a key of several attributes (tenant, parent_key), each a typed attribute of its own: parent_key is computed from a template"},
		{"a list among them", reflect.TypeFor[multiNotScalar](), "Tags", "DynamoDB cannot key an index on []string"},
		{"one attribute twice", reflect.TypeFor[multiTwice](), "Tenant", "index g lists attribute tenant twice as a hash key"},
		{"range attributes without hash", reflect.TypeFor[multiRangeOnly](), "A", "global index g has a range key but no hash key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := mapping.For(tt.typ)
			if err == nil {
				t.Fatalf("For(%v) = %v, nil; want a *mapping.TagError", tt.typ, m)
			}
			checkTagError(t, err, tt.typ, tt.field, tt.reason)
		})
	}
}
