package integration_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// A hostile review of the write rules (issue 17): models in several
// relations at once, transactions that write a parent and move its
// children, and the relations' own verbs handed a user's function.

// RvBranch is a library branch: parent of books.
type RvBranch struct {
	BranchID string `dynamo:"branch_id,hash"`
	Name     string `dynamo:"name"`
}

func (RvBranch) TableName() string { return "rv_branch" }

// RvPublisher is the second parent of books.
type RvPublisher struct {
	PublisherID string `dynamo:"publisher_id,hash"`
}

func (RvPublisher) TableName() string { return "rv_publisher" }

// RvBook is a child of a branch and of a publisher, and the To end of
// authorships.
type RvBook struct {
	BookID      string `dynamo:"book_id,hash"`
	BranchID    string `dynamo:"branch_id,omitempty" index:"branch-books,hash"`
	PublisherID string `dynamo:"publisher_id,omitempty" index:"publisher-books,hash"`
	Title       string `dynamo:"title"`
}

func (RvBook) TableName() string { return "rv_book" }

// RvAuthor is the From end of authorships.
type RvAuthor struct {
	AuthorID string `dynamo:"author_id,hash"`
}

func (RvAuthor) TableName() string { return "rv_author" }

// RvAuthorship is the edge of authors and books.
type RvAuthorship struct {
	AuthorID string `dynamo:"author_id,hash" index:"book-author-index,range"`
	BookID   string `dynamo:"book_id,range" index:"book-author-index,hash"`
}

func (RvAuthorship) TableName() string { return "rv_authorship" }

type rvLibrary struct {
	c          *dynamokit.Client
	branches   *query.Table[RvBranch]
	publishers *query.Table[RvPublisher]
	books      *query.Table[RvBook]
	authors    *query.Table[RvAuthor]
	authorship *query.Table[RvAuthorship]
	shelved    *relations.HasMany[RvBranch, RvBook]
	published  *relations.HasMany[RvPublisher, RvBook]
	wrote      *relations.ManyToMany[RvAuthor, RvBook, RvAuthorship]
}

