package integration_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestClientTableNotFound: every kind of request on a missing table
// returns dynamokit.ErrTableNotFound, whatever the engine's message.
func TestClientTableNotFound(t *testing.T) {
	t.Parallel()
	// No tables: the namer leads to names no test creates.
	c := dynamotest.Client(t, dynamokit.WithNamer(model.Prefix(dynamotest.Prefix(t)+"missing-")))
	ctx := t.Context()
	events, err := query.NewTable[Event](c)
	if err != nil {
		t.Fatal(err)
	}
	ev := Event{Stream: "s", Seq: 1}
	for _, tt := range []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := events.Get(ctx, ev); return err }},
		{"Put", func() error { v := ev; return events.Put(ctx, &v) }},
		{"Create", func() error { v := ev; return events.Create(ctx, &v) }},
		{"Update", func() error { return events.Update(ev).Set("body", "b").Run(ctx) }},
		{"Delete", func() error { return events.Delete(ctx, ev) }},
		{"Query", func() error { _, err := events.Query(Event{Stream: "s"}).Collect(ctx); return err }},
		{"Scan", func() error { _, err := events.Scan().Collect(ctx); return err }},
		{"Count", func() error { _, err := events.Query(Event{Stream: "s"}).Count(ctx); return err }},
		{"WriteTx", func() error { v := ev; return c.WriteTx(ctx, nil, events.TxCreate(&v)) }},
		{"ReadTx", func() error { var v Event; return c.ReadTx(ctx, events.TxGet(ev, &v)) }},
		{"BatchPut", func() error { return events.BatchPut(ctx, []Event{ev}, &query.BatchOptions{Retries: 1}) }},
		{"BatchGet", func() error { _, err := events.BatchGet(ctx, []Event{ev}, &query.BatchOptions{Retries: 1}); return err }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, dynamokit.ErrTableNotFound) {
				t.Fatalf("%s on a missing table: error = %v, want ErrTableNotFound", tt.name, err)
			}
			var de *dynamokit.Error
			if !errors.As(err, &de) {
				t.Errorf("%s error %T is not a *dynamokit.Error", tt.name, err)
			}
			if msg := err.Error(); strings.Count(msg, "dynamokit:") != 1 || !strings.Contains(msg, "table not found") {
				t.Errorf("%s error = %q, want one dynamokit: prefix and \"table not found\"", tt.name, msg)
			}
		})
	}
}

// recorder is a client hook that keeps every request it sees.
type recorder struct {
	mu   sync.Mutex
	reqs []dynamokit.Request
}

func (r *recorder) hook(_ context.Context, req *dynamokit.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, *req)
}

// take returns the requests seen since the last take.
func (r *recorder) take() []dynamokit.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

// opsOf returns the operations of reqs, in order.
func opsOf(reqs []dynamokit.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Op
	}
	return out
}

// TestClientHookAndCapacity: the hook sees each request (operation,
// table, attempt, capacity), and a Capacity on the context sums the
// capacity over the pages of a query.
func TestClientHookAndCapacity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	rec := &recorder{}
	c := e.db.With(dynamokit.WithHook(rec.hook))
	events, err := query.NewTable[Event](c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for i := range 5 {
		v := Event{Stream: "s", Seq: i, Kind: "k"}
		if err := events.Put(ctx, &v); err != nil {
			t.Fatal(err)
		}
	}
	puts := rec.take()
	if got, want := opsOf(puts), []string{"PutItem", "PutItem", "PutItem", "PutItem", "PutItem"}; !cmp.Equal(got, want) {
		t.Errorf("hook saw %v for 5 puts, want %v", got, want)
	}
	for _, r := range puts {
		if r.Table != events.TableName() || r.Attempt != 1 || r.Err != nil || r.Read || r.Duration <= 0 {
			t.Errorf("hook saw %+v, want table %s, attempt 1, no error, a write with a duration", r, events.TableName())
		}
		if r.Units() <= 0 {
			t.Errorf("PutItem consumed %v units, want some (ReturnConsumedCapacity is asked for)", r.Units())
		}
	}

	var used dynamokit.Capacity
	got, err := events.Query(Event{Stream: "s"}).PageSize(2).Collect(dynamokit.WithCapacity(ctx, &used))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("query returned %d events, want 5", len(got))
	}
	pages := rec.take()
	var sum float64
	for _, r := range pages {
		if r.Op != "Query" || !r.Read {
			t.Errorf("hook saw %s (read %v) during a query, want Query reads", r.Op, r.Read)
		}
		sum += r.Units()
	}
	if len(pages) < 3 {
		t.Errorf("a query of 5 items, 2 a page, sent %d requests, want at least 3", len(pages))
	}
	total := used.Total()
	if total.Read <= 0 || total.Write != 0 || total.Read != sum {
		t.Errorf("Capacity.Total() = %+v over %d pages, want the %v read units the hook saw, and no write units", total, len(pages), sum)
	}
	if tables := used.Tables(); tables[events.TableName()].Read <= 0 {
		t.Errorf("Capacity.Tables() = %v, want read units for %s", tables, events.TableName())
	}

	// Over a transaction and a batch: the units of every request add up.
	used = dynamokit.Capacity{}
	cctx := dynamokit.WithCapacity(ctx, &used)
	v := Event{Stream: "t", Seq: 1}
	if err := c.WriteTx(cctx, nil, events.TxCreate(&v)); err != nil {
		t.Fatal(err)
	}
	if err := events.BatchPut(cctx, []Event{{Stream: "t", Seq: 2}, {Stream: "t", Seq: 3}}, nil); err != nil {
		t.Fatal(err)
	}
	if got := opsOf(rec.take()); !cmp.Equal(got, []string{"TransactWriteItems", "BatchWriteItem"}) {
		t.Errorf("hook saw %v, want TransactWriteItems and BatchWriteItem", got)
	}
	// moto reports no capacity for these two (docs/testing.md); DynamoDB
	// does, as write units.
	if total := used.Total(); total.Read != 0 || total.Write < 0 {
		t.Errorf("Capacity of a transaction and a batch write = %+v, want write units only", total)
	}
}

