package query

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

func TestSetOf(t *testing.T) {
	type label string
	tests := []struct {
		name  string
		elems []any
		want  types.AttributeValue
		err   string
	}{
		{"strings", []any{"b", "a", "b"}, &types.AttributeValueMemberSS{Value: []string{"a", "b"}}, ""},
		{"named string type", []any{label("x")}, &types.AttributeValueMemberSS{Value: []string{"x"}}, ""},
		{"slices flatten", []any{[]string{"c"}, [2]string{"a", "b"}}, &types.AttributeValueMemberSS{Value: []string{"a", "b", "c"}}, ""},
		{"numbers", []any{3, 1.5, []int{3}}, &types.AttributeValueMemberNS{Value: []string{"1.5", "3"}}, ""},
		{"binary", []any{[]byte("b"), []byte("a")}, &types.AttributeValueMemberBS{Value: [][]byte{[]byte("a"), []byte("b")}}, ""},
		{"map set", []any{map[string]struct{}{"x": {}, "y": {}}}, &types.AttributeValueMemberSS{Value: []string{"x", "y"}}, ""},
		{"bool map set", []any{map[int]bool{1: true, 2: false}}, &types.AttributeValueMemberNS{Value: []string{"1"}}, ""},
		{"attribute values", []any{&types.AttributeValueMemberSS{Value: []string{"q"}}, s("p")}, &types.AttributeValueMemberSS{Value: []string{"p", "q"}}, ""},
		{"nothing", nil, nil, ""},
		{"empty slice", []any{[]string{}}, nil, ""},
		{"empty strings are dropped", []any{""}, nil, ""},
		{"mixed", []any{"a", 1}, nil, "different types"},
		{"bool", []any{true}, nil, "must be a string, number or binary"},
		{"nested", []any{[][]int{{1}}}, nil, "cannot be a list"},
		{"map", []any{map[string]string{"a": "b"}}, nil, "must be a string, number or binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := setOf(tt.elems...)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("setOf(%v) error = %v, want one containing %q", tt.elems, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("setOf(%v) error = %v", tt.elems, err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreUnexported); diff != "" {
				t.Errorf("setOf(%v) (-want +got):\n%s", tt.elems, diff)
			}
		})
	}
}

func TestEncodeValue(t *testing.T) {
	m := newRepo[user](t).Model()
	when := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		attr string
		v    any
		want types.AttributeValue
	}{
		{"string", "name", "Ann", s("Ann")},
		{"empty string is omitted", "name", "", nil},
		{"nil is omitted", "name", nil, nil},
		{"nil pointer is omitted", "name", (*string)(nil), nil},
		{"pointer", "name", aws.String("Bo"), s("Bo")},
		{"set attribute from a slice", "tags", []string{"b", "a"}, &types.AttributeValueMemberSS{Value: []string{"a", "b"}}},
		{"empty set is omitted", "tags", []string{}, nil},
		{"list attribute stays a list", "log", []string{"b", "a"}, &types.AttributeValueMemberL{Value: []types.AttributeValue{s("b"), s("a")}}},
		{"ttl time is seconds", "expires", when, n("1893456000")},
		{"ttl pointer", "expires", &when, n("1893456000")},
		{"zero ttl is omitted", "expires", time.Time{}, nil},
		{"plain time is text", "created", when, s("2030-01-01T00:00:00Z")},
		{"attribute value as is", "name", &types.AttributeValueMemberNULL{Value: true}, &types.AttributeValueMemberNULL{Value: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := encodeValue(m.Attribute(tt.attr), tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreUnexported); diff != "" {
				t.Errorf("encodeValue(%s, %v) (-want +got):\n%s", tt.attr, tt.v, diff)
			}
		})
	}
}

func TestMarshal(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want types.AttributeValue
	}{
		{"a", s("a")},
		{nil, &types.AttributeValueMemberNULL{Value: true}},
		{"", &types.AttributeValueMemberNULL{Value: true}},
		{n("1"), n("1")},
	} {
		got, err := marshal(tt.v)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got, ignoreUnexported); diff != "" {
			t.Errorf("marshal(%v) (-want +got):\n%s", tt.v, diff)
		}
	}
}
