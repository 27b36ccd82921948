package integration_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

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
	t.Parallel()
	e := newEnv(t, must[Event](t))
	ctx := t.Context()
	db, counter := countingDB(t)
	events := tableOf[Event](t, e, db, nil)
	putEvents(t, events, "s1", 30)
	key := []byte("cursor signing key")

	is := func(attr string) query.Cond { return query.Name(attr).Equal(query.Value("a")) }
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

// TestQueryCursorTampered sends unsigned cursors whose position was
// rewritten into values DynamoDB would refuse, or that lie outside the
// query: each must be refused with ErrBadCursor, before any request, rather
// than reach the engine and come back as an error of the engine.
func TestQueryCursorTampered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	ctx := t.Context()
	db, counter := countingDB(t)
	events := tableOf[Event](t, e, db, nil)
	putEvents(t, events, "s1", 30)
	putEvents(t, events, "s2", 30)

	first := func(q *query.Query[Event]) string {
		t.Helper()
		p, err := q.Page(ctx, "")
		if err != nil || p.Next == "" {
			t.Fatalf("first page: next %q, %v; want a cursor", p.Next, err)
		}
		return p.Next
	}
	partition := func() *query.Query[Event] { return events.Query(Event{Stream: "s1"}).PageSize(5) }
	ranged := func() *query.Query[Event] {
		return events.Query(Event{Stream: "s1"}).Range(query.LessThan, 20).PageSize(5)
	}
	prefix := func() *query.Query[Event] { return events.Query(Event{Kind: "a"}).Index("kind-index").PageSize(5) }
	scan := func() *query.Query[Event] { return nil }
	seq := func(v string) func(map[string]map[string]string) {
		return func(k map[string]map[string]string) { k["seq"] = map[string]string{"N": v} }
	}
	for _, tt := range []struct {
		name string
		q    func() *query.Query[Event] // nil: a scan
		edit func(map[string]map[string]string)
	}{
		{"number beyond DynamoDB's range", partition, seq("1e999")},
		{"number of 40 digits", partition, seq("1234567890123456789012345678901234567890")},
		{"number of 39 significant digits", partition, seq("1.23456789012345678901234567890123456789")},
		{"number just above the largest", partition, seq("1E+126")},
		{"number just below the smallest", partition, seq("9.9E-131")},
		{"number with a plus sign", partition, seq("+5")},
		{"another partition", partition, func(k map[string]map[string]string) { k["stream"] = map[string]string{"S": "s2"} }},
		{"partition of another type", partition, func(k map[string]map[string]string) { k["stream"] = map[string]string{"N": "1"} }},
		{"sort key outside the range", ranged, seq("25")},
		{"sort key at the range's open end", ranged, seq("20")},
		{"index partition", prefix, func(k map[string]map[string]string) { k["kind"] = map[string]string{"S": "b"} }},
		{"table key longer than DynamoDB allows", prefix, func(k map[string]map[string]string) {
			k["stream"] = map[string]string{"S": strings.Repeat("x", 2049)}
		}},
		{"scan: number beyond DynamoDB's range", scan, seq("1e999")},
		{"scan: empty string", scan, func(k map[string]map[string]string) { k["stream"] = map[string]string{"S": ""} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			page := func(c string) (query.Page[Event], error) {
				if q := tt.q(); q != nil {
					return q.Page(ctx, c)
				}
				return events.Scan().PageSize(5).Page(ctx, c)
			}
			p, err := page("")
			if err != nil || p.Next == "" {
				t.Fatalf("first page: next %q, %v; want a cursor", p.Next, err)
			}
			bad := retarget(t, p.Next, tt.edit)
			counter.take()
			_, err = page(bad)
			if !errors.Is(err, query.ErrBadCursor) {
				t.Errorf("Page(tampered) = %v, want ErrBadCursor", err)
			}
			if got, _ := counter.take(); len(got) != 0 {
				t.Errorf("Page(tampered) sent %v", got)
			}
		})
	}

	// What stays inside the query is still a valid cursor: a position
	// moved within the partition and range, written as DynamoDB might.
	for _, tt := range []struct {
		name  string
		q     func() *query.Query[Event]
		seq   string
		first int // the seq of the first item of the page
	}{
		{"another position", partition, "12", 13},
		{"an exponent", partition, "1.2E1", 13},
		{"trailing zeros", partition, "12.000", 13},
		{"the end of the range", ranged, "18", 19},
	} {
		p, err := tt.q().Page(ctx, retarget(t, first(tt.q()), seq(tt.seq)))
		if err != nil || len(p.Items) == 0 || p.Items[0].Seq != tt.first {
			t.Errorf("%s: Page(position %s) = %v, %v; want the items from %d", tt.name, tt.seq, seqs(p.Items), err, tt.first)
		}
	}
}

// TestRelationsCursorTampered moves the cursor of a page of one parent's
// children to another parent's partition: HasMany.Page refuses it with
// ErrBadCursor, before any request, in every layout.
func TestRelationsCursorTampered(t *testing.T) {
	t.Parallel()
	eachLayout(t, testCursorTampered, testCursorTampered, testCursorTampered)
}

func testCursorTampered[P, C any](t *testing.T, s shape[P, C]) {
	c := &counter{}
	f := setup(t, s, countedDB(t, c))
	ctx := t.Context()
	f.seed(t)
	d1 := f.dept(Department{DepartmentID: "d-1"})
	p, err := f.staff.Children(d1).PageSize(1).Page(ctx, "")
	if err != nil || p.Next == "" {
		t.Fatalf("first page of d-1: next %q, %v; want a cursor", p.Next, err)
	}
	moved := 0
	bad := retarget(t, p.Next, func(k map[string]map[string]string) {
		for _, v := range k {
			if s, ok := v["S"]; ok && strings.HasSuffix(s, "d-1") {
				v["S"] = strings.TrimSuffix(s, "d-1") + "d-2"
				moved++
			}
		}
	})
	if moved != 1 {
		t.Fatalf("cursor %s: %d partition attributes, want 1", p.Next, moved)
	}
	c.take()
	if _, err := f.staff.Children(d1).PageSize(1).Page(ctx, bad); !errors.Is(err, query.ErrBadCursor) {
		t.Errorf("Page(d-1, cursor moved to d-2) = %v, want ErrBadCursor", err)
	}
	if got, _ := c.take(); len(got) != 0 {
		t.Errorf("Page(d-1, cursor moved to d-2) sent %v", got)
	}
}
