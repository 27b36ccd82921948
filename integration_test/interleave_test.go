package integration_test

import (
	"net/http"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// interleaver is an HTTP client that, once armed, runs a turn of another
// writer just before the first request of one of ops is sent. Requests
// sent meanwhile wait for the turn to end, so the turn falls between the
// reads of the operation under test and its first write, on every run. The
// turn must use another connection. It records the operations it forwards.
type interleaver struct {
	next dynamodb.HTTPClient
	ops  []string

	mu   sync.Mutex
	turn func()
	ran  bool
	sent []string
}

// arm makes the next request of one of h's operations run turn first.
func (h *interleaver) arm(turn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.turn, h.ran = turn, false
}

// before arms h to run turn before the next request of op, and forgets the
// operations forwarded so far.
func (h *interleaver) before(op string, turn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops, h.turn, h.ran, h.sent = []string{op}, turn, false, nil
}

// done reports whether the armed turn has run.
func (h *interleaver) done() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ran
}

// forwarded returns the operations forwarded since before, in order.
func (h *interleaver) forwarded() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.sent)
}

// Do implements dynamodb.HTTPClient.
func (h *interleaver) Do(r *http.Request) (*http.Response, error) {
	op := operation(r)
	h.mu.Lock()
	if turn := h.turn; turn != nil && slices.Contains(h.ops, op) {
		h.turn = nil
		turn()
		h.ran = true
	}
	h.sent = append(h.sent, op)
	h.mu.Unlock()
	return h.next.Do(r)
}
