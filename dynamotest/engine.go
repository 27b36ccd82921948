package dynamotest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/motoserver"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Image is the moto container image that [EndpointURL] starts when Docker is
// reachable. Its moto version is [motoserver.Version]. Where no registry is
// reachable, scripts/build-moto-image in the dynamokit repository builds an
// image with this tag from Debian's packages and PyPI.
const Image = "motoserver/moto:" + motoserver.Version

// EnvImage names the environment variable that replaces [Image], for
// example with a copy in a private registry. The image must have moto and
// python3 on its PATH, as the public one has.
const EnvImage = "DYNAMOKIT_MOTO_IMAGE"

// EnvEngine names the environment variable that forces one engine:
// "endpoint" (DYNAMODB_ENDPOINT, which must then be set), "docker" (the
// [Image] container), or "moto" (a moto server started from the user's
// cache by [motoserver.Start]). Unset or "auto" tries them in that order.
const EnvEngine = "DYNAMOKIT_ENGINE"

// The engine kinds [EnvEngine] accepts.
const (
	engineAuto     = "auto"
	engineEndpoint = "endpoint"
	engineDocker   = "docker"
	engineMoto     = "moto"
)

// howToGetEngine tells the reader of a skipped or failed test what to do.
const howToGetEngine = "install Python 3 with its venv module (on Debian or Ubuntu: apt-get install python3 python3-venv) so dynamotest can start moto itself, " +
	"start a Docker engine, or set " + connect.EnvEndpoint + " to a running DynamoDB engine"

// containerPort is where the moto server listens inside the container.
const containerPort = "5000/tcp"

const (
	// healthTimeout bounds the check that a Docker engine answers.
	healthTimeout = 15 * time.Second
	// startupTimeout bounds an engine's start, which may include pulling
	// the image or installing moto.
	startupTimeout = 5 * time.Minute
	// reachTimeout bounds the wait for a started container's endpoint to
	// answer.
	reachTimeout = 30 * time.Second
)

// EnvEngines names the environment variable that sets how many engines
// [EndpointURL] starts for the tests of one process (moto or containers; a
// DYNAMODB_ENDPOINT is always one). Default: the number of CPUs, at least 1
// and at most 4. moto serves one request at a time, so parallel tests
// (t.Parallel) on several engines finish sooner than on one.
const EnvEngines = "DYNAMOKIT_ENGINES"

// maxEngines bounds the default size of the pool.
const maxEngines = 4

// instance is one running engine of the pool.
type instance struct {
	endpoint string // set once the engine answers
	desc     string // what the engine is, for logs
	stop     func() // stops it; nil for DYNAMODB_ENDPOINT
	tests    int    // tests now using it
}

// engine is the pool of engines shared by all tests of this process.
var engine struct {
	once  sync.Once
	skip  string   // set when no engine could be found: why
	err   error    // set when the first engine failed
	notes []string // one line per engine that was tried and passed over
	kind  string   // the kind chosen: engineEndpoint, engineDocker or engineMoto
	size  int      // how many engines the pool may hold

	mu       sync.Mutex
	all      []*instance          // started engines, the first one always
	starting int                  // engines being started
	byTest   map[string]*instance // a top-level test's engine
}

// EndpointURL returns the URL of a DynamoDB engine for t. It tries, in order:
//
//  1. DYNAMODB_ENDPOINT, when set;
//  2. the moto container [Image], through testcontainers-go, when a Docker
//     engine is reachable;
//  3. a moto server started by [motoserver.Start] when Python 3 is there.
//
// [EnvEngine] forces one of them. When a Docker engine answers but the
// container cannot start (for instance the image cannot be pulled), EndpointURL
// logs one line and goes on to moto, except under CI=true, where that is a
// failure. With no engine at all it skips t, saying what to install, or fails
// it when the environment variable CI is true. Every call logs which engine
// t uses.
//
// A moto engine serves one request at a time, so EndpointURL keeps a pool of
// them (see [EnvEngines]) and gives each top-level test the least busy one;
// the test, its subtests and every later call for them get that same
// engine, so tables a test creates are found by all of its clients. Mark
// tests with t.Parallel to spread them over the pool.
func EndpointURL(t testing.TB) string {
	t.Helper()
	ready(t)
	in, err := assign(t)
	if err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	t.Logf("dynamotest: engine: %s", in.desc)
	return in.endpoint
}

