package integration_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
)

func seqs(es []Event) []int {
	out := make([]int, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

// putEvents stores n events of stream, kinds alternating a and b.
func putEvents(t *testing.T, r *query.Table[Event], stream string, n int) []Event {
	t.Helper()
	es := make([]Event, n)
	for i := range es {
		es[i] = Event{Stream: stream, Seq: i, Kind: []string{"a", "b"}[i%2], Body: fmt.Sprint("event ", i)}
	}
	if err := r.BatchPut(t.Context(), es, nil); err != nil {
		t.Fatal(err)
	}
	return es
}

// TestQueryPages pages through 250 items 100 at a time, and refuses cursors
// that were tampered with or made for another partition or index.
func TestQueryPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	ctx := t.Context()
	events := tableOf[Event](t, e, nil, nil)
	want := putEvents(t, events, "s1", 250)
	putEvents(t, events, "s2", 10)
	key := []byte("cursor signing key")

	var got []Event
	var sizes []int
	var cursors []string
	cur := ""
	for range 10 {
		p, err := events.Query(Event{Stream: "s1"}).Limit(100).SignCursors(key).Page(ctx, cur)
		if err != nil {
			t.Fatalf("Page(%q): %v", cur, err)
		}
		got = append(got, p.Items...)
		sizes = append(sizes, len(p.Items))
		if p.Next == "" {
			break
		}
		cursors = append(cursors, p.Next)
		cur = p.Next
	}
	if diff := cmp.Diff([]int{100, 100, 50}, sizes); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(seqs(want), seqs(got)); diff != "" {
		t.Errorf("items over all pages (-want +got):\n%s", diff)
	}

	// Descending, with a filter, unsigned: still every matching item once.
	var desc []int
	cur = ""
	for {
		p, err := events.Query(Event{Stream: "s1"}).Descending().PageSize(60).Filter(query.Name("kind").Equal(query.Value("a"))).Page(ctx, cur)
		if err != nil {
			t.Fatal(err)
		}
		desc = append(desc, seqs(p.Items)...)
		if cur = p.Next; cur == "" {
			break
		}
	}
	if len(desc) != 125 || desc[0] != 248 || desc[124] != 0 {
		t.Errorf("descending even seqs: %d items from %v to %v, want 125 from 248 to 0", len(desc), desc[0], desc[len(desc)-1])
	}

	// Tamper with the position only: it still decodes, to seq 10.
	good := cursors[0]
	body, sig, _ := strings.Cut(good, ".")
	payload, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || !strings.Contains(string(payload), `"N":"99"`) {
		t.Fatalf("cursor payload %s, %v: want JSON with the position 99", payload, err)
	}
	tampered := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"N":"99"`, `"N":"10"`, 1))) + "." + sig
	for _, tt := range []struct {
		name string
		page func(cursor string) error
	}{
		{"tampered", func(string) error {
			_, err := events.Query(Event{Stream: "s1"}).Limit(100).SignCursors(key).Page(ctx, string(tampered))
			return err
		}},
		{"another partition", func(c string) error {
			_, err := events.Query(Event{Stream: "s2"}).Limit(100).SignCursors(key).Page(ctx, c)
			return err
		}},
		{"another index", func(c string) error {
			_, err := events.Query(Event{Kind: "a"}).Index("kind-index").Limit(100).SignCursors(key).Page(ctx, c)
			return err
		}},
		{"another range condition", func(c string) error {
			_, err := events.Query(Event{Stream: "s1"}).Range(query.GreaterThan, 5).Limit(100).SignCursors(key).Page(ctx, c)
			return err
		}},
		{"a scan", func(c string) error {
			_, err := events.Scan().Limit(100).SignCursors(key).Page(ctx, c)
			return err
		}},
		{"another signing key", func(c string) error {
			_, err := events.Query(Event{Stream: "s1"}).Limit(100).SignCursors([]byte("another signing key")).Page(ctx, c)
			return err
		}},
		{"unsigned query", func(c string) error {
			_, err := events.Query(Event{Stream: "s1"}).Limit(100).Page(ctx, c)
			return err
		}},
	} {
		if err := tt.page(good); !errors.Is(err, query.ErrBadCursor) {
			t.Errorf("%s: Page = %v, want ErrBadCursor", tt.name, err)
		}
	}

	// Scan pages: every item of the table once.
	seen := map[string]int{}
	cur = ""
	for {
		p, err := events.Scan().PageSize(70).Page(ctx, cur)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range p.Items {
			seen[fmt.Sprint(ev.Stream, "/", ev.Seq)]++
		}
		if cur = p.Next; cur == "" {
			break
		}
	}
	if len(seen) != 260 {
		t.Errorf("scan pages saw %d items, want 260", len(seen))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("scan pages saw %s %d times", k, n)
		}
	}
}

// TestQueryParallelScan reads every item exactly once with four segments.
func TestQueryParallelScan(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	ctx := t.Context()
	events := tableOf[Event](t, e, nil, nil)
	want := putEvents(t, events, "p", 300)
	seen := map[int]int{}
	for ev, err := range events.Scan().Segments(4).PageSize(25).All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		seen[ev.Seq]++
	}
	if len(seen) != len(want) {
		t.Errorf("parallel scan saw %d distinct items, want %d", len(seen), len(want))
	}
	for seq, n := range seen {
		if n != 1 {
			t.Errorf("item %d seen %d times", seq, n)
		}
	}
	got, err := events.Scan().Segments(4).Limit(42).Collect(ctx)
	if err != nil || len(got) != 42 {
		t.Errorf("parallel scan with Limit(42): %d items, %v", len(got), err)
	}
}

// cancelAfterFirst runs seq to its end, calling cancel after the first
// item, and returns how many items and which errors it yielded.
func cancelAfterFirst(seq iter.Seq2[Event, error], cancel func()) (items int, errs []error) {
	for _, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items++
		cancel()
	}
	return items, errs
}

// TestQueryCancel cancels streams after their first item: each must end
// with an error matching context.Canceled and send no further request.
func TestQueryCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	putEvents(t, tableOf[Event](t, e, nil, nil), "c", 50)
	db, counter := countingDB(t)
	events := tableOf[Event](t, e, db, nil)

	for _, tt := range []struct {
		name string
		op   string
		all  func(ctx context.Context) iter.Seq2[Event, error]
	}{
		{"query", "Query", func(ctx context.Context) iter.Seq2[Event, error] {
			return events.Query(Event{Stream: "c"}).PageSize(10).All(ctx)
		}},
		{"scan", "Scan", func(ctx context.Context) iter.Seq2[Event, error] {
			return events.Scan().PageSize(10).All(ctx)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			before := counter.requests(tt.op)
			items, errs := cancelAfterFirst(tt.all(ctx), cancel)
			if items != 1 || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
				t.Errorf("after cancelling: %d items, errors %v; want 1 item, then context.Canceled", items, errs)
			}
			if got := counter.requests(tt.op) - before; got != 1 {
				t.Errorf("%d %s requests, want 1", got, tt.op)
			}
		})
	}

	t.Run("parallel scan", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		before := counter.requests("Scan")
		items, errs := cancelAfterFirst(events.Scan().Segments(4).PageSize(5).All(ctx), cancel)
		if items != 1 || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
			t.Errorf("after cancelling: %d items, errors %v; want 1 item, then context.Canceled", items, errs)
		}
		// Segments stop with the stream: no request after it returned.
		after := counter.requests("Scan")
		time.Sleep(50 * time.Millisecond)
		if got := counter.requests("Scan"); got != after {
			t.Errorf("%d Scan requests after the stream ended", got-after)
		}
		if n := after - before; n > 4+4 {
			t.Errorf("%d Scan requests in all, want at most 2 per segment", n)
		}
	})
}
