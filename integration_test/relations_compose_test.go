package integration_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// Models that take part in more than one relation (issue 17, section 3).

// ComposeDept and ComposeOffice are two parents of ComposeStaff: a
// member of staff belongs to a department (Cascade) and sits in an office
// (Restrict).
type ComposeDept struct {
	DeptID string `dynamo:"dept_id,hash"`
}

func (ComposeDept) TableName() string { return "cmp_dept" }

type ComposeOffice struct {
	OfficeID string `dynamo:"office_id,hash"`
}

func (ComposeOffice) TableName() string { return "cmp_office" }

type ComposeStaff struct {
	StaffID  string `dynamo:"staff_id,hash"`
	DeptID   string `dynamo:"dept_id,omitempty" index:"staff-by-dept,hash"`
	OfficeID string `dynamo:"office_id,omitempty" index:"staff-by-office,hash"`
}

func (ComposeStaff) TableName() string { return "cmp_staff" }

// ComposeBranch has many ComposeBook; a book is also the To end of the
// many-to-many relation of ComposeAuthor and ComposeBook, whose edges are
// ComposeAuthorship.
type ComposeBranch struct {
	BranchID string `dynamo:"branch_id,hash"`
}

func (ComposeBranch) TableName() string { return "cmp_branch" }

type ComposeBook struct {
	BookID   string `dynamo:"book_id,hash"`
	BranchID string `dynamo:"branch_id,omitempty" index:"branch-books,hash"`
}

func (ComposeBook) TableName() string { return "cmp_book" }

type ComposeAuthor struct {
	AuthorID string `dynamo:"author_id,hash"`
}

func (ComposeAuthor) TableName() string { return "cmp_author" }

type ComposeAuthorship struct {
	AuthorID string `dynamo:"author_id,hash" index:"book-author-index,range"`
	BookID   string `dynamo:"book_id,range" index:"book-author-index,hash"`
}

func (ComposeAuthorship) TableName() string { return "cmp_authorship" }

// ComposeTeam has many ComposePlayer and many ComposeCoach.
type ComposeTeam struct {
	TeamID string `dynamo:"team_id,hash"`
}

func (ComposeTeam) TableName() string { return "cmp_team" }

type ComposePlayer struct {
	PlayerID string `dynamo:"player_id,hash"`
	TeamID   string `dynamo:"team_id,omitempty" index:"team-players,hash"`
}

func (ComposePlayer) TableName() string { return "cmp_player" }

type ComposeCoach struct {
	CoachID string `dynamo:"coach_id,hash"`
	TeamID  string `dynamo:"team_id,omitempty" index:"team-coaches,hash"`
}

func (ComposeCoach) TableName() string { return "cmp_coach" }

// ok fails t on err.
func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestComposeCascadeSharedChild cascades a department whose staff also
// sit in offices (a Restrict relation): the cascade must delete them and
// take each office's counter down once per office, exactly. Today it
// fails with a ValidationException ("multiple operations on one item"):
// each child's delete gets the office relation's -1 on the same office.
func TestComposeCascadeSharedChild(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, must[ComposeDept](t), must[ComposeOffice](t), must[ComposeStaff](t))
	db := graphClient(t)
	depts, offices, staff := tableOf[ComposeDept](t, e, db, nil), tableOf[ComposeOffice](t, e, db, nil), tableOf[ComposeStaff](t, e, db, nil)
	inDept, err := relations.Declare(depts, staff, relations.Spec{Layout: relations.MultiTable, Index: "staff-by-dept", OnDelete: relations.Cascade})
	ok(t, err)
	inOffice, err := relations.Declare(offices, staff, relations.Spec{Layout: relations.MultiTable, Index: "staff-by-office", OnDelete: relations.Restrict})
	ok(t, err)
	ok(t, depts.Create(ctx, &ComposeDept{"d-1"}))
	for _, o := range []string{"o-1", "o-2"} {
		ok(t, offices.Create(ctx, &ComposeOffice{o}))
	}
	// Three in o-1, one in o-2, and one in o-1 of no department, which the
	// cascade must leave alone.
	for i, o := range []string{"o-1", "o-1", "o-1", "o-2"} {
		ok(t, staff.Create(ctx, &ComposeStaff{fmt.Sprintf("s-%d", i), "d-1", o}))
	}
	ok(t, staff.Create(ctx, &ComposeStaff{StaffID: "s-free", OfficeID: "o-1"}))

	if err := inDept.DeleteParent(ctx, ComposeDept{"d-1"}, nil); err != nil {
		t.Fatalf("cascade of d-1 (4 staff, 3 in o-1) = %v, want nil", err)
	}
	left, err := staff.Consistent().Scan().Collect(ctx)
	ok(t, err)
	if len(left) != 1 || left[0].StaffID != "s-free" {
		t.Errorf("staff after the cascade = %v, want only s-free", left)
	}
	for o, want := range map[string]int{"o-1": 1, "o-2": 0} {
		n, err := inOffice.CountChildren(ctx, ComposeOffice{o})
		if err != nil || n != want {
			t.Errorf("CountChildren(%s) = %d, %v; want %d (its counter must follow the cascade)", o, n, err, want)
		}
	}
	// o-2 lost its only member of staff: Restrict lets it go.
	if err := inOffice.DeleteParent(ctx, ComposeOffice{"o-2"}, nil); err != nil {
		t.Errorf("restrict DeleteParent(o-2) after the cascade = %v, want nil", err)
	}
}

