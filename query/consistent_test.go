package query

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
)

// readsAPI answers every read with nothing and records, per operation,
// whether each request asked for a strongly consistent read.
type readsAPI struct {
	dynamokit.API // nil: any other call panics
	mu            sync.Mutex
	consistent    map[string][]bool
}

func (a *readsAPI) record(op string, c *bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.consistent[op] = append(a.consistent[op], aws.ToBool(c))
}

func (a *readsAPI) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	a.record("GetItem", in.ConsistentRead)
	return &dynamodb.GetItemOutput{}, nil
}

func (a *readsAPI) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	a.record("Query", in.ConsistentRead)
	return &dynamodb.QueryOutput{}, nil
}

func (a *readsAPI) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	a.record("Scan", in.ConsistentRead)
	return &dynamodb.ScanOutput{}, nil
}

func (a *readsAPI) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	for _, ka := range in.RequestItems {
		a.record("BatchGetItem", ka.ConsistentRead)
	}
	return &dynamodb.BatchGetItemOutput{}, nil
}

// TestConsistentView checks that every read through the Table.Consistent
// view asks for a strongly consistent read, that the same reads through the
// original table do not, and that making the view leaves the original as it
// was.
func TestConsistentView(t *testing.T) {
	api := &readsAPI{consistent: map[string][]bool{}}
	users, err := NewTable[user](dynamokit.NewFromClient(api))
	if err != nil {
		t.Fatal(err)
	}
	view := users.Consistent()
	if view == users {
		t.Fatal("Consistent returned the table itself, want a view")
	}
	if users.consistent {
		t.Fatal("Consistent changed the original table")
	}
	if view.TableName() != users.TableName() || view.Client() != users.Client() || view.Model() != users.Model() {
		t.Errorf("the view has table %q, client %p, model %v; want the original's %q, %p, %v",
			view.TableName(), view.Client(), view.Model(), users.TableName(), users.Client(), users.Model())
	}
	if again := view.Consistent(); again.TableName() != users.TableName() || !again.consistent {
		t.Error("a view of a view is not a consistent view of the same table")
	}

	ops := []string{"GetItem", "BatchGetItem", "Query", "Scan"}
	reads := func(t *testing.T, r *Table[user]) map[string][]bool {
		t.Helper()
		api.mu.Lock()
		api.consistent = map[string][]bool{}
		api.mu.Unlock()
		ctx := t.Context()
		if _, err := r.Get(ctx, user{ID: "u1"}); !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Get = %v, want dynamokit.ErrNotFound", err)
		}
		if _, err := r.BatchGet(ctx, []user{{ID: "u1"}, {ID: "u2"}}, nil); err != nil {
			t.Errorf("BatchGet = %v", err)
		}
		if _, err := r.Query(user{ID: "u1"}).Collect(ctx); err != nil {
			t.Errorf("Query.Collect = %v", err)
		}
		if _, err := r.Query(user{ID: "u1"}).Count(ctx); err != nil {
			t.Errorf("Query.Count = %v", err)
		}
		if _, err := r.Query(user{ID: "u1"}).Page(ctx, ""); err != nil {
			t.Errorf("Query.Page = %v", err)
		}
		if _, err := r.Scan().Collect(ctx); err != nil {
			t.Errorf("Scan.Collect = %v", err)
		}
		if _, err := r.Scan().Segments(2).Collect(ctx); err != nil {
			t.Errorf("Scan.Segments(2).Collect = %v", err)
		}
		if _, err := r.Scan().Count(ctx); err != nil {
			t.Errorf("Scan.Count = %v", err)
		}
		if _, err := r.Scan().Page(ctx, ""); err != nil {
			t.Errorf("Scan.Page = %v", err)
		}
		api.mu.Lock()
		defer api.mu.Unlock()
		for _, op := range ops {
			if len(api.consistent[op]) == 0 {
				t.Errorf("no %s request was sent", op)
			}
		}
		return api.consistent
	}

	for op, got := range reads(t, view) {
		for i, c := range got {
			if !c {
				t.Errorf("view: %s request %d has no ConsistentRead", op, i+1)
			}
		}
	}
	for op, got := range reads(t, users) {
		for i, c := range got {
			if c {
				t.Errorf("original: %s request %d has ConsistentRead", op, i+1)
			}
		}
	}
	if users.consistent {
		t.Error("reading through the view changed the original table")
	}

	// A global secondary index has no consistent reads, through the view
	// only.
	if _, err := view.Query(user{Org: "o"}).Index("org-index").Collect(t.Context()); err == nil {
		t.Error("view: a query of a global index: error = nil, want one")
	}
	if _, err := users.Query(user{Org: "o"}).Index("org-index").Collect(t.Context()); err != nil {
		t.Errorf("original: a query of a global index = %v, want nil", err)
	}
}
