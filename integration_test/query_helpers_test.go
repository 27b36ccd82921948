package integration_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
)

// Account is a model with every role: version, timestamps and TTL.
type Account struct {
	ID      string    `dynamo:"id,hash"`
	Owner   string    `dynamo:"owner"`
	Balance int       `dynamo:"balance"`
	Tags    []string  `dynamo:"tags,set,omitempty"`
	History []string  `dynamo:"history,omitempty"`
	Note    string    `dynamo:"note,omitempty"`
	Expires time.Time `dynamo:"expires,omitempty" dynamokit:"ttl"`
	Version int       `dynamo:"version" dynamokit:"version"`
	Created time.Time `dynamo:"created" dynamokit:"created"`
	Updated time.Time `dynamo:"updated" dynamokit:"updated"`
}

func (Account) TableName() string { return "account" }

// Event is an item of a stream: a partition with a sort key and an index.
type Event struct {
	Stream string `dynamo:"stream,hash"`
	Seq    int    `dynamo:"seq,range"`
	Kind   string `dynamo:"kind,omitempty" index:"kind-index,hash"`
	Body   string `dynamo:"body,omitempty"`
}

func (Event) TableName() string { return "event" }

// clock is a settable time source for a Table.
type clock struct{ unix atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.set(t)
	return c
}

func (c *clock) set(t time.Time)         { c.unix.Store(t.Unix()) }
func (c *clock) now() time.Time          { return time.Unix(c.unix.Load(), 0).UTC() }
func (c *clock) advance(d time.Duration) { c.set(c.now().Add(d)) }

// tableOf returns the Table of T over db with e's table names and the given
// clock (nil: the real one).
func tableOf[T any](t *testing.T, e env, db *dynamokit.Client, c *clock) *query.Table[T] {
	t.Helper()
	if db == nil {
		db = e.db
	}
	db = db.With(dynamokit.WithNamer(e.names))
	if c != nil {
		db = db.With(dynamokit.WithClock(c.now))
	}
	r, err := query.NewTable[T](db)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// operation returns the DynamoDB operation of an SDK request, such as
// "BatchWriteItem".
func operation(req *http.Request) string {
	target := req.Header.Get("X-Amz-Target")
	_, op, _ := strings.Cut(target, ".")
	return op
}

// faultClient is an SDK HTTP client that injects the failures DynamoDB
// may return under load into BatchWriteItem and BatchGetItem: throttling
// errors, and items or keys left unprocessed, by forwarding only part of
// a request and reporting the rest as unprocessed. Other requests pass.
//
// The faults are pseudo-random but deterministic, and bounded: whether an
// entry (an item or key) is held back depends only on the entry and how
// many times it was sent before, and whether a request is throttled on its
// first entry in the same way; so concurrent requests meet the same faults
// however they interleave. An entry is faulted (held back, or in a
// throttled request) at most MaxFaults times: with more retries than that,
// every entry that is not Stuck gets through, for certain.
type faultClient struct {
	next *http.Client
	// Throttle and Partial are the chances that a batch request is
	// throttled, or that an entry of it is held back.
	Throttle, Partial float64
	// MaxFaults is how many times at most one entry meets a fault; 2 as
	// made by newFaultClient.
	MaxFaults int
	// Stuck, when set, holds back every item or key it matches, always.
	Stuck func(item map[string]json.RawMessage) bool

	mu         sync.Mutex
	sent       map[string]int // times each entry was sent, by its canonical JSON
	faults     map[string]int // times each entry met a fault
	throttled  int
	heldBack   int
	forwarded  int
	batchCalls int
}

func newFaultClient(throttle, partial float64) *faultClient {
	return &faultClient{
		next: &http.Client{}, Throttle: throttle, Partial: partial, MaxFaults: 2,
		sent: map[string]int{}, faults: map[string]int{},
	}
}

// chance returns a number in [0, 1) that depends only on its arguments.
func chance(kind, entry string, attempt int) float64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%d", kind, entry, attempt)
	return float64(h.Sum64()>>11) / (1 << 53)
}