// bookFix is a branch b-1 holding book k-1, written by author a-1, with
// the one-to-many relation of branches and books (Cascade) and the
// many-to-many relation of authors and books, whose policy on deleting a
// book is given.
type bookFix struct {
	branches *query.Table[ComposeBranch]
	books    *query.Table[ComposeBook]
	ships    *query.Table[ComposeAuthorship]
	holds    *relations.HasMany[ComposeBranch, ComposeBook]
	wrote    *relations.ManyToMany[ComposeAuthor, ComposeBook, ComposeAuthorship]
	meter    *meter // counts the requests of the fixture's client
}

func newBookFix(t *testing.T, onDeleteBook relations.Policy) bookFix {
	t.Helper()
	ctx := t.Context()
	e := newEnv(t, must[ComposeBranch](t), must[ComposeBook](t), must[ComposeAuthor](t), must[ComposeAuthorship](t))
	m := &meter{requests: map[string]int{}}
	db := graphClient(t, dynamokit.WithHook(m.hook))
	f := bookFix{meter: m, branches: tableOf[ComposeBranch](t, e, db, nil), books: tableOf[ComposeBook](t, e, db, nil), ships: tableOf[ComposeAuthorship](t, e, db, nil)}
	authors := tableOf[ComposeAuthor](t, e, db, nil)
	var err error
	f.holds, err = relations.Declare(f.branches, f.books, relations.Spec{Layout: relations.MultiTable, Index: "branch-books", OnDelete: relations.Cascade})
	ok(t, err)
	f.wrote, err = relations.DeclareEdge(authors, f.books, f.ships, relations.EdgeSpec{Index: "book-author-index", OnDeleteTo: onDeleteBook, Counter: "author_count"})
	ok(t, err)
	for _, b := range []string{"b-1", "b-2"} {
		ok(t, f.branches.Create(ctx, &ComposeBranch{b}))
	}
	ok(t, f.books.Create(ctx, &ComposeBook{"k-1", "b-1"}))
	ok(t, authors.Create(ctx, &ComposeAuthor{"a-1"}))
	ok(t, f.wrote.Link(ctx, ComposeAuthor{"a-1"}, ComposeBook{BookID: "k-1"}, nil))
	m.take()
	return f
}

// logCost logs the requests and write units counted since the fixture
// was made, as the cost of what the test did.
func (f bookFix) logCost(t *testing.T, what string) {
	t.Helper()
	reqs, units := f.meter.take()
	t.Logf("%s: requests %v, write units %d", what, reqs, units)
}

// state describes what is stored: whether k-1 exists, b-1's children
// counter, a-1's edge counter and how many edges there are.
func (f bookFix) state(t *testing.T) string {
	t.Helper()
	ctx := t.Context()
	_, err := f.books.Consistent().Get(ctx, ComposeBook{BookID: "k-1"})
	book := "k-1 stored"
	if errors.Is(err, dynamokit.ErrNotFound) {
		book = "k-1 gone"
	} else if err != nil {
		t.Fatal(err)
	}
	branch, err := f.holds.CountChildren(ctx, ComposeBranch{"b-1"})
	ok(t, err)
	author, err := f.wrote.CountFrom(ctx, ComposeAuthor{"a-1"})
	ok(t, err)
	edges, err := f.ships.Consistent().Scan().Count(ctx)
	ok(t, err)
	return fmt.Sprintf("%s, b-1 counts %d, a-1 counts %d, %d edges", book, branch, author, edges)
}

const (
	bookKept    = "k-1 stored, b-1 counts 1, a-1 counts 1, 1 edges"
	bookDeleted = "k-1 gone, b-1 counts 0, a-1 counts 0, 0 edges"
)

