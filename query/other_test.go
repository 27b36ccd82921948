package query

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// TestSetOther checks that an attribute outside the model is set in the
// same UpdateItem, and that a model attribute, a repeat or an empty one
// is refused.
func TestSetOther(t *testing.T) {
	users := newTable[user](t)
	with := func(u *Update[user], others ...*txn.Other) *Update[user] {
		for _, o := range others {
			u.setOther(o)
		}
		return u
	}
	stamp := &txn.Other{Name: "copies_stamp", Value: s("x1")}
	in, err := with(users.Update(user{ID: "u"}).Set("name", "Ann"), stamp, nil).input()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for k, v := range in.ExpressionAttributeNames {
		if v == "copies_stamp" {
			names = append(names, k)
		}
	}
	if len(names) != 1 || !strings.Contains(*in.UpdateExpression, names[0]+" = ") {
		t.Fatalf("UpdateExpression = %q with names %v, want copies_stamp set", *in.UpdateExpression, in.ExpressionAttributeNames)
	}
	var found bool
	for _, v := range in.ExpressionAttributeValues {
		if sv, ok := v.(*types.AttributeValueMemberS); ok && sv.Value == "x1" {
			found = true
		}
	}
	if !found {
		t.Errorf("values %v lack the stamp x1", in.ExpressionAttributeValues)
	}
	for _, tt := range []struct {
		name string
		u    *Update[user]
		want string
	}{
		{"model attribute", with(users.Update(user{ID: "u"}), &txn.Other{Name: "name", Value: s("x")}), "is an attribute of"},
		{"twice", with(users.Update(user{ID: "u"}), stamp, stamp), "changed twice"},
		{"empty", with(users.Update(user{ID: "u"}), &txn.Other{Name: "x"}), "empty name or value"},
	} {
		if _, err := tt.u.input(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: input() error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
