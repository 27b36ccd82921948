package integration_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
)

// TestQueryTransactions writes across two models and tables, and checks
// that a cancelled transaction changes nothing and says which action
// failed, and why.
func TestQueryTransactions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Account](t), must[Event](t))
	ctx := t.Context()
	c := newClock(t0)
	accounts := tableOf[Account](t, e, nil, c)
	events := tableOf[Event](t, e, nil, c)
	db, counter := countingDB(t)

	from := Account{ID: "from", Owner: "Ann", Balance: 100}
	to := Account{ID: "to", Owner: "Bo", Balance: 0}
	for _, a := range []*Account{&from, &to} {
		if err := accounts.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("success across tables", func(t *testing.T) {
		ev := Event{Stream: "ledger", Seq: 1, Kind: "transfer", Body: "from→to 30"}
		err := e.db.WriteTx(ctx, nil,
			accounts.Update(from).Add("balance", -30).If(query.Name("balance").GreaterThanEqual(query.Value(30))),
			accounts.Update(to).Add("balance", 30),
			events.TxCreate(&ev),
		)
		if err != nil {
			t.Fatalf("WriteTx: %v", err)
		}
		var gotFrom, gotTo Account
		var gotEv Event
		if err := e.db.ReadTx(ctx, accounts.TxGet(Account{ID: "from"}, &gotFrom), accounts.TxGet(Account{ID: "to"}, &gotTo), events.TxGet(ev, &gotEv)); err != nil {
			t.Fatalf("ReadTx: %v", err)
		}
		if gotFrom.Balance != 70 || gotTo.Balance != 30 || gotFrom.Version != 2 || gotTo.Version != 2 {
			t.Errorf("balances %d and %d, versions %d and %d; want 70 and 30, 2 and 2", gotFrom.Balance, gotTo.Balance, gotFrom.Version, gotTo.Version)
		}
		if diff := cmp.Diff(ev, gotEv); diff != "" {
			t.Errorf("event (-want +got):\n%s", diff)
		}
		from, to = gotFrom, gotTo
	})

	t.Run("a failing condition cancels everything", func(t *testing.T) {
		dup := Event{Stream: "ledger", Seq: 1, Body: "duplicate"}
		newAcct := Account{ID: "new", Owner: "Cy"}
		before := newAcct
		err := e.db.WriteTx(ctx, nil,
			accounts.TxCreate(&newAcct),
			accounts.Update(from).Add("balance", -1000).If(query.Name("balance").GreaterThanEqual(query.Value(1000))),
			events.TxCreate(&dup),
			accounts.Check(Account{ID: "nobody"}),
			accounts.TxDelete(Account{ID: "to", Version: 1}),
		)
		var te *dynamokit.TxError
		if !errors.As(err, &te) {
			t.Fatalf("WriteTx = %v, want a *TxError", err)
		}
		codes := make([]string, len(te.Reasons))
		kinds := make([]error, len(te.Reasons))
		for i, r := range te.Reasons {
			codes[i], kinds[i] = r.Code, r.Kind
		}
		if diff := cmp.Diff([]string{"None", "ConditionalCheckFailed", "ConditionalCheckFailed", "ConditionalCheckFailed", "ConditionalCheckFailed"}, codes); diff != "" {
			t.Errorf("reason codes (-want +got):\n%s", diff)
		}
		wantKinds := []error{nil, dynamokit.ErrConditionFailed, dynamokit.ErrAlreadyExists, dynamokit.ErrNotFound, dynamokit.ErrVersionConflict}
		for i := range wantKinds {
			if kinds[i] != wantKinds[i] {
				t.Errorf("Reasons[%d].Kind = %v, want %v", i, kinds[i], wantKinds[i])
			}
		}
		for _, target := range []error{dynamokit.ErrConditionFailed, dynamokit.ErrAlreadyExists, dynamokit.ErrNotFound, dynamokit.ErrVersionConflict} {
			if !errors.Is(err, target) {
				t.Errorf("errors.Is(%v, %v) = false", err, target)
			}
		}
		if diff := cmp.Diff(before, newAcct); diff != "" {
			t.Errorf("a failed TxCreate changed the caller's value (-before +after):\n%s", diff)
		}
		if _, err := accounts.Consistent().Get(ctx, Account{ID: "new"}); !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Get(new) after a cancelled transaction = %v, want ErrNotFound", err)
		}
		var gotFrom Account
		var missing Account
		err = e.db.ReadTx(ctx, accounts.TxGet(Account{ID: "from"}, &gotFrom), accounts.TxGet(Account{ID: "nobody"}, &missing))
		if !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("ReadTx with a missing item = %v, want ErrNotFound", err)
		}
		if gotFrom.Balance != 70 || missing.ID != "" {
			t.Errorf("ReadTx stored %+v and %+v; want the balance 70 and nothing", gotFrom, missing)
		}
	})

	t.Run("too many actions, no request", func(t *testing.T) {
		counted := tableOf[Account](t, e, db, c)
		actions := make([]dynamokit.TxAction, dynamokit.MaxTxActions+1)
		for i := range actions {
			actions[i] = counted.Update(Account{ID: fmt.Sprint(i)}).Add("balance", 1)
		}
		if err := db.WriteTx(ctx, nil, actions...); !errors.Is(err, dynamokit.ErrTooManyActions) {
			t.Errorf("WriteTx(101 actions) = %v, want ErrTooManyActions", err)
		}
		reads := make([]dynamokit.TxRead, dynamokit.MaxTxActions+1)
		var a Account
		for i := range reads {
			reads[i] = counted.TxGet(Account{ID: fmt.Sprint(i)}, &a)
		}
		if err := db.ReadTx(ctx, reads...); !errors.Is(err, dynamokit.ErrTooManyActions) {
			t.Errorf("ReadTx(101 reads) = %v, want ErrTooManyActions", err)
		}
		if n := counter.requests("TransactWriteItems") + counter.requests("TransactGetItems"); n != 0 {
			t.Errorf("%d transaction requests sent, want 0", n)
		}
		// The limit itself is fine.
		if err := db.WriteTx(ctx, nil, actions[:dynamokit.MaxTxActions]...); !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("WriteTx(100 updates of missing items) = %v, want ErrNotFound", err)
		}
	})

	t.Run("two actions on one item, no request", func(t *testing.T) {
		counted := tableOf[Account](t, e, db, c)
		counter.take()
		err := db.WriteTx(ctx, nil,
			counted.Update(Account{ID: "to"}).Add("balance", 1),
			counted.Check(Account{ID: "from"}),
			counted.Update(Account{ID: "to"}).Add("balance", 2),
		)
		var de *dynamokit.Error
		if !errors.As(err, &de) || de.Table != counted.TableName() || !strings.Contains(err.Error(), "actions 0 (") || !strings.Contains(err.Error(), "and 2 (") {
			t.Errorf("WriteTx of two updates of one item = %v, want an Error of %s naming actions 0 and 2", err, counted.TableName())
		}
		if n := counter.requests("TransactWriteItems"); n != 0 {
			t.Errorf("%d TransactWriteItems requests sent, want 0", n)
		}
	})

	t.Run("idempotency token", func(t *testing.T) {
		// dynamokit's part of the contract: the token reaches the engine
		// with every call. Applying a repeated token once is the engine's
		// part: DynamoDB does it, moto ignores tokens (docs/testing.md).
		// Both behaviours are asserted, chosen by what the engine does with
		// a reused token, so neither engine skips the test.
		tokens := &tokenRecorder{}
		tdb := graphClient(t, dynamokit.WithHook(tokens.hook))
		c.advance(time.Minute)
		opts := &dynamokit.TxOptions{Token: "transfer-42"}
		tx := func() error {
			return tdb.WriteTx(ctx, opts, accounts.Update(Account{ID: "to"}).Add("balance", 5))
		}
		for i := range 3 {
			if err := tx(); err != nil {
				t.Fatalf("WriteTx #%d with the same token: %v", i+1, err)
			}
		}
		if got := tokens.all(); !slices.Equal(got, []string{"transfer-42", "transfer-42", "transfer-42"}) {
			t.Errorf("tokens sent = %q, want transfer-42 three times", got)
		}
		got, err := accounts.Consistent().Get(ctx, Account{ID: "to"})
		if err != nil {
			t.Fatal(err)
		}
		// The same token for other actions.
		mismatch := tdb.WriteTx(ctx, opts, accounts.Update(Account{ID: "to"}).Add("balance", 6))
		if mismatch != nil { // DynamoDB: the token's first call counts, once
			if got.Balance != to.Balance+5 {
				t.Errorf("balance = %d after three calls with one token, want %d (applied once)", got.Balance, to.Balance+5)
			}
			return
		}
		// An engine that ignores tokens (moto) applies every call.
		t.Logf("this engine ignores ClientRequestToken; checking that each call applied")
		if got.Balance != to.Balance+15 {
			t.Errorf("balance = %d after three calls on an engine that ignores tokens, want %d", got.Balance, to.Balance+15)
		}
	})
}

// tokenRecorder is a client hook that records the ClientRequestToken of
// each TransactWriteItems request sent.
type tokenRecorder struct {
	mu     sync.Mutex
	tokens []string
}

func (r *tokenRecorder) hook(_ context.Context, req *dynamokit.Request) {
	if in, ok := req.Input.(*dynamodb.TransactWriteItemsInput); ok {
		r.mu.Lock()
		r.tokens = append(r.tokens, aws.ToString(in.ClientRequestToken))
		r.mu.Unlock()
	}
}

func (r *tokenRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.tokens)
}
