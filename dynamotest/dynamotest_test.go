package dynamotest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
)

// validPrefix matches what TablePrefix returns.
var validPrefix = regexp.MustCompile(`^dk-[A-Za-z0-9_.-]+-[0-9a-f]{6}-$`)

// checkPrefix fails t unless p is a valid, short table-name prefix.
func checkPrefix(t *testing.T, p string) {
	t.Helper()
	if !validPrefix.MatchString(p) {
		t.Errorf("prefix %q does not match %s", p, validPrefix)
	}
	if len(p) > 40 {
		t.Errorf("prefix %q is %d characters long, want at most 40", p, len(p))
	}
}

func TestTablePrefix(t *testing.T) {
	p := dynamotest.TablePrefix(t)
	checkPrefix(t, p)
	if !strings.HasPrefix(p, "dk-TestTablePrefix-") {
		t.Errorf("prefix %q does not contain the test name", p)
	}
	if again := dynamotest.TablePrefix(t); again != p {
		t.Errorf("second TablePrefix = %q, want the first one, %q", again, p)
	}
}

func TestTablePrefixSubtests(t *testing.T) {
	names := []string{
		"simple",
		"with spaces/and/slashes",
		"ünïcödé ✓",
		"same",
		"same",
		strings.Repeat("very-long-name-", 20),
	}
	var seen []string
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p := dynamotest.TablePrefix(t)
			checkPrefix(t, p)
			if slices.Contains(seen, p) {
				t.Errorf("prefix %q was already given to another test", p)
			}
			seen = append(seen, p)
		})
	}
}

func TestTablePrefixDiffersBetweenRuns(t *testing.T) {
	// The same test name in two runs must not give the same prefix: the
	// prefix ends in random bits. Same-named subtests stand in for runs.
	var got []string
	for range 20 {
		t.Run("run", func(t *testing.T) {
			p := dynamotest.TablePrefix(t)
			got = append(got, p[len(p)-len("abcdef-"):])
		})
	}
	slices.Sort(got)
	if len(slices.Compact(got)) < 10 { // 24 random bits: repeats are rare
		t.Errorf("random parts of prefixes repeat: %q", got)
	}
}

func TestClientMissingTable(t *testing.T) {
	c := dynamotest.Client(t)
	_, err := c.Executor().DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(dynamotest.TablePrefix(t) + "none")})
	if !errors.Is(err, dynamokit.ErrTableNotFound) {
		t.Fatalf("DescribeTable(missing) error = %v, want ErrTableNotFound", err)
	}
}

func TestExampleUsers(t *testing.T) {
	testUsers(t)
}