// OwnEndpointURL is [EndpointURL] for a test that needs an engine no other test
// uses, such as one that measures the engine's latency or memory: it starts
// an engine of the pool's kind for t alone, outside the pool, and stops it
// when t ends. Later calls of [EndpointURL] and [Client] for t and its subtests
// return it. With DYNAMODB_ENDPOINT, which is one engine, it returns that
// engine and logs that it is shared.
func OwnEndpointURL(t testing.TB) string {
	t.Helper()
	ready(t)
	if engine.kind == engineEndpoint {
		t.Logf("dynamotest: engine: %s (shared: %s is one engine)", engine.all[0].desc, connect.EnvEndpoint)
		return engine.all[0].endpoint
	}
	in, err := startEngine(engine.kind)
	if err != nil {
		t.Fatalf("dynamotest: start an engine of its own: %v", err)
	}
	key := testKey(t)
	engine.mu.Lock()
	engine.byTest[key] = in
	engine.mu.Unlock()
	t.Cleanup(func() {
		engine.mu.Lock()
		if engine.byTest[key] == in {
			delete(engine.byTest, key)
		}
		engine.mu.Unlock()
		in.stop()
	})
	t.Logf("dynamotest: engine: %s, for this test alone", in.desc)
	return in.endpoint
}

// ready finds the engine on the first call, and ends t when there is none.
func ready(t testing.TB) {
	t.Helper()
	engine.once.Do(findEngine)
	for _, note := range engine.notes {
		t.Log(note)
	}
	switch {
	case engine.err != nil:
		t.Fatalf("dynamotest: %v", engine.err)
	case engine.skip != "":
		msg := "dynamotest: no DynamoDB engine: " + engine.skip + "; " + howToGetEngine
		if inCI() {
			t.Fatal(msg + " (CI is set, so a missing engine is a failure)")
		}
		t.Skip(msg)
	}
}

// testKey is the top-level test of t, which its subtests share an engine
// with.
func testKey(t testing.TB) string {
	name, _, _ := strings.Cut(t.Name(), "/")
	return name
}

// assign returns t's engine, choosing the least busy one for a test that
// has none yet, and starting another while every engine is busy and the pool
// has room.
func assign(t testing.TB) (*instance, error) {
	key := testKey(t)
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if in, ok := engine.byTest[key]; ok {
		return in, nil
	}
	best := engine.all[0]
	for _, in := range engine.all[1:] {
		if in.tests < best.tests {
			best = in
		}
	}
	if best.tests > 0 && len(engine.all)+engine.starting < engine.size {
		engine.starting++
		engine.mu.Unlock()
		in, err := startEngine(engine.kind)
		engine.mu.Lock()
		engine.starting--
		if err != nil {
			// The pool keeps the engines it has; this test shares one.
			fmt.Fprintf(os.Stderr, "dynamotest: could not start another engine, sharing %s: %v\n", best.desc, oneLine(err))
		} else {
			engine.all = append(engine.all, in)
			best = in
		}
		if again, ok := engine.byTest[key]; ok { // assigned meanwhile
			return again, nil
		}
	}
	best.tests++
	// The test keeps its engine for as long as the process runs: a subtest
	// may be the first to ask, and its parent and siblings must find the
	// same engine after it ends. Only the count of busy tests drops.
	engine.byTest[key] = best
	t.Cleanup(func() {
		engine.mu.Lock()
		defer engine.mu.Unlock()
		best.tests--
	})
	return best, nil
}

// Main runs the tests of m and then stops the engines that [EndpointURL]
// started, if any, returning m's exit code:
//
//	func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }
//
// Without it a moto server still ends with the test process, and a
// container is removed by testcontainers' reaper (Ryuk); with the reaper
// disabled (TESTCONTAINERS_RYUK_DISABLED=true), Main is what removes it.
func Main(m *testing.M) int {
	code := m.Run()
	engine.mu.Lock()
	all := engine.all
	engine.all = nil
	engine.mu.Unlock()
	for _, in := range all {
		if in.stop != nil {
			in.stop()
		}
	}
	return code
}

