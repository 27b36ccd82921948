package integration_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit"
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
