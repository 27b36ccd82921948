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
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// uUser has an email unique in its whole table.
type uUser struct {
	ID    string `dynamo:"user_id,hash"`
	Email string `dynamo:"email,omitempty" unique:""`
	Name  string `dynamo:"name"`
}

func (uUser) TableName() string { return "uusers" }

// uMember has a handle unique within its tenant, and a key of two
// attributes.
type uMember struct {
	Tenant string `dynamo:"tenant_id,hash"`
	ID     string `dynamo:"member_id,range"`
	Handle string `dynamo:"handle" unique:"scope=team"`
	Team   string `dynamo:"team"`
}

func (uMember) TableName() string { return "umembers" }

// uniqueTables returns the tables of uUser and uMember on a client that
// enforces a Graph in which no relation is declared.
func uniqueTables(t *testing.T) (env, *query.Table[uUser], *query.Table[uMember]) {
	t.Helper()
	e := newEnv(t, must[uUser](t), must[uMember](t))
	users, err := query.NewTable[uUser](e.db)
	if err != nil {
		t.Fatal(err)
	}
	members, err := query.NewTable[uMember](e.db)
	if err != nil {
		t.Fatal(err)
	}
	return e, users, members
}

// record reads the uniqueness record with id of table (nil: none).
func record(t *testing.T, e env, table, id string) map[string]types.AttributeValue {
	t.Helper()
	out, err := e.db.Executor().GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String(table + "_unique"), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

// records counts the records of table.
func records(t *testing.T, e env, table string) int {
	t.Helper()
	out, err := e.db.Executor().Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String(table + "_unique"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Items)
}

// wantNotUnique fails unless err is a NotUniqueError of attr and value
// held by owner.
func wantNotUnique(t *testing.T, what string, err error, attr, value, owner string) {
	t.Helper()
	var (
		nu *relations.NotUniqueError
		te *dynamokit.TxError
	)
	if errors.As(err, &te) {
		// A relation's verb returns the transaction's error: the
		// NotUniqueError is the Kind of the failed reason.
		for _, r := range te.Reasons {
			if r.Failed() && errors.As(r.Kind, &nu) {
				break
			}
		}
	}
	if !errors.Is(err, relations.ErrNotUnique) || (nu == nil && !errors.As(err, &nu)) {
		t.Fatalf("%s = %v, want ErrNotUnique", what, err)
	}
	if nu.Attr != attr || nu.Value != value || nu.Owner != owner {
		t.Errorf("%s: NotUniqueError{Attr: %q, Value: %q, Owner: %q}, want %q, %q, %q", what, nu.Attr, nu.Value, nu.Owner, attr, value, owner)
	}
}

// TestUniqueLifecycle: create claims, a clash names the owner, an update
// or a put that changes the value releases the old and claims the new, a
// delete releases, and a freed value can be claimed again; the records
// are never in the user's table.
func TestUniqueLifecycle(t *testing.T) {
	t.Parallel()
	e, users, _ := uniqueTables(t)
	ctx := t.Context()
	table := users.TableName()

	ann := uUser{ID: "u1", Email: "ann@x", Name: "Ann"}
	if err := users.Create(ctx, &ann); err != nil {
		t.Fatal(err)
	}
	rec := record(t, e, table, "email##ann@x")
	owner, _ := rec["owner"].(*types.AttributeValueMemberM)
	if owner == nil || !sameS(owner.Value["user_id"], "u1") || !sameS(rec["attr"], "email") || !sameS(rec["value"], "ann@x") {
		t.Fatalf("record of ann@x = %v, want owner {user_id: u1}, attr email, value ann@x", rec)
	}

	bob := uUser{ID: "u2", Email: "ann@x", Name: "Bob"}
	wantNotUnique(t, "Create(u2, ann@x)", users.Create(ctx, &bob), "email", "ann@x", "user_id=u1")
	if _, err := users.Consistent().Get(ctx, uUser{ID: "u2"}); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Fatalf("u2 after a refused create: %v, want ErrNotFound", err)
	}
	wantNotUnique(t, "Put(u2, ann@x)", users.Put(ctx, &bob), "email", "ann@x", "user_id=u1")

	// Writing ann again, with her own value, is no clash.
	if err := users.Put(ctx, &ann); err != nil {
		t.Fatalf("Put(u1) again: %v", err)
	}
	// An update that leaves the email alone is unaffected.
	if err := users.Update(uUser{ID: "u1"}).Set("name", "Ann B").Run(ctx); err != nil {
		t.Fatalf("Update(u1 name): %v", err)
	}

	// An update changes the value: ann@x is freed, ann@y taken.
	if err := users.Update(uUser{ID: "u1"}).Set("email", "ann@y").Run(ctx); err != nil {
		t.Fatalf("Update(u1 email): %v", err)
	}
	if record(t, e, table, "email##ann@x") != nil || record(t, e, table, "email##ann@y") == nil {
		t.Fatal("after the update, want ann@x released and ann@y claimed")
	}
	bob.Email = "ann@x"
	if err := users.Create(ctx, &bob); err != nil {
		t.Fatalf("Create(u2, ann@x) once freed: %v", err)
	}
	// An update to a value held by another item is refused, and changes
	// nothing.
	err := users.Update(uUser{ID: "u1"}).Set("email", "ann@x").Run(ctx)
	wantNotUnique(t, "Update(u1, ann@x)", err, "email", "ann@x", "user_id=u2")
	if got, _ := users.Consistent().Get(ctx, uUser{ID: "u1"}); got.Email != "ann@y" {
		t.Fatalf("u1 after a refused update: %+v", got)
	}

	// A put that replaces bob with a new value releases his old one.
	bob.Email = "bob@x"
	if err := users.Put(ctx, &bob); err != nil {
		t.Fatalf("Put(u2, bob@x): %v", err)
	}
	if record(t, e, table, "email##ann@x") != nil || record(t, e, table, "email##bob@x") == nil {
		t.Fatal("after the put, want ann@x released and bob@x claimed")
	}

	// Removing the value releases it.
	if err := users.Update(uUser{ID: "u2"}).Remove("email").Run(ctx); err != nil {
		t.Fatalf("Update(u2 remove email): %v", err)
	}
	if record(t, e, table, "email##bob@x") != nil {
		t.Fatal("bob@x still claimed after its removal")
	}

	// A delete releases, and the value can be claimed again.
	if err := users.Delete(ctx, uUser{ID: "u1"}); err != nil {
		t.Fatal(err)
	}
	if record(t, e, table, "email##ann@y") != nil {
		t.Fatal("ann@y still claimed after its owner's delete")
	}
	cy := uUser{ID: "u3", Email: "ann@y"}
	if err := users.Create(ctx, &cy); err != nil {
		t.Fatalf("Create(u3, ann@y) after the delete: %v", err)
	}

	// A scan of the user's table never sees a record.
	all, err := users.Consistent().Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Errorf("Scan = %d items, want 2 users", len(all))
	}
	if n := records(t, e, table); n != 1 {
		t.Errorf("%d records, want 1 (ann@y)", n)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func sameS(av types.AttributeValue, want string) bool {
	s, ok := av.(*types.AttributeValueMemberS)
	return ok && s.Value == want
}

// TestUniqueScoped: a handle is unique within its team, on a table keyed
// by two attributes; moving an item to another team moves its record.
func TestUniqueScoped(t *testing.T) {
	t.Parallel()
	e, _, members := uniqueTables(t)
	ctx := t.Context()
	for _, m := range []uMember{{"t1", "m1", "ace", "red"}, {"t1", "m2", "ace", "blue"}, {"t2", "m1", "bo", "red"}} {
		if err := members.Create(ctx, &m); err != nil {
			t.Fatalf("Create(%+v): %v", m, err)
		}
	}
	clash := uMember{"t2", "m2", "ace", "red"}
	wantNotUnique(t, "Create(ace in red)", members.Create(ctx, &clash), "handle", "ace", "member_id=m1, tenant_id=t1")
	// Moving m1 to team green frees ace in red.
	if err := members.Update(uMember{Tenant: "t1", ID: "m1"}).Set("team", "green").Run(ctx); err != nil {
		t.Fatalf("Update(team): %v", err)
	}
	if err := members.Create(ctx, &clash); err != nil {
		t.Fatalf("Create(ace in red) once freed: %v", err)
	}
	if record(t, e, members.TableName(), "handle#green#ace") == nil {
		t.Fatal("no record of ace in green")
	}
	// Separators in values are escaped.
	odd := uMember{"t3", "m1", "a#b%c", "r#d"}
	if err := members.Create(ctx, &odd); err != nil {
		t.Fatal(err)
	}
	if record(t, e, members.TableName(), "handle#r%23d#a%23b%25c") == nil {
		t.Fatal("no record with id handle#r%23d#a%23b%25c")
	}
}

// TestUniqueRace: 20 goroutines create 20 users with one email at once;
// exactly one wins, every run, and the others are told who holds it.
func TestUniqueRace(t *testing.T) {
	t.Parallel()
	e, users, _ := uniqueTables(t)
	ctx := t.Context()
	const runs, racers = 5, 20
	for run := range runs {
		email := fmt.Sprintf("race-%d@x", run)
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			wins   []string
			others []error
		)
		for i := range racers {
			wg.Go(func() {
				u := uUser{ID: fmt.Sprintf("r%d-%02d", run, i), Email: email}
				err := users.Create(ctx, &u)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					wins = append(wins, u.ID)
				} else {
					others = append(others, err)
				}
			})
		}
		wg.Wait()
		if len(wins) != 1 {
			t.Fatalf("run %d: %d winners %v, want exactly 1 (errors: %v)", run, len(wins), wins, others)
		}
		for _, err := range others {
			if !errors.Is(err, relations.ErrNotUnique) && !dynamokit.IsRetryable(err) {
				t.Errorf("run %d: a loser's error %v, want ErrNotUnique (or a transaction conflict)", run, err)
			}
		}
		rec := record(t, e, users.TableName(), "email##"+email)
		owner, _ := rec["owner"].(*types.AttributeValueMemberM)
		if owner == nil || !sameS(owner.Value["user_id"], wins[0]) {
			t.Fatalf("run %d: record %v, want it owned by the winner %s", run, rec, wins[0])
		}
		n, err := users.Consistent().Scan().Filter(query.Name("email").Equal(query.Value(email))).Count(ctx)
		if err != nil || n != 1 {
			t.Fatalf("run %d: %d users hold %s (%v), want 1", run, n, email, err)
		}
	}
}