// poolSize is the number of engines the pool may hold for kind.
func poolSize(kind string) (int, error) {
	if kind == engineEndpoint {
		return 1, nil
	}
	if v := strings.TrimSpace(os.Getenv(EnvEngines)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 32 {
			return 0, fmt.Errorf("%s=%q: want a number from 1 to 32", EnvEngines, v)
		}
		return n, nil
	}
	return min(max(runtime.NumCPU(), 1), maxEngines), nil
}

// startEngine starts one more engine of kind.
func startEngine(kind string) (*instance, error) {
	if kind == engineDocker {
		return startContainer()
	}
	return startMoto()
}

// findEngine picks the kind of engine, following [EndpointURL]'s order, and
// starts the pool's first engine.
func findEngine() {
	engine.byTest = make(map[string]*instance)
	kind, err := chooseKind()
	if err != nil || kind == "" {
		engine.err = err
		return
	}
	if engine.size, engine.err = poolSize(kind); engine.err != nil {
		return
	}
	engine.kind = kind
}

// chooseKind decides which kind of engine the pool holds and starts its
// first engine; it returns "" with engine.skip set when there is none.
func chooseKind() (string, error) {
	choice := strings.ToLower(strings.TrimSpace(os.Getenv(EnvEngine)))
	if choice == "" {
		choice = engineAuto
	}
	endpoint := strings.TrimSpace(os.Getenv(connect.EnvEndpoint))
	first := func(kind string, in *instance, err error) (string, error) {
		if err != nil {
			return "", err
		}
		engine.all = []*instance{in}
		return kind, nil
	}
	switch choice {
	case engineAuto:
	case engineEndpoint:
		if endpoint == "" {
			return "", fmt.Errorf("%s=%s but %s is not set", EnvEngine, choice, connect.EnvEndpoint)
		}
	case engineDocker:
		if reason := dockerUnavailable(); reason != "" {
			return "", fmt.Errorf("%s=%s but %s", EnvEngine, choice, reason)
		}
		in, err := startContainer()
		return first(engineDocker, in, err)
	case engineMoto:
		in, err := startMoto()
		return first(engineMoto, in, err)
	default:
		return "", fmt.Errorf("%s=%q: want %s, %s, %s or %s", EnvEngine, choice, engineAuto, engineEndpoint, engineDocker, engineMoto)
	}
	if endpoint != "" {
		return first(engineEndpoint, &instance{endpoint: endpoint, desc: connect.EnvEndpoint + "=" + endpoint}, nil)
	}
	reasons := []string{connect.EnvEndpoint + " is not set"}
	if reason := dockerUnavailable(); reason != "" {
		reasons = append(reasons, reason)
	} else if in, err := startContainer(); err == nil {
		return first(engineDocker, in, nil)
	} else if inCI() {
		return "", fmt.Errorf("%w (CI is set, so a broken Docker engine is a failure; set %s=%s to use moto without Docker)", err, EnvEngine, engineMoto)
	} else {
		engine.notes = append(engine.notes, fmt.Sprintf("dynamotest: Docker answers but %v; trying moto without Docker", oneLine(err)))
	}
	in, err := startMoto()
	if errors.Is(err, motoserver.ErrNoPython) {
		engine.skip = strings.Join(append(reasons, "no Python 3 with its venv module was found"), ", ")
		return "", nil
	}
	return first(engineMoto, in, err)
}

// startMoto starts a moto server from the user's cache.
func startMoto() (*instance, error) {
	ctx, cancel := context.WithTimeout(context.Background(), startupTimeout)
	defer cancel()
	srv, err := motoserver.Start(ctx, &motoserver.Options{Log: os.Stderr})
	if err != nil {
		return nil, err
	}
	in := &instance{
		endpoint: srv.Endpoint,
		desc:     fmt.Sprintf("moto %s, local server at %s", motoserver.Version, srv.Endpoint),
		stop:     func() { _ = srv.Close() },
	}
	logEngine(in)
	return in, nil
}

