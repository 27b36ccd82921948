package integration_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// TestRelationErrorsNameRelation: every error a relation's verb returns is
// found by errors.As as one *dynamokit.Error naming the relation, whether
// a request failed (a Link of an existing edge, a cancelled context) or
// the verb refused before any request (a missing parent, Restrict, a nil
// child); errors.Is still finds each one's sentinel and the message is
// the cause's.
func TestRelationErrorsNameRelation(t *testing.T) {
	t.Parallel()
	eachLayout(t, testRelationErrors, testRelationErrors, testRelationErrors)
}

func testRelationErrors[P, C any](t *testing.T, s shape[P, C]) {
	f := setup(t, s, graphClient(t))
	ctx := t.Context()
	const rel = "has many"
	check := func(what string, err error, kind error) {
		t.Helper()
		var de *dynamokit.Error
		switch {
		case !errors.As(err, &de):
			t.Errorf("%s = %v, want a *dynamokit.Error", what, err)
		case !strings.Contains(de.Relation, rel):
			t.Errorf("%s: Error.Relation = %q, want the relation named", what, de.Relation)
		case kind != nil && !errors.Is(err, kind):
			t.Errorf("%s = %v, want it to match %v", what, err, kind)
		}
	}
	d := f.dept(Department{"d-1", "Research"})
	if err := f.depts.Create(ctx, &d); err != nil {
		t.Fatal(err)
	}
	e := f.emp(Employee{"e-1", "Ada", "d-1"})
	if err := f.staff.Link(ctx, &e, d); err != nil {
		t.Fatal(err)
	}

	e2 := f.emp(Employee{"e-2", "Alan", "nowhere"})
	err := f.staff.Link(ctx, &e2, f.dept(Department{"nowhere", ""}))
	check("Link to a missing parent", err, relations.ErrParentNotFound)
	if msg := err.Error(); !strings.HasPrefix(msg, "relations: ") {
		t.Errorf("Link to a missing parent: message %q, want the cause's (relations: ...)", msg)
	}
	check("Link of a child that exists", f.staff.Link(ctx, &e, d), dynamokit.ErrAlreadyExists)
	check("DeleteParent under Restrict", f.staff.DeleteParent(ctx, d, nil), relations.ErrHasChildren)
	var restrict *relations.RestrictError
	if err := f.staff.DeleteParent(ctx, d, nil); !errors.As(err, &restrict) {
		t.Errorf("DeleteParent under Restrict = %v, want a *RestrictError still found by errors.As", err)
	}
	check("Link of a nil child", f.staff.Link(ctx, nil, d), nil)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	check("CountChildren with a cancelled context", func() error { _, err := f.staff.CountChildren(cancelled, d); return err }(), context.Canceled)
	// The query of a parent's children names the relation too, however it
	// is run.
	check("Children.Collect with a cancelled context", func() error { _, err := f.staff.Children(d).Collect(cancelled); return err }(), context.Canceled)
	check("Children.Page with a bad cursor", func() error { _, err := f.staff.Children(d).Page(ctx, "not a cursor"); return err }(), query.ErrBadCursor)
	check("Children.Count with a cancelled context", func() error { _, err := f.staff.Children(d).Count(cancelled); return err }(), context.Canceled)
}

// TestEdgeQueryErrorsNameRelation checks that the queries of a
// many-to-many relation's edges fail with a *dynamokit.Error naming the
// relation, as its verbs do, however they are run.
func TestEdgeQueryErrorsNameRelation(t *testing.T) {
	t.Parallel()
	eachEdgeLayout(t, testEdgeQueryErrors, testEdgeQueryErrors)
}

func testEdgeQueryErrors[S, C, E any](t *testing.T, l edgeLayout[S, C, E]) {
	f := edgeSetup(t, l, nil)
	m := f.declare(t, relations.EdgeSpec{})
	ctx := t.Context()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	s, c := f.student("s-1", ""), f.course("c-1", "")
	for _, q := range []struct {
		what string
		err  error
		kind error
	}{
		{"EdgesFrom.Collect with a cancelled context", func() error { _, err := m.EdgesFrom(s).Collect(cancelled); return err }(), context.Canceled},
		{"EdgesTo.Count with a cancelled context", func() error { _, err := m.EdgesTo(c).Count(cancelled); return err }(), context.Canceled},
		{"EdgesFrom.Page with a bad cursor", func() error { _, err := m.EdgesFrom(s).Page(ctx, "not a cursor"); return err }(), query.ErrBadCursor},
	} {
		var de *dynamokit.Error
		switch {
		case !errors.As(q.err, &de):
			t.Errorf("%s = %v, want a *dynamokit.Error", q.what, q.err)
		case !strings.Contains(de.Relation, "through"):
			t.Errorf("%s: Error.Relation = %q, want the relation named", q.what, de.Relation)
		case !errors.Is(q.err, q.kind):
			t.Errorf("%s = %v, want it to match %v", q.what, q.err, q.kind)
		}
	}
}