// TestUniqueRefusals: batch writes of a model with unique attributes are
// refused, naming the single-write call; an update that Adds to a unique
// attribute too.
func TestUniqueRefusals(t *testing.T) {
	t.Parallel()
	_, users, _ := uniqueTables(t)
	ctx := t.Context()
	err := users.BatchPut(ctx, []uUser{{ID: "b1", Email: "b@x"}}, nil)
	if err == nil || !containsAll(err.Error(), "batch", "Table.Put") {
		t.Fatalf("BatchPut = %v, want a refusal naming Table.Put", err)
	}
	err = users.BatchDelete(ctx, []uUser{{ID: "b1"}}, nil)
	if err == nil || !containsAll(err.Error(), "batch", "Table.Delete") {
		t.Fatalf("BatchDelete = %v, want a refusal naming Table.Delete", err)
	}
}

// TestUniqueWriteTx: a transaction's writes keep the records, and two
// writes of one transaction on one record are refused.
func TestUniqueWriteTx(t *testing.T) {
	t.Parallel()
	e, users, _ := uniqueTables(t)
	ctx := t.Context()
	err := e.db.WriteTx(ctx, nil, users.TxCreate(&uUser{ID: "t1", Email: "t@x"}), users.TxCreate(&uUser{ID: "t2", Email: "u@x"}))
	if err != nil {
		t.Fatal(err)
	}
	if records(t, e, users.TableName()) != 2 {
		t.Fatal("want 2 records after the transaction")
	}
	err = e.db.WriteTx(ctx, nil, users.TxCreate(&uUser{ID: "t3", Email: "v@x"}), users.TxCreate(&uUser{ID: "t4", Email: "v@x"}))
	if err == nil {
		t.Fatal("two creates of one email in one transaction succeeded")
	}
	// A clash in a transaction matches ErrNotUnique; the *NotUniqueError
	// is the Kind of the failed action's reason.
	err = e.db.WriteTx(ctx, nil, users.TxCreate(&uUser{ID: "t5", Email: "t@x"}), users.TxCreate(&uUser{ID: "t6", Email: "w@x"}))
	var te *dynamokit.TxError
	if !errors.Is(err, relations.ErrNotUnique) || !errors.As(err, &te) {
		t.Fatalf("WriteTx(t5 with t1's email) = %v, want a TxError matching ErrNotUnique", err)
	}
	var nu *relations.NotUniqueError
	for _, r := range te.Reasons {
		if r.Failed() && errors.As(r.Kind, &nu) {
			break
		}
	}
	if nu == nil || nu.Owner != "user_id=t1" {
		t.Errorf("the failed reasons %+v, want a NotUniqueError naming user_id=t1", te.Reasons)
	}
	if n := records(t, e, users.TableName()); n != 2 {
		t.Errorf("%d records after the cancelled transaction, want 2", n)
	}
}

