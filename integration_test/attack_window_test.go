package integration_test

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
)

// lostAround is an SDK HTTP client that, at the first request match
// accepts, runs before ahead of forwarding it and after once the engine
// applied it, and then loses its answer (an InternalServerError). Other
// requests pass.
type lostAround struct {
	next dynamodb.HTTPClient

	mu            sync.Mutex
	match         func(op string, body []byte) bool
	before, after func()
}

// requestBody reads the body of r, and gives r a new one with the same
// bytes, for a test's HTTP client that looks at a request before it sends
// it on.
func requestBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// Do implements dynamodb.HTTPClient.
func (h *lostAround) Do(r *http.Request) (*http.Response, error) {
	body, err := requestBody(r)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	hit := h.match != nil && h.match(operation(r), body)
	before, after := h.before, h.after
	if hit {
		h.match = nil
	}
	h.mu.Unlock()
	if !hit {
		return h.next.Do(r)
	}
	if before != nil {
		before()
	}
	resp, err := h.next.Do(r)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if after != nil {
		after()
	}
	return dynamoError(r, http.StatusInternalServerError, "InternalServerError"), nil
}

// windowFix links s-1, s-2 and s-3 to c-1 and s-1 also to c-2 (Cascade on
// both ends), and returns the relation over a client whose requests go
// through h, and over a clean client.
func windowFix[S, C, E any](t *testing.T, l edgeLayout[S, C, E], h *lostAround) (f, clean edgeFix[S, C, E], m, cm *relations.ManyToMany[S, C, E]) {
	t.Helper()
	f = edgeSetup(t, l, graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		h.next = o.HTTPClient
		o.HTTPClient = h
	})))
	spec := relations.EdgeSpec{OnDeleteFrom: relations.Cascade, OnDeleteTo: relations.Cascade}
	m = f.declare(t, spec)
	clean = f.over(t, graphClient(t))
	cm = clean.declare(t, spec)
	f.create(t, []string{"s-1", "s-2", "s-3"}, []string{"c-1", "c-2"})
	for _, p := range [][2]string{{"s-1", "c-1"}, {"s-2", "c-1"}, {"s-3", "c-1"}, {"s-1", "c-2"}} {
		if err := m.Link(t.Context(), f.student(p[0], ""), f.course(p[1], ""), nil); err != nil {
			t.Fatal(err)
		}
	}
	return f, clean, m, cm
}

// TestAttackEdgeFarTookOverwritten deletes s-1 (Cascade), whose take of 1
// from course c-1's counter is applied and its answer lost; before the
// cascade reads c-1 back, the cascade of s-2 takes 1 from c-1 too, its
// page becoming the newest in c-1's edge_count_took. s-1's page is still
// listed there, so it is not taken a second time: c-1 keeps s-3's edge,
// and counts 1.
func TestAttackEdgeFarTookOverwritten(t *testing.T) {
	t.Parallel()
	eachEdgeLayout(t, testFarTookOverwritten, testFarTookOverwritten)
}

func testFarTookOverwritten[S, C, E any](t *testing.T, l edgeLayout[S, C, E]) {
	h := &lostAround{match: atStep(stepFar)}
	f, clean, m, cm := windowFix(t, l, h)
	ctx := t.Context()
	h.after = func() {
		if err := cm.DeleteFrom(ctx, f.student("s-2", ""), nil); err != nil {
			t.Errorf("DeleteFrom(s-2) = %v", err)
		}
	}
	if err := m.DeleteFrom(ctx, f.student("s-1", ""), nil); err != nil {
		t.Fatalf("DeleteFrom(s-1) = %v", err)
	}
	if bad := atkCheckIn(t, clean, cm, []string{"s-1", "s-2", "s-3"}, []string{"c-1", "c-2"}, true, "s-1", "s-2"); bad != "" {
		t.Errorf("after both deletes: %s", bad)
	}
}