// TestClientRetry: a transaction cancelled by a conflict alone is sent
// again under the retry policy, and the hook sees each attempt.
func TestClientRetry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Event](t))
	rec := &recorder{}
	conflicts := 2
	api := &conflictAPI{API: e.db.API(), left: &conflicts}
	c := dynamokit.NewFromClient(api, dynamokit.WithNamer(e.names), dynamokit.WithHook(rec.hook),
		dynamokit.WithRetry(dynamokit.RetryPolicy{MaxAttempts: 3, Backoff: func(int) time.Duration { return time.Millisecond }}))
	events, err := query.NewTable[Event](c)
	if err != nil {
		t.Fatal(err)
	}
	v := Event{Stream: "r", Seq: 1}
	if err := c.WriteTx(t.Context(), nil, events.TxCreate(&v)); err != nil {
		t.Fatalf("WriteTx after %d conflicts, with 3 attempts: %v", 2, err)
	}
	reqs := rec.take()
	if len(reqs) != 3 || reqs[0].Attempt != 1 || reqs[2].Attempt != 3 || reqs[0].Err == nil || reqs[2].Err != nil {
		t.Errorf("hook saw %d attempts %+v, want 3: two conflicts, then success", len(reqs), reqs)
	}
	if _, err := events.Get(t.Context(), v, query.Consistent()); err != nil {
		t.Errorf("Get after the retried transaction: %v", err)
	}

	// Without a policy, the conflict is returned.
	conflicts = 1
	c = dynamokit.NewFromClient(api, dynamokit.WithNamer(e.names))
	events, _ = query.NewTable[Event](c)
	w := Event{Stream: "r", Seq: 2}
	if err := c.WriteTx(t.Context(), nil, events.TxCreate(&w)); !dynamokit.IsRetryable(err) {
		t.Errorf("WriteTx with a conflict and no retry policy = %v, want the retryable conflict", err)
	}
}

// conflictAPI cancels the first *left transactions with a
// TransactionConflict, as DynamoDB does when another transaction writes
// the same item, without sending them.
type conflictAPI struct {
	dynamokit.API
	left *int
}

func (a *conflictAPI) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if *a.left > 0 {
		*a.left--
		reasons := make([]types.CancellationReason, len(in.TransactItems))
		for i := range reasons {
			reasons[i].Code = aws.String("TransactionConflict")
		}
		return nil, &types.TransactionCanceledException{Message: aws.String("conflict"), CancellationReasons: reasons}
	}
	return a.API.TransactWriteItems(ctx, in, opts...)
}

// errNoDepartment is what the test's write check reports for an employee
// whose department does not exist.
var errNoDepartment = errors.New("test: department not found")

