package dynamotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/guregu/dynamo/v2"
	"github.com/testcontainers/testcontainers-go"
	tcdynamodb "github.com/testcontainers/testcontainers-go/modules/dynamodb"
)

// Image is the DynamoDB Local container image started when no
// DYNAMODB_ENDPOINT is set and Docker is available. Its version matches the
// one scripts/dynamodb-local installs.
const Image = "amazon/dynamodb-local:3.3.1"

// howToGetEngine tells the reader of a skipped or failed test what to do.
const howToGetEngine = "run the tests with `scripts/dynamodb-local run -- go test ./...` (needs Java 17+), " +
	"set " + connect.EnvEndpoint + " to a running DynamoDB Local, or start a Docker engine"

// container is the engine shared by all tests of this process.
var container struct {
	once     sync.Once
	endpoint string // set when the container runs
	missing  string // set when there is no Docker engine: why
	err      error  // set when Docker is there but the container failed
}

// Endpoint returns the URL of a DynamoDB engine for t: DYNAMODB_ENDPOINT when
// set, else a DynamoDB Local container shared by the whole test process when
// a Docker engine is reachable. Without either it skips t, or fails it when
// the environment variable CI is true.
func Endpoint(t testing.TB) string {
	t.Helper()
	if endpoint := strings.TrimSpace(os.Getenv(connect.EnvEndpoint)); endpoint != "" {
		return endpoint
	}
	container.once.Do(startContainer)
	switch {
	case container.err != nil:
		t.Fatalf("dynamotest: %v", container.err)
	case container.missing != "":
		msg := fmt.Sprintf("dynamotest: no DynamoDB engine: %s is not set and %s; %s",
			connect.EnvEndpoint, container.missing, howToGetEngine)
		if inCI() {
			t.Fatal(msg + " (CI is set, so a missing engine is a failure)")
		}
		t.Skip(msg)
	}
	return container.endpoint
}

// DB returns a DB connected to [Endpoint](t), with opts applied last.
func DB(t testing.TB, opts ...func(*dynamodb.Options)) *dynamo.DB {
	t.Helper()
	db, err := connect.Endpoint(t.Context(), Endpoint(t), opts...)
	if err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	return db
}

// prefixes holds the prefix of each test that asked for one.
var prefixes sync.Map // testing.TB → string

// maxNameInPrefix bounds the part of a prefix taken from the test name, so
// that prefixes stay within 40 characters.
const maxNameInPrefix = 27

// Prefix returns a table-name prefix unique to t and to this run, such as
// "dk-TestUsers-3fa9c1-". It is at most 40 characters long and contains only
// characters valid in table names, and it is the same for every call with
// the same t.
func Prefix(t testing.TB) string {
	t.Helper()
	if p, ok := prefixes.Load(t); ok {
		return p.(string)
	}
	var b [3]byte
	_, _ = rand.Read(b[:]) // never fails, see crypto/rand.Read
	p := "dk-" + sanitize(t.Name(), maxNameInPrefix) + "-" + hex.EncodeToString(b[:]) + "-"
	if actual, loaded := prefixes.LoadOrStore(t, p); loaded {
		return actual.(string)
	}
	t.Cleanup(func() { prefixes.Delete(t) })
	return p
}

// sanitize maps name to the characters allowed in table names and truncates
// it to at most limit bytes.
func sanitize(name string, limit int) string {
	var b strings.Builder
	for _, r := range name {
		if b.Len() == limit {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "test"
	}
	return b.String()
}

// cleanupTimeout bounds the table deletions of [DeleteTables].
const cleanupTimeout = 30 * time.Second

// DeleteTables arranges for the named tables to be deleted when t ends.
// Tables that do not exist are ignored; other errors are reported with
// t.Errorf.
func DeleteTables(t testing.TB, db *dynamo.DB, names ...string) {
	t.Helper()
	t.Cleanup(func() {
		// t.Context() is already canceled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		for _, name := range names {
			err := db.Table(name).DeleteTable().Run(ctx)
			var notFound *types.ResourceNotFoundException
			if err != nil && !errors.As(err, &notFound) {
				t.Errorf("dynamotest: delete table %s: %v", name, err)
			}
		}
	})
}

// inCI reports whether the CI environment variable is set to a true value.
func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

const (
	// healthTimeout bounds the check that a Docker engine answers.
	healthTimeout = 15 * time.Second
	// startupTimeout bounds the container start, which may include pulling
	// the image.
	startupTimeout = 5 * time.Minute
)

// startContainer starts the shared container, or records why it cannot.
func startContainer() {
	if reason := dockerUnavailable(); reason != "" {
		container.missing = reason
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), startupTimeout)
	defer cancel()
	// The container is removed by testcontainers' reaper (Ryuk) when this
	// process exits.
	c, err := tcdynamodb.Run(ctx, Image,
		testcontainers.WithCmdArgs("-inMemory", "-sharedDb"),
		tcdynamodb.WithDisableTelemetry())
	if err != nil {
		container.err = fmt.Errorf("start %s container: %w", Image, err)
		return
	}
	hostPort, err := c.ConnectionString(ctx)
	if err != nil {
		container.err = fmt.Errorf("address of %s container: %w", Image, err)
		return
	}
	container.endpoint = "http://" + hostPort
}

// dockerUnavailable returns why no Docker engine can be used, or "" when one
// answers. testcontainers panics when it finds no Docker host, so panics are
// turned into reasons too.
func dockerUnavailable() (reason string) {
	defer func() {
		if r := recover(); r != nil {
			reason = fmt.Sprintf("no Docker engine was found (testcontainers: %v)", r)
		}
	}()
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return fmt.Sprintf("no Docker engine was found (testcontainers: %v)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
	defer cancel()
	if err := provider.Health(ctx); err != nil {
		return fmt.Sprintf("the Docker engine does not answer (%v)", err)
	}
	return ""
}
