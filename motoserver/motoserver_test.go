package motoserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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

// TestServerEndsWithProcess kills a process that started a server, without
// giving it a chance to call Close, and checks that the server goes too.
func TestServerEndsWithProcess(t *testing.T) {
	if os.Getenv("MOTOSERVER_CHILD") == "1" {
		srv, err := Start(context.Background(), nil)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("endpoint:", srv.Endpoint)
		time.Sleep(time.Minute) // killed long before
		return
	}
	if testing.Short() {
		t.Skip("starts a moto server")
	}
	startOrSkip(t).Close() // installs moto, or skips without Python
	cmd := exec.Command(os.Args[0], "-test.run=^TestServerEndsWithProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MOTOSERVER_CHILD=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	endpoint, ok := strings.CutPrefix(strings.TrimSpace(line), "endpoint: ")
	if err != nil || !ok {
		_ = cmd.Process.Kill()
		t.Fatalf("child said %q (%v), want its endpoint", line, err)
	}
	if err := WaitReady(t.Context(), endpoint); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(3 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		err := WaitReady(ctx, endpoint)
		cancel()
		if err != nil {
			return // gone
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server at %s still answers 3 s after its process was killed", endpoint)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPythonWithoutVenv checks that an interpreter without ensurepip, as
// Debian's python3 is without python3-venv, counts as no Python: the test
// suites then skip, saying what to install, instead of failing to install.
func TestPythonWithoutVenv(t *testing.T) {
	real, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 here")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "ensurepip"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ensurepip", "__init__.py"), []byte("raise ImportError('ensurepip is disabled')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(dir, "python3")
	script := "#!/bin/sh\nPYTHONPATH=" + dir + " exec " + real + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Install(t.Context(), &Options{Python: wrapper, CacheDir: t.TempDir()})
	if !errors.Is(err, ErrNoPython) {
		t.Fatalf("Install with a python3 lacking ensurepip = %v, want ErrNoPython", err)
	}
	if !strings.Contains(err.Error(), "python3-venv") {
		t.Errorf("error %q does not say to install python3-venv", err)
	}
}

func TestInstallPackageWantsPinnedRequirement(t *testing.T) {
	for _, req := range []string{"pynamodb", "pynamodb>=6", "pynamodb==6.1.0 moto", "../x==1"} {
		// Refused before Install, so nothing is installed into this cache.
		if _, err := InstallPackage(t.Context(), &Options{CacheDir: t.TempDir(), Python: "no-such-python"}, req); err == nil || errors.Is(err, ErrNoPython) {
			t.Errorf("InstallPackage(%q) = %v, want an error about the requirement", req, err)
		}
	}
}

func TestRequirementsArePinned(t *testing.T) {
	reqs := Requirements()
	if len(reqs) == 0 || reqs[0] != "moto=="+Version {
		t.Errorf("Requirements() = %q, want moto==%s first", reqs, Version)
	}
	for _, req := range reqs {
		name, version, ok := strings.Cut(req, "==")
		if !ok || name == "" || version == "" || strings.ContainsAny(req, " [;<>") {
			t.Errorf("requirement %q: want name==version, nothing else", req)
		}
	}
}

// Another set of requirements must not reuse an environment installed from
// this one.
func TestEnvNameFollowsRequirements(t *testing.T) {
	name := envName()
	if !strings.HasPrefix(name, "moto-"+Version+"-") || len(name) != len("moto-"+Version+"-")+8 {
		t.Errorf("envName() = %q, want moto-%s-<8 hex digits>", name, Version)
	}
	saved := requirementsFile
	t.Cleanup(func() { requirementsFile = saved })
	requirementsFile = saved + "docker==7.2.0\n"
	if other := envName(); other == name {
		t.Errorf("envName() = %q with another requirement too, want a name other than %q", other, name)
	}
	requirementsFile = "# a comment only\n" + saved
	if same := envName(); same != name {
		t.Errorf("envName() = %q with an added comment, want %q", same, name)
	}
}