// newLibrary declares books under branches (Restrict, counter
// book_count), under publishers (Restrict, child_count) and as the To end
// of authorships (Restrict, author_count), and creates branches b-1 and
// b-2, publisher p-1 and author a-1.
func newLibrary(t *testing.T) rvLibrary {
	t.Helper()
	e := newEnv(t, must[RvBranch](t), must[RvPublisher](t), must[RvBook](t), must[RvAuthor](t), must[RvAuthorship](t))
	l := rvLibrary{c: e.db}
	l.branches, l.publishers, l.books = tableOf[RvBranch](t, e, nil, nil), tableOf[RvPublisher](t, e, nil, nil), tableOf[RvBook](t, e, nil, nil)
	l.authors, l.authorship = tableOf[RvAuthor](t, e, nil, nil), tableOf[RvAuthorship](t, e, nil, nil)
	var err error
	if l.shelved, err = relations.Declare(l.branches, l.books, relations.Spec{Layout: relations.MultiTable, Index: "branch-books", Counter: "book_count"}); err != nil {
		t.Fatal(err)
	}
	if l.published, err = relations.Declare(l.publishers, l.books, relations.Spec{Layout: relations.MultiTable, Index: "publisher-books"}); err != nil {
		t.Fatal(err)
	}
	if l.wrote, err = relations.DeclareEdge(l.authors, l.books, l.authorship, relations.EdgeSpec{Index: "book-author-index", Counter: "author_count"}); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, err := range []error{
		l.branches.Create(ctx, &RvBranch{BranchID: "b-1", Name: "North"}),
		l.branches.Create(ctx, &RvBranch{BranchID: "b-2", Name: "South"}),
		l.publishers.Create(ctx, &RvPublisher{PublisherID: "p-1"}),
		l.authors.Create(ctx, &RvAuthor{AuthorID: "a-1"}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// whole fails t unless every branch's and publisher's counter equals the
// children its index lists.
func (l rvLibrary) whole(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	for _, b := range []string{"b-1", "b-2"} {
		n, err := l.shelved.CountChildren(ctx, RvBranch{BranchID: b})
		if err != nil {
			t.Fatal(err)
		}
		kids, err := l.shelved.Children(RvBranch{BranchID: b}).Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(kids) {
			t.Errorf("branch %s: counter %d, children listed %d", b, n, len(kids))
		}
	}
	n, err := l.published.CountChildren(ctx, RvPublisher{PublisherID: "p-1"})
	if err != nil {
		t.Fatal(err)
	}
	kids, err := l.published.Children(RvPublisher{PublisherID: "p-1"}).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(kids) {
		t.Errorf("publisher p-1: counter %d, children listed %d", n, len(kids))
	}
}

// TestReviewSeveralRelationsKinds: a plain Delete of a book that is a
// child of two parents and has an author is refused with the true reason
// (ErrHasEdges), not ErrStaleLink, whose doc says to read again and
// retry; and nothing is written.
func TestReviewSeveralRelationsKinds(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	ctx := t.Context()
	book := RvBook{BookID: "k-1", BranchID: "b-1", PublisherID: "p-1", Title: "Dune"}
	if err := l.books.Create(ctx, &book); err != nil {
		t.Fatalf("Create(k-1 in b-1 and p-1) = %v", err)
	}
	l.whole(t)
	if err := l.wrote.Link(ctx, RvAuthor{AuthorID: "a-1"}, RvBook{BookID: "k-1"}, nil); err != nil {
		t.Fatal(err)
	}
	err := l.books.Delete(ctx, RvBook{BookID: "k-1"})
	if !errors.Is(err, relations.ErrHasEdges) || errors.Is(err, relations.ErrStaleLink) {
		t.Errorf("Delete(k-1 with an author) = %v; want ErrHasEdges, and not ErrStaleLink", err)
	}
	err = l.c.WriteTx(ctx, nil, l.books.TxDelete(RvBook{BookID: "k-1"}))
	if !errors.Is(err, relations.ErrHasEdges) || errors.Is(err, relations.ErrStaleLink) {
		t.Errorf("WriteTx(delete k-1 with an author) = %v; want ErrHasEdges, and not ErrStaleLink", err)
	}
	if _, err := l.books.Consistent().Get(ctx, RvBook{BookID: "k-1"}); err != nil {
		t.Errorf("k-1 after the refused deletes: %v", err)
	}
	l.whole(t)
	// Without its author, it goes, and both parents count it out.
	if err := l.wrote.Unlink(ctx, RvAuthor{AuthorID: "a-1"}, RvBook{BookID: "k-1"}); err != nil {
		t.Fatal(err)
	}
	if err := l.books.Delete(ctx, RvBook{BookID: "k-1"}); err != nil {
		t.Errorf("Delete(k-1 without authors) = %v", err)
	}
	l.whole(t)
}

// TestReviewSwapAndParentWrites: in one WriteTx, two books swap branches
// while both branches are written (one updated, one put whole) and a new
// book is created in one of them; every counter ends right.
func TestReviewSwapAndParentWrites(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	ctx := t.Context()
	for _, b := range []RvBook{{BookID: "k-1", BranchID: "b-1", PublisherID: "p-1"}, {BookID: "k-2", BranchID: "b-2"}} {
		if err := l.books.Create(ctx, &b); err != nil {
			t.Fatal(err)
		}
	}
	err := l.c.WriteTx(ctx, nil,
		l.books.Update(RvBook{BookID: "k-1"}).Set("branch_id", "b-2"),
		l.books.Update(RvBook{BookID: "k-2"}).Set("branch_id", "b-1").Set("publisher_id", "p-1"),
		l.branches.Update(RvBranch{BranchID: "b-1"}).Set("name", "North 2"),
		l.branches.TxPut(&RvBranch{BranchID: "b-2", Name: "South 2"}),
		l.books.TxCreate(&RvBook{BookID: "k-3", BranchID: "b-2"}),
	)
	if err != nil {
		t.Fatalf("WriteTx(swap, write both branches, create k-3) = %v", err)
	}
	l.whole(t)
	if n, _ := l.shelved.CountChildren(ctx, RvBranch{BranchID: "b-2"}); n != 2 {
		t.Errorf("b-2 counts %d, want 2", n)
	}
	if n, _ := l.published.CountChildren(ctx, RvPublisher{PublisherID: "p-1"}); n != 2 {
		t.Errorf("p-1 counts %d, want 2", n)
	}
	// A put of a book whole into another branch, and a put of the branch it
	// leaves, in one transaction.
	err = l.c.WriteTx(ctx, nil,
		l.books.TxPut(&RvBook{BookID: "k-3", BranchID: "b-1", Title: "moved"}),
		l.branches.TxPut(&RvBranch{BranchID: "b-2", Name: "South 3"}),
	)
	if err != nil {
		t.Fatalf("WriteTx(put k-3 into b-1, put b-2) = %v", err)
	}
	l.whole(t)
}

// TestReviewUpdateParentOtherParent: UpdateParent runs the update its
// change function returns as the relation's own write. A change that
// returns an update of another parent must not rename that parent
// behind its children's copies (issue 17 §3).
func TestReviewUpdateParentOtherParent(t *testing.T) {
	t.Parallel()
	f := newRulesFixture(t)
	ctx := t.Context()
	for _, d := range []Department{{"hr", "HR"}, {"it", "IT"}} {
		if err := f.depts.Create(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	e := CopyEmployee{EmployeeID: "e-1", DepartmentID: "it", DepartmentName: "IT"}
	if err := f.emps.Create(ctx, &e); err != nil {
		t.Fatal(err)
	}
	_, err := f.staff.UpdateParent(ctx, Department{DepartmentID: "hr"}, func(*query.Update[Department]) *query.Update[Department] {
		return f.depts.Update(Department{DepartmentID: "it"}).Set("department_name", "Bogus")
	}, nil)
	it, gerr := f.depts.Consistent().Get(ctx, Department{DepartmentID: "it"})
	if gerr != nil {
		t.Fatal(gerr)
	}
	emp, gerr := f.emps.Consistent().Get(ctx, CopyEmployee{EmployeeID: "e-1"})
	if gerr != nil {
		t.Fatal(gerr)
	}
	if it.DepartmentName != emp.DepartmentName {
		t.Errorf("UpdateParent(hr) with a change of it = %v; it is now %q, its employee's copy %q: stale copy", err, it.DepartmentName, emp.DepartmentName)
	}
	if err == nil {
		t.Errorf("UpdateParent(hr) ran an update of another parent (it) without error")
	}
}

// TestReviewConcurrentPlainWrites: plain creates, moves and deletes of
// children under the rules, from several goroutines (run with -race),
// keep the counters exact.
func TestReviewConcurrentPlainWrites(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 4 {
				id := fmt.Sprintf("k-%d-%d", g, i)
				if err := l.books.Create(ctx, &RvBook{BookID: id, BranchID: "b-1", PublisherID: "p-1"}); err != nil {
					t.Errorf("Create(%s) = %v", id, err)
					continue
				}
				if err := l.books.Update(RvBook{BookID: id}).Set("branch_id", "b-2").Run(ctx); err != nil {
					t.Errorf("move %s = %v", id, err)
				}
				if i%2 == 0 {
					if err := l.books.Delete(ctx, RvBook{BookID: id}); err != nil {
						t.Errorf("Delete(%s) = %v", id, err)
					}
				}
			}
		})
	}
	wg.Wait()
	l.whole(t)
}

// TestReviewMissingItemKinds: the rules must not change what a write of a
// missing item reports. An Update that links a child that does not exist
// is ErrNotFound (not ErrStaleLink, whose doc says to read again and
// retry, forever here), and a plain Delete of a parent or an end that
// does not exist is, as documented for Table.Delete, not an error (not
// ErrHasChildren or ErrHasEdges: it has none).
func TestReviewMissingItemKinds(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	ctx := t.Context()
	err := l.books.Update(RvBook{BookID: "ghost"}).Set("branch_id", "b-1").Run(ctx)
	if !errors.Is(err, dynamokit.ErrNotFound) || errors.Is(err, relations.ErrStaleLink) {
		t.Errorf("Update(missing book).Set(branch_id) = %v; want ErrNotFound, and not ErrStaleLink", err)
	}
	err = l.c.WriteTx(ctx, nil, l.books.Update(RvBook{BookID: "ghost"}).Set("branch_id", "b-1"))
	if !errors.Is(err, dynamokit.ErrNotFound) || errors.Is(err, relations.ErrStaleLink) {
		t.Errorf("WriteTx(update of a missing book's link) = %v; want ErrNotFound, and not ErrStaleLink", err)
	}
	if err := l.branches.Delete(ctx, RvBranch{BranchID: "ghost"}); err != nil {
		t.Errorf("Delete(missing branch) = %v; want nil, as for any missing item", err)
	}
	if err := l.books.Delete(ctx, RvBook{BookID: "ghost"}); err != nil {
		t.Errorf("Delete(missing book, an end of authorships) = %v; want nil, as for any missing item", err)
	}
	l.whole(t)
}

// TestReviewValueAndCheck: Update.Value of a child's link is refused
// before any request (a transaction returns no item) and writes nothing;
// a user's Check of a parent merged with a child's rule condition reports
// the user's condition when that is what failed.
func TestReviewValueAndCheck(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	ctx := t.Context()
	if err := l.books.Create(ctx, &RvBook{BookID: "k-1", BranchID: "b-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.books.Update(RvBook{BookID: "k-1"}).Set("branch_id", "b-2").Value(ctx); err == nil {
		t.Errorf("Update(k-1 to b-2).Value = nil, want a refusal naming Update.Run")
	}
	got, err := l.books.Consistent().Get(ctx, RvBook{BookID: "k-1"})
	if err != nil || got.BranchID != "b-1" {
		t.Errorf("k-1 after the refused Value = %+v, %v; want still in b-1", got, err)
	}
	l.whole(t)
	err = l.c.WriteTx(ctx, nil,
		l.branches.Check(RvBranch{BranchID: "b-2"}, query.Name("name").Equal(query.Value("nope"))),
		l.books.TxCreate(&RvBook{BookID: "k-2", BranchID: "b-2"}))
	if !errors.Is(err, dynamokit.ErrConditionFailed) || errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("WriteTx(check b-2 with a false condition, create k-2 in b-2) = %v; want ErrConditionFailed, not ErrParentNotFound", err)
	}
	l.whole(t)
}

// TestReviewRawClientBypass: the request methods of the Client's
// executor (Client.Executor: PutItem, UpdateItem, DeleteItem,
// BatchWriteItem, TransactWriteItems) write a relation's items with no
// rule applied: here a book linked to a missing branch. They are the
// executor of dynamokit's own packages, whose builders add the rules, not
// a user's write path; Executor's doc says so.
func TestReviewRawClientBypass(t *testing.T) {
	t.Skip("known hole, left open: the executor's SDK methods (Client.Executor().PutItem, ...) are raw and apply no write rules (docs/client.md)")
	t.Parallel()
	l := newLibrary(t)
	ctx := t.Context()
	_, err := l.c.Executor().PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(l.books.TableName()),
		Item: map[string]types.AttributeValue{
			"book_id":   &types.AttributeValueMemberS{Value: "k-raw"},
			"branch_id": &types.AttributeValueMemberS{Value: "nowhere"},
		},
	})
	if err == nil {
		t.Errorf("Executor().PutItem of a book in a missing branch = nil: the write rules were bypassed through the exported API")
	}
}