// TestComposeBookDeleteTo deletes a book that has an author through the
// many-to-many relation (DeleteTo), under each policy of the book's end:
// Restrict refuses, naming the relation and the book; Cascade and Detach
// delete its edges and the book, and the branch's counter follows.
func TestComposeBookDeleteTo(t *testing.T) {
	t.Parallel()
	for _, pol := range []relations.Policy{relations.Restrict, relations.Cascade, relations.Detach} {
		t.Run(pol.String(), func(t *testing.T) {
			t.Parallel()
			f := newBookFix(t, pol)
			err := f.wrote.DeleteTo(t.Context(), ComposeBook{BookID: "k-1"}, nil)
			f.logCost(t, "DeleteTo(k-1)")
			want := bookDeleted
			if pol == relations.Restrict {
				want = bookKept
				var he *relations.RestrictError
				if !errors.As(err, &he) || !errors.Is(err, relations.ErrHasEdges) || he.Item != "book_id=k-1" ||
					!strings.Contains(he.Relation, "ComposeAuthorship") || !strings.Contains(err.Error(), "book_id=k-1") {
					t.Errorf("DeleteTo(k-1) = %v (%#v), want a *RestrictError naming the relation through ComposeAuthorship and book_id=k-1", err, he)
				}
			} else if err != nil {
				t.Errorf("DeleteTo(k-1) = %v, want nil", err)
			}
			if got := f.state(t); got != want {
				t.Errorf("after DeleteTo(k-1): %s, want %s", got, want)
			}
		})
	}
}

// TestComposeBookDeleteChild deletes a book that has an author through
// the one-to-many relation (DeleteChild). Under the book end's Restrict it
// used to return ErrStaleLink, whose doc said to read again and retry,
// which loops forever: the link is fine, the many-to-many's condition
// failed. It returns a *RestrictError naming the relation and the book.
// Under Cascade and Detach it applies the many-to-many's policy: the edge
// goes, the author's counter follows, then the book. A child whose link
// really changed still reports ErrStaleLink.
func TestComposeBookDeleteChild(t *testing.T) {
	t.Parallel()
	t.Run("restrict", func(t *testing.T) {
		t.Parallel()
		f := newBookFix(t, relations.Restrict)
		err := f.holds.DeleteChild(t.Context(), ComposeBook{BookID: "k-1", BranchID: "b-1"})
		f.logCost(t, "DeleteChild(k-1), refused")
		var he *relations.RestrictError
		if errors.Is(err, relations.ErrStaleLink) || !errors.As(err, &he) || he.Item != "book_id=k-1" || !strings.Contains(he.Relation, "ComposeAuthorship") {
			t.Errorf("DeleteChild(k-1 of b-1, which has an author) = %v, want a *RestrictError naming the many-to-many and book_id=k-1, not ErrStaleLink", err)
		}
		if got := f.state(t); got != bookKept {
			t.Errorf("after DeleteChild: %s, want %s", got, bookKept)
		}
	})
	for _, pol := range []relations.Policy{relations.Cascade, relations.Detach} {
		t.Run(pol.String(), func(t *testing.T) {
			t.Parallel()
			f := newBookFix(t, pol)
			if err := f.holds.DeleteChild(t.Context(), ComposeBook{BookID: "k-1", BranchID: "b-1"}); err != nil {
				t.Errorf("DeleteChild(k-1 of b-1) = %v, want nil", err)
			}
			f.logCost(t, "DeleteChild(k-1), "+pol.String()+" of its edge")
			if got := f.state(t); got != bookDeleted {
				t.Errorf("after DeleteChild: %s, want %s", got, bookDeleted)
			}
		})
	}
	t.Run("stale link", func(t *testing.T) {
		t.Parallel()
		f := newBookFix(t, relations.Restrict)
		ctx := t.Context()
		ok(t, f.holds.Relink(ctx, ComposeBook{BookID: "k-1", BranchID: "b-1"}, ComposeBranch{"b-2"}))
		err := f.holds.DeleteChild(ctx, ComposeBook{BookID: "k-1", BranchID: "b-1"})
		// Both conditions fail: the link changed, and the book has an
		// edge. The refusal a retry cannot get past is reported.
		if !errors.Is(err, relations.ErrStaleLink) && !errors.Is(err, relations.ErrHasEdges) {
			t.Errorf("DeleteChild(k-1 of b-1, moved to b-2) = %v, want ErrStaleLink or ErrHasEdges", err)
		}
	})
}

