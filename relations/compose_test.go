package relations

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
)

type composeItem struct {
	ID string `dynamo:"id,hash"`
}

func (composeItem) TableName() string { return "compose_items" }

func TestDeleteStepsOrder(t *testing.T) {
	g := NewGraph()
	m, err := model.Of[composeItem]()
	if err != nil {
		t.Fatal(err)
	}
	step := func(rel, side string, check bool) deleteStep {
		return deleteStep{id: stepID{rel, side}, relation: rel, check: check}
	}
	g.addDeleteStep(m, step("a", "parent", false))
	g.addDeleteStep(m, step("b", "to", true))
	g.addDeleteStep(m, step("c", "from", false))
	g.addDeleteStep(m, step("a", "parent", true)) // declared again: replaces
	var got []string
	for _, s := range g.deleteSteps(m, stepID{"c", "from"}) {
		got = append(got, s.relation)
	}
	if len(got) != 2 || got[0] != "a" || got[1] != "b" || !g.deleteSteps(m, stepID{})[0].check {
		t.Errorf("deleteSteps(skip c) = %v, want the checks a, b (a replaced by its check), without c", got)
	}
}

func TestAppliedDeleteRule(t *testing.T) {
	key := mapping.Item{"id": &types.AttributeValueMemberS{Value: "k-1"}}
	r := counterRule{counter: "n", policy: Cascade, relation: "R", deleteBy: "R.Delete", refused: func(string) error { return ErrHasEdges }}
	w := &txn.Write{Op: txn.OpDelete, Table: "t", Key: key}
	if err := r.check(w); !errors.Is(err, ErrNeedsRelation) {
		t.Errorf("check(plain delete under Cascade) = %v, want ErrNeedsRelation", err)
	}
	ctx := context.WithValue(context.Background(), txn.OwnMark{ID: appliedID{"rel", itemPath("t", key)}}, true)
	r.applied = policyApplied(ctx, "rel", w)
	if err := r.check(w); err != nil || len(w.RuleConds) != 1 {
		t.Fatalf("check(applied delete) = %v with %d conditions, want nil and 1", err, len(w.RuleConds))
	}
	c := w.RuleConds[0]
	for _, tt := range []struct {
		item mapping.Item
		want bool
	}{
		{nil, true},
		{mapping.Item{"id": key["id"]}, true},
		{mapping.Item{"id": key["id"], "n": &types.AttributeValueMemberN{Value: "0"}}, true},
		{mapping.Item{"id": key["id"], "n": &types.AttributeValueMemberN{Value: "1"}}, false},
	} {
		if got := c.Holds(tt.item); got != tt.want {
			t.Errorf("condition holds on %v = %v, want %v", tt.item, got, tt.want)
		}
	}
	if !errors.Is(c.Kind, ErrLinkedMeanwhile) {
		t.Errorf("condition kind = %v, want ErrLinkedMeanwhile", c.Kind)
	}
	if policyApplied(ctx, "rel", &txn.Write{Table: "t", Key: mapping.Item{"id": &types.AttributeValueMemberS{Value: "k-2"}}}) {
		t.Error("policyApplied for another item = true, want false")
	}
}
