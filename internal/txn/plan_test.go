package txn

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

type planUser struct {
	ID string `dynamo:"id,hash"`
}

func (planUser) TableName() string { return "users" }

// effectRules returns the same effects for every write.
type effectRules []Effect

func (effectRules) Covers(*model.Model) bool { return true }
func (r effectRules) Check(context.Context, *Write) ([]Effect, error) {
	return r, nil
}

func key(id string) mapping.Item { return mapping.Item{"id": &types.AttributeValueMemberS{Value: id}} }

// TestPlanWriteEffects: an effect that puts or deletes an item of its own
// becomes a write of it, whose failure its Fail tells, and is never
// merged with another effect or a write on the same item.
func TestPlanWriteEffects(t *testing.T) {
	m := model.MustOf[planUser]()
	errTaken := errors.New("taken")
	put := Effect{Table: "records", Key: key("r1"), What: "claim r1", Put: mapping.Item{"id": &types.AttributeValueMemberS{Value: "r1"}},
		Conds: []Cond{{Expr: expression.AttributeNotExists(expression.Name("id"))}},
		Fail:  func(map[string]types.AttributeValue) error { return errTaken }}
	del := Effect{Table: "records", Key: key("r0"), What: "release r0", Delete: true,
		Conds: []Cond{{Expr: expression.AttributeExists(expression.Name("id"))}}}
	w := &Write{Op: OpPut, Model: m, Table: "users", Key: key("u1"), Item: key("u1"), Undo: func() {}}
	out, err := Plan(t.Context(), effectRules{put, del}, []*Write{w})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[1].Op != OpPut || out[2].Op != OpDelete {
		t.Fatalf("Plan = %d writes, want the put, then a put and a delete of records", len(out))
	}
	if len(out[1].Conds) != 1 || out[1].Failure(nil) != errTaken {
		t.Errorf("the record put's failure = %v, want its Fail's", out[1].Failure(nil))
	}
	if len(out[2].RuleConds) != 1 {
		t.Errorf("the record delete has %d rule conditions, want 1", len(out[2].RuleConds))
	}
	if _, err := out[1].TransactItem(); err != nil {
		t.Errorf("TransactItem of the record put: %v", err)
	}

	var rf *Refusal
	check := Effect{Table: "records", Key: key("r1"), What: "check r1", Conds: put.Conds}
	if _, err := Plan(t.Context(), effectRules{put, check}, []*Write{w}); !errors.As(err, &rf) {
		t.Errorf("Plan(put and check of one record) = %v, want a Refusal", err)
	}
	onItem := put
	onItem.Table, onItem.Key = "users", key("u1")
	if _, err := Plan(t.Context(), effectRules{onItem}, []*Write{w}); !errors.As(err, &rf) {
		t.Errorf("Plan(a put of the item written) = %v, want a Refusal", err)
	}
}
