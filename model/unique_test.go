package model_test

import (
	"testing"

	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

type member struct {
	Tenant string `dynamo:"tenant_id,hash"`
	ID     string `dynamo:"member_id,range"`
	Email  string `dynamo:"email" unique:""`
	Handle string `dynamo:"handle" unique:"scope=tenant_id"`
}

func (member) TableName() string { return "member" }

func TestUnique(t *testing.T) {
	got := model.MustOf[member]().Unique()
	want := []model.Unique{{Attr: "email"}, {Attr: "handle", Scope: "tenant_id"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Unique() (-want +got):\n%s", diff)
	}
	if u := model.MustOf[Employee]().Unique(); u != nil {
		t.Errorf("Unique() of a model without unique tags = %v, want nil", u)
	}
	var zero model.Model
	if zero.Unique() != nil {
		t.Error("Unique() of the zero Model is not nil")
	}
}
