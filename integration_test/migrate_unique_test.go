package integration_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/dynamotest"
	mig "github.com/dynamokit/dynamokit/migrate"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// TestMigrateClaimUnique gives users stored before their email was unique
// their records with a migration: every value held once is claimed, the
// duplicate is reported as a failed item naming both holders instead of
// stopping the run, and after the duplicate is fixed a second run claims
// it and finishes.
func TestMigrateClaimUnique(t *testing.T) {
	t.Parallel()
	e, users, _ := uniqueTables(t)
	ctx := t.Context()
	plain, err := query.NewTable[uUser](dynamotest.Client(t).With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []uUser{{"p1", "a@x", ""}, {"p2", "b@x", ""}, {"p3", "a@x", ""}, {"p4", "", ""}} {
		if err := plain.Put(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	r := newRunner[uUser](t, e.db, nil, mig.Migration{ID: "claim-emails", Step: mig.ClaimUnique[uUser](e.db)})
	got, err := r.Run(ctx)
	var ie *mig.IncompleteError
	if !errors.As(err, &ie) || ie.Failed != 1 || len(got) != 1 || got[0].Failed != 1 || got[0].Skipped != 3 || got[0].Changed != 0 {
		t.Fatalf("first run = %+v, %v; want 3 items claimed or without email (skipped), 1 duplicate failed", got, err)
	}
	if len(got[0].Failures) != 1 || !strings.Contains(got[0].Failures[0].Reason, relations.ErrNotUnique.Error()) || !strings.Contains(got[0].Failures[0].Reason, "a@x") {
		t.Errorf("failures %+v, want the duplicate a@x named as not unique", got[0].Failures)
	}
	if n := records(t, e, users.TableName()); n != 2 {
		t.Errorf("%d records after the first run, want 2 (a@x, b@x)", n)
	}
	// Fix the duplicate by hand, with a client without rules (which leaves
	// a@x's record to whichever claimed it), then run again.
	for _, id := range []string{"p1", "p3"} {
		if err := plain.Put(ctx, &uUser{ID: id, Email: id + "@x", Name: "fixed"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err = r.Run(ctx)
	if err != nil || got[0].Failed != 0 {
		t.Fatalf("second run = %+v, %v; want every value claimed", got, err)
	}
	if n := records(t, e, users.TableName()); n != 4 {
		t.Errorf("%d records after the second run, want 4 (a@x kept by its first claimer, b@x, p1@x, p3@x)", n)
	}
}