// TestComposeBookGraph is what deleting a book that has an author does
// through every path of its branch's relation: under the many-to-many
// end's Restrict, a *RestrictError naming the relation and the book (not
// ErrStaleLink, not "children remain after 10 passes"), with the book, its
// edge and both counters kept; under its Cascade or Detach, the relation
// verbs (DeleteChild, the branch's cascade) apply it: the edge is deleted,
// the author's counter follows, and the book goes. A plain Table.Delete
// cannot apply it, and is refused before any request naming
// ManyToMany.DeleteTo.
func TestComposeBookGraph(t *testing.T) {
	t.Parallel()
	for _, pol := range []relations.Policy{relations.Restrict, relations.Cascade, relations.Detach} {
		for _, path := range []string{"Table.Delete", "DeleteChild", "DeleteParent of the branch"} {
			t.Run(pol.String()+"/"+path, func(t *testing.T) {
				t.Parallel()
				f := newBookFix(t, pol)
				ctx := t.Context()
				var err error
				switch path {
				case "Table.Delete":
					err = f.books.Delete(ctx, ComposeBook{BookID: "k-1"})
				case "DeleteChild":
					err = f.holds.DeleteChild(ctx, ComposeBook{BookID: "k-1", BranchID: "b-1"})
				default:
					err = f.holds.DeleteParent(ctx, ComposeBranch{"b-1"}, nil)
				}
				f.logCost(t, path)
				want := bookKept
				switch {
				case pol == relations.Restrict:
					var he *relations.RestrictError
					if !errors.As(err, &he) || he.Item != "book_id=k-1" || !strings.Contains(he.Relation, "ComposeAuthorship") {
						t.Errorf("%s = %v, want a *RestrictError naming the relation through ComposeAuthorship and book_id=k-1", path, err)
					}
				case path == "Table.Delete":
					if !errors.Is(err, relations.ErrNeedsRelation) || !strings.Contains(err.Error(), "ManyToMany.DeleteTo") {
						t.Errorf("%s = %v, want ErrNeedsRelation naming ManyToMany.DeleteTo", path, err)
					}
				default:
					want = bookDeleted
					if err != nil {
						t.Errorf("%s = %v, want nil", path, err)
					}
				}
				if got := f.state(t); got != want {
					t.Errorf("after %s: %s, want %s", path, got, want)
				}
			})
		}
	}
}

// TestComposeSharedCounter declares two relations of teams that do not
// name their counters, so both keep child_count: after a coach is linked
// the team counts 1 player. Either the second declaration is refused,
// naming the counter, or each relation counts its own children.
func TestComposeSharedCounter(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, must[ComposeTeam](t), must[ComposePlayer](t), must[ComposeCoach](t))
	db := graphClient(t)
	teams, players, coaches := tableOf[ComposeTeam](t, e, db, nil), tableOf[ComposePlayer](t, e, db, nil), tableOf[ComposeCoach](t, e, db, nil)
	squad, err := relations.Declare(teams, players, relations.Spec{Layout: relations.MultiTable, Index: "team-players"})
	ok(t, err)
	staff, err := relations.Declare(teams, coaches, relations.Spec{Layout: relations.MultiTable, Index: "team-coaches"})
	if err != nil {
		if !errors.Is(err, relations.ErrMismatch) || !strings.Contains(err.Error(), "child_count") {
			t.Errorf("second Declare on team's %s = %v, want ErrMismatch naming the counter", "child_count", err)
		}
		return
	}
	ok(t, teams.Create(ctx, &ComposeTeam{"t-1"}))
	ok(t, staff.Link(ctx, &ComposeCoach{CoachID: "c-1"}, ComposeTeam{"t-1"}))
	if n, err := squad.CountChildren(ctx, ComposeTeam{"t-1"}); err != nil || n != 0 {
		t.Errorf("players of t-1 after linking a coach = %d, %v; want 0", n, err)
	}
	if n, err := staff.CountChildren(ctx, ComposeTeam{"t-1"}); err != nil || n != 1 {
		t.Errorf("coaches of t-1 = %d, %v; want 1", n, err)
	}
}

// TestComposeUpdateParentOther gives UpdateParent a change that returns an
// update of another department: today it runs, with the relation's own
// checks stepped aside, so d-2's name changes and its employees keep the
// old copy. It must be refused, naming the rule, and change nothing.
func TestComposeUpdateParentOther(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newCopyFixture(t)
	f.seed(t, []Department{{"d-1", "HR"}, {"d-2", "Ops"}}, map[string]string{"d-1": "e", "d-2": "o"}, map[string]int{"d-1": 2, "d-2": 2})
	for name, change := range map[string]func(*query.Update[Department]) *query.Update[Department]{
		"another department": func(*query.Update[Department]) *query.Update[Department] {
			return f.depts.Update(Department{DepartmentID: "d-2"}).Set("department_name", "Bogus")
		},
		"the same department through another table": func(*query.Update[Department]) *query.Update[Department] {
			return f.renamer.Update(Department{DepartmentID: "d-1"}).Set("department_name", "Bogus")
		},
	} {
		_, err := f.staff.UpdateParent(ctx, Department{DepartmentID: "d-1"}, change, nil)
		if err == nil || !strings.Contains(err.Error(), "the update it was given") {
			t.Errorf("%s: UpdateParent(d-1) = %v, want a refusal naming the rule (the change returns the update it was given)", name, err)
		}
	}
	bad, _ := f.disagreements(t)
	if len(bad) != 0 {
		t.Errorf("copies disagree with their departments: %v", bad)
	}
	for id, want := range map[string]string{"d-1": "HR", "d-2": "Ops"} {
		d, err := f.depts.Get(ctx, Department{DepartmentID: id})
		if err != nil || d.DepartmentName != want {
			t.Errorf("%s = %+v, %v; want name %s", id, d, err, want)
		}
	}
}

