package motoserver

import (
	"bufio"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Version is the moto release that [Install] puts into the cache (see
// [Requirements]) and that the container image used by dynamotest is tagged
// with.
const Version = "5.2.5"

// Script is the Python program that serves moto's DynamoDB one request at a
// time (see the package documentation). It takes the flags --host, --port
// (0 picks a free port) and --exit-on-stdin-eof, and prints
// "dynamokit-moto listening on PORT" once it accepts connections. dynamotest
// runs it inside the moto container with python3 -c.
//
//go:embed serve.py
var Script string

// EnvPython names the environment variable that selects the Python 3
// interpreter used to create the cache's virtual environment.
const EnvPython = "DYNAMOKIT_PYTHON"

// ErrNoPython is returned by [Install] and [Start] when no Python 3
// interpreter with the venv module (and the ensurepip module it needs) can be
// found.
var ErrNoPython = errors.New("motoserver: no Python 3 interpreter found with its venv module " +
	"(install python3, and on Debian or Ubuntu python3-venv, or set " + EnvPython + ")")

// Options configures [Install] and [Start]. The zero value, or nil, means
// the defaults.
type Options struct {
	// Python is the interpreter that creates the virtual environment.
	// Default: $DYNAMOKIT_PYTHON, else python3, else python on the PATH.
	Python string
	// CacheDir is where moto is installed, in CacheDir/moto-<Version>-<a
	// digest of [Requirements]>.
	// Default: $DYNAMOKIT_CACHE, else the user cache directory
	// (os.UserCacheDir) joined with "dynamokit".
	CacheDir string
	// Log receives the installer's progress and the server's own output.
	// Default: discarded.
	Log io.Writer
	// StartTimeout bounds how long [Start] waits for the server to answer
	// after the process started. Default: 60 seconds.
	StartTimeout time.Duration
}

func (o *Options) log() io.Writer {
	if o == nil || o.Log == nil {
		return io.Discard
	}
	return o.Log
}

// cacheDir returns the directory that holds this version's environment.
func (o *Options) cacheDir() (string, error) {
	base := ""
	if o != nil {
		base = o.CacheDir
	}
	if base == "" {
		base = os.Getenv("DYNAMOKIT_CACHE")
	}
	if base == "" {
		user, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("motoserver: no cache directory: %w", err)
		}
		base = filepath.Join(user, "dynamokit")
	}
	return filepath.Join(base, envName()), nil
}

// python finds the interpreter that creates the environment.
func (o *Options) python() (string, error) {
	candidates := []string{os.Getenv(EnvPython), "python3", "python"}
	if o != nil && o.Python != "" {
		candidates = []string{o.Python}
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		path, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		// Debian and Ubuntu ship venv's ensurepip in a package of its own:
		// without it the interpreter cannot make the environment.
		out, err := exec.Command(path, "-c", "import sys, venv, ensurepip; print(sys.version_info[0])").Output()
		if err == nil && strings.TrimSpace(string(out)) == "3" {
			return path, nil
		}
	}
	return "", ErrNoPython
}

// installMu serialises installs within this process; a lock directory
// serialises them across processes.
var installMu sync.Mutex

// lockWait bounds how long an install waits for another process's install,
// and lockStale is the age after which a lock left by a dead installer is
// taken over.
const (
	lockWait  = 10 * time.Minute
	lockStale = 15 * time.Minute
)

// Install makes sure moto [Version] is installed in a virtual environment in
// the cache and returns the path of that environment's Python interpreter.
// It needs Python 3 with the venv module and access to a Python package
// index; an existing installation is reused without any network access.
// Concurrent installs, in this process or others, are serialised.
func Install(ctx context.Context, opts *Options) (string, error) {
	dir, err := opts.cacheDir()
	if err != nil {
		return "", err
	}
	venvPython := filepath.Join(dir, "venv", "bin", "python")
	if runtime.GOOS == "windows" {
		venvPython = filepath.Join(dir, "venv", "Scripts", "python.exe")
	}
	if installed(dir, ".installed") {
		return venvPython, nil
	}
	python, err := opts.python()
	if err != nil {
		return "", err
	}
	reqs := Requirements()
	err = once(ctx, opts, dir, ".installed", strings.Join(reqs, " "), func() error {
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("motoserver: %w", err)
		}
		err := run(ctx, " (on Debian and Ubuntu: apt-get install python3-venv)", python, "-m", "venv", filepath.Join(dir, "venv"))
		if err == nil {
			err = run(ctx, "", venvPython, append([]string{"-m", "pip", "install", "--quiet"}, reqs...)...)
		}
		if err != nil {
			_ = os.RemoveAll(dir)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return venvPython, nil
}

// InstallPackage makes sure the pip requirement req, pinned to a version
// (for example "pynamodb==6.1.0"), is installed in the virtual environment
// of [Install], installing moto first when needed, and returns that
// environment's Python interpreter. Tests use it to run another client of
// the engine. Like Install, it installs once, serialised across processes,
// and reuses an existing installation without any network access.
func InstallPackage(ctx context.Context, opts *Options, req string) (string, error) {
	if !strings.Contains(req, "==") || strings.ContainsAny(req, " /\\") {
		return "", fmt.Errorf("motoserver: install %q: want one pinned requirement, name==version", req)
	}
	venvPython, err := Install(ctx, opts)
	if err != nil {
		return "", err
	}
	dir, err := opts.cacheDir()
	if err != nil {
		return "", err
	}
	err = once(ctx, opts, dir, ".installed-"+req, req, func() error {
		return run(ctx, "", venvPython, "-m", "pip", "install", "--quiet", req)
	})
	if err != nil {
		return "", err
	}
	return venvPython, nil
}

// installed reports whether dir holds the marker file name.
func installed(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}

// once runs install, which puts what into dir, unless dir already holds the
// marker file name; it writes the marker when install succeeds. Installs
// are serialised within this process and, through a lock directory beside
// dir, across processes; a process that waited finds the marker another
// one wrote and installs nothing.
func once(ctx context.Context, opts *Options, dir, name, what string, install func() error) error {
	if installed(dir, name) {
		return nil
	}
	installMu.Lock()
	defer installMu.Unlock()
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("motoserver: %w", err)
	}
	unlock, err := lockDir(ctx, dir+".lock")
	if err != nil {
		return err
	}
	defer unlock()
	if installed(dir, name) {
		return nil // another process finished meanwhile
	}
	fmt.Fprintf(opts.log(), "motoserver: installing %s into %s (once)\n", what, dir)
	if err := install(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(what+"\n"), 0o644); err != nil {
		return fmt.Errorf("motoserver: %w", err)
	}
	return nil
}

// run runs a command of an install, returning an error with hint and the
// end of its output when it fails.
func run(ctx context.Context, hint, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("motoserver: %s %s%s: %w\n%s", name, strings.Join(args, " "), hint, err, lastLines(out.String(), 20))
	}
	return nil
}

// lockDir takes a lock by creating dir, waiting while another process holds
// it, and returns the function that releases it.
func lockDir(ctx context.Context, dir string) (func(), error) {
	deadline := time.Now().Add(lockWait)
	for {
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return func() { _ = os.Remove(dir) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("motoserver: lock %s: %w", dir, err)
		}
		if info, err := os.Stat(dir); err == nil && time.Since(info.ModTime()) > lockStale {
			_ = os.Remove(dir) // left by an installer that died
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("motoserver: waited %v for another install to release %s; remove it if none is running", lockWait, dir)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("motoserver: wait for %s: %w", dir, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Server is a running moto server started by [Start].
type Server struct {
	// Endpoint is the server's URL, such as http://127.0.0.1:41733.
	Endpoint string

	cmd   *exec.Cmd
	stdin io.Closer
	done  chan struct{}
	once  sync.Once
}

// Start installs moto if needed (see [Install]) and starts a server on a free
// loopback port. It returns once the server answers ListTables. The server
// serves one request at a time, so transactions are isolated as on
// DynamoDB. It stops when [Server.Close] is called or when the calling
// process exits, whichever comes first; cancelling ctx only interrupts the
// start.
func Start(ctx context.Context, opts *Options) (*Server, error) {
	python, err := Install(ctx, opts)
	if err != nil {
		return nil, err
	}
	dir, err := opts.cacheDir()
	if err != nil {
		return nil, err
	}
	// Named by its content, so that processes built from different
	// versions of dynamokit never run each other's script.
	sum := sha256.Sum256([]byte(Script))
	script := filepath.Join(dir, "serve-"+hex.EncodeToString(sum[:6])+".py")
	if err := writeIfChanged(script, Script); err != nil {
		return nil, err
	}
	// Not CommandContext: ctx bounds the start, not the server's life.
	cmd := exec.Command(python, script, "--exit-on-stdin-eof")
	cmd.Env = serverEnv(os.Environ())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("motoserver: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("motoserver: %w", err)
	}
	cmd.Stderr = opts.log()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("motoserver: start %s: %w", script, err)
	}
	s := &Server{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()

	timeout := 60 * time.Second
	if opts != nil && opts.StartTimeout > 0 {
		timeout = opts.StartTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	port, err := readPort(ctx, stdout, s.done)
	if err == nil {
		s.Endpoint = "http://127.0.0.1:" + strconv.Itoa(port)
		go func() { _, _ = io.Copy(opts.log(), stdout) }()
		err = WaitReady(ctx, s.Endpoint)
	}
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// serverEnv is the server's environment: the caller's, without the AWS
// profile variables. moto needs no profile, and botocore inside it answers
// every request with an error when one names a profile that does not exist
// (an empty AWS_PROFILE included).
func serverEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if name == "AWS_PROFILE" || name == "AWS_DEFAULT_PROFILE" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// readPort reads the server's "listening on PORT" line.
func readPort(ctx context.Context, stdout io.Reader, exited <-chan struct{}) (int, error) {
	type result struct {
		port int
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			ch <- result{err: fmt.Errorf("motoserver: server exited before listening (see its output): %w", err)}
			return
		}
		fields := strings.Fields(line)
		port, err := strconv.Atoi(fields[len(fields)-1])
		if err != nil || !strings.HasPrefix(line, "dynamokit-moto listening on ") {
			err = fmt.Errorf("motoserver: unexpected first line %q", line)
		}
		ch <- result{port, err}
	}()
	select {
	case r := <-ch:
		return r.port, r.err
	case <-exited:
		return 0, errors.New("motoserver: server exited before listening (set Options.Log to see why)")
	case <-ctx.Done():
		return 0, fmt.Errorf("motoserver: wait for server to listen: %w", ctx.Err())
	}
}

// readyRequest is a ListTables call with a dummy SigV4 authorization, which
// moto accepts without checking it.
const readyAuth = "AWS4-HMAC-SHA256 Credential=dummy/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"

// WaitReady polls endpoint with ListTables until it answers 200 OK or ctx
// ends. It works for any DynamoDB engine that accepts dummy credentials.
func WaitReady(ctx context.Context, endpoint string) error {
	var last error
	for {
		// A fresh transport for every attempt, with its own dial timeout:
		// a connection attempt that the network drops (as a port that a
		// container publishes can while it starts) must not hold up the
		// attempts after it.
		client := &http.Client{
			Timeout: 2 * time.Second,
			Transport: &http.Transport{
				DialContext:       (&net.Dialer{Timeout: time.Second}).DialContext,
				DisableKeepAlives: true,
			},
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader("{}"))
		if err != nil {
			return fmt.Errorf("motoserver: %w", err)
		}
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("Authorization", readyAuth)
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("ListTables answered %s", resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("motoserver: %s does not answer (%v): %w", endpoint, last, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Close stops the server and waits for its process to end. It is safe to
// call more than once.
func (s *Server) Close() error {
	s.once.Do(func() {
		_ = s.stdin.Close() // the server exits on end of input
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	return nil
}

// writeIfChanged writes content to path unless it already holds it, through
// a temporary file so that a concurrent reader never sees half a file.
func writeIfChanged(path, content string) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == content {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".serve-*.py")
	if err != nil {
		return fmt.Errorf("motoserver: %w", err)
	}
	_, err = tmp.WriteString(content)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("motoserver: write %s: %w", path, err)
	}
	return nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
