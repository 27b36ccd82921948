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
// children's unique attribute is scoped by the link releases their
// records (a detached child is in no scope and claims nothing), so two
// clubs' members sharing a nick can both be detached; linked again to one
// club, the second is refused with ErrNotUnique.
func TestAttackComposeDetachScopedUnique(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, clubs, members, rel := twoClubs(t)
	if err := rel.DeleteParent(ctx, aClub{ID: "c1"}, nil); err != nil {
		t.Fatalf("DeleteParent(c1): %v", err)
	}
	if record(t, e, members.TableName(), "nick#c1#n") != nil || record(t, e, members.TableName(), "nick##n") != nil {
		t.Fatal("after detaching m-c1: want nick#c1#n released and no record in the empty scope")
	}
	if err := rel.DeleteParent(ctx, aClub{ID: "c2"}, nil); err != nil {
		t.Fatalf("DeleteParent(c2) = %v, want the second club detached too", err)
	}
	if n := records(t, e, members.TableName()); n != 0 {
		t.Errorf("%d records after both clubs were detached, want 0", n)
	}
	if err := clubs.Create(ctx, &aClub{ID: "c3"}); err != nil {
		t.Fatal(err)
	}
	if err := rel.Relink(ctx, aMember{ID: "m-c1", Nick: "n"}, aClub{ID: "c3"}); err != nil {
		t.Fatalf("Relink(m-c1, c3): %v", err)
	}
	err := rel.Relink(ctx, aMember{ID: "m-c2", Nick: "n"}, aClub{ID: "c3"})
	if !errors.Is(err, relations.ErrNotUnique) {
		t.Fatalf("Relink(m-c2, c3) = %v, want ErrNotUnique: m-c1 holds n in c3", err)
	}
}

// twoClubs returns a new env in which it declares clubs with members (Detach, a nick unique within its
// club) and creates clubs c1 and c2, each with a member nicknamed "n".
func twoClubs(t *testing.T) (env, *query.Table[aClub], *query.Table[aMember], *relations.HasMany[aClub, aMember]) {
	t.Helper()
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
	return e, clubs, members, rel
}