// ComposeReview is a review of a ComposeBook: books have many reviews.
type ComposeReview struct {
	ReviewID string `dynamo:"review_id,hash"`
	BookID   string `dynamo:"book_id,omitempty" index:"book-reviews,hash"`
}

func (ComposeReview) TableName() string { return "cmp_review" }

// libraryFix is two branches, b-1 holding books k-1 and k-2 and b-2
// holding k-3; authors a-1 (who wrote k-1 and k-3) and a-2 (who wrote
// k-1 and k-2); and reviews r-1 and r-2 of k-1 and r-3 of k-3. Books
// belong to branches (Cascade), are ends of the authors-and-books
// relation (the given policy on deleting a book) and have reviews (the
// given policy).
type libraryFix struct {
	books    *query.Table[ComposeBook]
	reviews  *query.Table[ComposeReview]
	ships    *query.Table[ComposeAuthorship]
	holds    *relations.HasMany[ComposeBranch, ComposeBook]
	reviewed *relations.HasMany[ComposeBook, ComposeReview]
	wrote    *relations.ManyToMany[ComposeAuthor, ComposeBook, ComposeAuthorship]
	meter    *meter
}

func newLibraryFix(t *testing.T, onDeleteBook, onDeleteReviewed relations.Policy, opts ...dynamokit.Option) libraryFix {
	t.Helper()
	ctx := t.Context()
	e := newEnv(t, must[ComposeBranch](t), must[ComposeBook](t), must[ComposeAuthor](t), must[ComposeAuthorship](t), must[ComposeReview](t))
	m := &meter{requests: map[string]int{}}
	db := graphClient(t, append([]dynamokit.Option{dynamokit.WithHook(m.hook)}, opts...)...)
	branches, authors := tableOf[ComposeBranch](t, e, db, nil), tableOf[ComposeAuthor](t, e, db, nil)
	f := libraryFix{meter: m, books: tableOf[ComposeBook](t, e, db, nil), reviews: tableOf[ComposeReview](t, e, db, nil)}
	var err error
	f.holds, err = relations.Declare(branches, f.books, relations.Spec{Layout: relations.MultiTable, Index: "branch-books", OnDelete: relations.Cascade})
	ok(t, err)
	f.reviewed, err = relations.Declare(f.books, f.reviews, relations.Spec{Layout: relations.MultiTable, Index: "book-reviews", OnDelete: onDeleteReviewed, Counter: "review_count"})
	ok(t, err)
	f.ships = tableOf[ComposeAuthorship](t, e, db, nil)
	f.wrote, err = relations.DeclareEdge(authors, f.books, f.ships, relations.EdgeSpec{Index: "book-author-index", OnDeleteTo: onDeleteBook, Counter: "author_count"})
	ok(t, err)
	for _, b := range []string{"b-1", "b-2"} {
		ok(t, branches.Create(ctx, &ComposeBranch{b}))
	}
	for _, a := range []string{"a-1", "a-2"} {
		ok(t, authors.Create(ctx, &ComposeAuthor{a}))
	}
	for k, b := range map[string]string{"k-1": "b-1", "k-2": "b-1", "k-3": "b-2"} {
		ok(t, f.books.Create(ctx, &ComposeBook{k, b}))
	}
	for _, w := range [][2]string{{"a-1", "k-1"}, {"a-1", "k-3"}, {"a-2", "k-1"}, {"a-2", "k-2"}} {
		ok(t, f.wrote.Link(ctx, ComposeAuthor{w[0]}, ComposeBook{BookID: w[1]}, nil))
	}
	for r, k := range map[string]string{"r-1": "k-1", "r-2": "k-1", "r-3": "k-3"} {
		ok(t, f.reviews.Create(ctx, &ComposeReview{r, k}))
	}
	m.take()
	return f
}

