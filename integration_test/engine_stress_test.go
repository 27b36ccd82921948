package integration_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/query"
)

// StressItem is the item the stress test reads and writes.
type StressItem struct {
	Part string `dynamo:"part,hash"`
	Sort int    `dynamo:"sort,range"`
	N    int    `dynamo:"n"`
}

func (StressItem) TableName() string { return "stress" }

// Stress sizes: the floor of 5,000 requests, 16 at once.
const (
	stressRequests = 5000
	stressWorkers  = 16
	stressStall    = 2 * time.Second
	// stressMemory bounds how much the engine may grow during the run.
	stressMemory = 150 << 20
)

// engineStats is what dynamokit's moto server reports at /_dynamokit/stats;
// ok is false for an engine that does not report (real DynamoDB, a stock
// moto_server).
type engineStats struct {
	RSS      int64 `json:"rss_bytes"`
	Requests int64 `json:"requests"`
	ok       bool
}

func readEngineStats(ctx context.Context, endpoint string) engineStats {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/_dynamokit/stats", nil)
	if err != nil {
		return engineStats{}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return engineStats{}
	}
	defer resp.Body.Close()
	var s engineStats
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&s) != nil {
		return engineStats{}
	}
	s.ok = true
	return s
}

// TestEngineStress sends 5,000 mixed requests through the client, up to 16
// at once, while other connections misbehave: some requests are cancelled
// mid-flight, some connections are opened and left silent, some send half a
// request and stall, and the client's idle connections expire between
// bursts. Every request that was not cancelled must succeed, none may take
// more than 2 s, and the engine's memory must stay bounded. It measures
// latency and the engine's memory, so it has an engine of its own.
func TestEngineStress(t *testing.T) {
	t.Parallel()
	endpoint := dynamotest.OwnEndpointURL(t)
	// A client whose idle connections expire almost at once, so that bursts
	// separated by pauses meet connections past the client's idle timeout.
	watch := &connWatch{next: awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.IdleConnTimeout = 5 * time.Millisecond
	})}
	c := dynamotest.CreateTables(t, graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		o.HTTPClient = watch
	})), must[StressItem](t))
	items, err := query.NewTable[StressItem](c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for w := range stressWorkers { // the counters the transactions add to
		if err := items.Put(ctx, &StressItem{Part: "w" + strconv.Itoa(w), Sort: 3000}); err != nil {
			t.Fatal(err)
		}
	}
	before := readEngineStats(ctx, endpoint)

	// Connections that misbehave for the whole run: silent ones, and ones
	// that stop halfway through a request's body. A server that read a
	// body while holding its engine would stall every other request here.
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	var bad []net.Conn
	opened := time.Now()
	defer func() {
		for _, conn := range bad {
			conn.Close()
		}
	}()
	for i := range 8 {
		conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
		if err != nil {
			t.Fatalf("open a silent connection: %v", err)
		}
		bad = append(bad, conn)
		if i%2 == 1 {
			fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"+
				"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 4096\r\n\r\n{\"TableName\": ", u.Host)
		}
	}

	var (
		next      atomic.Int64
		cancelled atomic.Int64
		mu        sync.Mutex
		took      []time.Duration
		failures  []error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 10 {
			failures = append(failures, err)
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for w := range stressWorkers {
		wg.Go(func() {
			var own []time.Duration
			defer func() {
				mu.Lock()
				took = append(took, own...)
				mu.Unlock()
			}()
			for {
				i := int(next.Add(1)) - 1
				if i >= stressRequests {
					return
				}
				if i%500 == 499 {
					time.Sleep(20 * time.Millisecond) // let idle connections expire
				}
				rctx, cancel := ctx, context.CancelFunc(func() {})
				cancelling := i%25 == 7
				if cancelling {
					// Cancelled while it is sent or while the engine works.
					rctx, cancel = context.WithTimeout(ctx, time.Duration(i%3)*time.Millisecond+200*time.Microsecond)
				}
				began := time.Now()
				err := stressRequest(rctx, items, c, w, i)
				d := time.Since(began)
				cancel()
				switch {
				case cancelling && err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, dynamokit.ErrUnknownOutcome)):
					cancelled.Add(1)
				case err != nil:
					fail(fmt.Errorf("request %d: %w", i, err))
				default:
					own = append(own, d)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, err := range failures {
		t.Error(err)
	}
	for _, err := range watch.take() {
		t.Errorf("connection error: %s", err)
	}
	slices.Sort(took)
	if len(took) == 0 {
		t.Fatal("no request succeeded")
	}
	pct := func(p float64) time.Duration { return took[int(p*float64(len(took)-1))] }
	slowest := took[len(took)-1]
	over := len(took) - sortSearch(took, stressStall)
	t.Logf("%d requests (%d cancelled mid-flight) by %d workers in %v: p50 %v, p99 %v, slowest %v, %d over %v",
		stressRequests, cancelled.Load(), stressWorkers, elapsed.Round(time.Millisecond),
		pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), slowest.Round(time.Millisecond), over, stressStall)
	if over > 0 {
		t.Errorf("%d requests took more than %v (slowest %v): the engine stalled", over, stressStall, slowest)
	}

	after := readEngineStats(context.Background(), endpoint)
	if !before.ok || !after.ok {
		t.Logf("the engine at %s reports no memory (not dynamokit's moto server): memory not checked", endpoint)
		return
	}
	grew := after.RSS - before.RSS
	t.Logf("engine memory: %.1f MB before, %.1f MB after (%+.1f MB); %d requests served in all",
		float64(before.RSS)/(1<<20), float64(after.RSS)/(1<<20), float64(grew)/(1<<20), after.Requests)
	if grew > stressMemory {
		t.Errorf("the engine grew by %.1f MB over %d requests, want at most %d MB", float64(grew)/(1<<20), stressRequests, stressMemory>>20)
	}
	// dynamokit's server closes the misbehaving connections once they have
	// been silent for its idle timeout, answering a half-sent request with
	// 400 without handing it to moto.
	for i, conn := range bad {
		deadline := opened.Add(engineIdleTimeout + 5*time.Second)
		if soon := time.Now().Add(time.Second); deadline.Before(soon) {
			deadline = soon // a deadline in the past fails the read at once
		}
		_ = conn.SetReadDeadline(deadline)
		got, err := io.ReadAll(conn)
		if err != nil {
			t.Errorf("connection %d, left silent past the server's idle timeout (%v), was not closed: %v", i, engineIdleTimeout, err)
		} else if i%2 == 1 && !strings.HasPrefix(string(got), "HTTP/1.1 400") {
			t.Errorf("a half-sent request was answered %q, want 400", firstLine(string(got)))
		}
	}
}

// engineIdleTimeout is how long dynamokit's moto server keeps a silent
// connection open (SOCKET_TIMEOUT in motoserver/serve.py).
const engineIdleTimeout = 5 * time.Second

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// connWatch is the SDK's HTTP client with every connection-level failure
// recorded: an error from sending, a failed read of a response body, or a
// 5xx answer, for requests whose context was not cancelled. The SDK would
// retry most of them without telling the caller.
type connWatch struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	mu   sync.Mutex
	errs []string
}

func (w *connWatch) record(r *http.Request, began time.Time, what string) {
	if r.Context().Err() != nil {
		return // cancelled on purpose
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errs = append(w.errs, fmt.Sprintf("%s after %v: %s", operation(r), time.Since(began).Round(time.Millisecond), what))
}

func (w *connWatch) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	errs := w.errs
	w.errs = nil
	return errs
}

func (w *connWatch) Do(r *http.Request) (*http.Response, error) {
	began := time.Now()
	resp, err := w.next.Do(r)
	if err != nil {
		w.record(r, began, err.Error())
		return resp, err
	}
	if resp.StatusCode >= 500 {
		w.record(r, began, resp.Status)
	}
	resp.Body = &watchedBody{ReadCloser: resp.Body, fail: func(err error) { w.record(r, began, "read body: "+err.Error()) }}
	return resp, nil
}

// watchedBody reports a failed read of a response body.
type watchedBody struct {
	io.ReadCloser
	fail func(error)
}

// Read reports a failed read, except one that fails with net.ErrClosed:
// that read met the client's own end of the connection already closed by
// its transport, which the engine cannot cause (the request's own error,
// if it failed, is checked by the caller).
func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && !errors.Is(err, net.ErrClosed) {
		b.fail(err)
	}
	return n, err
}

// sortSearch returns the index of the first duration in sorted ds that is
// above limit.
func sortSearch(ds []time.Duration, limit time.Duration) int {
	i, _ := slices.BinarySearch(ds, limit+1)
	return i
}

// stressRequest sends request i of worker w: mostly single-item reads and
// writes, with queries, conditional creates and small transactions.
func stressRequest(ctx context.Context, items *query.Table[StressItem], c *dynamokit.Client, w, i int) error {
	part := "w" + strconv.Itoa(w)
	key := StressItem{Part: part, Sort: i % 50}
	switch i % 10 {
	case 0, 1, 2:
		_, err := items.Get(ctx, key)
		if errors.Is(err, dynamokit.ErrNotFound) {
			err = nil
		}
		return err
	case 3, 4:
		return items.Put(ctx, &StressItem{Part: part, Sort: i % 50, N: i})
	case 5, 6:
		err := items.Update(key).Add("n", 1).Run(ctx)
		if errors.Is(err, dynamokit.ErrNotFound) {
			err = nil // an update only changes an item that exists
		}
		return err
	case 7:
		_, err := items.Query(StressItem{Part: part}).Limit(10).Collect(ctx)
		return err
	case 8:
		err := items.Create(ctx, &StressItem{Part: part, Sort: 1000 + i})
		return err
	default:
		return c.WriteTx(ctx, nil,
			items.TxPut(&StressItem{Part: part, Sort: 2000 + i%7, N: i}),
			items.TxAdd(StressItem{Part: part, Sort: 3000}, "n", 1))
	}
}
