package integration_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/query"
)

// TimedOrder holds when it was placed twice: in the default layout (RFC
// 3339 with the value's own offset, as guregu/dynamo writes it) and in
// the sortable utcnano layout.
type TimedOrder struct {
	Shop      string    `dynamo:"shop,hash"`
	ID        string    `dynamo:"id,range"`
	Placed    time.Time `dynamo:"placed"`
	PlacedUTC time.Time `dynamo:"placed_utc,layout=utcnano"`
}

func (TimedOrder) TableName() string { return "timed_orders" }

// Visit and VisitUTC are sorted by a time: in the default layout, and in
// utcnano.
type Visit struct {
	Shop string    `dynamo:"shop,hash"`
	At   time.Time `dynamo:"at,range"`
}

func (Visit) TableName() string { return "visits" }

type VisitUTC struct {
	Shop string    `dynamo:"shop,hash"`
	At   time.Time `dynamo:"at,range,layout=utcnano"`
}

func (VisitUTC) TableName() string { return "visits_utc" }

// TestTimeRanges runs a BETWEEN of times given in Europe/Paris, as a
// filter and as a sort-key range, over two items inside the range: one
// written in Paris time, one in UTC, whose stored string ("…T09:45:00Z")
// sorts before the lower bound ("…T10:00:00+01:00"), and one at half a
// second past the lower bound, whose fraction sorts before "Z" in the
// default layout's string once trailing zeros are dropped. In the default
// layout, the comparison of strings would return 1 of them without error
// (as it did): it is refused with ErrUnorderedTime naming the sortable
// layouts. In utcnano it returns all of them.
func TestTimeRanges(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	e := newEnv(t, must[TimedOrder](t), must[Visit](t), must[VisitUTC](t))
	orders, visits, visitsUTC := tableOf[TimedOrder](t, e, nil, nil), tableOf[Visit](t, e, nil, nil), tableOf[VisitUTC](t, e, nil, nil)
	from := time.Date(2026, 3, 3, 10, 0, 0, 0, paris) // 09:00 UTC
	to := time.Date(2026, 3, 3, 11, 0, 0, 0, paris)
	times := []time.Time{
		time.Date(2026, 3, 3, 10, 30, 0, 0, paris),
		time.Date(2026, 3, 3, 9, 45, 0, 0, time.UTC), // 10:45 in Paris
		from.Add(500 * time.Millisecond).UTC(),       // "…T09:00:00.5Z"
	}
	for i, at := range times {
		id := string(rune('a' + i))
		if err := orders.Put(ctx, &TimedOrder{Shop: "s", ID: id, Placed: at, PlacedUTC: at}); err != nil {
			t.Fatal(err)
		}
		if err := visits.Put(ctx, &Visit{Shop: "s", At: at}); err != nil {
			t.Fatal(err)
		}
		if err := visitsUTC.Put(ctx, &VisitUTC{Shop: "s", At: at}); err != nil {
			t.Fatal(err)
		}
	}
	refused := func(what string, n int, err error) {
		t.Helper()
		if !errors.Is(err, query.ErrUnorderedTime) {
			t.Errorf("%s = %d items, %v; want ErrUnorderedTime (%d items are in range)", what, n, err, len(times))
		}
	}
	got, err := orders.Query(TimedOrder{Shop: "s"}).Filter(query.Name("placed").Between(query.Value(from), query.Value(to))).Collect(ctx)
	refused("filter placed BETWEEN", len(got), err)
	got, err = orders.Scan().Filter(query.Name("placed").GreaterThanEqual(query.Value(from))).Collect(ctx)
	refused("scan placed >=", len(got), err)
	vs, err := visits.Query(Visit{Shop: "s"}).Range(query.Between, from, to).Collect(ctx)
	refused("range at BETWEEN", len(vs), err)

	got, err = orders.Query(TimedOrder{Shop: "s"}).Filter(query.Name("placed_utc").Between(query.Value(from), query.Value(to))).Collect(ctx)
	if err != nil || len(got) != len(times) {
		t.Errorf("filter placed_utc BETWEEN = %d items, %v; want %d", len(got), err, len(times))
	}
	us, err := visitsUTC.Query(VisitUTC{Shop: "s"}).Range(query.Between, from, to).Collect(ctx)
	if err != nil || len(us) != len(times) {
		t.Errorf("range at BETWEEN (utcnano) = %d items, %v; want %d", len(us), err, len(times))
	}
	us, err = visitsUTC.Query(VisitUTC{Shop: "s"}).Range(query.GreaterThan, from).Collect(ctx)
	if err != nil || len(us) != len(times) {
		t.Errorf("range at > from (utcnano) = %d items, %v; want %d", len(us), err, len(times))
	}
	// Equality is kept: a value read back compares equal to itself.
	v, err := visits.Query(Visit{Shop: "s"}).Range(query.Equal, times[0]).Collect(ctx)
	if err != nil || len(v) != 1 {
		t.Errorf("range at = %v: %d items, %v; want 1", times[0], len(v), err)
	}
}