func TestDeleteTables(t *testing.T) {
	c := dynamotest.Client(t)
	var name string
	t.Run("create", func(t *testing.T) {
		name = dynamotest.TablePrefix(t) + "tmp"
		dynamotest.DeleteTables(t, c, name, dynamotest.TablePrefix(t)+"never-created")
		defs, err := schema.Definitions(&schema.Options{Namer: func(string) string { return name }}, model.MustOf[user]())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Executor().CreateTable(t.Context(), defs[0].CreateInput()); err != nil {
			t.Fatal(err)
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		_, err := c.Executor().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if errors.Is(err, dynamokit.ErrTableNotFound) {
			return
		}
		if err != nil {
			t.Fatalf("DescribeTable: %v", err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("table %s still exists after its test ended", name)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// runChild runs TestChild of this binary again with env added, and returns
// its output and error. TestChild prints the endpoint it got.
func runChild(t *testing.T, env ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{"DYNAMOTEST_CHILD=1"}, env...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestChild is the test that runChild runs; on its own it does nothing.
func TestChild(t *testing.T) {
	if os.Getenv("DYNAMOTEST_CHILD") != "1" {
		t.Skip("run by other tests in a subprocess")
	}
	fmt.Println("endpoint:", dynamotest.EndpointURL(t))
}

// noEngine is an environment with no endpoint, no Docker and no Python.
func noEngine(t *testing.T) []string {
	empty := t.TempDir()
	return []string{
		"DYNAMODB_ENDPOINT=", dynamotest.EnvEngine + "=", "DYNAMOKIT_PYTHON=",
		"PATH=" + empty, "HOME=" + empty, "XDG_RUNTIME_DIR=", "DOCKER_HOST=",
		"TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE=",
	}
}

// TestMissingEngine checks that EndpointURL skips, or fails when CI is true,
// when there is no endpoint, no Docker and no Python, and that it says what
// to install.
func TestMissingEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a subprocess")
	}
	if _, err := os.Stat("/var/run/docker.sock"); err == nil {
		t.Skip("a Docker socket exists here, so the engine is not missing")
	}
	for _, tc := range []struct {
		ci       string
		wantFail bool
	}{{"", false}, {"false", false}, {"true", true}, {"1", true}} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			out, err := runChild(t, append(noEngine(t), "CI="+tc.ci)...)
			for _, want := range []string{"install Python 3", "start a Docker engine", "DYNAMODB_ENDPOINT", "no Python 3 with its venv module was found"} {
				if !strings.Contains(out, want) {
					t.Errorf("output does not say %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "rootless") {
				t.Errorf("output blames rootless Docker on a machine without Docker:\n%s", out)
			}
			switch {
			case tc.wantFail && err == nil:
				t.Errorf("child passed, want failure:\n%s", out)
			case tc.wantFail && !strings.Contains(out, "--- FAIL: TestChild"):
				t.Errorf("child did not fail the test (%v):\n%s", err, out)
			case !tc.wantFail && err != nil:
				t.Errorf("child failed (%v), want skip:\n%s", err, out)
			case !tc.wantFail && !strings.Contains(out, "--- SKIP: TestChild"):
				t.Errorf("child did not skip:\n%s", out)
			}
		})
	}
}

// TestForcedEngine checks the choices of DYNAMOKIT_ENGINE that need no
// engine to be judged.
func TestForcedEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a subprocess")
	}
	for _, tc := range []struct {
		name, engine, want string
	}{
		{"unknown", "bogus", `want auto, endpoint, docker or moto`},
		{"endpoint without one", "endpoint", "DYNAMODB_ENDPOINT is not set"},
		{"moto without python", "moto", "no Python 3 interpreter found"},
		{"docker without docker", "docker", "no Docker engine was found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := append(noEngine(t), dynamotest.EnvEngine+"="+tc.engine, "CI=")
			out, err := runChild(t, env...)
			if err == nil || !strings.Contains(out, "--- FAIL: TestChild") {
				t.Errorf("child with %s=%s did not fail (%v):\n%s", dynamotest.EnvEngine, tc.engine, err, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("output does not say %q:\n%s", tc.want, out)
			}
		})
	}
}

// TestBrokenDockerFallsThrough checks that a Docker engine that answers but
// cannot start the container is passed over for moto outside CI, in one
// line, and is a failure under CI. It needs a reachable Docker engine.
func TestBrokenDockerFallsThrough(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a subprocess")
	}
	out, _ := runChild(t, dynamotest.EnvEngine+"=docker", "DYNAMODB_ENDPOINT=")
	if !strings.Contains(out, "endpoint: http") {
		t.Skip("no usable Docker engine here")
	}
	bad := dynamotest.EnvImage + "=dynamokit.invalid/no-such-image:0"
	out, err := runChild(t, bad, "DYNAMODB_ENDPOINT=", dynamotest.EnvEngine+"=", "CI=false")
	if err != nil || !strings.Contains(out, "endpoint: http") {
		t.Fatalf("outside CI the child did not fall through to moto (%v):\n%s", err, out)
	}
	if !strings.Contains(out, "Docker answers but") || !strings.Contains(out, "engine: moto") {
		t.Errorf("the child did not say it passed over Docker for moto:\n%s", out)
	}
	out, err = runChild(t, bad, "DYNAMODB_ENDPOINT=", dynamotest.EnvEngine+"=", "CI=true")
	if err == nil || !strings.Contains(out, "--- FAIL: TestChild") {
		t.Errorf("under CI the child did not fail (%v):\n%s", err, out)
	}
}

// TestOwnEndpointURL: a test with an engine of its own gets it again from
// EndpointURL, in its subtests too, and it is not an engine of the pool.
func TestOwnEndpointURL(t *testing.T) {
	if os.Getenv(connect.EnvEndpoint) != "" {
		t.Skip("DYNAMODB_ENDPOINT is one engine")
	}
	own := dynamotest.OwnEndpointURL(t)
	if got := dynamotest.EndpointURL(t); got != own {
		t.Errorf("Endpoint after OwnEndpointURL = %s, want %s", got, own)
	}
	t.Run("subtest", func(t *testing.T) {
		if got := dynamotest.EndpointURL(t); got != own {
			t.Errorf("Endpoint in a subtest = %s, want %s", got, own)
		}
	})
	var pooled string
	t.Run("other test", func(t *testing.T) {
		// A test of another name is given a pool engine.
		pooled = dynamotest.EndpointURL(otherName{t})
	})
	if pooled == own {
		t.Errorf("a pool engine is the test's own %s", own)
	}
}

// otherName is t under the name of another top-level test.
type otherName struct{ *testing.T }

func (otherName) Name() string { return "TestSomethingElse" }
