package schemacmd

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/dynamokit/dynamokit/schema"
)

// progress shows the steps of schema.Apply as they run: a line per table
// and step when it starts and when it ends, with its elapsed time. On a
// terminal the steps under way share one live line, redrawn with their
// elapsed time until they end; elsewhere (a file, a pipe, CI logs) the
// output is plain lines.
type progress struct {
	w   io.Writer
	tty bool
	now func() time.Time

	mu      sync.Mutex
	running []*step // in the order they started
	shown   bool    // the live line is on screen
	frame   int

	stop chan struct{}
	done chan struct{}
}

type step struct {
	table, name string
	start       time.Time
}

// tick is how often the live line is redrawn.
const tick = 100 * time.Millisecond

var spinner = []string{"|", "/", "-", "\\"}

func newProgress(w io.Writer, tty bool, now func() time.Time) *progress {
	p := &progress{w: w, tty: tty, now: now}
	if tty {
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.loop()
	}
	return p
}

func (p *progress) loop() {
	defer close(p.done)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.frame++
			p.draw()
			p.mu.Unlock()
		}
	}
}

// event is the schema.Options.Progress callback. It does not block beyond
// writing a line.
func (p *progress) event(e schema.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if !e.Done {
		p.running = append(p.running, &step{table: e.Table, name: e.Step, start: now})
		if p.tty {
			p.draw()
		} else {
			fmt.Fprintf(p.w, "  %s: %s ...\n", e.Table, e.Step)
		}
		return
	}
	s := p.take(e.Table, e.Step)
	took := time.Duration(0)
	if s != nil {
		took = now.Sub(s.start)
	}
	p.clear()
	if p.tty {
		fmt.Fprintf(p.w, "  \x1b[32mdone\x1b[0m %s: %s (%s)\n", e.Table, e.Step, elapsed(took))
		p.draw()
	} else {
		fmt.Fprintf(p.w, "  %s: %s done in %s\n", e.Table, e.Step, elapsed(took))
	}
}

// take removes the running step of table and name and returns it, or nil.
func (p *progress) take(table, name string) *step {
	for i, s := range p.running {
		if s.table == table && s.name == name {
			p.running = append(p.running[:i], p.running[i+1:]...)
			return s
		}
	}
	return nil
}

// draw writes the live line: the oldest step under way, its elapsed time,
// and how many more are under way. Called with p.mu held.
func (p *progress) draw() {
	if !p.tty {
		return
	}
	if len(p.running) == 0 {
		p.clear()
		return
	}
	s := p.running[0]
	line := fmt.Sprintf("  %s %s: %s %s", spinner[p.frame%len(spinner)], s.table, s.name, elapsed(p.now().Sub(s.start)))
	if n := len(p.running) - 1; n > 0 {
		line += fmt.Sprintf(" (and %d more)", n)
	}
	fmt.Fprint(p.w, "\r\x1b[K"+line)
	p.shown = true
}

// clear erases the live line. Called with p.mu held.
func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// close stops the live line and reports the steps that never ended: the
// one that failed, when Apply returns an error.
func (p *progress) close() {
	if p.tty {
		close(p.stop)
		<-p.done
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	now := p.now()
	for _, s := range p.running {
		fmt.Fprintf(p.w, "  %s: %s stopped after %s\n", s.table, s.name, elapsed(now.Sub(s.start)))
	}
	p.running = nil
}

// elapsed formats a duration for people: "0.4s", "12.3s", "2m05s".
func elapsed(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