// TestUniqueBackfill: items written around the rules get their records
// from BackfillUnique, which reports the duplicates it finds; a write
// through the rules then sees the records.
func TestUniqueBackfill(t *testing.T) {
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
	rep, err := relations.BackfillUnique(ctx, e.db, must[uUser](t))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Items != 4 || rep.Claimed != 2 || len(rep.Duplicates) != 1 {
		t.Fatalf("BackfillUnique = %+v, want 4 items, 2 claimed, 1 duplicate", rep)
	}
	d := rep.Duplicates[0]
	if d.Attr != "email" || d.Value != "a@x" || (d.Item != "user_id=p1" && d.Item != "user_id=p3") || d.Owner == d.Item || d.Owner == "" {
		t.Errorf("duplicate %+v, want a@x held by p1 and p3", d)
	}
	// Again: nothing new.
	again, err := relations.BackfillUnique(ctx, e.db, must[uUser](t))
	if err != nil || again.Claimed != 2 || len(again.Duplicates) != 1 {
		t.Fatalf("BackfillUnique again = %+v, %v", again, err)
	}
	u := uUser{ID: "p5", Email: "b@x"}
	wantNotUnique(t, "Create(p5, b@x)", users.Create(ctx, &u), "email", "b@x", "user_id=p2")
}

