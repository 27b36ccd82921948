package itemcodec

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestEqualItems(t *testing.T) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	n := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
	item := func(kv ...any) map[string]types.AttributeValue {
		m := map[string]types.AttributeValue{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1].(types.AttributeValue)
		}
		return m
	}
	tests := []struct {
		name string
		a, b map[string]types.AttributeValue
		want bool
	}{
		{"equal", item("id", s("a"), "n", n("1")), item("id", s("a"), "n", n("1")), true},
		{"numbers by value", item("n", n("1.50")), item("n", n("1.5")), true},
		{"sets in any order", item("ss", &types.AttributeValueMemberSS{Value: []string{"x", "y"}}), item("ss", &types.AttributeValueMemberSS{Value: []string{"y", "x"}}), true},
		{"nested", item("m", &types.AttributeValueMemberM{Value: item("l", &types.AttributeValueMemberL{Value: []types.AttributeValue{s("q")}})}), item("m", &types.AttributeValueMemberM{Value: item("l", &types.AttributeValueMemberL{Value: []types.AttributeValue{s("q")}})}), true},
		{"another value", item("n", n("1")), item("n", n("2")), false},
		{"another type", item("n", n("1")), item("n", s("1")), false},
		{"an attribute more", item("id", s("a")), item("id", s("a"), "x", s("b")), false},
		{"missing", nil, item("id", s("a")), false},
	}
	for _, tt := range tests {
		if got := EqualItems(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: EqualItems = %v, want %v", tt.name, got, tt.want)
		}
	}
}
