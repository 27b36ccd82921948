package integration_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/dynamotest"
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
	r := newRunner[uUser](t, e.db, nil, mig.Migration{ID: "lower", Step: lowerEmails})
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
	r := newRunner[uUser](t, e.db, nil, mig.Migration{ID: "upper-ids", Step: upperIDs})
	got, err := r.Run(ctx)
	if err != nil || got[0].Changed != 2 {
		t.Fatalf("Run = %+v, %v; want both users re-keyed", got, err)
	}
	uniqueInvariant(t, e, users)
	if rec := record(t, e, users.TableName(), "email##a@x"); rec == nil || !sameS(rec["owner"].(*types.AttributeValueMemberM).Value["user_id"], "K1") {
		t.Fatalf("record of a@x = %v, want it owned by K1", rec)
	}
}

// TestAttackMigrateUniqueResumedWithWriters: a migration that changes a
// unique attribute is stopped by its context partway, the application
// changes emails through the rules and a writer without them (a raw
// PutItem, as a pynamodb service would) rewrites one user meanwhile; run
// again, it finishes, nothing the writers wrote is lost, and every record
// the rules keep is its holder's.
func TestAttackMigrateUniqueResumedWithWriters(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var (
		mu     sync.Mutex
		txs    int
		cancel context.CancelFunc
	)
	db := dynamotest.CreateTables(t, graphClient(t, dynamokit.WithHook(func(_ context.Context, r *dynamokit.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Op == "TransactWriteItems" && cancel != nil {
			if txs++; txs == 3 {
				cancel()
			}
		}
	})), must[uUser](t))
	e := env{db: db, names: db.Namer()}
	users := mustTable[uUser](t, db)
	for i := range 10 {
		if err := users.Create(ctx, &uUser{ID: fmt.Sprintf("r%d", i), Email: fmt.Sprintf("U%d@X", i)}); err != nil {
			t.Fatal(err)
		}
	}
	r := newRunner[uUser](t, db, &mig.Options{Segments: 1, Concurrency: 1, PageSize: 4}, mig.Migration{ID: "lower", Step: lowerEmails})
	cctx, stop := context.WithCancel(ctx)
	mu.Lock()
	cancel = stop
	mu.Unlock()
	if _, err := r.Run(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run with its context cancelled = %v, want context.Canceled", err)
	}
	mu.Lock()
	cancel = nil
	mu.Unlock()
	// The application writes meanwhile: through the rules...
	if err := users.Update(uUser{ID: "r8"}).Set("email", "New8@X").Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := users.Delete(ctx, uUser{ID: "r9"}); err != nil {
		t.Fatal(err)
	}
	// ...and around them: the raw writer renames r7 (its old record is
	// left behind, as any write around the rules leaves it).
	_, err := dynamotest.Client(t).Executor().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(users.TableName()), Item: map[string]types.AttributeValue{
		"user_id": &types.AttributeValueMemberS{Value: "r7"}, "email": &types.AttributeValueMemberS{Value: "Raw7@X"}, "name": &types.AttributeValueMemberS{Value: "py"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx); err != nil {
		t.Fatalf("resumed Run = %v", err)
	}
	all, err := users.Consistent().Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"r7": "raw7@x", "r8": "new8@x"}
	for i := range 7 {
		want[fmt.Sprintf("r%d", i)] = fmt.Sprintf("u%d@x", i)
	}
	if len(all) != len(want) {
		t.Errorf("%d users after the migration, want %d", len(all), len(want))
	}
	for _, u := range all {
		if u.Email != want[u.ID] {
			t.Errorf("%s: email %q, want %q", u.ID, u.Email, want[u.ID])
		}
		if u.ID == "r7" && u.Name != "py" {
			t.Errorf("r7 lost the raw writer's name: %+v", u)
		}
	}
	// The record of U7@X, left by the raw write, is the one record no item
	// holds: remove it, then every record must be its holder's.
	if _, err := db.Executor().DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(users.TableName() + "_unique"),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "email##U7@X"}}}); err != nil {
		t.Fatal(err)
	}
	uniqueInvariant(t, e, users)
}
