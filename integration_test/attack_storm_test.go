package integration_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
)

// stormHTTP is an SDK HTTP client that, while armed, loses the answer to a
// share of the write requests after the engine applied them: an
// InternalServerError in its place, or a connection reset in the middle
// of its body, chosen by a seeded source. It logs every request, with the
// answer the engine gave and what became of it.
type stormHTTP struct {
	next dynamodb.HTTPClient

	mu    sync.Mutex
	rng   *rand.Rand // nil: disarmed
	rate  float64
	start time.Time
	log   []stormReq
}

// stormReq is one request as stormHTTP saw it.
type stormReq struct {
	at     time.Duration
	op     string
	step   edgeStep
	key    string   // the item's key, for a single-item request
	values []string // the request's expression values
	answer string   // the engine's answer: its status, and its error type
	lost   string   // how the answer was lost ("": it was not)
}

func (r stormReq) String() string {
	s := fmt.Sprintf("%8.1fms %-18s %-8s %s %v -> %s", float64(r.at.Microseconds())/1000, r.op, r.step, r.key, r.values, r.answer)
	if r.lost != "" {
		s += " LOST (" + r.lost + ")"
	}
	return s
}

var stormWrites = []string{"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}

// arm starts losing answers, at rate, with a source seeded by seed, and
// starts a new log.
func (h *stormHTTP) arm(seed uint64, rate float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.rng, h.rate, h.start, h.log = rand.New(rand.NewPCG(seed, 2)), rate, time.Now(), nil
}

// disarm stops losing answers and returns the log.
func (h *stormHTTP) disarm() []stormReq {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.rng = nil
	return h.log
}

// Do implements dynamodb.HTTPClient.
func (h *stormHTTP) Do(r *http.Request) (*http.Response, error) {
	body, err := requestBody(r)
	if err != nil {
		return nil, err
	}
	op := operation(r)
	h.mu.Lock()
	armed := h.rng != nil
	req := stormReq{op: op, step: atkStepOf(op, body), at: time.Since(h.start)}
	if armed && slices.Contains(stormWrites, op) && h.rng.Float64() < h.rate {
		req.lost = "500"
		if h.rng.IntN(2) == 0 {
			req.lost = "reset"
		}
	}
	h.mu.Unlock()
	if !armed {
		return h.next.Do(r)
	}
	req.key, req.values = stormDescribe(body)
	resp, err := h.next.Do(r)
	if err != nil {
		req.answer = err.Error()
		h.add(req)
		return resp, err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	req.answer = fmt.Sprint(resp.StatusCode)
	var e struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(answer, &e) == nil && e.Type != "" {
		_, typ, _ := strings.Cut(e.Type, "#")
		req.answer += " " + typ
	}
	h.add(req)
	switch req.lost {
	case "500":
		return dynamoError(r, http.StatusInternalServerError, "InternalServerError"), nil
	case "reset":
		reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(answer[:len(answer)/2]), errReader{reset}))
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	return resp, nil
}

// lossy returns a client whose requests go through h.
func (h *stormHTTP) lossy(t *testing.T) *dynamokit.Client {
	return graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		h.next = o.HTTPClient
		o.HTTPClient = h
	}))
}

func (h *stormHTTP) add(req stormReq) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = append(h.log, req)
}

// stormDescribe returns the key a request names, as "attr=value,...", and
// the scalar values of its expression.
func stormDescribe(body []byte) (key string, values []string) {
	var in struct {
		Key    map[string]map[string]any
		Values map[string]map[string]any `json:"ExpressionAttributeValues"`
	}
	if json.Unmarshal(body, &in) != nil {
		return "", nil
	}
	var parts []string
	for n, v := range in.Key {
		parts = append(parts, n+"="+stormScalar(v))
	}
	sort.Strings(parts)
	for _, v := range in.Values {
		if s := stormScalar(v); s != "" {
			values = append(values, s)
		}
	}
	sort.Strings(values)
	return strings.Join(parts, ","), values
}

func stormScalar(v map[string]any) string {
	for _, t := range []string{"S", "N"} {
		if s, ok := v[t].(string); ok {
			return s
		}
	}
	return ""
}

