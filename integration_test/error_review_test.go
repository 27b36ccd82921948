package integration_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// TestErrorMessagesOnce: an error names each thing once: a unique value's
// clash names its table once (the *dynamokit.Error names it, the
// NotUniqueError beneath it does not again), and a relation's refusal
// names its package once.
func TestErrorMessagesOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t.Run("unique clash", func(t *testing.T) {
		t.Parallel()
		_, users, _ := uniqueTables(t)
		if err := users.Create(ctx, &uUser{ID: "s1", Email: "a@x"}); err != nil {
			t.Fatal(err)
		}
		err := users.Create(ctx, &uUser{ID: "s2", Email: "a@x"})
		wantNotUnique(t, "Create(s2)", err, "email", "a@x", "user_id=s1")
		if n := strings.Count(err.Error(), users.TableName()); n != 1 {
			t.Errorf("message %q names the table %d times, want once", err, n)
		}
		if !strings.Contains(err.Error(), `email "a@x" is held by user_id=s1`) {
			t.Errorf("message %q, want it to name the value and its holder", err)
		}
	})
	t.Run("unlink in an item collection", func(t *testing.T) {
		t.Parallel()
		f := setup(t, itemCollection, nil)
		err := f.staff.Unlink(ctx, ColEmployee{EmployeeID: "e-1", DepartmentID: "d-1"})
		if !errors.Is(err, relations.ErrCannotDetach) {
			t.Fatalf("Unlink = %v, want ErrCannotDetach", err)
		}
		var de *dynamokit.Error
		if !errors.As(err, &de) || de.Table != f.emps.TableName() {
			t.Errorf("Unlink = %v, want a *dynamokit.Error of %s", err, f.emps.TableName())
		}
		if n := strings.Count(err.Error(), "relations: "); n != 1 {
			t.Errorf("message %q names the package %d times, want once", err, n)
		}
	})
}

// TestErrorPromises holds docs/client.md's promises on errors: a
// cancelled WriteTx matches each failed action's sentinel (a version
// conflict as well as a failed condition) inside an *Error naming its
// table; one over several tables names none, and each reason names its
// action's table; a batch's and a count's Op is DynamoDB's operation, with
// the caller's values in the BatchError.
func TestErrorPromises(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, must[FaultDoc](t), must[Department](t))
	docs, depts := tableOf[FaultDoc](t, e, e.db, nil), tableOf[Department](t, e, e.db, nil)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	doc := FaultDoc{ID: "a", Body: "one"}
	if err := docs.Create(ctx, &doc); err != nil {
		t.Fatal(err)
	}
	stale := FaultDoc{ID: "a", Body: "two", Version: doc.Version - 1}

	err := e.db.WriteTx(ctx, nil, docs.TxPut(&stale))
	var (
		de *dynamokit.Error
		te *dynamokit.TxError
	)
	if !errors.Is(err, dynamokit.ErrVersionConflict) || !errors.Is(err, dynamokit.ErrConditionFailed) {
		t.Errorf("WriteTx(stale put) = %v, want ErrVersionConflict and ErrConditionFailed", err)
	}
	if !errors.As(err, &de) || de.Table != docs.TableName() || de.Op != "TransactWriteItems" {
		t.Errorf("WriteTx(stale put) = %v, want an *Error of TransactWriteItems on %s", err, docs.TableName())
	}
	if !errors.As(err, &te) || len(te.Reasons) != 1 || !errors.Is(te.Reasons[0].Kind, dynamokit.ErrVersionConflict) {
		t.Errorf("WriteTx(stale put) = %v, want a TxError whose reason is ErrVersionConflict", err)
	}

	err = e.db.WriteTx(ctx, nil, depts.TxPut(&Department{DepartmentID: "d-1"}), docs.TxPut(&stale))
	if !errors.As(err, &de) || de.Table != "" || !errors.Is(err, dynamokit.ErrVersionConflict) {
		t.Errorf("WriteTx over two tables = %v, want an *Error naming no table, matching ErrVersionConflict", err)
	}
	if !errors.As(err, &te) || len(te.Reasons) != 2 ||
		!strings.Contains(te.Reasons[0].Action, depts.TableName()) || !strings.Contains(te.Reasons[1].Action, docs.TableName()) {
		t.Errorf("WriteTx over two tables = %v, want each reason to name its action's table", err)
	}
	if n := strings.Count(err.Error(), "dynamokit: "); n != 1 {
		t.Errorf("message %q names the package %d times, want once", err, n)
	}

	for _, tt := range []struct {
		op, want string
		err      error
	}{
		{"BatchPut", "BatchWriteItem", depts.BatchPut(cancelled, []Department{{DepartmentID: "d-2"}}, nil)},
		{"BatchDelete", "BatchWriteItem", depts.BatchDelete(cancelled, []Department{{DepartmentID: "d-2"}}, nil)},
		{"Scan.Count", "Scan", func() error { _, err := depts.Scan().Count(cancelled); return err }()},
		{"Query.Count", "Query", func() error { _, err := depts.Query(Department{DepartmentID: "d-1"}).Count(cancelled); return err }()},
	} {
		if !errors.As(tt.err, &de) || de.Op != tt.want || de.Table != depts.TableName() || !errors.Is(tt.err, context.Canceled) {
			t.Errorf("%s = %v, want an *Error of %s on %s matching context.Canceled", tt.op, tt.err, tt.want, depts.TableName())
		}
	}
	var be *query.BatchError[Department]
	if err := depts.BatchPut(cancelled, []Department{{DepartmentID: "d-2"}}, nil); !errors.As(err, &be) || len(be.Unprocessed) != 1 || be.Unprocessed[0].DepartmentID != "d-2" {
		t.Errorf("BatchPut(cancelled) = %v, want a BatchError with d-2 unprocessed", err)
	}
}