// TestUniqueStaleRead forces the interleaving the item's condition is for:
// another writer changes the item's email between the rule's read and the
// write, which then fails with ErrUniqueChanged and leaves no record
// behind. It also counts the requests of each write.
func TestUniqueStaleRead(t *testing.T) {
	t.Parallel()
	e, users, _ := uniqueTables(t)
	ctx := t.Context()
	var (
		mu    sync.Mutex
		ops   []string
		race  func()
		raced bool
	)
	hooked := e.db.With(dynamokit.WithHook(func(_ context.Context, r *dynamokit.Request) {
		mu.Lock()
		ops = append(ops, r.Op)
		run := r.Op == "GetItem" && race != nil && !raced
		if run {
			raced = true
		}
		mu.Unlock()
		if run {
			race()
		}
	}))
	hu, err := query.NewTable[uUser](hooked)
	if err != nil {
		t.Fatal(err)
	}
	count := func(what string, want ...string) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(ops) != fmt.Sprint(want) {
			t.Errorf("%s sent %v, want %v", what, ops, want)
		}
		ops = nil
	}
	u := uUser{ID: "s1", Email: "a@x"}
	if err := hu.Create(ctx, &u); err != nil {
		t.Fatal(err)
	}
	count("Create", "TransactWriteItems")
	if err := hu.Update(uUser{ID: "s1"}).Set("name", "S").Run(ctx); err != nil {
		t.Fatal(err)
	}
	count("Update of another attribute", "UpdateItem")
	u.Email = "b@x"
	if err := hu.Put(ctx, &u); err != nil {
		t.Fatal(err)
	}
	count("Put with a new email", "GetItem", "TransactWriteItems")

	mu.Lock()
	race = func() {
		if err := users.Update(uUser{ID: "s1"}).Set("email", "other@x").Run(ctx); err != nil {
			t.Errorf("the racing update: %v", err)
		}
	}
	mu.Unlock()
	u.Email = "new@x"
	err = hu.Put(ctx, &u)
	if !errors.Is(err, relations.ErrUniqueChanged) {
		t.Fatalf("Put raced by an update = %v, want ErrUniqueChanged", err)
	}
	table := users.TableName()
	if record(t, e, table, "email##new@x") != nil || record(t, e, table, "email##b@x") != nil || record(t, e, table, "email##other@x") == nil {
		t.Fatal("after the race, want only other@x claimed")
	}
	if n := records(t, e, table); n != 1 {
		t.Fatalf("%d records, want 1", n)
	}
	mu.Lock()
	ops = nil
	mu.Unlock()
	if err := hu.Delete(ctx, uUser{ID: "s1"}); err != nil {
		t.Fatal(err)
	}
	count("Delete", "GetItem", "TransactWriteItems")
	if n := records(t, e, table); n != 0 {
		t.Fatalf("%d records after the delete, want 0", n)
	}
}