// state describes what is stored: the books, the reviews, each author's
// edge counter and the number of edges, each branch's and book's counter.
func (f libraryFix) state(t *testing.T) string {
	t.Helper()
	ctx := t.Context()
	books, err := f.books.Consistent().Scan().Collect(ctx)
	ok(t, err)
	var ids []string
	for _, b := range books {
		ids = append(ids, b.BookID)
	}
	reviews, err := f.reviews.Consistent().Scan().Collect(ctx)
	ok(t, err)
	var rids []string
	for _, r := range reviews {
		rids = append(rids, r.ReviewID)
	}
	slices.Sort(ids)
	slices.Sort(rids)
	s := fmt.Sprintf("books %v, reviews %v", ids, rids)
	for _, b := range []string{"b-1", "b-2"} {
		n, err := f.holds.CountChildren(ctx, ComposeBranch{b})
		ok(t, err)
		s += fmt.Sprintf(", %s counts %d", b, n)
	}
	for _, a := range []string{"a-1", "a-2"} {
		n, err := f.wrote.CountFrom(ctx, ComposeAuthor{a})
		ok(t, err)
		edges, err := f.ships.Consistent().Query(ComposeAuthorship{AuthorID: a}).Count(ctx)
		ok(t, err)
		s += fmt.Sprintf(", %s counts %d of %d edges", a, n, edges)
	}
	for _, k := range ids {
		n, err := f.reviewed.CountChildren(ctx, ComposeBook{BookID: k})
		ok(t, err)
		s += fmt.Sprintf(", %s counts %d", k, n)
	}
	return s
}

const (
	libraryKept   = "books [k-1 k-2 k-3], reviews [r-1 r-2 r-3], b-1 counts 2, b-2 counts 1, a-1 counts 2 of 2 edges, a-2 counts 2 of 2 edges, k-1 counts 2, k-2 counts 0, k-3 counts 1"
	libraryBranch = "books [k-3], reviews [r-3], b-1 counts 0, b-2 counts 1, a-1 counts 1 of 1 edges, a-2 counts 0 of 0 edges, k-3 counts 1"
)