// departmentCheck is a write check on employees: a write that sets
// department_id must find that department, checked in the same
// transaction. Writes that set no department add nothing.
func departmentCheck(depts *query.Table[Department]) dynamokit.WriteCheck {
	return func(_ context.Context, w *dynamokit.Write) ([]dynamokit.CheckItem, error) {
		if w.Op == "delete" {
			return nil, nil
		}
		d, ok := w.Item["department_id"].(*types.AttributeValueMemberS)
		if !ok {
			return nil, nil // no department, or removed
		}
		if d.Value == "closed" {
			return nil, errors.New("test: department closed is closed")
		}
		expr, err := expression.NewBuilder().WithCondition(expression.AttributeExists(expression.Name("department_id"))).Build()
		if err != nil {
			return nil, err
		}
		return []dynamokit.CheckItem{{
			Item: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
				TableName:                aws.String(depts.TableName()),
				Key:                      mapping.Item{"department_id": d},
				ConditionExpression:      expr.Condition(),
				ExpressionAttributeNames: expr.Names(),
			}},
			What: "check department " + d.Value,
			Err:  errNoDepartment,
		}}, nil
	}
}

// TestWriteCheck: a write check registered on the client is consulted on
// every write path of the model, may add an item to the write's
// transaction or refuse it, and leaves writes it adds nothing to, and
// writes of other models, at their usual requests.
func TestWriteCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Department](t), must[Employee](t))
	rec := &recorder{}
	c := e.db.With(dynamokit.WithHook(rec.hook))
	depts, err := query.NewTable[Department](c)
	if err != nil {
		t.Fatal(err)
	}
	emps, err := query.NewTable[Employee](c)
	if err != nil {
		t.Fatal(err)
	}
	c.AddWriteCheck(emps.Model(), departmentCheck(depts))
	ctx := t.Context()
	hr := Department{DepartmentID: "hr", DepartmentName: "HR"}
	if err := depts.Create(ctx, &hr); err != nil {
		t.Fatal(err)
	}
	rec.take()

	for _, tt := range []struct {
		name    string
		write   func() error
		wantErr error  // nil: succeeds
		wantMsg string // part of the error message
		want    []string
	}{
		// No check for departments: the same request as without checks.
		{"other model", func() error { d := Department{DepartmentID: "it"}; return depts.Put(ctx, &d) }, nil, "", []string{"PutItem"}},
		// The check adds nothing: the plain request.
		{"create without a link", func() error { v := Employee{EmployeeID: "e-0"}; return emps.Create(ctx, &v) }, nil, "", []string{"PutItem"}},
		{"update without the link", func() error { return emps.Update(Employee{EmployeeID: "e-0"}).Set("employee_name", "Zed").Run(ctx) }, nil, "", []string{"UpdateItem"}},
		{"delete", func() error { return emps.Delete(ctx, Employee{EmployeeID: "e-0"}) }, nil, "", []string{"DeleteItem"}},
		// The check adds a condition check: one transaction.
		{"create", func() error { v := Employee{EmployeeID: "e-1", DepartmentID: "hr"}; return emps.Create(ctx, &v) }, nil, "", []string{"TransactWriteItems"}},
		{"create in a missing department", func() error { v := Employee{EmployeeID: "e-2", DepartmentID: "nope"}; return emps.Create(ctx, &v) }, errNoDepartment, "department not found", []string{"TransactWriteItems"}},
		{"create taken", func() error { v := Employee{EmployeeID: "e-1", DepartmentID: "hr"}; return emps.Create(ctx, &v) }, query.ErrAlreadyExists, "already exists", []string{"TransactWriteItems"}},
		{"put", func() error { v := Employee{EmployeeID: "e-3", DepartmentID: "hr"}; return emps.Put(ctx, &v) }, nil, "", []string{"TransactWriteItems"}},
		{"update of the link", func() error { return emps.Update(Employee{EmployeeID: "e-1"}).Set("department_id", "nope").Run(ctx) }, errNoDepartment, "department not found", []string{"TransactWriteItems"}},
		{"update of the link, returning the item", func() error {
			_, err := emps.Update(Employee{EmployeeID: "e-1"}).Set("department_id", "hr").Value(ctx)
			return err
		}, nil, "use Update.Run, then Table.Get", nil},
		{"refused by the check", func() error { v := Employee{EmployeeID: "e-4", DepartmentID: "closed"}; return emps.Put(ctx, &v) }, nil, "closed is closed", nil},
		{"transaction", func() error {
			v := Employee{EmployeeID: "e-5", DepartmentID: "nope"}
			return c.WriteTx(ctx, nil, emps.TxCreate(&v))
		}, errNoDepartment, "department not found", []string{"TransactWriteItems"}},
		{"batch put with a link", func() error {
			return emps.BatchPut(ctx, []Employee{{EmployeeID: "e-6"}, {EmployeeID: "e-7", DepartmentID: "hr"}}, nil)
		}, nil, "write it with Table.Put or Client.WriteTx", nil},
		{"batch put without links", func() error {
			return emps.BatchPut(ctx, []Employee{{EmployeeID: "e-6"}, {EmployeeID: "e-7"}}, nil)
		}, nil, "", []string{"BatchWriteItem"}},
		{"batch delete", func() error {
			return emps.BatchDelete(ctx, []Employee{{EmployeeID: "e-6"}, {EmployeeID: "e-7"}}, nil)
		}, nil, "", []string{"BatchWriteItem"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.write()
			switch {
			case tt.wantErr == nil && tt.wantMsg == "" && err != nil:
				t.Fatalf("error = %v, want nil", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("error = %v, want errors.Is %v", err, tt.wantErr)
			case tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)):
				t.Errorf("error = %v, want one containing %q", err, tt.wantMsg)
			}
			if got := opsOf(rec.take()); !cmp.Equal(got, tt.want, cmpopts.EquateEmpty()) {
				t.Errorf("requests = %v, want %v", got, tt.want)
			}
		})
	}
	// What the failed writes left: nothing.
	for _, id := range []string{"e-2", "e-4", "e-5"} {
		if _, err := emps.Get(ctx, Employee{EmployeeID: id}, query.Consistent()); !errors.Is(err, query.ErrNotFound) {
			t.Errorf("Get(%s) after a refused write = %v, want ErrNotFound", id, err)
		}
	}
	got, err := emps.Get(ctx, Employee{EmployeeID: "e-1"}, query.Consistent())
	if err != nil || got.DepartmentID != "hr" {
		t.Errorf("Get(e-1) = %+v, %v; want it in hr", got, err)
	}
}

