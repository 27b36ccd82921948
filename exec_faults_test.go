package dynamokit

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// faultServer stands in for DynamoDB: it counts the requests that reach
// it, answers the first with fault, and the others with success ({}).
type faultServer struct {
	mu     sync.Mutex
	n      int
	fault  string
	bodies []string
}

const dynamoErr = `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"injected"}`

func (s *faultServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.n++
	s.bodies = append(s.bodies, string(body))
	fault := ""
	if s.n == 1 {
		fault = s.fault
	}
	s.mu.Unlock()
	answer := func(status int, code string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		io.WriteString(w, strings.Replace(dynamoErr, "%s", code, 1))
	}
	switch fault {
	case "reset": // headers of a success, then a reset while the body is read
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"Con`)
		w.(http.Flusher).Flush()
		reset(w)
	case "closed": // the connection closed before any response
		reset(w)
	case "500":
		answer(http.StatusInternalServerError, "InternalServerError")
	case "502":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html>Bad Gateway</html>")
	case "throttled":
		answer(http.StatusBadRequest, "ProvisionedThroughputExceededException")
	case "conflict":
		answer(http.StatusBadRequest, "TransactionConflictException")
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(w, "{}")
	}
}

// reset closes the connection of w with a TCP reset.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

func (s *faultServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// lateClient forwards a request, then fails as if the client's deadline
// passed while it waited for the response: an http.Client timeout, or (with
// cancel set) the caller's context ending.
type lateClient struct {
	next   *http.Client
	cancel context.CancelFunc
	done   bool
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "Client.Timeout exceeded while awaiting headers" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func (l *lateClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := l.next.Do(r)
	if err != nil || l.done {
		return resp, err
	}
	l.done = true
	resp.Body.Close()
	if l.cancel != nil {
		l.cancel()
		l.cancel = nil
		return nil, &url.Error{Op: "Post", URL: r.URL.String(), Err: r.Context().Err()}
	}
	return nil, &url.Error{Op: "Post", URL: r.URL.String(), Err: timeoutErr{}}
}

type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// TestFaultsNotRepeated sends each kind of write through the SDK and the
// executor to a server that fails the first request in each way a lost
// response shows up, and counts the requests that reach the server: a
// write that is not idempotent is sent once and fails with
// ErrUnknownOutcome; a plain put is sent again and succeeds; a failure
// that proves nothing was applied (throttling) is retried.
func TestFaultsNotRepeated(t *testing.T) {
	cond := aws.String("attribute_not_exists(id)")
	key := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}}
	writes := []struct {
		name string
		once bool
		send func(context.Context, *Client) error
	}{
		{"create", true, func(ctx context.Context, c *Client) error {
			_, err := c.Executor().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: key, ConditionExpression: cond})
			return err
		}},
		{"update", true, func(ctx context.Context, c *Client) error {
			_, err := c.Executor().UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: key, UpdateExpression: aws.String("ADD n :one")})
			return err
		}},
		{"conditional delete", true, func(ctx context.Context, c *Client) error {
			_, err := c.Executor().DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: key, ConditionExpression: cond})
			return err
		}},
		{"transaction", true, func(ctx context.Context, c *Client) error {
			_, err := c.Executor().TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String("t"), Item: key}},
			}})
			return err
		}},
		{"plain put", false, func(ctx context.Context, c *Client) error {
			_, err := c.Executor().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: key})
			return err
		}},
		{"batch write", false, func(ctx context.Context, c *Client) error {
			_, err := c.Executor().BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				"t": {{PutRequest: &types.PutRequest{Item: key}}},
			}})
			return err
		}},
	}
	faults := []struct {
		fault   string
		proves  bool // the answer proves nothing was applied
		applied bool // the answer's status says the write was applied
		late    bool // lateClient: "timeout", or "deadline" with cancel
		expired bool
	}{
		{fault: "reset", applied: true},
		{fault: "closed"},
		{fault: "500"},
		{fault: "502"},
		{fault: "timeout", late: true},
		{fault: "deadline", late: true, expired: true},
		{fault: "throttled", proves: true},
	}
	for _, f := range faults {
		for _, w := range writes {
			t.Run(f.fault+"/"+w.name, func(t *testing.T) {
				srv := &faultServer{fault: f.fault}
				ts := httptest.NewServer(srv)
				defer ts.Close()
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				var hc interface {
					Do(*http.Request) (*http.Response, error)
				} = &http.Client{}
				if f.late {
					l := &lateClient{next: &http.Client{}}
					if f.expired {
						l.cancel = cancel
					}
					hc = l
				}
				api := dynamodb.New(dynamodb.Options{
					BaseEndpoint: aws.String(ts.URL),
					Region:       "us-east-1",
					Credentials:  credentials.NewStaticCredentialsProvider("k", "s", ""),
					HTTPClient:   hc,
					Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
						o.MaxAttempts = 4
						o.Backoff = noBackoff{}
					}),
				})
				c := NewFromClient(api, WithRetry(RetryPolicy{MaxAttempts: 5, Backoff: func(int) time.Duration { return 0 }}))
				err := w.send(ctx, c)
				got := srv.requests()
				t.Logf("%d requests, error %v", got, err)
				switch {
				case f.proves:
					if err != nil || got != 2 {
						t.Errorf("%d requests, error %v; want 2 requests and success (the first attempt was refused)", got, err)
					}
				case f.applied && w.once:
					// A success status with a lost body is the answer for
					// writes that return nothing from it.
					if err != nil || got != 1 {
						t.Errorf("%d requests, error %v; want 1 request and success (the status said applied)", got, err)
					}
				case f.expired:
					if got != 1 {
						t.Errorf("%d requests, want 1", got)
					}
					if w.once != errors.Is(err, ErrUnknownOutcome) || !errors.Is(err, context.Canceled) {
						t.Errorf("error %v: ErrUnknownOutcome %v, want %v, and context.Canceled", err, errors.Is(err, ErrUnknownOutcome), w.once)
					}
				case w.once:
					var u *UnknownOutcomeError
					if got != 1 || !errors.Is(err, ErrUnknownOutcome) || !errors.As(err, &u) {
						t.Errorf("%d requests, error %v; want 1 request and ErrUnknownOutcome", got, err)
					}
				default:
					if err != nil || got != 2 {
						t.Errorf("%d requests, error %v; want 2 requests and success (a plain put may be sent again)", got, err)
					}
				}
			})
		}
	}
}