// startContainer starts a moto container. Its entrypoint is replaced by
// [motoserver.Script], so that, as with the local server, moto serves one
// request at a time and transactions are isolated.
func startContainer() (*instance, error) {
	image := Image
	if v := strings.TrimSpace(os.Getenv(EnvImage)); v != "" {
		image = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), startupTimeout)
	defer cancel()
	c, err := testcontainers.Run(ctx, image,
		testcontainers.WithEntrypoint("python3", "-c", motoserver.Script, "--host", "0.0.0.0", "--port", "5000"),
		testcontainers.WithExposedPorts(containerPort),
		testcontainers.WithWaitStrategy(wait.ForLog("dynamokit-moto listening on").WithStartupTimeout(2*time.Minute)),
	)
	stop := func() {
		if c != nil {
			_ = testcontainers.TerminateContainer(c)
		}
	}
	if err != nil {
		stop()
		return nil, fmt.Errorf("start the %s container: %w", image, err)
	}
	endpoint, err := c.PortEndpoint(ctx, containerPort, "http")
	if err == nil {
		// The server listens already (the wait strategy saw it say so), so
		// an endpoint that does not answer soon is the wrong address.
		reach, cancel := context.WithTimeout(ctx, reachTimeout)
		defer cancel()
		err = motoserver.WaitReady(reach, endpoint)
	}
	if err != nil {
		stop()
		return nil, fmt.Errorf("reach the %s container at %s (where the tests run in a container of their own but the Docker engine is on the same host, set TESTCONTAINERS_HOST_OVERRIDE=localhost): %w", image, endpoint, err)
	}
	in := &instance{
		endpoint: endpoint,
		desc:     fmt.Sprintf("docker container %s at %s", image, endpoint),
		stop:     stop,
	}
	logEngine(in)
	return in, nil
}

// logEngine says on standard error which engine was started.
func logEngine(in *instance) {
	fmt.Fprintf(os.Stderr, "dynamotest: engine: %s\n", in.desc)
}

// dockerSockets are the places a Docker engine's socket usually is, besides
// DOCKER_HOST.
func dockerSockets() []string {
	paths := []string{"/var/run/docker.sock"}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		paths = append(paths, filepath.Join(dir, "docker.sock"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		paths = append(paths,
			filepath.Join(home, ".docker", "run", "docker.sock"),
			filepath.Join(home, ".docker", "desktop", "docker.sock"),
			filepath.Join(home, ".colima", "default", "docker.sock"),
			filepath.Join(home, ".rd", "docker.sock"))
	}
	return paths
}

// dockerUnavailable returns why no Docker engine can be used, or "" when one
// answers. It looks for a configured host or a socket first, so that a
// machine without Docker gets that plain reason rather than one of
// testcontainers' (such as "rootless Docker not found"). testcontainers
// panics when it finds no Docker host, so panics become reasons too.
func dockerUnavailable() (reason string) {
	if !dockerConfigured() {
		return "no Docker engine was found (DOCKER_HOST is not set and there is no socket at " +
			strings.Join(dockerSockets(), ", ") + ")"
	}
	defer func() {
		if r := recover(); r != nil {
			reason = fmt.Sprintf("the Docker engine cannot be used (testcontainers: %v)", r)
		}
	}()
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return fmt.Sprintf("the Docker engine cannot be used (testcontainers: %v)", oneLine(err))
	}
	defer provider.Close()
	ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
	defer cancel()
	if err := provider.Health(ctx); err != nil {
		return fmt.Sprintf("the Docker engine does not answer (%v)", oneLine(err))
	}
	return ""
}

// dockerConfigured reports whether DOCKER_HOST, testcontainers'
// configuration or a socket in a usual place names a Docker engine.
func dockerConfigured() bool {
	if os.Getenv("DOCKER_HOST") != "" || os.Getenv("TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE") != "" {
		return true
	}
	if home, err := os.UserHomeDir(); err == nil {
		if b, err := os.ReadFile(filepath.Join(home, ".testcontainers.properties")); err == nil &&
			strings.Contains(string(b), "docker.host") {
			return true
		}
	}
	for _, p := range dockerSockets() {
		if info, err := os.Stat(p); err == nil && info.Mode()&os.ModeSocket != 0 {
			return true
		}
	}
	return false
}

// oneLine returns err's message on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// inCI reports whether the CI environment variable is set to a true value.
func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}
