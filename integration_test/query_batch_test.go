package integration_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
)

// fastRetries keeps backoff short in tests.
var fastRetries = &query.BatchOptions{Retries: 30, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond}

func makeEvents(n int) []Event {
	out := make([]Event, n)
	for i := range out {
		out[i] = Event{Stream: fmt.Sprintf("s%02d", i%40), Seq: i, Kind: []string{"a", "b", "c"}[i%3], Body: fmt.Sprintf("body %d", i)}
	}
	return out
}

func eventKeys(es []Event) []Event {
	keys := make([]Event, len(es))
	for i, e := range es {
		keys[i] = Event{Stream: e.Stream, Seq: e.Seq}
	}
	return keys
}

func sortEvents(es []Event) {
	slices.SortFunc(es, func(a, b Event) int { return a.Seq - b.Seq })
}

// TestQueryBatchFaults writes 1,000 items through a transport that throttles
// and leaves items unprocessed (pseudo-randomly, each item at most twice),
// with the SDK's own retries off, and reads them back the same way: every
// item must be stored exactly once.
func TestQueryBatchFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	ctx := t.Context()
	fc := newFaultClient(0.2, 0.3)
	faulty := tableOf[Event](t, e, faultDB(t, fc), nil)
	events := tableOf[Event](t, e, nil, nil)

	want := makeEvents(1000)
	start := time.Now()
	if err := faulty.BatchPut(ctx, want, fastRetries); err != nil {
		t.Fatalf("BatchPut: %v (%v)", err, fc.stats())
	}
	st := fc.stats()
	t.Logf("BatchPut of %d items in %v: %v", len(want), time.Since(start).Round(time.Millisecond), st)
	// Held-back items were sent again, processed ones never.
	if st.Forwarded != len(want) || st.Throttled == 0 || st.HeldBack == 0 {
		t.Errorf("faults: %v; want every item forwarded exactly once, after some throttling and holding back", st)
	}

	n, err := events.Scan().Count(ctx)
	if err != nil || n != len(want) {
		t.Errorf("Scan().Count() = %d, %v; want %d", n, err, len(want))
	}
	scanned, err := events.Scan().Segments(4).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sortEvents(scanned)
	if diff := cmp.Diff(want, scanned); diff != "" {
		t.Errorf("scanned items (-want +got):\n%s", diff)
	}

	start = time.Now()
	got, err := faulty.BatchGet(ctx, eventKeys(want), fastRetries)
	if err != nil {
		t.Fatalf("BatchGet: %v (%v)", err, fc.stats())
	}
	st = fc.stats()
	t.Logf("BatchGet of %d keys in %v: %v", len(want), time.Since(start).Round(time.Millisecond), st)
	if st.Forwarded != len(want) || st.HeldBack == 0 {
		t.Errorf("faults: %v; want every key forwarded exactly once, after some holding back", st)
	}
	// BatchGet returns items in the order of the keys.
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BatchGet items (-want +got):\n%s", diff)
	}

	// BatchDelete through the same faults leaves nothing.
	if err := faulty.BatchDelete(ctx, eventKeys(want[:500]), fastRetries); err != nil {
		t.Fatalf("BatchDelete: %v", err)
	}
	if n, err := events.Scan().Count(ctx); err != nil || n != 500 {
		t.Errorf("Count after deleting half = %d, %v; want 500", n, err)
	}
	gone, err := faulty.Consistent().BatchGet(ctx, eventKeys(want[:500]), &query.BatchOptions{Retries: 30, BaseDelay: time.Millisecond})
	if err != nil || len(gone) != 0 {
		t.Errorf("consistent BatchGet of deleted keys = %d items, %v; want none", len(gone), err)
	}
}