// TestReviewPutNewCounted: a Put (not a Create) of a new parent or end
// is sent as an update that keeps the counter; the item must still get
// a counter, or a plain Delete of it is refused with ErrHasChildren or
// ErrHasEdges although nothing was ever linked to it.
func TestReviewPutNewCounted(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	ctx := t.Context()
	if err := l.branches.Put(ctx, &RvBranch{BranchID: "b-3", Name: "East"}); err != nil {
		t.Fatal(err)
	}
	if err := l.branches.Delete(ctx, RvBranch{BranchID: "b-3"}); err != nil {
		t.Errorf("Delete(b-3, put new, never a child) = %v, want nil", err)
	}
	if err := l.books.Put(ctx, &RvBook{BookID: "k-9", Title: "alone"}); err != nil {
		t.Fatal(err)
	}
	if err := l.books.Delete(ctx, RvBook{BookID: "k-9"}); err != nil {
		t.Errorf("Delete(k-9, put new, never an author) = %v, want nil", err)
	}
	// A put of a parent that has a child keeps its count.
	if err := l.books.Create(ctx, &RvBook{BookID: "k-1", BranchID: "b-1"}); err != nil {
		t.Fatal(err)
	}
	if err := l.branches.Put(ctx, &RvBranch{BranchID: "b-1", Name: "North 2"}); err != nil {
		t.Fatal(err)
	}
	l.whole(t)
	if n, _ := l.shelved.CountChildren(ctx, RvBranch{BranchID: "b-1"}); n != 1 {
		t.Errorf("b-1 counts %d after a put, want 1", n)
	}
}

