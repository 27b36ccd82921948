package schemacmd

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/schema"
	"github.com/google/go-cmp/cmp"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// lockedBuffer is a bytes.Buffer the progress goroutine and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// run feeds the events of an apply that creates two tables, the second
// failing after its start, to a progress display.
func run(p *progress, clock *fakeClock) {
	p.event(schema.Event{Table: "dev-org", Step: "create table"})
	p.event(schema.Event{Table: "dev-audit", Step: "create table"})
	clock.advance(2500 * time.Millisecond)
	p.event(schema.Event{Table: "dev-org", Step: "create table", Done: true})
	p.event(schema.Event{Table: "dev-org", Step: "add index by-id"})
	clock.advance(61 * time.Second)
	p.event(schema.Event{Table: "dev-org", Step: "add index by-id", Done: true})
	clock.advance(time.Second)
	p.close()
}

func TestProgressPlain(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)}
	var out bytes.Buffer
	run(newProgress(&out, false, clock.Now), clock)
	want := `  dev-org: create table ...
  dev-audit: create table ...
  dev-org: create table done in 2.5s
  dev-org: add index by-id ...
  dev-org: add index by-id done in 1m01s
  dev-audit: create table stopped after 1m05s
`
	if diff := cmp.Diff(out.String(), want); diff != "" {
		t.Errorf("plain progress (-got +want):\n%s", diff)
	}
}

func TestProgressTerminal(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)}
	var out lockedBuffer
	run(newProgress(&out, true, clock.Now), clock)
	got := out.String()
	// The live line is redrawn in place, then erased before each line
	// that stays.
	for _, part := range []string{
		"\r\x1b[K  | dev-org: create table 0.0s (and 1 more)",
		"\r\x1b[K  \x1b[32mdone\x1b[0m dev-org: create table (2.5s)\n",
		"dev-audit: create table 2.5s (and 1 more)",
		"  \x1b[32mdone\x1b[0m dev-org: add index by-id (1m01s)\n",
		"\r\x1b[K  dev-audit: create table stopped after 1m05s\n",
	} {
		if !strings.Contains(got, part) {
			t.Errorf("terminal progress %q\nlacks %q", got, part)
		}
	}
	if !strings.HasSuffix(got, "\n") {
		t.Errorf("terminal progress ends with a live line: %q", got)
	}
}

func TestElapsed(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                      "0.0s",
		430 * time.Millisecond: "0.4s",
		59*time.Second + 9e8:   "59.9s",
		time.Minute:            "1m00s",
		125*time.Second + 6e8:  "2m06s",
		61*time.Minute + 5e9:   "61m05s",
	} {
		if got := elapsed(d); got != want {
			t.Errorf("elapsed(%v) = %q, want %q", d, got, want)
		}
	}
}
