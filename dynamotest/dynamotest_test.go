package dynamotest_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/dynamotest"
)

// validPrefix matches what Prefix returns.
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

func TestPrefix(t *testing.T) {
	p := dynamotest.Prefix(t)
	checkPrefix(t, p)
	if !strings.HasPrefix(p, "dk-TestPrefix-") {
		t.Errorf("prefix %q does not contain the test name", p)
	}
	if again := dynamotest.Prefix(t); again != p {
		t.Errorf("second Prefix = %q, want the first one, %q", again, p)
	}
}

func TestPrefixSubtests(t *testing.T) {
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
			p := dynamotest.Prefix(t)
			checkPrefix(t, p)
			if slices.Contains(seen, p) {
				t.Errorf("prefix %q was already given to another test", p)
			}
			seen = append(seen, p)
		})
	}
}

func TestPrefixDiffersBetweenRuns(t *testing.T) {
	// The same test name in two runs must not give the same prefix: the
	// prefix ends in random bits. Same-named subtests stand in for runs.
	var got []string
	for range 20 {
		t.Run("run", func(t *testing.T) {
			p := dynamotest.Prefix(t)
			got = append(got, p[len(p)-len("abcdef-"):])
		})
	}
	slices.Sort(got)
	if len(slices.Compact(got)) < 10 { // 24 random bits: repeats are rare
		t.Errorf("random parts of prefixes repeat: %q", got)
	}
}

func TestDBListTables(t *testing.T) {
	db := dynamotest.DB(t)
	if _, err := db.ListTables().All(t.Context()); err != nil {
		t.Fatalf("ListTables: %v", err)
	}
}

func TestExampleUsers(t *testing.T) {
	testUsers(t)
}

func TestDeleteTables(t *testing.T) {
	db := dynamotest.DB(t)
	var name string
	t.Run("create", func(t *testing.T) {
		name = dynamotest.Prefix(t) + "tmp"
		dynamotest.DeleteTables(t, db, name, dynamotest.Prefix(t)+"never-created")
		if err := db.CreateTable(name, user{}).OnDemand(true).Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		tables, err := db.ListTables().All(ctx)
		if err != nil {
			t.Fatalf("ListTables: %v", err)
		}
		if !slices.Contains(tables, name) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("table %s still exists after its test ended", name)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestMissingEngine runs this test binary again with no engine available and
// checks that Endpoint skips, or fails when CI is true.
func TestMissingEngine(t *testing.T) {
	if os.Getenv("DYNAMOTEST_CHILD") == "1" {
		fmt.Println("endpoint:", dynamotest.Endpoint(t))
		return
	}
	if testing.Short() {
		t.Skip("runs a subprocess")
	}
	for _, tc := range []struct {
		ci       string
		wantFail bool
	}{{"", false}, {"false", false}, {"true", true}, {"1", true}} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMissingEngine$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(),
				"DYNAMOTEST_CHILD=1",
				"DYNAMODB_ENDPOINT=",
				"CI="+tc.ci,
				"DOCKER_HOST=unix:///nonexistent/docker.sock",
			)
			out, err := cmd.CombinedOutput()
			if strings.Contains(string(out), "endpoint: http") {
				t.Skip("a Docker engine is available here, so the engine is not missing")
			}
			if !strings.Contains(string(out), "scripts/dynamodb-local run -- go test ./...") {
				t.Errorf("output does not say how to get an engine:\n%s", out)
			}
			switch {
			case tc.wantFail && err == nil:
				t.Errorf("child passed, want failure:\n%s", out)
			case tc.wantFail && !strings.Contains(string(out), "--- FAIL: TestMissingEngine"):
				t.Errorf("child did not fail the test (%v):\n%s", err, out)
			case !tc.wantFail && err != nil:
				t.Errorf("child failed (%v), want skip:\n%s", err, out)
			case !tc.wantFail && !strings.Contains(string(out), "--- SKIP: TestMissingEngine"):
				t.Errorf("child did not skip:\n%s", out)
			}
		})
	}
}
