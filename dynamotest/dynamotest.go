package dynamotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
)

// Client returns a [dynamokit.Client] connected to [EndpointURL](t), with
// opts applied last. When t fails, it logs the request attempts that failed
// beneath the client's executor (up to 50): an attempt the SDK's retryer
// sent again, such as one whose answer was lost, shows there, to explain a
// request the engine saw twice.
func Client(t testing.TB, opts ...dynamokit.Option) *dynamokit.Client {
	t.Helper()
	log := &attemptLog{}
	t.Cleanup(func() { log.report(t) })
	all := append([]dynamokit.Option{dynamokit.WithSDKOptions(log.install)}, opts...)
	c, err := connect.Endpoint(t.Context(), EndpointURL(t), all...)
	if err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	return c
}

// maxAttemptLines bounds what an attemptLog keeps.
const maxAttemptLines = 50

// attemptLog records the failed attempts of a client's requests, for the
// log of a failed test.
type attemptLog struct {
	mu      sync.Mutex
	lines   []string
	dropped int
}

// install adds the recording to the SDK options o: a step of the SDK's
// request stack after its retryer, so that it sees every attempt.
func (l *attemptLog) install(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("dynamotestAttemptLog",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleFinalize(ctx, in)
				if err != nil {
					l.add(time.Now().Format("15:04:05.000") + " " + middleware.GetOperationName(ctx) + ": " + err.Error())
				}
				return out, md, err
			}), middleware.After)
	})
}

func (l *attemptLog) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) == maxAttemptLines {
		l.dropped++
		return
	}
	l.lines = append(l.lines, line)
}

// report logs what l recorded, when t failed.
func (l *attemptLog) report(t testing.TB) {
	if !t.Failed() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		t.Logf("dynamotest: failed attempt: %s", line)
	}
	if l.dropped > 0 {
		t.Logf("dynamotest: %d more failed attempts", l.dropped)
	}
}

// prefixes holds the prefix of each test that asked for one.
var prefixes sync.Map // testing.TB → string

// maxNameInPrefix bounds the part of a prefix taken from the test name, so
// that prefixes stay within 40 characters.
const maxNameInPrefix = 27

// TablePrefix returns a table-name prefix unique to t and to this run, such as
// "dk-TestUsers-3fa9c1-". It is at most 40 characters long and contains only
// characters valid in table names, and it is the same for every call with
// the same t.
func TablePrefix(t testing.TB) string {
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
func DeleteTables(t testing.TB, c *dynamokit.Client, names ...string) {
	t.Helper()
	t.Cleanup(func() {
		// t.Context() is already canceled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		for _, name := range names {
			_, err := c.Executor().DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
			if err != nil && !errors.Is(err, dynamokit.ErrTableNotFound) {
				t.Errorf("dynamotest: delete table %s: %v", name, err)
			}
		}
	})
}
