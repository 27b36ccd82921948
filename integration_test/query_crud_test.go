package integration_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// future is a TTL the engine will not act on during the test: DynamoDB
// Local deletes expired items, and t0 may be in the past.
var future = time.Now().Add(365 * 24 * time.Hour).Truncate(time.Second).UTC()

// rawItem reads an item as DynamoDB stores it.
func rawItem(t *testing.T, e env, r interface{ TableName() string }, key map[string]types.AttributeValue) map[string]types.AttributeValue {
	t.Helper()
	out, err := e.db.Executor().GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(r.TableName()), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func accountKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}}
}

// TestQueryCRUD runs every single-item operation against the engine, with
// each sentinel error and the guarantee that a failed write leaves the
// caller's value as it was.
func TestQueryCRUD(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Account](t))
	ctx := t.Context()
	c := newClock(t0)
	accounts := tableOf[Account](t, e, nil, c)
	get := func(id string) Account {
		t.Helper()
		a, err := accounts.Consistent().Get(ctx, Account{ID: id})
		if err != nil {
			t.Fatalf("Get(%s): %v", id, err)
		}
		return a
	}
	unchanged := func(op string, before, after Account) {
		t.Helper()
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("a failed %s changed the caller's value (-before +after):\n%s", op, diff)
		}
	}

	// Create fills created, updated and version, and stores TTL as seconds.
	ann := Account{ID: "a-1", Owner: "Ann", Balance: 10, Tags: []string{"gold"}, Expires: future}
	if err := accounts.Create(ctx, &ann); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if ann.Version != 1 || !ann.Created.Equal(t0) || !ann.Updated.Equal(t0) {
		t.Errorf("after Create: version %d, created %v, updated %v; want 1, %v, %v", ann.Version, ann.Created, ann.Updated, t0, t0)
	}
	if diff := cmp.Diff(ann, get("a-1")); diff != "" {
		t.Errorf("Get after Create (-created +read):\n%s", diff)
	}
	raw := rawItem(t, e, accounts, accountKey("a-1"))
	if got, ok := raw["expires"].(*types.AttributeValueMemberN); !ok || got.Value != strconv.FormatInt(future.Unix(), 10) {
		t.Errorf("stored TTL = %#v, want the number %d", raw["expires"], future.Unix())
	}
	if _, ok := raw["tags"].(*types.AttributeValueMemberSS); !ok {
		t.Errorf("stored tags = %#v, want a string set", raw["tags"])
	}

	t.Run("Get", func(t *testing.T) {
		if _, err := accounts.Get(ctx, Account{ID: "nobody"}); !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Get(missing) = %v, want ErrNotFound", err)
		}
		if _, err := accounts.Get(ctx, Account{}); !errors.Is(err, model.ErrEmptyKey) {
			t.Errorf("Get(empty key) = %v, want ErrEmptyKey", err)
		}
	})

	t.Run("Create", func(t *testing.T) {
		dup := Account{ID: "a-1", Owner: "Impostor"}
		before := dup
		err := accounts.Create(ctx, &dup)
		if !errors.Is(err, dynamokit.ErrAlreadyExists) {
			t.Errorf("Create(existing) = %v, want ErrAlreadyExists", err)
		}
		unchanged("Create", before, dup)
		if got := get("a-1").Owner; got != "Ann" {
			t.Errorf("Owner = %q after a failed Create, want Ann", got)
		}
		var empty Account
		if err := accounts.Create(ctx, &empty); !errors.Is(err, model.ErrEmptyKey) {
			t.Errorf("Create(empty key) = %v, want ErrEmptyKey", err)
		}
		unchanged("Create", Account{}, empty)
		if err := accounts.Create(ctx, nil); err == nil {
			t.Error("Create(nil) = nil, want an error")
		}
	})

	t.Run("Put", func(t *testing.T) {
		c.advance(time.Minute)
		cur := get("a-1")
		cur.Owner = "Ann B."
		if err := accounts.Put(ctx, &cur); err != nil {
			t.Fatalf("Put: %v", err)
		}
		if cur.Version != 2 || !cur.Updated.Equal(c.now()) || !cur.Created.Equal(t0) {
			t.Errorf("after Put: version %d, updated %v, created %v; want 2, %v, %v", cur.Version, cur.Updated, cur.Created, c.now(), t0)
		}
		stale := cur
		stale.Version = 1
		stale.Owner = "stale"
		before := stale
		err := accounts.Put(ctx, &stale)
		if !errors.Is(err, dynamokit.ErrVersionConflict) {
			t.Errorf("Put(stale) = %v, want ErrVersionConflict", err)
		}
		unchanged("Put", before, stale)
		fresh := Account{ID: "a-1", Owner: "version 0 means new"}
		if err := accounts.Put(ctx, &fresh); !errors.Is(err, dynamokit.ErrVersionConflict) {
			t.Errorf("Put(version 0 over an existing item) = %v, want ErrVersionConflict", err)
		}
		if diff := cmp.Diff(cur, get("a-1")); diff != "" {
			t.Errorf("item after Put (-put +read):\n%s", diff)
		}
		// Version 0 of a new item: created like Create.
		bo := Account{ID: "a-2", Owner: "Bo"}
		if err := accounts.Put(ctx, &bo); err != nil || bo.Version != 1 {
			t.Errorf("Put(new) = %v, version %d; want nil, 1", err, bo.Version)
		}
	})

	t.Run("Update", func(t *testing.T) {
		c.advance(time.Minute)
		cur := get("a-1")
		if err := accounts.Update(Account{ID: "a-1"}).Append("history", "deposit").Run(ctx); err != nil {
			t.Fatalf("Update: %v", err)
		}
		cur.Version++
		got, err := accounts.Update(cur).
			Add("balance", 5).
			AddToSet("tags", "silver", "vip").
			Prepend("history", []string{"opened"}).
			SetIfNotExists("note", "first note").
			Set("expires", future.Add(24*time.Hour)).
			Value(ctx)
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		want := cur
		want.Balance = 15
		want.Tags = []string{"gold", "silver", "vip"}
		want.History = []string{"opened", "deposit"}
		want.Note = "first note"
		want.Expires = future.Add(24 * time.Hour)
		want.Version = cur.Version + 1
		want.Updated = c.now()
		if diff := cmp.Diff(want, got, sortedTags); diff != "" {
			t.Errorf("Value() after Update (-want +got):\n%s", diff)
		}
		raw := rawItem(t, e, accounts, accountKey("a-1"))
		if _, ok := raw["expires"].(*types.AttributeValueMemberN); !ok {
			t.Errorf("TTL after Update = %#v, want a number", raw["expires"])
		}

		// SetIfNotExists keeps a value; DeleteFromSet and Remove take away.
		cur = got
		if err := accounts.Update(cur).SetIfNotExists("note", "second").DeleteFromSet("tags", []string{"gold", "vip"}).Remove("history").Run(ctx); err != nil {
			t.Fatalf("Update: %v", err)
		}
		got = get("a-1")
		if got.Note != "first note" || !cmp.Equal(got.Tags, []string{"silver"}) || got.History != nil {
			t.Errorf("after the second Update: note %q, tags %v, history %v; want first note, [silver], none", got.Note, got.Tags, got.History)
		}
		// Setting "" removes the attribute.
		if err := accounts.Update(Account{ID: "a-1"}).Set("note", "").Run(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok := rawItem(t, e, accounts, accountKey("a-1"))["note"]; ok {
			t.Error("note still stored after Set(note, \"\")")
		}

		// Sentinels.
		err = accounts.Update(Account{ID: "nobody"}).Set("owner", "x").Run(ctx)
		if !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Update(missing) = %v, want ErrNotFound", err)
		}
		if _, err := accounts.Get(ctx, Account{ID: "nobody"}); !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Update(missing) created the item: Get = %v", err)
		}
		stale := Account{ID: "a-1", Version: 1}
		if err := accounts.Update(stale).Set("owner", "x").Run(ctx); !errors.Is(err, dynamokit.ErrVersionConflict) {
			t.Errorf("Update(stale version) = %v, want ErrVersionConflict", err)
		}
		err = accounts.Update(Account{ID: "a-1"}).Set("owner", "x").If(query.Name("balance").GreaterThan(query.Value(1000))).Run(ctx)
		if !errors.Is(err, dynamokit.ErrConditionFailed) || errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Update(failing If) = %v, want ErrConditionFailed only", err)
		}
		if got := get("a-1").Owner; got != "Ann B." {
			t.Errorf("Owner = %q after failed updates, want Ann B.", got)
		}
		// An Update may be run again: the second run is a second change.
		u := accounts.Update(Account{ID: "a-1"}).Add("balance", 1)
		for range 2 {
			if err := u.Run(ctx); err != nil {
				t.Fatalf("Run: %v", err)
			}
		}
		if got := get("a-1").Balance; got != 17 {
			t.Errorf("Balance = %d after two runs of +1, want 17", got)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		if err := accounts.Delete(ctx, Account{ID: "nobody"}); err != nil {
			t.Errorf("Delete(missing) = %v, want nil: deletes are idempotent", err)
		}
		if err := accounts.Delete(ctx, Account{ID: "nobody"}, accounts.KeyExists()); !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Delete(missing, KeyExists) = %v, want ErrNotFound", err)
		}
		if err := accounts.Delete(ctx, Account{ID: "nobody", Version: 3}); !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Delete(missing, version 3) = %v, want ErrNotFound", err)
		}
		cur := get("a-2")
		if err := accounts.Delete(ctx, Account{ID: "a-2", Version: cur.Version + 1}); !errors.Is(err, dynamokit.ErrVersionConflict) {
			t.Errorf("Delete(stale version) = %v, want ErrVersionConflict", err)
		}
		err := accounts.Delete(ctx, Account{ID: "a-2"}, query.Name("owner").Equal(query.Value("someone else")))
		if !errors.Is(err, dynamokit.ErrConditionFailed) {
			t.Errorf("Delete(failing condition) = %v, want ErrConditionFailed", err)
		}
		if err := accounts.Delete(ctx, cur, query.Name("owner").Equal(query.Value("Bo"))); err != nil {
			t.Errorf("Delete(current version, true condition) = %v", err)
		}
		if _, err := accounts.Consistent().Get(ctx, Account{ID: "a-2"}); !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Get after Delete = %v, want ErrNotFound", err)
		}
		if err := accounts.Delete(ctx, Account{}); !errors.Is(err, model.ErrEmptyKey) {
			t.Errorf("Delete(empty key) = %v, want ErrEmptyKey", err)
		}
	})
}

