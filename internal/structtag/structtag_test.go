package structtag

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		tag  reflect.StructTag
		want Tag
	}{
		{name: "none", want: Tag{Name: "F"}},
		{name: "name", tag: `dynamo:"a"`, want: Tag{Name: "a", Named: true, Dynamo: "a"}},
		{name: "options", tag: `dynamo:",omitempty,set,unixtime"`, want: Tag{Name: "F", Dynamo: ",omitempty,set,unixtime", Options: OmitEmpty | Set | UnixTime}},
		{name: "key spellings", tag: `dynamo:"a,partition"`, want: Tag{Name: "a", Named: true, Dynamo: "a,partition", Key: Hash}},
		{name: "both keys", tag: `dynamo:"a,hash,sort"`, want: Tag{Name: "a", Named: true, Dynamo: "a,hash,sort", Key: Range, Problem: "an attribute cannot be both the hash and the range key"}},
		{name: "unknown option", tag: `dynamo:"a,bogus"`, want: Tag{Name: "a", Named: true, Dynamo: "a,bogus", Problem: "unknown option bogus"}},
		{name: "layout", tag: `dynamo:"a,layout=pynamodb"`, want: Tag{Name: "a", Named: true, Dynamo: "a,layout=pynamodb", Layout: LayoutPynamoDB, LayoutName: "pynamodb"}},
		{name: "unknown layout", tag: `dynamo:"a,layout=x"`, want: Tag{Name: "a", Named: true, Dynamo: "a,layout=x", LayoutName: "x", Problem: "unknown time layout x (want rfc3339nano, pynamodb or utcnano)"}},
		{name: "skip", tag: `dynamo:"-,omitempty"`, want: Tag{Name: "-", Named: true, Skip: true, Dynamo: "-,omitempty", Options: OmitEmpty}},
		{name: "ttl is unixtime", tag: `dynamokit:"ttl"`, want: Tag{Name: "F", Role: "ttl", HasRole: true, Options: UnixTime}},
		{name: "template", tag: `dynamo:"pk" template:"A#{b}"`, want: Tag{Name: "pk", Named: true, Dynamo: "pk", Template: "A#{b}", HasTemplate: true}},
		{name: "indexes", tag: `index:"g,hash" index:"h,sort" localIndex:"l" index:",range"`, want: Tag{Name: "F",
			Indexes:      []Index{{Raw: "g,hash", Name: "g", Key: Hash, OK: true}, {Raw: "h,sort", Name: "h", Key: Range, OK: true}, {Raw: ",range"}},
			LocalIndexes: []Index{{Raw: "l", Name: "l"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Parse(reflect.StructField{Name: "F", Tag: tc.tag})
			if diff := cmp.Diff(&tc.want, got); diff != "" {
				t.Errorf("Parse(%s) mismatch (-want +got):\n%s", tc.tag, diff)
			}
		})
	}
}

type deep struct{ *deep }

func TestFieldsTooDeep(t *testing.T) {
	fields, ok := Fields(reflect.TypeFor[deep]())
	if ok {
		t.Errorf("Fields(deep) ok = true, want false")
	}
	if len(fields) != MaxDepth+1 {
		t.Errorf("len(Fields(deep)) = %d, want %d", len(fields), MaxDepth+1)
	}
}