// TestQueryBatchRetriesRunOut holds some items back on every attempt: the
// BatchError must list exactly those, and everything else must be written.
// The other items meet faults too, but at most twice each (MaxFaults), so
// four retries get every one of them through, whatever the timing.
func TestQueryBatchRetriesRunOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	ctx := t.Context()
	isStuck := func(seq int) bool { return seq%97 == 13 }
	fc := newFaultClient(0.1, 0.2)
	fc.Stuck = func(item map[string]json.RawMessage) bool {
		var n struct{ N string }
		if err := json.Unmarshal(item["seq"], &n); err != nil {
			return false
		}
		var seq int
		fmt.Sscan(n.N, &seq)
		return isStuck(seq)
	}
	faulty := tableOf[Event](t, e, faultDB(t, fc), nil)
	events := tableOf[Event](t, e, nil, nil)
	opts := &query.BatchOptions{Retries: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

	all := makeEvents(1000)
	var stuck []Event
	for _, ev := range all {
		if isStuck(ev.Seq) {
			stuck = append(stuck, ev)
		}
	}

	err := faulty.BatchPut(ctx, all, opts)
	var be *query.BatchError[Event]
	if !errors.As(err, &be) {
		t.Fatalf("BatchPut = %v, want a *BatchError[Event]", err)
	}
	if diff := cmp.Diff(stuck, be.Unprocessed); diff != "" {
		t.Errorf("BatchPut: Unprocessed (-want +got):\n%s", diff)
	}
	var de *dynamokit.Error
	if !errors.As(err, &de) || de.Op != "BatchWriteItem" || de.Table != events.TableName() {
		t.Errorf("BatchPut = %v, want a *dynamokit.Error of BatchWriteItem naming the table", err)
	}
	n, err := events.Scan().Count(ctx)
	if err != nil || n != len(all)-len(stuck) {
		t.Errorf("stored %d, %v; want %d", n, err, len(all)-len(stuck))
	}
	// The unprocessed values can go straight back to BatchPut.
	if err := events.BatchPut(ctx, be.Unprocessed, nil); err != nil {
		t.Fatalf("BatchPut(Unprocessed): %v", err)
	}

	got, err := faulty.BatchGet(ctx, eventKeys(all), opts)
	if !errors.As(err, &be) {
		t.Fatalf("BatchGet = %v, want a *BatchError[Event]", err)
	}
	if diff := cmp.Diff(eventKeys(stuck), be.Unprocessed); diff != "" {
		t.Errorf("BatchGet: Unprocessed (-want +got):\n%s", diff)
	}
	if len(got) != len(all)-len(stuck) {
		t.Errorf("BatchGet read %d items alongside the error, want %d", len(got), len(all)-len(stuck))
	}

	// Throttled on every attempt: everything is reported, with the cause.
	always := newFaultClient(1, 0)
	always.MaxFaults = math.MaxInt
	throttled := tableOf[Event](t, e, faultDB(t, always), nil)
	err = throttled.BatchDelete(ctx, eventKeys(all[:60]), opts)
	if !errors.As(err, &be) || len(be.Unprocessed) != 60 {
		t.Fatalf("BatchDelete while throttled = %v, want a BatchError listing 60 keys", err)
	}
	var pte *types.ProvisionedThroughputExceededException
	if !errors.As(err, &pte) {
		t.Errorf("BatchDelete error %v does not carry the throttling error", err)
	}
	if n, err := events.Scan().Count(ctx); err != nil || n != len(all) {
		t.Errorf("after a throttled delete: %d items, %v; want %d", n, err, len(all))
	}
}

// TestQueryBatchFaultsDeterministic checks the fault injection the batch
// tests rely on: at fault rates high enough that, left to chance, many
// items would run out of two retries, none does (each item or key is
// faulted at most twice), and two runs inject the very same faults, however
// the concurrent requests interleave.
func TestQueryBatchFaultsDeterministic(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	ctx := t.Context()
	opts := &query.BatchOptions{Concurrency: 4, Retries: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}
	events := makeEvents(400)
	var runs []faultStats
	for range 2 {
		fc := newFaultClient(0.5, 0.8)
		faulty := tableOf[Event](t, e, faultDB(t, fc), nil)
		if err := faulty.BatchPut(ctx, events, opts); err != nil {
			t.Fatalf("BatchPut with 2 retries: %v (%v)", err, fc.stats())
		}
		got, err := faulty.BatchGet(ctx, eventKeys(events), opts)
		if err != nil || len(got) != len(events) {
			t.Fatalf("BatchGet with 2 retries = %d items, %v (%v)", len(got), err, fc.stats())
		}
		runs = append(runs, fc.stats())
	}
	if runs[0] != runs[1] {
		t.Errorf("the same calls met different faults: %v, then %v", runs[0], runs[1])
	}
	if runs[0].Throttled == 0 || runs[0].HeldBack == 0 {
		t.Errorf("faults: %v; want some throttling and holding back", runs[0])
	}
}
