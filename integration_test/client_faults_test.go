package integration_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// lossyHTTP is an SDK HTTP client that, once armed, loses the answer to
// every request of one operation in one way (fault) after the engine has
// applied it, except the fault "throttled", which refuses the first
// request without forwarding it, as DynamoDB does. It counts the requests
// of the operation it was armed for, and those that reached the engine.
type lossyHTTP struct {
	next *http.Client

	mu        sync.Mutex
	op, fault string
	sent, fwd int
}

func (h *lossyHTTP) arm(op, fault string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.op, h.fault, h.sent, h.fwd = op, fault, 0, 0
}

// counts disarms h and returns how many requests of its operation were
// sent, and how many reached the engine.
func (h *lossyHTTP) counts() (sent, forwarded int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.op = ""
	return h.sent, h.fwd
}

func (h *lossyHTTP) Do(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	fault := ""
	if h.op != "" && operation(r) == h.op {
		h.sent++
		if h.sent == 1 {
			fault = h.fault
		}
		if fault != "throttled" {
			h.fwd++
		}
	}
	h.mu.Unlock()
	if fault == "throttled" {
		return dynamoError(r, http.StatusBadRequest, "ProvisionedThroughputExceededException"), nil
	}
	resp, err := h.next.Do(r)
	if err != nil || fault == "" {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	switch fault {
	case "reset": // the headers arrive, then the connection is reset
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body[:len(body)/2]), errReader{&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}}))
		return resp, nil
	case "500":
		return dynamoError(r, http.StatusInternalServerError, "InternalServerError"), nil
	case "502":
		return &http.Response{StatusCode: http.StatusBadGateway, Status: "502 Bad Gateway", Header: http.Header{"Content-Type": {"text/html"}},
			Body: io.NopCloser(strings.NewReader("<html>502 Bad Gateway</html>")), Request: r, ProtoMajor: 1, ProtoMinor: 1}, nil
	case "timeout": // what http.Client reports when its Timeout passes
		return nil, &url.Error{Op: "Post", URL: r.URL.String(), Err: clientTimeout{}}
	case "closed": // the connection closed before the response
		return nil, &url.Error{Op: "Post", URL: r.URL.String(), Err: io.EOF}
	}
	panic("lossyHTTP: unknown fault " + fault)
}

func dynamoError(r *http.Request, status int, code string) *http.Response {
	body := fmt.Sprintf(`{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"injected"}`, code)
	return &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r, ProtoMajor: 1, ProtoMinor: 1}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

type clientTimeout struct{}

func (clientTimeout) Error() string {
	return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
}
func (clientTimeout) Timeout() bool   { return true }
func (clientTimeout) Temporary() bool { return true }

type noWait struct{}

func (noWait) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

type FaultTally struct {
	ID    string `dynamo:"id,hash"`
	Count int    `dynamo:"count"`
}

func (FaultTally) TableName() string { return "fault_tally" }

type FaultDoc struct {
	ID      string `dynamo:"id,hash"`
	Body    string `dynamo:"body"`
	Version int    `dynamo:"version" dynamokit:"version"`
}

func (FaultDoc) TableName() string { return "fault_doc" }

type FaultTeam struct {
	TeamID string `dynamo:"team_id,hash"`
}

func (FaultTeam) TableName() string { return "fault_team" }

type FaultPlayer struct {
	PlayerID string `dynamo:"player_id,hash"`
	TeamID   string `dynamo:"team_id,omitempty" index:"fault-team-players,hash"`
}

func (FaultPlayer) TableName() string { return "fault_player" }

// faultEnv is one set of tables, written through a client whose answers
// lossyHTTP loses, and read back through a clean one.
type faultEnv struct {
	h       *lossyHTTP
	tallies *query.Table[FaultTally]
	docs    *query.Table[FaultDoc]
	teams   *query.Table[FaultTeam]
	players *query.Table[FaultPlayer]
	rel     *relations.HasMany[FaultTeam, FaultPlayer]
	clean   *dynamokit.Client
}

