package motoserver

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// startOrSkip starts a server, skipping the test when Python 3 is missing
// outside CI.
func startOrSkip(t *testing.T) *Server {
	t.Helper()
	srv, err := Start(t.Context(), &Options{Log: testWriter{t}})
	if errors.Is(err, ErrNoPython) {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); !ci {
			t.Skip(err)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Logf("%s", p); return len(p), nil }

func TestStartAnswersAndCloseStops(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a moto server")
	}
	srv := startOrSkip(t)
	if err := WaitReady(t.Context(), srv.Endpoint); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.done:
	default:
		t.Fatal("process still running after Close")
	}
	if err := srv.Close(); err != nil { // twice is fine
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if err := WaitReady(ctx, srv.Endpoint); err == nil {
		t.Fatal("server still answers after Close")
	}
}

func TestTwoServersAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto servers")
	}
	a := startOrSkip(t)
	defer a.Close()
	b := startOrSkip(t)
	defer b.Close()
	if a.Endpoint == b.Endpoint {
		t.Fatalf("both servers at %s", a.Endpoint)
	}
}

func TestNoPython(t *testing.T) {
	_, err := Install(t.Context(), &Options{Python: "no-such-python-dynamokit", CacheDir: t.TempDir()})
	if !errors.Is(err, ErrNoPython) {
		t.Fatalf("Install with a missing interpreter = %v, want ErrNoPython", err)
	}
}

func TestLockDirSerialises(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x.lock")
	var inside, most atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			unlock, err := lockDir(t.Context(), dir)
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			if n > most.Load() {
				most.Store(n)
			}
			time.Sleep(5 * time.Millisecond)
			inside.Add(-1)
			unlock()
		})
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Fatalf("%d holders at once, want 1", most.Load())
	}
}

func TestLockDirTakesOverStaleLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x.lock")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * lockStale)
	if err := os.Chtimes(dir, old, old); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockDir(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

func TestLockDirHonoursContext(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x.lock")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := lockDir(ctx, dir); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lockDir on a held lock = %v, want DeadlineExceeded", err)
	}
}
