package integration_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// uniqueInvariant fails unless the records of uUser's table are exactly
// the emails its items hold, each owned by its holder: no record leaked,
// none missing.
func uniqueInvariant(t *testing.T, e env, users *query.Table[uUser]) {
	t.Helper()
	all, err := users.Consistent().Scan().Collect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, u := range all {
		if u.Email != "" {
			want["email##"+u.Email] = u.ID
		}
	}
	out, err := e.db.Executor().Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String(users.TableName() + "_unique"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rec := range out.Items {
		owner, _ := rec["owner"].(*types.AttributeValueMemberM)
		if owner == nil {
			t.Errorf("record %v has no owner", rec)
			continue
		}
		got[sOf(rec["id"])] = sOf(owner.Value["user_id"])
	}
	for id, holder := range want {
		if got[id] != holder {
			t.Errorf("record %s owned by %q, want %q", id, got[id], holder)
		}
	}
	for id, holder := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("record %s (owner %s) leaked: no item holds it", id, holder)
		}
	}
}

// TestAttackUniqueScopeEmptyAndFailedWrites: a put that changes only the
// scope moves the record; an absent or empty value claims nothing until
// set; an update whose own condition fails and a write whose context is
// cancelled between its read and its transaction leave every record as
// it was.
func TestAttackUniqueScopeEmptyAndFailedWrites(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cancelOnGet := make(chan context.CancelFunc, 1)
	db := dynamotest.CreateTables(t, graphClient(t, dynamokit.WithHook(func(_ context.Context, r *dynamokit.Request) {
		if r.Op != "GetItem" {
			return
		}
		select {
		case cancel := <-cancelOnGet:
			cancel()
		default:
		}
	})), must[uUser](t), must[uMember](t))
	e := env{db: db, names: db.Namer()}
	users := mustTable[uUser](t, db)
	members := mustTable[uMember](t, db)

	// Scope only.
	m := uMember{Tenant: "t", ID: "m1", Handle: "h", Team: "a"}
	if err := members.Create(ctx, &m); err != nil {
		t.Fatal(err)
	}
	m.Team = "b"
	if err := members.Put(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if record(t, e, members.TableName(), "handle#a#h") != nil || record(t, e, members.TableName(), "handle#b#h") == nil {
		t.Fatal("a put that moves the member to team b: want handle#a#h released, handle#b#h claimed")
	}
	if err := members.Create(ctx, &uMember{Tenant: "t", ID: "m2", Handle: "h", Team: "a"}); err != nil {
		t.Fatalf("Create(m2, h in team a) once m1 left: %v", err)
	}

	// Absent, empty, then set.
	if err := users.Create(ctx, &uUser{ID: "e1"}); err != nil {
		t.Fatal(err)
	}
	if err := users.Update(uUser{ID: "e1"}).Set("email", "").Run(ctx); err != nil {
		t.Fatalf("Update(e1 email \"\"): %v", err)
	}
	if err := users.Create(ctx, &uUser{ID: "e2"}); err != nil {
		t.Fatalf("a second item without email: %v", err)
	}
	uniqueInvariant(t, e, users)
	if err := users.Update(uUser{ID: "e1"}).Set("email", "e@x").Run(ctx); err != nil {
		t.Fatal(err)
	}
	wantNotUnique(t, "Update(e2 e@x)", users.Update(uUser{ID: "e2"}).Set("email", "e@x").Run(ctx), "email", "e@x", "user_id=e1")
	uniqueInvariant(t, e, users)

	// An update whose own condition fails.
	err := users.Update(uUser{ID: "e1"}).Set("email", "f@x").If(query.Name("name").Equal(query.Value("nobody"))).Run(ctx)
	if !errors.Is(err, dynamokit.ErrConditionFailed) || errors.Is(err, relations.ErrNotUnique) {
		t.Fatalf("Update(e1) on a failing condition = %v, want ErrConditionFailed only", err)
	}
	uniqueInvariant(t, e, users)

	// A context cancelled after the read, before the transaction.
	cctx, cancel := context.WithCancel(ctx)
	cancelOnGet <- cancel
	if err := users.Update(uUser{ID: "e1"}).Set("email", "g@x").Run(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Update with its context cancelled = %v, want context.Canceled", err)
	}
	uniqueInvariant(t, e, users)
	if got, _ := users.Consistent().Get(ctx, uUser{ID: "e1"}); got.Email != "e@x" {
		t.Fatalf("e1 = %+v after a cancelled update, want e@x", got)
	}
}

// TestAttackUniqueSwapRace: two writers swap two users' emails at once,
// each taking the other's. Neither can win while the other holds its
// value; whatever the interleaving, every record is its holder's.
func TestAttackUniqueSwapRace(t *testing.T) {
	t.Parallel()
	e, users, _ := uniqueTables(t)
	ctx := t.Context()
	for round := range 3 {
		a, b := uUser{ID: "s1", Email: "a@x"}, uUser{ID: "s2", Email: "b@x"}
		if round == 0 {
			for _, u := range []*uUser{&a, &b} {
				if err := users.Create(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, sw := range [][2]string{{"s1", "b@x"}, {"s2", "a@x"}} {
			wg.Go(func() { errs[i] = users.Update(uUser{ID: sw[0]}).Set("email", sw[1]).Run(ctx) })
		}
		wg.Wait()
		for _, err := range errs {
			if err == nil || !(errors.Is(err, relations.ErrNotUnique) || errors.Is(err, relations.ErrUniqueChanged)) {
				t.Errorf("round %d: a swap write = %v, want ErrNotUnique (the other holds it)", round, err)
			}
		}
		uniqueInvariant(t, e, users)
	}
}

// TestAttackUniqueSwapInOneTx: a transaction that moves a value from one
// item to another (the holder changes it, another item takes it) is
// kept: the record passes to its new holder.
func TestAttackUniqueSwapInOneTx(t *testing.T) {
	t.Parallel()
	e, users, _ := uniqueTables(t)
	ctx := t.Context()
	if err := users.Create(ctx, &uUser{ID: "x1", Email: "a@x"}); err != nil {
		t.Fatal(err)
	}
	// x1 changes a@x to c@x, and x2 is created with a@x.
	err := e.db.WriteTx(ctx, nil, users.Update(uUser{ID: "x1"}).Set("email", "c@x"), users.TxCreate(&uUser{ID: "x2", Email: "a@x"}))
	if err != nil {
		t.Fatalf("WriteTx(x1 a@x -> c@x, create x2 with a@x) = %v", err)
	}
	uniqueInvariant(t, e, users)
	// A third item cannot take the value in the same way while another
	// item holds it: the transaction is cancelled and changes nothing.
	if err := users.Create(ctx, &uUser{ID: "x3", Email: "d@x"}); err != nil {
		t.Fatal(err)
	}
	err = e.db.WriteTx(ctx, nil, users.Update(uUser{ID: "x1"}).Set("email", "e@x"), users.TxCreate(&uUser{ID: "x4", Email: "d@x"}))
	if !errors.Is(err, relations.ErrNotUnique) {
		t.Fatalf("WriteTx(create x4 with x3's d@x) = %v, want ErrNotUnique", err)
	}
	uniqueInvariant(t, e, users)
	// Swapping the emails of two users in one transaction.
	err = e.db.WriteTx(ctx, nil, users.Update(uUser{ID: "x1"}).Set("email", "d@x"), users.Update(uUser{ID: "x3"}).Set("email", "c@x"))
	if err != nil {
		t.Fatalf("WriteTx(swap x1 and x3) = %v", err)
	}
	uniqueInvariant(t, e, users)
	if got, _ := users.Consistent().Get(ctx, uUser{ID: "x3"}); got.Email != "c@x" {
		t.Fatalf("x3 = %+v after the swap", got)
	}
}
