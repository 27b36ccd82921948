package integration_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// AtkTeam is a parent keyed by a number, so that its children's link is a
// number attribute an update can add to.
type AtkTeam struct {
	TeamID int    `dynamo:"team_id,hash"`
	Name   string `dynamo:"name"`
}

func (AtkTeam) TableName() string { return "atk_team" }

// AtkPlayer belongs to a team through team_id.
type AtkPlayer struct {
	PlayerID string `dynamo:"player_id,hash"`
	TeamID   int    `dynamo:"team_id,omitempty" index:"team-players,hash"`
	Name     string `dynamo:"name"`
}

func (AtkPlayer) TableName() string { return "atk_player" }

func atkSetup(t *testing.T) (*query.Table[AtkTeam], *query.Table[AtkPlayer], *relations.HasMany[AtkTeam, AtkPlayer]) {
	t.Helper()
	e := newEnv(t, must[AtkTeam](t), must[AtkPlayer](t))
	teams, err := query.NewTable[AtkTeam](e.db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	players, err := query.NewTable[AtkPlayer](e.db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := relations.Declare(teams, players, relations.Spec{Layout: relations.MultiTable, Index: "team-players", OnDelete: relations.Restrict})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, id := range []int{1, 2} {
		if err := teams.Create(ctx, &AtkTeam{TeamID: id, Name: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := players.Create(ctx, &AtkPlayer{PlayerID: "p-1", TeamID: 1, Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	return teams, players, rel
}

// atkWhole fails t unless each team's counter equals its children listed
// and every player's team exists.
func atkWhole(t *testing.T, teams *query.Table[AtkTeam], players *query.Table[AtkPlayer], rel *relations.HasMany[AtkTeam, AtkPlayer]) {
	t.Helper()
	ctx := t.Context()
	for _, id := range []int{1, 2} {
		n, err := rel.CountChildren(ctx, AtkTeam{TeamID: id})
		if err != nil {
			t.Fatal(err)
		}
		kids, err := rel.Children(AtkTeam{TeamID: id}).Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(kids) {
			t.Errorf("team %d: counter %d, children listed %d", id, n, len(kids))
		}
	}
	all, err := players.Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.TeamID == 0 {
			continue
		}
		if _, err := teams.Get(ctx, AtkTeam{TeamID: p.TeamID}); err != nil {
			t.Errorf("player %s: team %d: %v (orphan)", p.PlayerID, p.TeamID, err)
		}
	}
}

// TestRelationsAttackAddToLink adds to a number link with Update.Add: the
// child moves to another parent (or to none that exists), so the write
// must keep the counters and check the parent, or be refused.
func TestRelationsAttackAddToLink(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		add  int
	}{{"to an existing parent", 1}, {"to a missing parent", 5}} {
		t.Run(tc.name, func(t *testing.T) {
			teams, players, rel := atkSetup(t)
			err := players.Update(AtkPlayer{PlayerID: "p-1"}).Add("team_id", tc.add).Run(t.Context())
			if !errors.Is(err, relations.ErrNeedsRelation) {
				t.Errorf("Add(team_id, %d) = %v, want ErrNeedsRelation", tc.add, err)
			}
			atkWhole(t, teams, players, rel)
		})
	}
}

// TestRelationsAttackSetIfNotExistsLink sets a linked child's link with
// SetIfNotExists, which DynamoDB leaves as it is: the counters must not
// move.
func TestRelationsAttackSetIfNotExistsLink(t *testing.T) {
	t.Parallel()
	teams, players, rel := atkSetup(t)
	err := players.Update(AtkPlayer{PlayerID: "p-1"}).SetIfNotExists("team_id", 2).Run(t.Context())
	if !errors.Is(err, relations.ErrNeedsRelation) {
		t.Errorf("SetIfNotExists(team_id, 2) = %v, want ErrNeedsRelation", err)
	}
	atkWhole(t, teams, players, rel)
}

// TestRelationsAttackChildCopies writes a child's copies through the plain
// table with values its parent does not hold: the write must be refused
// or leave no copy that disagrees with its parent.
func TestRelationsAttackChildCopies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		write func(f copyFixture) error
	}{
		{"Create with a wrong copy", func(f copyFixture) error {
			return f.emps.Create(t.Context(), &CopyEmployee{"x-1", "d-1", "Bogus"})
		}},
		{"Put with a wrong copy", func(f copyFixture) error {
			return f.emps.Put(t.Context(), &CopyEmployee{"e0000", "d-1", "Bogus"})
		}},
		{"Update of the copy", func(f copyFixture) error {
			return f.emps.Update(CopyEmployee{EmployeeID: "e0000"}).Set("department_name", "Bogus").Run(t.Context())
		}},
		{"Update of the link that keeps the old copy", func(f copyFixture) error {
			return f.emps.Update(CopyEmployee{EmployeeID: "e0000"}).Set("department_id", "d-2").Run(t.Context())
		}},
		{"WriteTx create with a wrong copy", func(f copyFixture) error {
			return f.emps.Client().WriteTx(t.Context(), nil, f.emps.TxCreate(&CopyEmployee{"x-2", "d-1", "Bogus"}))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newCopyFixture(t)
			f.seed(t, []Department{{"d-1", "HR"}, {"d-2", "Ops"}}, map[string]string{"d-1": "e", "d-2": "o"}, map[string]int{"d-1": 1, "d-2": 1})
			err := tc.write(f)
			if !errors.Is(err, relations.ErrParentNotFound) || !strings.Contains(err.Error(), "Spec.Copies") {
				t.Errorf("write = %v, want ErrParentNotFound naming Spec.Copies", err)
			}
			bad, _ := f.disagreements(t)
			if len(bad) != 0 {
				t.Errorf("write = %v; copies disagree: %v", err, bad)
			}
		})
	}
}

// TestRelationsAttackTxLinkAndDeleteParent links a child and deletes its
// parent in one WriteTx: it must fail, leaving no orphan.
func TestRelationsAttackTxLinkAndDeleteParent(t *testing.T) {
	t.Parallel()
	teams, players, rel := atkSetup(t)
	err := players.Client().WriteTx(t.Context(), nil,
		players.TxCreate(&AtkPlayer{PlayerID: "p-2", TeamID: 2}),
		teams.TxDelete(AtkTeam{TeamID: 2}))
	if err == nil {
		t.Errorf("WriteTx(create child of 2, delete 2) = nil, want an error")
	}
	atkWhole(t, teams, players, rel)
}

// TestRelationsAttackTxPutParentAndLink puts a parent and links a child
// to it in one WriteTx: it must keep the counter or fail.
func TestRelationsAttackTxPutParentAndLink(t *testing.T) {
	t.Parallel()
	teams, players, rel := atkSetup(t)
	err := players.Client().WriteTx(t.Context(), nil,
		teams.TxPut(&AtkTeam{TeamID: 2, Name: "renamed"}),
		players.TxCreate(&AtkPlayer{PlayerID: "p-2", TeamID: 2}))
	t.Logf("WriteTx(put 2, create child of 2) = %v", err)
	atkWhole(t, teams, players, rel)
}

// AtkClub is the To end of a second many-to-many of students.
type AtkClub struct {
	ClubID string `dynamo:"club_id,hash"`
}

func (AtkClub) TableName() string { return "atk_club" }

// AtkMembership is the edge of students and clubs.
type AtkMembership struct {
	StudentID string `dynamo:"student_id,hash" index:"club-student-index,range"`
	ClubID    string `dynamo:"club_id,range" index:"club-student-index,hash"`
}

func (AtkMembership) TableName() string { return "atk_membership" }

// TestRelationsAttackSharedEnd deletes a student with a Cascade of one
// many-to-many while another many-to-many of students restricts it: the
// delete must be refused, leaving no membership pointing at nothing.
func TestRelationsAttackSharedEnd(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, must[Student](t), must[Course](t), must[Enrollment](t), must[AtkClub](t), must[AtkMembership](t))
	db := graphClient(t)
	students, courses, enrollments := tableOf[Student](t, e, db, nil), tableOf[Course](t, e, db, nil), tableOf[Enrollment](t, e, db, nil)
	clubs, members := tableOf[AtkClub](t, e, db, nil), tableOf[AtkMembership](t, e, db, nil)
	enrolled, err := relations.DeclareEdge(students, courses, enrollments, relations.EdgeSpec{Index: "course-student-index", OnDeleteFrom: relations.Cascade, Counter: "course_count"})
	if err != nil {
		t.Fatal(err)
	}
	member, err := relations.DeclareEdge(students, clubs, members, relations.EdgeSpec{Index: "club-student-index", OnDeleteFrom: relations.Restrict, Counter: "club_count"})
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{students.Create(ctx, &Student{StudentID: "s-1"}), courses.Create(ctx, &Course{CourseID: "c-1"}), clubs.Create(ctx, &AtkClub{ClubID: "k-1"})} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := enrolled.Link(ctx, Student{StudentID: "s-1"}, Course{CourseID: "c-1"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := member.Link(ctx, Student{StudentID: "s-1"}, AtkClub{ClubID: "k-1"}, nil); err != nil {
		t.Fatal(err)
	}
	err = enrolled.DeleteFrom(ctx, Student{StudentID: "s-1"}, nil)
	// The refusal comes from the clubs' Restrict joined to the delete's own
	// condition, which the cascade reads as edges still there: it reports
	// "edges remain", not ErrHasEdges (left as is).
	if err == nil {
		t.Errorf("DeleteFrom(s-1) through enrollments = nil, want an error (s-1 is in a club, Restrict)")
	}
	if _, err := students.Get(ctx, Student{StudentID: "s-1"}); err != nil {
		t.Errorf("s-1 after DeleteFrom: %v; its membership of k-1 dangles", err)
	}
}
