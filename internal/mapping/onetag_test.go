package mapping

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestOneTagParser: the model and the codec read a field's tags from one
// parse (internal/structtag), so a tag option the model understands is
// understood the same way by the codec. For each tag, the model's attribute
// holds the very tags the codec's field holds, and what the model says about
// the attribute (name, omitempty, set, unixtime) is what the codec writes.
func TestOneTagParser(t *testing.T) {
	typString, typTime, typStrings := reflect.TypeFor[string](), reflect.TypeFor[time.Time](), reflect.TypeFor[[]string]()
	tests := []struct {
		name string
		typ  reflect.Type
		tag  reflect.StructTag
		none bool // neither has the field
	}{
		{name: "no tag", typ: typString},
		{name: "name", typ: typString, tag: `dynamo:"v"`},
		{name: "options without a name", typ: typString, tag: `dynamo:",omitempty"`},
		{name: "omitempty", typ: typString, tag: `dynamo:"v,omitempty"`},
		{name: "skipped", typ: typString, tag: `dynamo:"-"`, none: true},
		{name: "skipped with options", typ: typString, tag: `dynamo:"-,omitempty"`, none: true},
		{name: "set", typ: typStrings, tag: `dynamo:"v,set"`},
		{name: "set omitempty", typ: typStrings, tag: `dynamo:"v,set,omitempty"`},
		{name: "unixtime", typ: typTime, tag: `dynamo:"v,unixtime"`},
		{name: "ttl is unixtime", typ: typTime, tag: `dynamo:"v" dynamokit:"ttl"`},
		{name: "layout", typ: typTime, tag: `dynamo:"v,layout=utcnano"`},
		{name: "layout omitempty", typ: typTime, tag: `dynamo:"v,omitempty,layout=pynamodb"`},
		{name: "index key", typ: typString, tag: `dynamo:"v,omitempty" index:"by-v,hash"`},
		{name: "key spelt sort", typ: typString, tag: `dynamo:"v,sort"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ := reflect.StructOf([]reflect.StructField{
				{Name: "ID", Type: typString, Tag: `dynamo:"id,hash"`},
				{Name: "V", Type: tc.typ, Tag: tc.tag},
			})
			b, err := newBuilder(typ)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.walk(); err != nil {
				t.Fatal(err)
			}
			var a *Attribute
			for _, at := range b.m.Attributes {
				if at.Field == "V" {
					a = at
				}
			}
			f, ferr := b.codec.Field([]int{1})
			if tc.none {
				if a != nil || ferr == nil {
					t.Fatalf("attribute %v, codec field error %v: want neither to have the field", a, ferr)
				}
				return
			}
			if a == nil || ferr != nil {
				t.Fatalf("attribute %v, codec field error %v: want both to have the field", a, ferr)
			}
			if a.tag != f.Tag() {
				t.Errorf("the model's tags %p are not the codec's %p", a.tag, f.Tag())
			}

			// What the codec writes agrees with what the model says.
			v := reflect.New(typ).Elem()
			v.Field(0).SetString("k")
			item, err := b.codec.Encode(v, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, present := item[a.Name]; present && a.OmitEmpty {
				t.Errorf("zero value: attribute %s written, want it left out (OmitEmpty)", a.Name)
			}
			switch tc.typ {
			case typTime:
				v.Field(1).Set(reflect.ValueOf(time.Unix(1700000000, 0)))
			case typStrings:
				v.Field(1).Set(reflect.ValueOf([]string{"x"}))
			default:
				v.Field(1).SetString("x")
			}
			item, err = b.codec.Encode(v, 0)
			if err != nil {
				t.Fatal(err)
			}
			av, present := item[a.Name]
			if !present {
				t.Fatalf("item %v has no attribute %s", item, a.Name)
			}
			if _, isN := av.(*types.AttributeValueMemberN); isN != a.UnixTime {
				t.Errorf("written as %T, want a number %v (UnixTime %v)", av, a.UnixTime, a.UnixTime)
			}
			if _, isSS := av.(*types.AttributeValueMemberSS); isSS != a.Set {
				t.Errorf("written as %T, want a set %v (Set %v)", av, a.Set, a.Set)
			}
		})
	}
}
