package integration_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	mig "github.com/dynamokit/dynamokit/migrate"
)

// lowerEmails is a step that lower-cases an email: a change of a unique
// attribute.
var lowerEmails = mig.Func("lower-case emails", func(_ context.Context, it mig.Item) (mig.Item, error) {
	if s, ok := it["email"].(*types.AttributeValueMemberS); ok {
		it["email"] = &types.AttributeValueMemberS{Value: strings.ToLower(s.Value)}
	}
	return it, nil
})

// TestAttackMigrateChangesUnique: a step that changes a unique attribute
// moves its record along; two items the step sends to one value are one
// migrated item and one failed item naming the value, and the run goes
// on.
func TestAttackMigrateChangesUnique(t *testing.T) {
	t.Parallel()
	e, users, _ := uniqueTables(t)
	ctx := t.Context()
	for _, u := range []uUser{{"m1", "A@X", ""}, {"m2", "B@X", ""}, {"m3", "b@x", ""}, {"m4", "", ""}} {
		if err := users.Create(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	r, err := mig.New[uUser](e.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Register(mig.Migration{ID: "lower", Step: lowerEmails}); err != nil {
		t.Fatal(err)
	}
	got, err := r.Run(ctx)
	var ie *mig.IncompleteError
	if !errors.As(err, &ie) || got[0].Changed != 1 || got[0].Failed != 1 {
		t.Fatalf("Run = %+v, %v; want m1 changed, m2 failed (b@x is m3's)", got, err)
	}
	if r := got[0].Failures[0].Reason; !strings.Contains(r, `"b@x" is held by user_id=m3`) {
		t.Errorf("failure %+v, want it to say the value is not unique", got[0].Failures[0])
	}
	uniqueInvariant(t, e, users)
}

// TestAttackMigrateRekeysUnique: a step that changes the key of items
// with a unique attribute deletes the old item and creates the new one in
// one transaction; the value's record passes from the old key to the new
// one instead of the run stopping.
func TestAttackMigrateRekeysUnique(t *testing.T) {
	t.Parallel()
	e, users, _ := uniqueTables(t)
	ctx := t.Context()
	for _, u := range []uUser{{"k1", "a@x", ""}, {"k2", "", ""}} {
		if err := users.Create(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	upperIDs := mig.Func("upper-case ids", func(_ context.Context, it mig.Item) (mig.Item, error) {
		it["user_id"] = &types.AttributeValueMemberS{Value: strings.ToUpper(sOf(it["user_id"]))}
		return it, nil
	})
	r, err := mig.New[uUser](e.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Register(mig.Migration{ID: "upper-ids", Step: upperIDs}); err != nil {
		t.Fatal(err)
	}
	got, err := r.Run(ctx)
	if err != nil || got[0].Changed != 2 {
		t.Fatalf("Run = %+v, %v; want both users re-keyed", got, err)
	}
	uniqueInvariant(t, e, users)
	if rec := record(t, e, users.TableName(), "email##a@x"); rec == nil || !sameS(rec["owner"].(*types.AttributeValueMemberM).Value["user_id"], "K1") {
		t.Fatalf("record of a@x = %v, want it owned by K1", rec)
	}
}
