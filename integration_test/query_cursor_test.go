package integration_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/dynamokit/dynamokit/query"
)

// retarget rewrites the position of an unsigned cursor, keeping its scope:
// what a client can do to any cursor that is not signed.
func retarget(t *testing.T, cursor string, edit func(key map[string]map[string]string)) string {
	t.Helper()
	payload, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		t.Fatalf("cursor %q: %v", cursor, err)
	}
	var c struct {
		S string                       `json:"s"`
		K map[string]map[string]string `json:"k"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatalf("cursor payload %s: %v", payload, err)
	}
	edit(c.K)
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// TestQueryCursorScope checks that a signed cursor is refused by a query
// that differs from the one that made it in anything but its page size:
// here, in the attribute a filter or projection names, with the same
// values.
func TestQueryCursorScope(t *testing.T) {
	e := newEnv(t, must[Event](t))
	ctx := t.Context()
	db, counter := countingDB(t)
	events := repo[Event](t, e, db, nil)
	putEvents(t, events, "s1", 30)
	key := []byte("cursor signing key")

	is := func(attr string) expression.ConditionBuilder { return query.Name(attr).Equal(expression.Value("a")) }
	for _, tt := range []struct {
		name        string
		made, other func(cursor string) (query.Page[Event], error)
	}{
		{"query filter on another attribute",
			func(c string) (query.Page[Event], error) {
				return events.Query(Event{Stream: "s1"}).Filter(is("kind")).PageSize(5).SignCursors(key).Page(ctx, c)
			},
			func(c string) (query.Page[Event], error) {
				return events.Query(Event{Stream: "s1"}).Filter(is("body")).PageSize(5).SignCursors(key).Page(ctx, c)
			}},
		{"query projecting another attribute",
			func(c string) (query.Page[Event], error) {
				return events.Query(Event{Stream: "s1"}).Project("kind").PageSize(5).SignCursors(key).Page(ctx, c)
			},
			func(c string) (query.Page[Event], error) {
				return events.Query(Event{Stream: "s1"}).Project("body").PageSize(5).SignCursors(key).Page(ctx, c)
			}},
		{"scan filter on another attribute",
			func(c string) (query.Page[Event], error) {
				return events.Scan().Filter(is("kind")).PageSize(5).SignCursors(key).Page(ctx, c)
			},
			func(c string) (query.Page[Event], error) {
				return events.Scan().Filter(is("body")).PageSize(5).SignCursors(key).Page(ctx, c)
			}},
		{"scan projecting another attribute",
			func(c string) (query.Page[Event], error) {
				return events.Scan().Project("kind").PageSize(5).SignCursors(key).Page(ctx, c)
			},
			func(c string) (query.Page[Event], error) {
				return events.Scan().Project("body").PageSize(5).SignCursors(key).Page(ctx, c)
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.made("")
			if err != nil || p.Next == "" {
				t.Fatalf("first page: next %q, %v; want a cursor", p.Next, err)
			}
			// The same query takes its own cursor...
			if _, err := tt.made(p.Next); err != nil {
				t.Fatalf("the same query with its cursor: %v", err)
			}
			// ...the other refuses it, before any request.
			counter.take()
			_, err = tt.other(p.Next)
			if !errors.Is(err, query.ErrBadCursor) {
				t.Errorf("the other query with the cursor: %v, want ErrBadCursor", err)
			}
			if got, _ := counter.take(); len(got) != 0 {
				t.Errorf("the other query sent %v", got)
			}
		})
	}
}
