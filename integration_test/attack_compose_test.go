package integration_test

import (
	"errors"
	"testing"

	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// aClub has many aMember, whose nick is unique within the club (scoped
// by the link); the relation detaches members when a club is deleted.
type aClub struct {
	ID string `dynamo:"club_id,hash"`
}

func (aClub) TableName() string { return "aclubs" }

type aMember struct {
	ID     string `dynamo:"member_id,hash"`
	ClubID string `dynamo:"club_id,omitempty" index:"club-index,hash"`
	Nick   string `dynamo:"nick,omitempty" unique:"scope=club_id"`
}

func (aMember) TableName() string { return "amembers" }

// TestAttackComposeDetachScopedUnique: a Detach delete of a parent whose
// children's unique attribute is scoped by the link moves their records
// to the empty scope; two clubs' members sharing a nick cannot both be
// detached, and the second delete says so (ErrNotUnique) and leaves its
// club and members as they were, with their records.
func TestAttackComposeDetachScopedUnique(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[aClub](t), must[aMember](t))
	ctx := t.Context()
	clubs := mustTable[aClub](t, e.db)
	members := mustTable[aMember](t, e.db)
	rel, err := relations.Declare(clubs, members, relations.Spec{Layout: relations.MultiTable, Index: "club-index", OnDelete: relations.Detach})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"c1", "c2"} {
		if err := clubs.Create(ctx, &aClub{ID: c}); err != nil {
			t.Fatal(err)
		}
		if err := rel.Link(ctx, &aMember{ID: "m-" + c, Nick: "n"}, aClub{ID: c}); err != nil {
			t.Fatal(err)
		}
	}
	if err := rel.DeleteParent(ctx, aClub{ID: "c1"}, nil); err != nil {
		t.Fatalf("DeleteParent(c1): %v", err)
	}
	if record(t, e, members.TableName(), "nick#c1#n") != nil || record(t, e, members.TableName(), "nick##n") == nil {
		t.Fatal("after detaching m-c1: want nick#c1#n released and nick##n claimed")
	}
	err = rel.DeleteParent(ctx, aClub{ID: "c2"}, nil)
	if !errors.Is(err, relations.ErrNotUnique) {
		t.Fatalf("DeleteParent(c2) = %v, want ErrNotUnique (m-c1 holds n unscoped)", err)
	}
	if _, err := clubs.Get(ctx, aClub{ID: "c2"}, query.Consistent()); err != nil {
		t.Errorf("club c2 after the refused delete: %v", err)
	}
	if m, _ := members.Get(ctx, aMember{ID: "m-c2"}, query.Consistent()); m.ClubID != "c2" || record(t, e, members.TableName(), "nick#c2#n") == nil {
		t.Errorf("m-c2 after the refused delete = %+v (record %v), want it in c2 with its record", m, record(t, e, members.TableName(), "nick#c2#n"))
	}
}
