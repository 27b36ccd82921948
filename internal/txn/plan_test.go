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

// TestPlanMovesRecord: an effect that deletes an item and one that puts
// it, from two writes of one transaction, are one put of it, on either's
// conditions; two puts of it are refused.
func TestPlanMovesRecord(t *testing.T) {
	m := model.MustOf[planUser]()
	errTaken := errors.New("taken")
	release := Effect{Table: "records", Key: key("r1"), What: "release r1", Delete: true,
		Conds: []Cond{{Expr: expression.Name("owner").Equal(expression.Value("u1"))}}}
	claim := Effect{Table: "records", Key: key("r1"), What: "claim r1", Put: mapping.Item{"id": &types.AttributeValueMemberS{Value: "r1"}},
		Conds: []Cond{{Expr: expression.AttributeNotExists(expression.Name("id"))}},
		Fail:  func(map[string]types.AttributeValue) error { return errTaken }}
	writes := func() []*Write {
		return []*Write{
			{Op: OpDelete, Model: m, Table: "users", Key: key("u1"), Undo: func() {}},
			{Op: OpCreate, Model: m, Table: "users", Key: key("u2"), Item: key("u2"), Undo: func() {}},
		}
	}
	for _, order := range [][]Effect{{release}, {claim}} {
		rules := &perWrite{order[0], otherOf(order[0], release, claim)}
		out, err := Plan(t.Context(), rules, writes())
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 3 || out[2].Op != OpPut || len(out[2].Conds) != 1 || out[2].Failure(nil) != errTaken {
			t.Fatalf("Plan(%s first) = %d writes, want the two writes and one put of the record failing as taken", order[0].What, len(out))
		}
	}
	var rf *Refusal
	if _, err := Plan(t.Context(), &perWrite{claim, claim}, writes()); !errors.As(err, &rf) {
		t.Errorf("Plan(two claims of one record) = %v, want a Refusal", err)
	}
}

func otherOf(e, a, b Effect) Effect {
	if e.What == a.What {
		return b
	}
	return a
}

// perWrite gives the first write it is asked about one effect, the second
// another.
type perWrite struct{ first, second Effect }

func (*perWrite) Covers(*model.Model) bool { return true }
func (p *perWrite) Check(_ context.Context, w *Write) ([]Effect, error) {
	if w.Key["id"].(*types.AttributeValueMemberS).Value == "u1" {
		return []Effect{p.first}, nil
	}
	return []Effect{p.second}, nil
}