// TestWriteCheckTransaction: in a WriteTx, the checks of several actions
// on one parent check it once, since DynamoDB allows one operation per
// item in a transaction.
func TestWriteCheckTransaction(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Department](t), must[Employee](t))
	depts, _ := query.NewTable[Department](e.db)
	emps, _ := query.NewTable[Employee](e.db)
	c := e.db.With()
	c.AddWriteCheck(emps.Model(), departmentCheck(depts))
	emps, _ = query.NewTable[Employee](c)
	ctx := t.Context()
	hr := Department{DepartmentID: "hr"}
	if err := depts.Create(ctx, &hr); err != nil {
		t.Fatal(err)
	}
	a, b := Employee{EmployeeID: "a", DepartmentID: "hr"}, Employee{EmployeeID: "b", DepartmentID: "hr"}
	if err := c.WriteTx(ctx, nil, emps.TxCreate(&a), emps.TxCreate(&b), depts.Check(hr)); err != nil {
		t.Fatalf("WriteTx of two employees of one department, and a check of it: %v", err)
	}
	x := Employee{EmployeeID: "x", DepartmentID: "gone"}
	if err := c.WriteTx(ctx, nil, emps.TxCreate(&x)); !errors.Is(err, errNoDepartment) {
		t.Errorf("WriteTx of an employee of a missing department = %v, want errNoDepartment", err)
	}
}

// TestWriteCheckTransactionDeletesParent: a check's condition on an item
// that the same transaction deletes cannot be dropped as a repeat: the
// transaction is refused before any request, with the check's error, and
// leaves no employee in a deleted department.
func TestWriteCheckTransactionDeletesParent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Department](t), must[Employee](t))
	rec := &recorder{}
	c := e.db.With(dynamokit.WithHook(rec.hook))
	depts, _ := query.NewTable[Department](c)
	emps, _ := query.NewTable[Employee](c)
	c.AddWriteCheck(emps.Model(), departmentCheck(depts))
	ctx := t.Context()
	hr := Department{DepartmentID: "hr"}
	if err := depts.Create(ctx, &hr); err != nil {
		t.Fatal(err)
	}
	rec.take()
	v := Employee{EmployeeID: "e-1", DepartmentID: "hr"}
	err := c.WriteTx(ctx, nil, depts.TxDelete(hr), emps.TxCreate(&v))
	if !errors.Is(err, errNoDepartment) {
		t.Errorf("WriteTx(delete hr, create e-1 in hr) = %v, want errNoDepartment", err)
	}
	if got := opsOf(rec.take()); len(got) != 0 {
		t.Errorf("requests = %v, want none", got)
	}
	if _, err := depts.Get(ctx, hr, query.Consistent()); err != nil {
		t.Errorf("Get(hr) = %v, want it kept", err)
	}
	if _, err := emps.Get(ctx, v, query.Consistent()); !errors.Is(err, query.ErrNotFound) {
		t.Errorf("Get(e-1) = %v, want ErrNotFound", err)
	}
}