// TestComposeCascadeEndPolicies cascades branch b-1, whose books are
// also ends of the authors-and-books relation and parents of reviews
// (Cascade). Under the book end's Cascade or Detach, the branch's cascade
// applies it to each book it deletes: the books' edges are deleted and
// each author's counter follows (authors are never deleted: a
// many-to-many Cascade deletes edges only), the books' reviews are
// deleted, and the other branch keeps its book, edge and review. Under
// the book end's Restrict, the cascade stops at the first book with an
// author, naming the relation and the book, before deleting anything. On
// today's main the cascade is refused before any request, naming
// ManyToMany.DeleteTo.
func TestComposeCascadeEndPolicies(t *testing.T) {
	t.Parallel()
	for _, pol := range []relations.Policy{relations.Restrict, relations.Cascade, relations.Detach} {
		t.Run(pol.String(), func(t *testing.T) {
			t.Parallel()
			f := newLibraryFix(t, pol, relations.Cascade)
			err := f.holds.DeleteParent(t.Context(), ComposeBranch{"b-1"}, nil)
			reqs, units := f.meter.take()
			t.Logf("DeleteParent(b-1), %v on the books' end: requests %v, write units %d", pol, reqs, units)
			want := libraryBranch
			if pol == relations.Restrict {
				want = libraryKept
				var he *relations.RestrictError
				if !errors.As(err, &he) || !strings.HasPrefix(he.Item, "book_id=k-") || !strings.Contains(he.Relation, "ComposeAuthorship") {
					t.Errorf("DeleteParent(b-1) = %v, want a *RestrictError naming the relation through ComposeAuthorship and a book of b-1", err)
				}
			} else if err != nil {
				t.Errorf("DeleteParent(b-1) = %v, want nil", err)
			}
			if got := f.state(t); got != want {
				t.Errorf("after DeleteParent(b-1):\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestComposeNestedCascade deletes through three levels: a branch's
// cascade deletes its books, and the books' own Cascade deletes their
// reviews; the many-to-many end's Detach unlinks their authors. Under the
// reviews relation's Restrict, the cascade stops at k-1, which has
// reviews, with a *RestrictError naming that relation and the book,
// before deleting any book or edge. DeleteTo and DeleteChild of a book
// with reviews apply the reviews relation too. On today's main each is
// refused before any request.
func TestComposeNestedCascade(t *testing.T) {
	t.Parallel()
	t.Run("branch", func(t *testing.T) {
		t.Parallel()
		f := newLibraryFix(t, relations.Detach, relations.Cascade)
		ok(t, f.holds.DeleteParent(t.Context(), ComposeBranch{"b-1"}, nil))
		if got := f.state(t); got != libraryBranch {
			t.Errorf("after DeleteParent(b-1):\n got %s\nwant %s", got, libraryBranch)
		}
	})
	t.Run("restrict reviews", func(t *testing.T) {
		t.Parallel()
		f := newLibraryFix(t, relations.Detach, relations.Restrict)
		err := f.holds.DeleteParent(t.Context(), ComposeBranch{"b-1"}, nil)
		var hc *relations.RestrictError
		if !errors.As(err, &hc) || hc.Item != "book_id=k-1" || !strings.Contains(hc.Relation, "ComposeReview") {
			t.Errorf("DeleteParent(b-1) = %v, want a *RestrictError naming the reviews relation and book_id=k-1", err)
		}
		// k-2 (no reviews) may be deleted before the cascade reaches k-1.
		got := f.state(t)
		if got != libraryKept && got != "books [k-1 k-3], reviews [r-1 r-2 r-3], b-1 counts 1, b-2 counts 1, a-1 counts 2 of 2 edges, a-2 counts 1 of 1 edges, k-1 counts 2, k-3 counts 1" {
			t.Errorf("after the refused DeleteParent(b-1): %s, want k-1, its edges and reviews kept, counters exact", got)
		}
	})
	t.Run("DeleteTo", func(t *testing.T) {
		t.Parallel()
		f := newLibraryFix(t, relations.Detach, relations.Cascade)
		ok(t, f.wrote.DeleteTo(t.Context(), ComposeBook{BookID: "k-1"}, nil))
		want := "books [k-2 k-3], reviews [r-3], b-1 counts 1, b-2 counts 1, a-1 counts 1 of 1 edges, a-2 counts 1 of 1 edges, k-2 counts 0, k-3 counts 1"
		if got := f.state(t); got != want {
			t.Errorf("after DeleteTo(k-1):\n got %s\nwant %s", got, want)
		}
	})
	t.Run("DeleteChild", func(t *testing.T) {
		t.Parallel()
		f := newLibraryFix(t, relations.Detach, relations.Cascade)
		ok(t, f.holds.DeleteChild(t.Context(), ComposeBook{BookID: "k-1", BranchID: "b-1"}))
		want := "books [k-2 k-3], reviews [r-3], b-1 counts 1, b-2 counts 1, a-1 counts 1 of 1 edges, a-2 counts 1 of 1 edges, k-2 counts 0, k-3 counts 1"
		if got := f.state(t); got != want {
			t.Errorf("after DeleteChild(k-1):\n got %s\nwant %s", got, want)
		}
	})
}

// ComposeCycA has many ComposeCycB and ComposeCycB has many ComposeCycA,
// both under Cascade: a cycle of Cascade relations.
type ComposeCycA struct {
	AID string `dynamo:"a_id,hash"`
	BID string `dynamo:"b_id,omitempty" index:"a-by-b,hash"`
}

func (ComposeCycA) TableName() string { return "cmp_cyc_a" }

type ComposeCycB struct {
	BID string `dynamo:"b_id,hash"`
	AID string `dynamo:"a_id,omitempty" index:"b-by-a,hash"`
}

func (ComposeCycB) TableName() string { return "cmp_cyc_b" }

// TestComposeDeleteCycle declares a cycle of Cascade relations (allowed:
// a tree of items is a real model) and stores a cycle in the data: a-1
// under b-1 and b-1 under a-1. Deleting a-1 reaches a-1 again; it stops
// with ErrDeleteCycle naming the path, instead of recursing without end.
func TestComposeDeleteCycle(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, must[ComposeCycA](t), must[ComposeCycB](t))
	db := graphClient(t)
	as, bs := tableOf[ComposeCycA](t, e, db, nil), tableOf[ComposeCycB](t, e, db, nil)
	aHasB, err := relations.Declare(as, bs, relations.Spec{Layout: relations.MultiTable, Index: "b-by-a", OnDelete: relations.Cascade, Counter: "b_count"})
	ok(t, err)
	bHasA, err := relations.Declare(bs, as, relations.Spec{Layout: relations.MultiTable, Index: "a-by-b", OnDelete: relations.Cascade, Counter: "a_count"})
	ok(t, err)
	ok(t, as.Create(ctx, &ComposeCycA{AID: "a-1"}))
	ok(t, aHasB.Link(ctx, &ComposeCycB{BID: "b-1"}, ComposeCycA{AID: "a-1"}))
	ok(t, bHasA.Relink(ctx, ComposeCycA{AID: "a-1"}, ComposeCycB{BID: "b-1"}))
	err = aHasB.DeleteParent(ctx, ComposeCycA{AID: "a-1"}, nil)
	if !errors.Is(err, relations.ErrDeleteCycle) || !strings.Contains(err.Error(), "a_id=a-1") || !strings.Contains(err.Error(), "b_id=b-1") {
		t.Errorf("DeleteParent(a-1), a cycle a-1 -> b-1 -> a-1 = %v, want ErrDeleteCycle naming both", err)
	}
	if _, err := as.Get(ctx, ComposeCycA{AID: "a-1"}); err != nil {
		t.Errorf("a-1 after the refused delete: %v, want it kept", err)
	}
	if _, err := bs.Get(ctx, ComposeCycB{BID: "b-1"}); err != nil {
		t.Errorf("b-1 after the refused delete: %v, want it kept", err)
	}
}

// TestComposeCascadeResume interrupts a composed cascade where a process
// that dies would: the nested cascade of k-1's reviews has deleted them
// but not subtracted them from k-1's counter, and the branch's page has
// deleted k-2 but not subtracted it from b-1's. Both pages stay recorded
// on their parents. DeleteParent run again settles each page once (no
// child subtracted twice, or the parents' conditional deletes would fail
// on a counter below 0), applies the books' policies again, and ends with
// every counter exact.
func TestComposeCascadeResume(t *testing.T) {
	t.Parallel()
	fault := &cascadeFault{}
	f := newLibraryFix(t, relations.Detach, relations.Cascade, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		fault.next = o.HTTPClient
		o.HTTPClient = fault
	}))
	ctx := t.Context()
	fault.set(2, 0, 0)
	if err := f.holds.DeleteParent(ctx, ComposeBranch{"b-1"}, nil); err == nil {
		t.Fatal("DeleteParent(b-1) with its subtractions refused = nil, want the injected failure")
	}
	fault.set(0, 0, 0)
	// A counter left by the interruption is too high, never too low.
	t.Logf("after the interruption: %s", f.state(t))
	if err := f.holds.DeleteParent(ctx, ComposeBranch{"b-1"}, nil); err != nil {
		t.Fatalf("DeleteParent(b-1) run again = %v, want nil", err)
	}
	if got := f.state(t); got != libraryBranch {
		t.Errorf("after the interrupted cascade and its rerun:\n got %s\nwant %s", got, libraryBranch)
	}
}

// TestComposeCascadeOneUpdatePerParent cascades a department of five
// staff in two offices: the deletes go in one transaction, to which the
// office relation's rule adds one update of each office (-3 and -2), not
// one transaction of two items per member of staff, and the offices'
// counters end exact. On today's main it sends five transactions.
func TestComposeCascadeOneUpdatePerParent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, must[ComposeDept](t), must[ComposeOffice](t), must[ComposeStaff](t))
	m := &meter{requests: map[string]int{}}
	db := graphClient(t, dynamokit.WithHook(m.hook))
	depts, offices, staff := tableOf[ComposeDept](t, e, db, nil), tableOf[ComposeOffice](t, e, db, nil), tableOf[ComposeStaff](t, e, db, nil)
	inDept, err := relations.Declare(depts, staff, relations.Spec{Layout: relations.MultiTable, Index: "staff-by-dept", OnDelete: relations.Cascade})
	ok(t, err)
	inOffice, err := relations.Declare(offices, staff, relations.Spec{Layout: relations.MultiTable, Index: "staff-by-office", OnDelete: relations.Restrict, Counter: "staff_count"})
	ok(t, err)
	ok(t, depts.Create(ctx, &ComposeDept{"d-1"}))
	for _, o := range []string{"o-1", "o-2"} {
		ok(t, offices.Create(ctx, &ComposeOffice{o}))
	}
	for i, o := range []string{"o-1", "o-1", "o-1", "o-2", "o-2"} {
		ok(t, staff.Create(ctx, &ComposeStaff{fmt.Sprintf("s-%d", i), "d-1", o}))
	}
	ok(t, staff.Create(ctx, &ComposeStaff{StaffID: "s-free", OfficeID: "o-1"}))
	m.take()
	ok(t, inDept.DeleteParent(ctx, ComposeDept{"d-1"}, nil))
	reqs, units := m.take()
	t.Logf("cascade of 5 staff in 2 offices: requests %v, write units %d", reqs, units)
	if reqs["TransactWriteItems"] != 1 {
		t.Errorf("cascade of 5 staff in 2 offices sent %d transactions, want 1 (the deletes and one update of each office)", reqs["TransactWriteItems"])
	}
	for o, want := range map[string]int{"o-1": 1, "o-2": 0} {
		if n, err := inOffice.CountChildren(ctx, ComposeOffice{o}); err != nil || n != want {
			t.Errorf("CountChildren(%s) = %d, %v; want %d", o, n, err, want)
		}
	}
}
