package integration_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
)

// composeCostChildren is the size of the cascades TestComposeCascadeCost
// measures.
const composeCostChildren = 1000

// TestComposeCascadeCost measures the requests and write units of a
// cascade of 1,000 children that are also in a second relation: books of
// a branch that are each the end of one edge of the authors-and-books
// relation (Detach on the book's end), and staff of a department that
// each sit in one of 10 offices (Restrict). It loads 2,000 items or more,
// so it runs only with DYNAMOKIT_COMPOSE_COST=1.
func TestComposeCascadeCost(t *testing.T) {
	if os.Getenv("DYNAMOKIT_COMPOSE_COST") != "1" {
		t.Skip("set DYNAMOKIT_COMPOSE_COST=1 to measure cascades of 1,000 children in two relations")
	}
	t.Run("books with an author", func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, must[ComposeBranch](t), must[ComposeBook](t), must[ComposeAuthor](t), must[ComposeAuthorship](t))
		m := &meter{requests: map[string]int{}}
		db := graphClient(t, dynamokit.WithHook(m.hook))
		branches, books, authors := tableOf[ComposeBranch](t, e, db, nil), tableOf[ComposeBook](t, e, db, nil), tableOf[ComposeAuthor](t, e, db, nil)
		holds, err := relations.Declare(branches, books, relations.Spec{Layout: relations.MultiTable, Index: "branch-books", OnDelete: relations.Cascade})
		ok(t, err)
		wrote, err := relations.DeclareEdge(authors, books, tableOf[ComposeAuthorship](t, e, db, nil), relations.EdgeSpec{Index: "book-author-index", OnDeleteTo: relations.Detach, Counter: "author_count"})
		ok(t, err)
		ok(t, branches.Create(ctx, &ComposeBranch{"b-1"}))
		var as []ComposeAuthor
		for i := range 10 {
			a := ComposeAuthor{fmt.Sprintf("a-%d", i)}
			ok(t, authors.Create(ctx, &a))
			as = append(as, a)
		}
		// A bulk load through a client that checks nothing, then recounts.
		raw := graphClient(t)
		var bs []ComposeBook
		var ships []ComposeAuthorship
		for i := range composeCostChildren {
			k := fmt.Sprintf("k-%04d", i)
			bs = append(bs, ComposeBook{k, "b-1"})
			ships = append(ships, ComposeAuthorship{as[i%10].AuthorID, k})
		}
		ok(t, tableOf[ComposeBook](t, e, raw, nil).BatchPut(ctx, bs, nil))
		ok(t, tableOf[ComposeAuthorship](t, e, raw, nil).BatchPut(ctx, ships, nil))
		_, err = holds.Recount(ctx, ComposeBranch{"b-1"})
		ok(t, err)
		for _, a := range as {
			_, err := wrote.RecountFrom(ctx, a)
			ok(t, err)
		}
		for _, b := range bs {
			_, err := wrote.RecountTo(ctx, b)
			ok(t, err)
		}
		m.take()
		err = holds.DeleteParent(ctx, ComposeBranch{"b-1"}, nil)
		logCascadeCost(t, m, err)
		for _, a := range as {
			if n, err := wrote.CountFrom(ctx, a); err != nil || n != 0 {
				t.Errorf("CountFrom(%s) = %d, %v; want 0", a.AuthorID, n, err)
			}
		}
	})
	t.Run("staff in offices", func(t *testing.T) {
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
		var os []ComposeOffice
		for i := range 10 {
			o := ComposeOffice{fmt.Sprintf("o-%d", i)}
			ok(t, offices.Create(ctx, &o))
			os = append(os, o)
		}
		var ss []ComposeStaff
		for i := range composeCostChildren {
			ss = append(ss, ComposeStaff{fmt.Sprintf("s-%04d", i), "d-1", os[i%10].OfficeID})
		}
		ok(t, tableOf[ComposeStaff](t, e, graphClient(t), nil).BatchPut(ctx, ss, nil))
		_, err = inDept.Recount(ctx, ComposeDept{"d-1"})
		ok(t, err)
		for _, o := range os {
			_, err := inOffice.Recount(ctx, o)
			ok(t, err)
		}
		m.take()
		err = inDept.DeleteParent(ctx, ComposeDept{"d-1"}, nil)
		logCascadeCost(t, m, err)
		for _, o := range os {
			if n, err := inOffice.CountChildren(ctx, o); err != nil || n != 0 {
				t.Errorf("CountChildren(%s) = %d, %v; want 0", o.OfficeID, n, err)
			}
		}
	})
}

// logCascadeCost logs what m counted for a cascade that returned err.
func logCascadeCost(t *testing.T, m *meter, err error) {
	t.Helper()
	reqs, units := m.take()
	total := 0
	for _, n := range reqs {
		total += n
	}
	t.Logf("cascade of %d children: err %v; %d requests %v, %d write units; per child %.3f requests, %.3f write units",
		composeCostChildren, err, total, reqs, units, float64(total)/composeCostChildren, float64(units)/composeCostChildren)
	if err != nil {
		t.Error(err)
	}
}