// TestRefusedWriteNamesTable: a plain write the relation refuses before
// any request (a delete of an edge through its table, a Delete or
// BatchDelete of a parent under Cascade) is an *Error of the table, as
// every error of a call that writes items is, and matches ErrNeedsRelation.
func TestRefusedWriteNamesTable(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	want := func(t *testing.T, what string, err error, op, table string) {
		t.Helper()
		var de *dynamokit.Error
		if !errors.Is(err, relations.ErrNeedsRelation) {
			t.Errorf("%s = %v, want ErrNeedsRelation", what, err)
		}
		if !errors.As(err, &de) || de.Op != op || de.Table != table {
			t.Errorf("%s = %v, want an *Error of %s on %s", what, err, op, table)
		}
		if n := strings.Count(err.Error(), "relations: "); n > 1 {
			t.Errorf("%s: message %q names the package %d times", what, err, n)
		}
	}
	t.Run("edge", func(t *testing.T) {
		t.Parallel()
		f := edgeSetup(t, ownTables, nil)
		f.declare(t, relations.EdgeSpec{})
		e := Enrollment{StudentID: "s-1", CourseID: "c-1"}
		want(t, "Delete(edge)", f.edges.Delete(ctx, e), "DeleteItem", f.edges.TableName())
		want(t, "BatchDelete(edge)", f.edges.BatchDelete(ctx, []Enrollment{e}, nil), "BatchWriteItem", f.edges.TableName())
	})
	t.Run("parent under cascade", func(t *testing.T) {
		t.Parallel()
		f := setup(t, multiTable, nil)
		f.onDelete(t, relations.Cascade)
		d := Department{DepartmentID: "d-1"}
		want(t, "Delete(parent)", f.depts.Delete(ctx, d), "DeleteItem", f.depts.TableName())
		want(t, "BatchDelete(parent)", f.depts.BatchDelete(ctx, []Department{d}, nil), "BatchWriteItem", f.depts.TableName())
	})
}