// TestUniqueCost logs the requests and capacity units of each write of a
// model with a unique attribute, through the graph and through a client
// without it (go test -v -run TestUniqueCost). The units are what the
// engine reports: moto reports none for TransactWriteItems, where DynamoDB
// charges 2 write units per KB of each action.
func TestUniqueCost(t *testing.T) {
	t.Parallel()
	e, _, _ := uniqueTables(t)
	ctx := t.Context()
	for _, graph := range []bool{true, false} {
		var (
			mu    sync.Mutex
			ops   []string
			units float64
		)
		c := dynamotest.Client(t)
		if graph {
			c = graphClient(t)
		}
		c = c.With(dynamokit.WithNamer(e.names), dynamokit.WithHook(func(_ context.Context, r *dynamokit.Request) {
			mu.Lock()
			defer mu.Unlock()
			ops = append(ops, r.Op)
			units += r.Units()
		}))
		users, err := query.NewTable[uUser](c)
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("c-%v", graph)
		u := uUser{ID: id, Email: id + "@x"}
		step := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			mu.Lock()
			defer mu.Unlock()
			t.Logf("graph %-5v %-28s %v, %.1f units", graph, what, ops, units)
			ops, units = nil, 0
		}
		step("Create", users.Create(ctx, &u))
		step("Put, same email", users.Put(ctx, &u))
		u.Email = id + "@y"
		step("Put, new email", users.Put(ctx, &u))
		step("Update of another attribute", users.Update(uUser{ID: id}).Set("name", "n").Run(ctx))
		step("Update of the email", users.Update(uUser{ID: id}).Set("email", id+"@z").Run(ctx))
		step("Delete", users.Delete(ctx, uUser{ID: id}))
	}
}

// uTeam has many uPlayer, whose nickname is unique.
type uTeam struct {
	ID string `dynamo:"team_id,hash"`
}

func (uTeam) TableName() string { return "uteams" }

type uPlayer struct {
	ID     string `dynamo:"player_id,hash"`
	TeamID string `dynamo:"team_id,omitempty" index:"team-index,hash"`
	Nick   string `dynamo:"nick,omitempty" unique:""`
}

func (uPlayer) TableName() string { return "uplayers" }

// TestUniqueInRelation: the unique rule composes with a relation's rules:
// Link claims, a clash through Link is ErrNotUnique, DeleteChild and a
// Cascade delete of the parent release.
func TestUniqueInRelation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[uTeam](t), must[uPlayer](t))
	ctx := t.Context()
	teams, err := query.NewTable[uTeam](e.db)
	if err != nil {
		t.Fatal(err)
	}
	players, err := query.NewTable[uPlayer](e.db)
	if err != nil {
		t.Fatal(err)
	}
	roster, err := relations.Declare(teams, players, relations.Spec{Layout: relations.MultiTable, Index: "team-index", OnDelete: relations.Cascade})
	if err != nil {
		t.Fatal(err)
	}
	team := uTeam{ID: "t1"}
	if err := teams.Create(ctx, &team); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		p := uPlayer{ID: fmt.Sprintf("p%d", i), Nick: fmt.Sprintf("nick%d", i)}
		if err := roster.Link(ctx, &p, team); err != nil {
			t.Fatalf("Link(p%d): %v", i, err)
		}
	}
	dup := uPlayer{ID: "p9", Nick: "nick0"}
	wantNotUnique(t, "Link(p9, nick0)", roster.Link(ctx, &dup, team), "nick", "nick0", "player_id=p0")
	if err := roster.DeleteChild(ctx, uPlayer{ID: "p0", TeamID: "t1", Nick: "nick0"}); err != nil {
		t.Fatalf("DeleteChild(p0): %v", err)
	}
	if record(t, e, players.TableName(), "nick##nick0") != nil {
		t.Fatal("nick0 still claimed after DeleteChild")
	}
	if err := roster.DeleteParent(ctx, team, nil); err != nil {
		t.Fatalf("DeleteParent(Cascade): %v", err)
	}
	if n := records(t, e, players.TableName()); n != 0 {
		t.Fatalf("%d records after the cascade, want 0", n)
	}
}