// sortedTags compares string sets without order.
var sortedTags = cmp.Transformer("sorted", func(in []string) map[string]bool {
	if in == nil {
		return nil
	}
	out := make(map[string]bool, len(in))
	for _, s := range in {
		out[s] = true
	}
	return out
})

// TestQueryCount counts with and without limits and filters.
func TestQueryCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	ctx := t.Context()
	events := tableOf[Event](t, e, nil, nil)
	var all []Event
	for i := range 30 {
		all = append(all, Event{Stream: "s", Seq: i, Kind: []string{"odd", "even"}[(i+1)%2], Body: fmt.Sprint(i)})
	}
	if err := events.BatchPut(ctx, all, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		q    *query.Query[Event]
		want int
	}{
		{"partition", events.Query(Event{Stream: "s"}), 30},
		{"range", events.Query(Event{Stream: "s"}).Range(query.LessThan, 10), 10},
		{"filter", events.Query(Event{Stream: "s"}).Filter(query.Name("kind").Equal(query.Value("odd"))), 15},
		{"limit", events.Query(Event{Stream: "s"}).Limit(12), 12},
		{"pages, filter and limit", events.Query(Event{Stream: "s"}).PageSize(4).Filter(query.Name("kind").Equal(query.Value("even"))).Limit(9), 9},
		{"projection is ignored", events.Query(Event{Stream: "s"}).Project("body"), 30},
		{"index", events.Query(Event{Kind: "even"}).Index("kind-index"), 15},
		{"empty partition", events.Query(Event{Stream: "none"}), 0},
	} {
		got, err := tt.q.Count(ctx)
		if err != nil || got != tt.want {
			t.Errorf("%s: Count = %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		name string
		s    *query.Scan[Event]
		want int
	}{
		{"scan", events.Scan(), 30},
		{"scan with a filter and a projection", events.Scan().Filter(query.Name("kind").Equal(query.Value("odd"))).Project("body"), 15},
		{"parallel scan", events.Scan().Segments(3).PageSize(5), 30},
		{"scan limit", events.Scan().Limit(7), 7},
	} {
		got, err := tt.s.Count(ctx)
		if err != nil || got != tt.want {
			t.Errorf("%s: Count = %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
}