// canonical returns e's JSON with sorted object keys, to identify an entry
// whatever order the SDK wrote it in.
func canonical(e json.RawMessage) string {
	var v any
	if err := json.Unmarshal(e, &v); err != nil {
		return string(e)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// faultDB returns a DB that sends requests through f, with the SDK's own
// retries off, so the retries exercised are dynamokit's.
func faultDB(t *testing.T, f *faultClient) *dynamokit.Client {
	t.Helper()
	return graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		o.HTTPClient = f
		o.RetryMaxAttempts = 1
	}))
}

// faultStats counts what a faultClient did.
type faultStats struct {
	Requests, Throttled, HeldBack, Forwarded int
}

func (s faultStats) String() string {
	return fmt.Sprintf("%d batch requests: %d throttled, %d items or keys held back, %d forwarded", s.Requests, s.Throttled, s.HeldBack, s.Forwarded)
}

// stats returns the counts since the last call.
func (f *faultClient) stats() faultStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := faultStats{f.batchCalls, f.throttled, f.heldBack, f.forwarded}
	f.batchCalls, f.throttled, f.heldBack, f.forwarded = 0, 0, 0, 0
	return s
}

func (f *faultClient) Do(req *http.Request) (*http.Response, error) {
	op := operation(req)
	if op != "BatchWriteItem" && op != "BatchGetItem" {
		return f.next.Do(req)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body.Close()
	entries, err := requestEntries(body)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.batchCalls++
	throttle := len(entries) > 0 && chance("throttle", entries[0], f.sent[entries[0]]) < f.Throttle
	for _, e := range entries {
		throttle = throttle && f.faults[e] < f.MaxFaults
	}
	if throttle {
		f.throttled++
		for _, e := range entries {
			f.sent[e]++
			f.faults[e]++
		}
	}
	f.mu.Unlock()
	if throttle {
		return jsonResponse(req, http.StatusBadRequest, map[string]any{
			"__type":  "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
			"message": "The level of configured provisioned throughput for the table was exceeded (injected)",
		})
	}
	if op == "BatchWriteItem" {
		return f.batchWrite(req, body)
	}
	return f.batchGet(req, body)
}

// requestEntries returns the canonical JSON of the entries of a batch
// request, in order: write requests, or keys.
func requestEntries(body []byte) ([]string, error) {
	var in struct {
		RequestItems map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	var out []string
	for _, table := range slices.Sorted(maps.Keys(in.RequestItems)) {
		var entries []json.RawMessage
		if err := json.Unmarshal(in.RequestItems[table], &entries); err != nil {
			var ka struct{ Keys []json.RawMessage }
			if err := json.Unmarshal(in.RequestItems[table], &ka); err != nil {
				return nil, err
			}
			entries = ka.Keys
		}
		for _, e := range entries {
			out = append(out, canonical(e))
		}
	}
	return out, nil
}

// split divides a request's entries into those forwarded and those held
// back.
func (f *faultClient) split(entries []json.RawMessage, item func(json.RawMessage) map[string]json.RawMessage) (fwd, held []json.RawMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range entries {
		id := canonical(e)
		stuck := f.Stuck != nil && f.Stuck(item(e))
		partial := f.faults[id] < f.MaxFaults && chance("hold", id, f.sent[id]) < f.Partial
		f.sent[id]++
		switch {
		case stuck:
			held = append(held, e)
		case partial:
			f.faults[id]++
			held = append(held, e)
		default:
			fwd = append(fwd, e)
		}
	}
	f.heldBack += len(held)
	f.forwarded += len(fwd)
	return fwd, held
}

func (f *faultClient) batchWrite(req *http.Request, body []byte) (*http.Response, error) {
	var in struct {
		RequestItems map[string][]json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	fwdItems := map[string][]json.RawMessage{}
	heldItems := map[string][]json.RawMessage{}
	for table, reqs := range in.RequestItems {
		fwd, held := f.split(reqs, func(e json.RawMessage) map[string]json.RawMessage {
			var w struct {
				PutRequest    *struct{ Item map[string]json.RawMessage }
				DeleteRequest *struct{ Key map[string]json.RawMessage }
			}
			_ = json.Unmarshal(e, &w)
			if w.PutRequest != nil {
				return w.PutRequest.Item
			}
			return w.DeleteRequest.Key
		})
		if len(fwd) > 0 {
			fwdItems[table] = fwd
		}
		if len(held) > 0 {
			heldItems[table] = held
		}
	}
	out, unprocessed, resp, err := f.forward(req, body, fwdItems, len(fwdItems), "UnprocessedItems")
	if resp != nil || err != nil {
		return resp, err
	}
	for table, held := range heldItems {
		list, _ := unprocessed[table].([]any)
		for _, h := range held {
			list = append(list, h)
		}
		unprocessed[table] = list
	}
	return jsonResponse(req, http.StatusOK, out)
}

func (f *faultClient) batchGet(req *http.Request, body []byte) (*http.Response, error) {
	var in struct {
		RequestItems map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	fwdItems := map[string]map[string]json.RawMessage{}
	heldItems := map[string]map[string]json.RawMessage{}
	for table, ka := range in.RequestItems {
		var keys []json.RawMessage
		if err := json.Unmarshal(ka["Keys"], &keys); err != nil {
			return nil, err
		}
		fwd, held := f.split(keys, func(e json.RawMessage) map[string]json.RawMessage {
			var k map[string]json.RawMessage
			_ = json.Unmarshal(e, &k)
			return k
		})
		with := func(keys []json.RawMessage) map[string]json.RawMessage {
			out := map[string]json.RawMessage{}
			for k, v := range ka {
				out[k] = v
			}
			out["Keys"], _ = json.Marshal(keys)
			return out
		}
		if len(fwd) > 0 {
			fwdItems[table] = with(fwd)
		}
		if len(held) > 0 {
			heldItems[table] = with(held)
		}
	}
	out, unprocessed, resp, err := f.forward(req, body, fwdItems, len(fwdItems), "UnprocessedKeys")
	if resp != nil || err != nil {
		return resp, err
	}
	for table, held := range heldItems {
		if _, ok := unprocessed[table]; ok {
			return nil, fmt.Errorf("fault client: the engine left keys of %s unprocessed too; merging is not implemented", table)
		}
		unprocessed[table] = held
	}
	return jsonResponse(req, http.StatusOK, out)
}

// forward sends req with its RequestItems replaced by the n tables of
// items, and returns the engine's answer as JSON with its field of
// unprocessed entries (both empty when n is 0). A response other than 200
// is returned as pass, to hand back as it is.
func (f *faultClient) forward(req *http.Request, body []byte, items any, n int, field string) (out, unprocessed map[string]any, pass *http.Response, err error) {
	out = map[string]any{}
	if n > 0 {
		var in map[string]json.RawMessage
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, nil, nil, err
		}
		if in["RequestItems"], err = json.Marshal(items); err != nil {
			return nil, nil, nil, err
		}
		nb, err := json.Marshal(in)
		if err != nil {
			return nil, nil, nil, err
		}
		fwd := req.Clone(req.Context())
		fwd.Body = io.NopCloser(bytes.NewReader(nb))
		fwd.ContentLength = int64(len(nb))
		fwd.Header.Set("Content-Length", strconv.Itoa(len(nb)))
		// Let the transport decompress, so the body can be rewritten.
		fwd.Header.Del("Accept-Encoding")
		resp, err := f.next.Do(fwd)
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, nil, resp, err
		}
		if err := readJSON(resp, &out); err != nil {
			return nil, nil, nil, err
		}
	}
	unprocessed, _ = out[field].(map[string]any)
	if unprocessed == nil {
		unprocessed = map[string]any{}
	}
	out[field] = unprocessed
	return out, unprocessed, nil, nil
}

func readJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func jsonResponse(req *http.Request, status int, v any) (*http.Response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amzn-Requestid", "injected")
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(b)),
		ContentLength: int64(len(b)),
		Request:       req,
	}, nil
}
