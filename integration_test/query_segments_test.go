package integration_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
	"github.com/dynamokit/dynamokit"
)

// segmentClient is an SDK HTTP client that watches the Scan requests of
// a parallel scan: which segments start, how many requests are in flight
// at once, and how many goroutines the process has when each starts. With
// fail set, it answers segment fail with a ValidationException and holds
// the other segments' requests until their context ends, or for hold
// (then it forwards them, and counts them as not cancelled).
type segmentClient struct {
	next dynamodb.HTTPClient
	fail *int
	hold time.Duration

	mu           sync.Mutex
	started      []int // the segment of each request, in order
	inFlight     int
	maxInFlight  int
	maxGoroutine int
	notCancelled int
}

// segmentDB returns a connection to the test engine whose Scan requests
// c watches, with the SDK's retries off.
func segmentDB(t *testing.T, c *segmentClient) *dynamokit.Client {
	t.Helper()
	return graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		c.next = o.HTTPClient
		o.HTTPClient = c
		o.RetryMaxAttempts = 1
	}))
}

// Do implements dynamodb.HTTPClient.
func (c *segmentClient) Do(req *http.Request) (*http.Response, error) {
	if operation(req) != "Scan" {
		return c.next.Do(req)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(body))
	var in struct{ Segment int }
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.started = append(c.started, in.Segment)
	c.inFlight++
	c.maxInFlight = max(c.maxInFlight, c.inFlight)
	c.maxGoroutine = max(c.maxGoroutine, runtime.NumGoroutine())
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.inFlight--
		c.mu.Unlock()
	}()
	if c.fail == nil {
		return c.next.Do(req)
	}
	if in.Segment == *c.fail {
		return jsonResponse(req, http.StatusBadRequest, map[string]any{
			"__type":  "com.amazonaws.dynamodb.v20120810#ValidationException",
			"message": "injected failure of one segment",
		})
	}
	t := time.NewTimer(c.hold)
	defer t.Stop()
	select {
	case <-req.Context().Done():
		return nil, req.Context().Err()
	case <-t.C:
		c.mu.Lock()
		c.notCancelled++
		c.mu.Unlock()
		return c.next.Do(req)
	}
}

// take returns what c saw since the last take, and starts again.
func (c *segmentClient) take() (started []int, maxInFlight, maxGoroutine, notCancelled int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	started, maxInFlight, maxGoroutine, notCancelled = c.started, c.maxInFlight, c.maxGoroutine, c.notCancelled
	c.started, c.maxInFlight, c.maxGoroutine, c.notCancelled = nil, 0, 0, 0
	return started, maxInFlight, maxGoroutine, notCancelled
}

