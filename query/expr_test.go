package query

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/google/go-cmp/cmp"
)

// TestSetElements encodes the elements of AddToSet by the set attribute's
// own field ([]string with the set option), refusing other types.
func TestSetElements(t *testing.T) {
	m := mapping.Must(newTable[user](t).Model())
	tags := m.Attribute("tags")
	tests := []struct {
		name  string
		elems []any
		want  types.AttributeValue
		err   string
	}{
		{"strings, repeated ones dropped", []any{"b", "a", "b"}, &types.AttributeValueMemberSS{Value: []string{"a", "b"}}, ""},
		{"a slice of the field's type", []any{[]string{"c"}, "a"}, &types.AttributeValueMemberSS{Value: []string{"a", "c"}}, ""},
		{"nothing", nil, nil, ""},
		{"empty slice", []any{[]string{}}, nil, ""},
		{"a number", []any{"a", 1}, nil, "holds elements of type string, not int"},
		{"a bool", []any{true}, nil, "holds elements of type string, not bool"},
		{"an attribute value", []any{&types.AttributeValueMemberS{Value: "q"}}, nil, "not *types.AttributeValueMemberS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newTable[user](t).Update(user{ID: "u"})
			got, err := u.elements(tags, tt.elems)
			if tt.err != "" {
				var ve *mapping.ValueError
				if !errors.As(err, &ve) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("elements(%v) error = %v, want a *mapping.ValueError containing %q", tt.elems, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("elements(%v) error = %v", tt.elems, err)
			}
			if got != nil {
				got = uniqueSet(got)
			}
			if diff := cmp.Diff(tt.want, got, ignoreUnexported); diff != "" {
				t.Errorf("elements(%v) (-want +got):\n%s", tt.elems, diff)
			}
		})
	}
}

func TestEncodeValue(t *testing.T) {
	m := mapping.Must(newTable[user](t).Model())
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