// TestAttackEdgeCascadeStorm deletes half of 12 students (DeleteFrom) and
// one or two of 4 courses (DeleteTo), all under Cascade and all at once,
// each student enrolled in 2 or 3 courses, so that every course is a far
// end of several cascades at once; the client loses the answer to about
// one write in eight after the engine applied it. Each delete is run
// again until it returns nil, as a caller would. Then, read through a
// clean client, every end left counts exactly its edges, and no edge
// names a deleted end. Several seeds, in both layouts.
func TestAttackEdgeCascadeStorm(t *testing.T) {
	t.Parallel()
	eachEdgeLayout(t, testAttackStorm, testAttackStorm)
}

// stormRounds is how many seeds each layout runs (STORM_ROUNDS, when set,
// says how many instead); stormRate the share of writes whose answer is
// lost.
const (
	stormRounds = 3
	stormRate   = 0.12
)

func testAttackStorm[S, C, E any](t *testing.T, l edgeLayout[S, C, E]) {
	h := &stormHTTP{}
	f := edgeSetup(t, l, h.lossy(t))
	spec := relations.EdgeSpec{OnDeleteFrom: relations.Cascade, OnDeleteTo: relations.Cascade}
	m := f.declare(t, spec)
	clean := f.over(t, graphClient(t))
	cm := clean.declare(t, spec)
	rounds := uint64(stormRounds)
	if n, err := strconv.Atoi(os.Getenv("STORM_ROUNDS")); err == nil {
		rounds = uint64(n)
	}
	for seed := range rounds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { stormRound(t, f, clean, m, cm, h, seed) })
	}
}

// stormRound runs one storm of seed on ends of its own, named "r<seed>-".
func stormRound[S, C, E any](t *testing.T, f, clean edgeFix[S, C, E], m, cm *relations.ManyToMany[S, C, E], h *stormHTTP, seed uint64) {
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(seed, 1))
	var students, courses []string
	for i := range 12 {
		students = append(students, fmt.Sprintf("r%d-s-%02d", seed, i))
	}
	for i := range 4 {
		courses = append(courses, fmt.Sprintf("r%d-c-%d", seed, i))
	}
	f.create(t, students, courses)
	for _, sid := range students {
		for _, ci := range rng.Perm(len(courses))[:2+rng.IntN(2)] {
			if err := m.Link(ctx, f.student(sid, ""), f.course(courses[ci], ""), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	type del struct {
		id  string
		run func() error
	}
	var dels []del
	var gone []string
	for _, i := range rng.Perm(len(students))[:len(students)/2] {
		s := f.student(students[i], "")
		dels = append(dels, del{students[i], func() error { return m.DeleteFrom(ctx, s, nil) }})
		gone = append(gone, students[i])
	}
	for _, i := range rng.Perm(len(courses))[:1+rng.IntN(2)] {
		c := f.course(courses[i], "")
		dels = append(dels, del{courses[i], func() error { return m.DeleteTo(ctx, c, nil) }})
		gone = append(gone, courses[i])
	}

	h.arm(seed, stormRate)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fails []string
	)
	for _, d := range dels {
		wg.Go(func() {
			for try := 1; ; try++ {
				err := d.run()
				if err == nil {
					return
				}
				mu.Lock()
				fails = append(fails, fmt.Sprintf("%s run %d: %v", d.id, try, err))
				mu.Unlock()
				if try == 20 {
					return
				}
			}
		})
	}
	wg.Wait()
	log := h.disarm()
	lost := stormLost(log)
	t.Logf("deleted %v; %d requests, %d answers lost; %d runs failed and were run again; edge deletes refused and lost: %v", gone, len(log), lost, len(fails), stormRefusedLost(log))
	for _, line := range fails {
		t.Log(line)
	}
	bad := atkCheckIn(t, clean, cm, students, courses, true, gone...)
	if bad == "" {
		return
	}
	t.Errorf("after the storm (deleted %v): %s", gone, bad)
	for _, r := range log {
		t.Log(r)
	}
}

// stormLost is how many answers of a storm's log were lost.
func stormLost(log []stormReq) int {
	n := 0
	for _, r := range log {
		if r.lost != "" {
			n++
		}
	}
	return n
}

// stormRefusedLost lists the edge deletes of a storm's log that the
// engine refused (the edge was gone: the other end's cascade deleted it)
// and whose answer was lost: the cascade reads the edge back, finds it
// gone and counts it as its own, leaving the two ends it is deleting a
// counter too low, which their recount repairs.
func stormRefusedLost(log []stormReq) []string {
	var keys []string
	for _, r := range log {
		if r.step == stepDelete && r.lost != "" && strings.Contains(r.answer, "ConditionalCheckFailed") {
			keys = append(keys, r.key)
		}
	}
	return keys
}