// TestQueryScanSegmentsBounded scans a small table in 600 segments: the
// segments are read at most dynamokit.DefaultConcurrency at a time, so the
// goroutines stay few, and every item is still read once. It counts the
// process's goroutines, so it does not run in parallel with other tests.
func TestQueryScanSegmentsBounded(t *testing.T) {
	e := newEnv(t, must[Event](t))
	ctx := t.Context()
	want := putEvents(t, tableOf[Event](t, e, nil, nil), "b", 20)
	c := &segmentClient{}
	events := tableOf[Event](t, e, segmentDB(t, c), nil)
	// 600 segments with a goroutine each would be about 740 goroutines,
	// far above the bound below (3,715 were seen for 3,000 segments when
	// each had its own).
	const segments = 600
	// What runs besides the scan: the test's own goroutines, idle
	// connections. Each segment in flight adds its goroutine and the two
	// of an HTTP connection, and connections being closed linger a little:
	// a few per worker, far from one per segment.
	const workers = dynamokit.DefaultConcurrency
	bound := runtime.NumGoroutine() + 8*workers

	n, err := events.Scan().Segments(segments).Count(ctx)
	started, most, goroutines, _ := c.take()
	if err != nil || n != len(want) {
		t.Errorf("Count() = %d, %v; want %d", n, err, len(want))
	}
	t.Logf("Count() of %d segments: %d requests, at most %d in flight, up to %d goroutines (bound %d)", segments, len(started), most, goroutines, bound)
	if len(started) != segments || most > workers || goroutines > bound {
		t.Errorf("Count(): %d requests, at most %d in flight, up to %d goroutines; want %d, at most %d, at most %d",
			len(started), most, goroutines, segments, workers, bound)
	}

	seen := map[int]int{}
	for ev, err := range events.Scan().Segments(segments).All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		seen[ev.Seq]++
	}
	started, most, goroutines, _ = c.take()
	if len(seen) != len(want) {
		t.Errorf("All(): %d distinct items, want %d", len(seen), len(want))
	}
	for seq, k := range seen {
		if k != 1 {
			t.Errorf("All(): item %d read %d times", seq, k)
		}
	}
	t.Logf("All() of %d segments: %d requests, at most %d in flight, up to %d goroutines (bound %d)", segments, len(started), most, goroutines, bound)
	if len(started) != segments || most > workers || goroutines > bound {
		t.Errorf("All(): %d requests, at most %d in flight, up to %d goroutines; want %d, at most %d, at most %d",
			len(started), most, goroutines, segments, workers, bound)
	}

	// Concurrency sets the bound.
	n, err = events.Scan().Segments(40).Concurrency(3).Count(ctx)
	started, most, _, _ = c.take()
	if err != nil || n != len(want) || len(started) != 40 || most > 3 {
		t.Errorf("Segments(40).Concurrency(3).Count() = %d, %v: %d requests, at most %d in flight; want %d, 40 requests, at most 3",
			n, err, len(started), most, len(want))
	}
	got, err := events.Scan().Segments(40).Concurrency(3).Collect(ctx)
	started, most, _, _ = c.take()
	if err != nil || len(got) != len(want) || len(started) != 40 || most > 3 {
		t.Errorf("Segments(40).Concurrency(3).Collect() = %d items, %v: %d requests, at most %d in flight; want %d, 40 requests, at most 3",
			len(got), err, len(started), most, len(want))
	}
}

// TestQueryScanFirstErrorCancels fails one segment of a parallel scan while
// the others' requests are held: the error must cancel them at once (no
// request runs its course), and be the one returned.
func TestQueryScanFirstErrorCancels(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	ctx := t.Context()
	putEvents(t, tableOf[Event](t, e, nil, nil), "f", 20)
	fail := 5
	c := &segmentClient{fail: &fail, hold: 10 * time.Second}
	events := tableOf[Event](t, e, segmentDB(t, c), nil)

	check := func(call string, err error) (started []int) {
		t.Helper()
		started, _, _, notCancelled := c.take()
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" {
			t.Errorf("%s = %v, want the segment's ValidationException", call, err)
		}
		if notCancelled != 0 {
			t.Errorf("%s: %d requests of other segments were not cancelled", call, notCancelled)
		}
		if !slices.Contains(started, fail) {
			t.Errorf("%s: segments %v started, not the failing one", call, started)
		}
		return started
	}
	start := time.Now()
	_, err := events.Scan().Segments(8).Count(ctx)
	check("Count()", err)
	var got error
	for _, err := range events.Scan().Segments(8).All(ctx) {
		if err != nil {
			got = err
			break
		}
	}
	check("All()", got)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v: the held requests ran their course", d)
	}

	// With fewer workers than segments, segments 0 to 3 may start, and 2
	// fails: no further segment starts.
	fail = 2
	_, err = events.Scan().Segments(40).Concurrency(4).Count(ctx)
	if started := check("Count() with 4 workers", err); slices.ContainsFunc(started, func(seg int) bool { return seg > 3 }) {
		t.Errorf("Count() with 4 workers: segments %v started, want only some of 0 to 3", started)
	}
}