// TestResendSameToken: a transaction whose answer was lost carries the
// token it was sent with, and Resend sends the same request again under
// that token; the caller's token, when given, is the one used.
func TestResendSameToken(t *testing.T) {
	for _, token := range []string{"", "transfer-42"} {
		srv := &faultServer{fault: "closed"}
		ts := httptest.NewServer(srv)
		api := dynamodb.New(dynamodb.Options{
			BaseEndpoint: aws.String(ts.URL),
			Region:       "us-east-1",
			Credentials:  credentials.NewStaticCredentialsProvider("k", "s", ""),
		})
		c := NewFromClient(api)
		in := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{TableName: aws.String("t"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}}, UpdateExpression: aws.String("ADD n :one")}},
		}}
		if token != "" {
			in.ClientRequestToken = aws.String(token)
		}
		_, err := c.Executor().TransactWriteItems(t.Context(), in)
		var u *UnknownOutcomeError
		if !errors.As(err, &u) || u.Token == "" || (token != "" && u.Token != token) {
			t.Fatalf("TransactWriteItems = %v, want an UnknownOutcomeError with token %q", err, token)
		}
		if token == "" && in.ClientRequestToken != nil {
			t.Error("the caller's input was given a token")
		}
		if err := u.Resend(t.Context()); err != nil {
			t.Errorf("Resend = %v, want nil", err)
		}
		ts.Close()
		want := `"ClientRequestToken":"` + u.Token + `"`
		if len(srv.bodies) != 2 || !strings.Contains(srv.bodies[0], want) || srv.bodies[0] != srv.bodies[1] {
			t.Errorf("requests %q, want the same request twice, with %s", srv.bodies, want)
		}
	}
}
