package integration_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/query"
)

// resetAfterSend forwards a request of op, then, once, drops the response
// and reports "connection reset": the write was applied, but the caller
// cannot know it (an ambiguous failure).
type resetAfterSend struct {
	next *http.Client
	op   string
	mu   sync.Mutex
	done bool
}

func (h *resetAfterSend) Do(r *http.Request) (*http.Response, error) {
	resp, err := h.next.Do(r)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil && !h.done && operation(r) == h.op {
		h.done = true
		resp.Body.Close()
		return nil, errors.New("read tcp: connection reset by peer")
	}
	return resp, err
}

type tally struct {
	ID    string `dynamo:"id,hash"`
	Count int    `dynamo:"count"`
}

func (tally) TableName() string { return "tally" }

// TestAmbiguousWriteNotRepeated: a write whose response is lost after
// DynamoDB applied it is not sent again behind the caller's back, and the
// caller learns that its outcome is unknown: an update moves a counter once,
// and a Create does not report its own item as another's.
func TestAmbiguousWriteNotRepeated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		op    string
		write func(ctx context.Context, tallies *query.Table[tally]) error
		want  int
	}{
		{"an update adds once", "UpdateItem", func(ctx context.Context, tallies *query.Table[tally]) error {
			return tallies.Update(tally{ID: "a"}).Add("count", 1).Run(ctx)
		}, 1},
		{"a create does not find itself", "PutItem", func(ctx context.Context, tallies *query.Table[tally]) error {
			return tallies.Create(ctx, &tally{ID: "b", Count: 7})
		}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &resetAfterSend{next: &http.Client{}, op: tt.op, done: true} // armed below
			rec := &recorder{}
			c := dynamotest.CreateTables(t, graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) { o.HTTPClient = h })), must[tally](t))
			c = c.With(dynamokit.WithHook(rec.hook))
			tallies, err := query.NewTable[tally](c)
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			if err := tallies.Create(ctx, &tally{ID: "a"}); err != nil {
				t.Fatal(err)
			}
			h.mu.Lock()
			h.done = false // the lost response is the next write's
			h.mu.Unlock()
			rec.take()
			err = tt.write(ctx, tallies)
			if !errors.Is(err, dynamokit.ErrUnknownOutcome) {
				t.Errorf("write with a lost response = %v, want ErrUnknownOutcome", err)
			}
			key := "a"
			if tt.op == "PutItem" {
				key = "b"
			}
			got, gerr := tallies.Consistent().Get(ctx, tally{ID: key})
			if gerr != nil {
				t.Fatal(gerr)
			}
			if got.Count != tt.want {
				t.Errorf("count = %d, want %d (applied once)", got.Count, tt.want)
			}
			if n := len(opsOf(rec.take())); n != 2 { // the write once, then the Get
				t.Errorf("%d requests, want 2: the write is sent once", n)
			}
		})
	}
}
