package integration_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	mig "github.com/dynamokit/dynamokit/migrate"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema"
	"github.com/dynamokit/dynamokit/stream"
)

// contractNoKey is a model with no hash key: a bad declaration.
type contractNoKey struct {
	Name string `dynamo:"name"`
}

// contractRekeyed is the employee table with another key: a table schema
// cannot change in place.
type contractRekeyed struct {
	ID string `dynamo:"id,hash"`
}

func (contractRekeyed) TableName() string { return "employee" }

// innerPackage finds a package prefix inside a message, where a quoted
// message kept its own: "relations: count: dynamokit: GetItem ...".
var innerPackage = regexp.MustCompile(`: (dynamokit|query|relations|schema|model|migrate|stream): `)

// TestErrorContract checks the rule docs/client.md ("Errors") states, one
// error of each class from each package: every error of a call that reads
// or writes items (query, relations, Client.WriteTx and ReadTx, migrate's
// Runner, stream's Reader), whether a request failed, the context ended,
// an item did not decode or the call refused before any request, holds a
// *dynamokit.Error naming the table (and the relation, for a relation's
// verb); errors.Is matches the sentinel where one applies, and the detail
// types are found beneath it. schema's refusals and bad declarations found
// before any request match their package's sentinel instead, and say what
// to fix. Each message names its package once, at its start, and its table
// once.
func TestErrorContract(t *testing.T) {
	t.Parallel()
	f := setup(t, multiTable, nil)
	depts, emps := f.unchecked(t)
	db := depts.Client()
	ctx := t.Context()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	// d-1 has e-1 (linked through the relation); e-bad's name is stored
	// as a number, which its field cannot hold.
	d1 := Department{DepartmentID: "d-1", DepartmentName: "Research"}
	if err := f.depts.Create(ctx, &d1); err != nil {
		t.Fatal(err)
	}
	e1 := Employee{EmployeeID: "e-1", EmployeeName: "Ada"}
	if err := f.staff.Link(ctx, &e1, d1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Executor().PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(emps.TableName()),
		Item: map[string]types.AttributeValue{
			"employee_id":   &types.AttributeValueMemberS{Value: "e-bad"},
			"employee_name": &types.AttributeValueMemberN{Value: "7"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	missing, err := query.NewTable[Department](graphClient(t, dynamokit.WithNamer(func(s string) string { return f.names(s) + "-missing" })))
	if err != nil {
		t.Fatal(err)
	}
	tooMany := make([]dynamokit.TxAction, dynamokit.MaxTxActions+1)
	tooManyReads := make([]dynamokit.TxRead, dynamokit.MaxTxActions+1)
	var read Department
	for i := range tooMany {
		tooMany[i] = depts.TxPut(&Department{DepartmentID: fmt.Sprint("d-", i)})
		tooManyReads[i] = depts.TxGet(Department{DepartmentID: fmt.Sprint("d-", i)}, &read)
	}
	incomplete, err := mig.New[Employee](db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := incomplete.Register(mig.Migration{ID: "refuse", Step: mig.Func("refuse", func(context.Context, mig.Item) (mig.Item, error) {
		return nil, errors.New("no")
	})}); err != nil {
		t.Fatal(err)
	}
	dec, err := stream.NewDecoder[Department]()
	if err != nil {
		t.Fatal(err)
	}
	reader, err := stream.NewReader(db, dec, nil)
	if err != nil {
		t.Fatal(err)
	}
	const rel = "Department has many integration_test.Employee"

	is := func(target any) func(error) bool { return func(err error) bool { return errors.As(err, target) } }
	for _, tt := range []struct {
		name   string
		err    func() error
		kind   error            // the sentinel errors.Is matches; nil: none
		table  string           // the *dynamokit.Error's Table; "": no *dynamokit.Error is promised
		rel    bool             // the *dynamokit.Error names the relation
		detail func(error) bool // a detail type found beneath it
		says   string           // in the message
	}{
		// query: a failed request, a refusal before it, a decode, a context end.
		{name: "query/not found", err: func() error { _, err := depts.Get(ctx, Department{DepartmentID: "d-404"}); return err },
			kind: dynamokit.ErrNotFound, table: depts.TableName(), says: "d-404"},
		{name: "query/table not found", err: func() error { _, err := missing.Get(ctx, Department{DepartmentID: "d-1"}); return err },
			kind: dynamokit.ErrTableNotFound, table: missing.TableName()},
		{name: "query/already exists", err: func() error { return depts.Create(ctx, &Department{DepartmentID: "d-1"}) },
			kind: dynamokit.ErrAlreadyExists, table: depts.TableName()},
		{name: "query/empty key", err: func() error { _, err := depts.Get(ctx, Department{}); return err },
			kind: model.ErrEmptyKey, table: depts.TableName(), says: "department_id"},
		{name: "query/bad cursor", err: func() error { _, err := depts.Scan().Page(ctx, "junk"); return err },
			kind: query.ErrBadCursor, table: depts.TableName()},
		{name: "query/bad operand", err: func() error {
			return depts.Update(Department{DepartmentID: "d-1"}).Set("department_name", 7).Run(ctx)
		}, table: depts.TableName(), says: "department_name"},
		{name: "query/decode", err: func() error { _, err := emps.Get(ctx, Employee{EmployeeID: "e-bad"}); return err },
			table: emps.TableName(), detail: is(new(*model.DecodeError)), says: "EmployeeName"},
		{name: "query/written, not decoded", err: func() error {
			_, err := emps.Update(Employee{EmployeeID: "e-bad"}).Set("department_id", "d-9").Value(ctx)
			return err
		}, table: emps.TableName(), detail: is(new(*query.WrittenError)), says: "written"},
		{name: "query/batch cancelled", err: func() error {
			_, err := depts.BatchGet(cancelled, []Department{{DepartmentID: "d-1"}}, nil)
			return err
		},
			kind: context.Canceled, table: depts.TableName(), detail: is(new(*query.BatchError[Department]))},
		{name: "query/scan cancelled", err: func() error { _, err := depts.Scan().Collect(cancelled); return err },
			kind: context.Canceled, table: depts.TableName()},
		{name: "query/applied of another error", err: func() error { _, err := depts.Applied(ctx, errors.New("x")); return err },
			table: depts.TableName()},
		// root: transactions.
		{name: "root/WriteTx cancelled", err: func() error { return db.WriteTx(ctx, nil, depts.TxCreate(&Department{DepartmentID: "d-1"})) },
			kind: dynamokit.ErrAlreadyExists, table: depts.TableName(), detail: is(new(*dynamokit.TxError))},
		{name: "root/WriteTx too many actions", err: func() error { return db.WriteTx(ctx, nil, tooMany...) },
			kind: dynamokit.ErrTooManyActions, table: depts.TableName()},
		{name: "root/WriteTx empty key", err: func() error { return db.WriteTx(ctx, nil, depts.TxPut(&Department{})) },
			kind: model.ErrEmptyKey, table: depts.TableName()},
		{name: "root/ReadTx not found", err: func() error { return db.ReadTx(ctx, depts.TxGet(Department{DepartmentID: "d-404"}, &read)) },
			kind: dynamokit.ErrNotFound, table: depts.TableName()},
		{name: "root/ReadTx too many reads", err: func() error { return db.ReadTx(ctx, tooManyReads...) },
			kind: dynamokit.ErrTooManyActions, table: depts.TableName()},
		// relations: a refusal before any request, a refused delete, a failed request.
		{name: "relations/parent not found", err: func() error {
			e := Employee{EmployeeID: "e-2"}
			return f.staff.Link(ctx, &e, Department{DepartmentID: "d-404"})
		}, kind: relations.ErrParentNotFound, table: "?", rel: true},
		{name: "relations/restrict", err: func() error { return f.staff.DeleteParent(ctx, d1, nil) },
			kind: relations.ErrHasChildren, table: "?", rel: true, detail: is(new(*relations.RestrictError)), says: rel},
		{name: "relations/link of a child that exists", err: func() error { return f.staff.Link(ctx, &e1, d1) },
			kind: dynamokit.ErrAlreadyExists, table: "?", rel: true},
		{name: "relations/count cancelled", err: func() error { _, err := f.staff.CountChildren(cancelled, d1); return err },
			kind: context.Canceled, table: "?", rel: true},
		// migrate and stream: a run's own outcome, a failed request.
		{name: "migrate/items left", err: func() error { _, err := incomplete.Run(ctx); return err },
			kind: mig.ErrIncomplete, table: emps.TableName(), detail: is(new(*mig.IncompleteError)), says: "refuse"},
		{name: "migrate/cancelled", err: func() error { _, err := incomplete.Run(cancelled); return err },
			kind: context.Canceled, table: "?"},
		{name: "stream/no stream", err: func() error {
			return reader.Run(ctx, func(context.Context, stream.Event[Department]) error { return nil })
		}, kind: stream.ErrNoStream, table: depts.TableName(), says: depts.TableName()},
		{name: "stream/cancelled", err: func() error {
			return reader.Run(cancelled, func(context.Context, stream.Event[Department]) error { return nil })
		}, kind: context.Canceled, table: depts.TableName()},
		// schema: a failed request holds a *dynamokit.Error; its refusals
		// match schema's sentinels.
		{name: "schema/create cancelled", err: func() error { return schema.Create(cancelled, db, nil, must[Department](t)) },
			kind: context.Canceled, table: depts.TableName()},
		{name: "schema/recreate", err: func() error { _, err := schema.Plan(ctx, db, nil, must[contractRekeyed](t)); return err },
			kind: schema.ErrRecreate, says: emps.TableName()},
		// Bad declarations, found before any request.
		{name: "model/no hash key", err: func() error { _, err := model.Of[contractNoKey](); return err },
			kind: model.ErrInvalid, says: "contractNoKey"},
		{name: "query/NewTable of a bad model", err: func() error { _, err := query.NewTable[contractNoKey](db); return err },
			kind: model.ErrInvalid, says: "contractNoKey"},
		{name: "query/bad collection", err: func() error { _, err := query.NewCollection("org", depts, emps); return err },
			kind: query.ErrInvalidCollection, says: "org"},
		{name: "relations/bad declaration", err: func() error {
			_, err := relations.Declare(depts, emps, relations.Spec{Layout: relations.InvertedIndex, Index: "no-such-index"})
			return err
		}, kind: relations.ErrMismatch, says: "no-such-index"},
		{name: "migrate/New of a bad model", err: func() error { _, err := mig.New[contractNoKey](db, nil); return err },
			kind: model.ErrInvalid, says: "contractNoKey"},
		{name: "stream/NewDecoder of a bad model", err: func() error { _, err := stream.NewDecoder[contractNoKey](); return err },
			kind: model.ErrInvalid, says: "contractNoKey"},
	} {
		err := tt.err()
		if err == nil {
			t.Errorf("%s: nil error", tt.name)
			continue
		}
		if p := innerPackage.FindString(err.Error()); p != "" {
			t.Errorf("%s: message %q names a package (%q) after its start, want one prefix", tt.name, err, p)
		}
		if tt.kind != nil && !errors.Is(err, tt.kind) {
			t.Errorf("%s: %v, want it to match %v", tt.name, err, tt.kind)
		}
		if tt.detail != nil && !tt.detail(err) {
			t.Errorf("%s: %v (%T), want its detail type found by errors.As", tt.name, err, err)
		}
		if tt.says != "" && !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: message %q, want it to name %q", tt.name, err, tt.says)
		}
		if tt.table == "" {
			continue
		}
		var de *dynamokit.Error
		switch {
		case !errors.As(err, &de):
			t.Errorf("%s: %v (%T), want a *dynamokit.Error", tt.name, err, err)
		case tt.table != "?" && de.Table != tt.table:
			t.Errorf("%s: Error.Table = %q, want %q", tt.name, de.Table, tt.table)
		case de.Table == "":
			t.Errorf("%s: %v: Error.Table is empty", tt.name, err)
		case tt.rel && !strings.HasSuffix(de.Relation, rel):
			t.Errorf("%s: Error.Relation = %q, want it to name %q", tt.name, de.Relation, rel)
		case de.Op != "" && !strings.Contains(err.Error(), de.Table):
			t.Errorf("%s: message %q, want it to name the table %s", tt.name, err, de.Table)
		case strings.Count(err.Error(), de.Table+" ")+strings.Count(err.Error(), de.Table+":") > 1:
			t.Errorf("%s: message %q names the table %s more than once", tt.name, err, de.Table)
		}
	}
}
