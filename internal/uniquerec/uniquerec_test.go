package uniquerec

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
)

// TestUniqueRecordID: the record id escapes the separator, writes numbers
// as stored and binary values in base64, and an empty value claims
// nothing.
func TestUniqueRecordID(t *testing.T) {
	attr := &mapping.Attribute{Name: "e#mail"}
	scope := &mapping.Attribute{Name: "team"}
	tests := []struct {
		name   string
		u      *mapping.Unique
		item   map[string]types.AttributeValue
		want   string
		claims bool
	}{
		{"string", &mapping.Unique{Attr: attr}, map[string]types.AttributeValue{"e#mail": &types.AttributeValueMemberS{Value: "a%b#c"}}, "e%23mail##a%25b%23c", true},
		{"number", &mapping.Unique{Attr: attr}, map[string]types.AttributeValue{"e#mail": &types.AttributeValueMemberN{Value: "42"}}, "e%23mail##42", true},
		{"binary", &mapping.Unique{Attr: attr}, map[string]types.AttributeValue{"e#mail": &types.AttributeValueMemberB{Value: []byte{1, 2}}}, "e%23mail##AQI=", true},
		{"scoped", &mapping.Unique{Attr: attr, Scope: scope}, map[string]types.AttributeValue{"e#mail": &types.AttributeValueMemberS{Value: "x"}, "team": &types.AttributeValueMemberS{Value: "r#d"}}, "e%23mail#r%23d#x", true},
		{"scope missing", &mapping.Unique{Attr: attr, Scope: scope}, map[string]types.AttributeValue{"e#mail": &types.AttributeValueMemberS{Value: "x"}}, "", false}, // in no scope: no claim
		{"empty", &mapping.Unique{Attr: attr}, map[string]types.AttributeValue{"e#mail": &types.AttributeValueMemberS{}}, "", false},
		{"null", &mapping.Unique{Attr: attr}, map[string]types.AttributeValue{"e#mail": &types.AttributeValueMemberNULL{Value: true}}, "", false},
		{"absent", &mapping.Unique{Attr: attr}, nil, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := Of(tc.u, tc.item)
			if ok != tc.claims || c.ID != tc.want {
				t.Errorf("Of = %q, %v, want %q, %v", c.ID, ok, tc.want, tc.claims)
			}
		})
	}
}
