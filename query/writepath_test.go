package query

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
)

// refuseAll is write rules that record every write they see and refuse
// it, so that a write that reaches them sends no request.
type refuseAll struct {
	mu   sync.Mutex
	seen []string
}

var errRefusedByTest = errors.New("refused by the test's rules")

func (r *refuseAll) WriteRules(k txn.Key) txn.Rules {
	if !k.Sealed() {
		return nil
	}
	return r
}

func (r *refuseAll) Covers(*model.Model) bool { return true }

func (r *refuseAll) Check(_ context.Context, w *txn.Write) ([]txn.Effect, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, w.Op)
	return nil, errRefusedByTest
}

// TestEveryWritePassesTheRules enumerates the exported methods of Table
// and Update and fails when one is neither a known read nor a write shown
// here to pass the client's write rules before any request: a new write
// builder must be added below once it goes through them (Table.send, or
// a txn.Write sent by Client.WriteTx).
func TestEveryWritePassesTheRules(t *testing.T) {
	rules := &refuseAll{}
	// A client with no endpoint: a request that got past the rules
	// would fail with another error than the rules'.
	c := dynamokit.New(aws.Config{Region: "us-east-1"}, dynamokit.WithRules(rules))
	users, err := NewTable[user](c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	key := user{ID: "u1"}
	tx := func(a dynamokit.TxAction) error { return c.WriteTx(ctx, nil, a) }
	writes := map[string]func() error{
		// Table
		"Create":      func() error { u := user{ID: "u1"}; return users.Create(ctx, &u) },
		"Put":         func() error { u := user{ID: "u1"}; return users.Put(ctx, &u) },
		"Delete":      func() error { return users.Delete(ctx, key) },
		"BatchPut":    func() error { return users.BatchPut(ctx, []user{{ID: "u1"}}, nil) },
		"BatchDelete": func() error { return users.BatchDelete(ctx, []user{key}, nil) },
		"TxCreate":    func() error { u := user{ID: "u1"}; return tx(users.TxCreate(&u)) },
		"TxPut":       func() error { u := user{ID: "u1"}; return tx(users.TxPut(&u)) },
		"TxDelete":    func() error { return tx(users.TxDelete(key)) },
		"TxAdd":       func() error { return tx(users.TxAdd(key, "n", 1)) },
		"Check":       func() error { return tx(users.Check(key)) },
		"Update":      func() error { return users.Update(key).Set("name", "Ann").Run(ctx) },
		// Update
		"Run":     func() error { return users.Update(key).Set("name", "Ann").Run(ctx) },
		"Value":   func() error { _, err := users.Update(key).Set("name", "Ann").Value(ctx); return err },
		"TxWrite": func() error { return tx(users.Update(key).Set("name", "Ann")) },
	}
	reads := []string{
		// Table (Consistent is a view: its writes are the methods below)
		"Applied", "BatchGet", "Client", "Consistent", "Get", "KeyExists", "Model", "Query", "Scan", "TableName", "TxGet",
		// Update: builder steps, sent by Run, Value or TxWrite
		"Add", "AddToSet", "Append", "DeleteFromSet", "If", "Prepend", "Remove", "Set", "SetIfNotExists",
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[*Table[user]](), reflect.TypeFor[*Update[user]]()} {
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			if _, ok := writes[m.Name]; !ok && !slices.Contains(reads, m.Name) {
				t.Errorf("%s.%s is new: if it writes, make it pass the write rules and add it to this test's writes; else add it to its reads", typ, m.Name)
			}
		}
	}
	for name, write := range writes {
		rules.seen = nil
		if err := write(); !errors.Is(err, errRefusedByTest) {
			t.Errorf("%s: error = %v, want the rules' refusal", name, err)
		}
		if len(rules.seen) == 0 {
			t.Errorf("%s: the rules saw no write", name)
		}
	}
}