// TestReviewHookContextBypass: a relation's verbs mark their context as
// the relation's own write, and the client's hooks receive that context.
// A hook that writes through a Table with it (to audit, say) writes with
// that relation's rules stepped aside: here a book linked to a missing
// branch.
func TestReviewHookContextBypass(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[RvBranch](t), must[RvBook](t))
	var (
		books *query.Table[RvBook]
		fired atomic.Bool
		hookE error
	)
	db := e.db.With(dynamokit.WithHook(func(ctx context.Context, r *dynamokit.Request) {
		if r.Op != "TransactWriteItems" || books == nil {
			return
		}
		// Once: the hook's own write, now checked, is a transaction too.
		if fired.CompareAndSwap(false, true) {
			hookE = books.Update(RvBook{BookID: "k-2"}).Set("branch_id", "nowhere").Run(ctx)
		}
	}))
	branches := tableOf[RvBranch](t, e, db, nil)
	books = tableOf[RvBook](t, e, db, nil)
	shelved, err := relations.Declare(branches, books, relations.Spec{Layout: relations.MultiTable, Index: "branch-books", Counter: "book_count"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := branches.Create(ctx, &RvBranch{BranchID: "b-1"}); err != nil {
		t.Fatal(err)
	}
	if err := books.Put(ctx, &RvBook{BookID: "k-2"}); err != nil {
		t.Fatal(err)
	}
	if err := shelved.Link(ctx, &RvBook{BookID: "k-1"}, RvBranch{BranchID: "b-1"}); err != nil {
		t.Fatal(err)
	}
	got, err := books.Consistent().Get(ctx, RvBook{BookID: "k-2"})
	if err != nil {
		t.Fatal(err)
	}
	if got.BranchID == "nowhere" {
		t.Errorf("a hook's write with the context of HasMany.Link linked k-2 to a missing branch (hook's error %v): the relation's mark reaches user code", hookE)
	}
}