func newFaultEnv(t *testing.T) *faultEnv {
	t.Helper()
	h := &lossyHTTP{next: &http.Client{}}
	sdk := dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		o.HTTPClient = h
		// The SDK's classification, without its waits.
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.MaxAttempts = 4; so.Backoff = noWait{} })
	})
	c := dynamotest.CreateTables(t, graphClient(t, sdk, dynamokit.WithRetry(dynamokit.DefaultRetry)),
		must[FaultTally](t), must[FaultDoc](t), must[FaultTeam](t), must[FaultPlayer](t))
	e := &faultEnv{h: h, clean: graphClient(t, dynamokit.WithNamer(c.Namer()))}
	var err error
	if e.tallies, err = query.NewTable[FaultTally](c); err != nil {
		t.Fatal(err)
	}
	if e.docs, err = query.NewTable[FaultDoc](c); err != nil {
		t.Fatal(err)
	}
	if e.teams, err = query.NewTable[FaultTeam](c); err != nil {
		t.Fatal(err)
	}
	if e.players, err = query.NewTable[FaultPlayer](c); err != nil {
		t.Fatal(err)
	}
	if e.rel, err = relations.Declare(e.teams, e.players, relations.Spec{Layout: relations.MultiTable, Index: "fault-team-players"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// stored reads the item of table with id through the clean client: nil
// when there is none.
func (e *faultEnv) stored(t *testing.T, table, hash, id string) map[string]types.AttributeValue {
	t.Helper()
	out, err := e.clean.Executor().GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName:      aws.String(e.clean.Namer()(table)),
		Key:            map[string]types.AttributeValue{hash: &types.AttributeValueMemberS{Value: id}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func nAttr(item map[string]types.AttributeValue, attr string) string {
	if n, ok := item[attr].(*types.AttributeValueMemberN); ok {
		return n.Value
	}
	return "absent"
}

func sAttr(item map[string]types.AttributeValue, attr string) string {
	if s, ok := item[attr].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return "absent"
}

// faultWrite is one kind of write: setup runs before the answers are
// lost, write is the write whose answer is lost, and check reads back what
// is stored and returns what differs from a write applied once.
type faultWrite struct {
	name  string
	op    string // the operation whose answer is lost
	once  bool   // not idempotent: sent once, and ErrUnknownOutcome
	setup func(ctx context.Context, e *faultEnv, id string) error
	write func(ctx context.Context, e *faultEnv, id string) error
	check func(t *testing.T, e *faultEnv, id string) string
	// applied, when set, asks the library whether the write was applied.
	applied func(ctx context.Context, e *faultEnv, err error) (bool, error)
}

var faultWrites = []faultWrite{
	{
		name: "create", op: "PutItem", once: true,
		write: func(ctx context.Context, e *faultEnv, id string) error {
			return e.tallies.Create(ctx, &FaultTally{ID: id, Count: 7})
		},
		check: func(t *testing.T, e *faultEnv, id string) string {
			if n := nAttr(e.stored(t, "fault_tally", "id", id), "count"); n != "7" {
				return "count " + n + ", want 7"
			}
			return ""
		},
		applied: func(ctx context.Context, e *faultEnv, err error) (bool, error) { return e.tallies.Applied(ctx, err) },
	},
	{
		name: "versioned put", op: "PutItem", once: true,
		setup: func(ctx context.Context, e *faultEnv, id string) error {
			return e.docs.Create(ctx, &FaultDoc{ID: id, Body: "v1"})
		},
		write: func(ctx context.Context, e *faultEnv, id string) error {
			return e.docs.Put(ctx, &FaultDoc{ID: id, Body: "v2", Version: 1})
		},
		check: func(t *testing.T, e *faultEnv, id string) string {
			item := e.stored(t, "fault_doc", "id", id)
			if b, v := sAttr(item, "body"), nAttr(item, "version"); b != "v2" || v != "2" {
				return fmt.Sprintf("body %s version %s, want v2 version 2", b, v)
			}
			return ""
		},
		applied: func(ctx context.Context, e *faultEnv, err error) (bool, error) { return e.docs.Applied(ctx, err) },
	},
	{
		name: "update add", op: "UpdateItem", once: true,
		setup: func(ctx context.Context, e *faultEnv, id string) error {
			return e.tallies.Create(ctx, &FaultTally{ID: id})
		},
		write: func(ctx context.Context, e *faultEnv, id string) error {
			return e.tallies.Update(FaultTally{ID: id}).Add("count", 1).Run(ctx)
		},
		check: func(t *testing.T, e *faultEnv, id string) string {
			if n := nAttr(e.stored(t, "fault_tally", "id", id), "count"); n != "1" {
				return "count " + n + ", want 1"
			}
			return ""
		},
	},
	{
		name: "conditional delete", op: "DeleteItem", once: true,
		setup: func(ctx context.Context, e *faultEnv, id string) error {
			return e.tallies.Create(ctx, &FaultTally{ID: id})
		},
		write: func(ctx context.Context, e *faultEnv, id string) error {
			return e.tallies.Delete(ctx, FaultTally{ID: id}, query.Path("count").AttributeExists())
		},
		check: func(t *testing.T, e *faultEnv, id string) string {
			if e.stored(t, "fault_tally", "id", id) != nil {
				return "the item is still there"
			}
			return ""
		},
		applied: func(ctx context.Context, e *faultEnv, err error) (bool, error) { return e.tallies.Applied(ctx, err) },
	},
	{
		name: "transaction", op: "TransactWriteItems", once: true,
		setup: func(ctx context.Context, e *faultEnv, id string) error {
			return e.tallies.Create(ctx, &FaultTally{ID: id + "-b"})
		},
		write: func(ctx context.Context, e *faultEnv, id string) error {
			return e.tallies.Client().WriteTx(ctx, nil, e.tallies.TxCreate(&FaultTally{ID: id + "-a", Count: 3}), e.tallies.Update(FaultTally{ID: id + "-b"}).Add("count", 1))
		},
		check: func(t *testing.T, e *faultEnv, id string) string {
			a, b := nAttr(e.stored(t, "fault_tally", "id", id+"-a"), "count"), nAttr(e.stored(t, "fault_tally", "id", id+"-b"), "count")
			if a != "3" || b != "1" {
				return fmt.Sprintf("created count %s, added count %s; want 3 and 1", a, b)
			}
			return ""
		},
	},
	{
		name: "batch put", op: "BatchWriteItem", once: false, // a plain put: sending it twice is harmless
		write: func(ctx context.Context, e *faultEnv, id string) error {
			return e.tallies.BatchPut(ctx, []FaultTally{{ID: id, Count: 5}}, &query.BatchOptions{BaseDelay: time.Millisecond})
		},
		check: func(t *testing.T, e *faultEnv, id string) string {
			if n := nAttr(e.stored(t, "fault_tally", "id", id), "count"); n != "5" {
				return "count " + n + ", want 5"
			}
			return ""
		},
	},
	{
		name: "relation link", op: "TransactWriteItems", once: true,
		setup: func(ctx context.Context, e *faultEnv, id string) error {
			return e.teams.Create(ctx, &FaultTeam{TeamID: id})
		},
		write: func(ctx context.Context, e *faultEnv, id string) error {
			return e.rel.Link(ctx, &FaultPlayer{PlayerID: id}, FaultTeam{TeamID: id})
		},
		check: func(t *testing.T, e *faultEnv, id string) string {
			team, p := nAttr(e.stored(t, "fault_team", "team_id", id), "child_count"), sAttr(e.stored(t, "fault_player", "player_id", id), "team_id")
			if team != "1" || p != id {
				return fmt.Sprintf("counter %s, child's link %s; want 1 and %s", team, p, id)
			}
			return ""
		},
	},
	{
		name: "create of a relation's parent", op: "PutItem", once: true,
		write: func(ctx context.Context, e *faultEnv, id string) error {
			return e.teams.Create(ctx, &FaultTeam{TeamID: id})
		},
		check: func(t *testing.T, e *faultEnv, id string) string {
			if n := nAttr(e.stored(t, "fault_team", "team_id", id), "child_count"); n != "0" {
				return "counter " + n + ", want 0"
			}
			return ""
		},
		applied: func(ctx context.Context, e *faultEnv, err error) (bool, error) { return e.teams.Applied(ctx, err) },
	},
}

// TestLostAnswerAppliedOnce: for each way an answer is lost after the
// engine applied a write (reset while the body is read, a 500 or 502
// status, a client timeout, a connection closed before the response) and
// each kind of write, the write is applied exactly once, read back through
// a clean client; a write that is not idempotent is sent once and fails
// with ErrUnknownOutcome (and, where the library can tell, Applied says it
// was applied); a plain batch put is sent again and succeeds. Throttling,
// which proves nothing was applied, is retried and succeeds.
func TestLostAnswerAppliedOnce(t *testing.T) {
	t.Parallel()
	e := newFaultEnv(t)
	for _, fault := range []string{"reset", "500", "502", "timeout", "closed", "throttled"} {
		for _, w := range faultWrites {
			t.Run(fault+"/"+w.name, func(t *testing.T) {
				ctx := t.Context()
				id := strings.ReplaceAll(fault+"-"+w.name, " ", "-")
				if w.setup != nil {
					if err := w.setup(ctx, e, id); err != nil {
						t.Fatal(err)
					}
				}
				e.h.arm(w.op, fault)
				err := w.write(ctx, e, id)
				sent, fwd := e.h.counts()
				t.Logf("%s: %d sent, %d reached the engine: %v", w.op, sent, fwd, err)
				if msg := w.check(t, e, id); msg != "" {
					t.Errorf("after the write: %s", msg)
				}
				switch {
				case fault == "throttled":
					if err != nil || sent != 2 || fwd != 1 {
						t.Errorf("%d sent, %d reached the engine, error %v; want 2, 1 and success", sent, fwd, err)
					}
				case w.once && fault == "reset" && err == nil:
					// A success status whose body was lost is the answer
					// for a write that returns nothing from the body.
					if fwd != 1 {
						t.Errorf("%d reached the engine, error %v; want 1 and success", fwd, err)
					}
				case w.once:
					if !errors.Is(err, dynamokit.ErrUnknownOutcome) || fwd != 1 {
						t.Errorf("%d reached the engine, error %v; want 1 and ErrUnknownOutcome", fwd, err)
					}
					var u *dynamokit.UnknownOutcomeError
					if !errors.As(err, &u) || (w.op == "TransactWriteItems") != (u.Token != "") {
						t.Errorf("error %#v: want an *UnknownOutcomeError with a token for a transaction", err)
					}
					if w.applied != nil {
						if ok, aerr := w.applied(ctx, e, err); !ok || aerr != nil {
							t.Errorf("Applied = %v, %v; want true", ok, aerr)
						}
					}
				default:
					if err != nil || fwd != 2 {
						t.Errorf("%d reached the engine, error %v; want 2 and success", fwd, err)
					}
				}
			})
		}
	}
}
