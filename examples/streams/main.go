// Command streams keeps a per-department summary (head count and payroll)
// up to date from the employee table's stream: each hire, raise, move and
// departure reaches a stream.Reader as a typed event, with the employee
// before and after the change, and the reader's handler writes the
// department totals it changes.
//
// Run it from the repository root:
//
//	go run ./examples/streams
//
// It starts a private moto server (installed into the user cache on first
// use; it needs Python 3), or uses DYNAMODB_ENDPOINT when that is set;
// with -aws it uses the normal AWS configuration. The tables it creates
// are prefixed (-prefix) and dropped at the end unless -keep is given.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/schema"
	"github.com/dynamokit/dynamokit/stream"
)

// Employee is the table whose stream is followed.
type Employee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	Name         string `dynamo:"name"`
	DepartmentID string `dynamo:"department_id"`
	Salary       int    `dynamo:"salary"`
}

// TableName is the employee table's base name.
func (Employee) TableName() string { return "stream_employee" }

// TableOptions declares the table's stream, with both images of every
// change, so schema.Create turns it on.
func (Employee) TableOptions() model.Options {
	return model.Options{Stream: model.StreamNewAndOldImages}
}

// DepartmentTotal is what the stream keeps up to date: one item per
// department.
type DepartmentTotal struct {
	DepartmentID string `dynamo:"department_id,hash"`
	HeadCount    int    `dynamo:"head_count"`
	Payroll      int    `dynamo:"payroll"`
}

// TableName is the totals table's base name.
func (DepartmentTotal) TableName() string { return "department_total" }

func main() {
	prefix := flag.String("prefix", "dynamokit-example-", "prefix for the table names")
	keep := flag.Bool("keep", false, "keep the tables at the end")
	useAWS := flag.Bool("aws", false, "use real DynamoDB through the normal AWS configuration instead of a private moto server")
	flag.Parse()

	if err := run(context.Background(), os.Stdout, *useAWS, *prefix, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "streams:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, useAWS bool, prefix string, keep bool) error {
	db, eng, err := connect.Open(ctx, &connect.Options{AWS: useAWS, Log: os.Stderr}, dynamokit.WithNamer(model.Prefix(prefix)))
	if err != nil {
		return err
	}
	defer eng.Close() // stops the moto server, if Open started one
	// Not before: the first run installs moto, which can take minutes.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	empModel, err := model.Of[Employee]()
	if err != nil {
		return err
	}
	totalModel, err := model.Of[DepartmentTotal]()
	if err != nil {
		return err
	}
	if err := schema.Create(ctx, db, nil, empModel, totalModel); err != nil {
		return err
	}
	if !keep {
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := schema.Drop(ctx, db, nil, empModel, totalModel); err != nil {
				fmt.Fprintln(os.Stderr, "streams: drop tables:", err)
			}
		}()
	}
	return walkThrough(ctx, w, db)
}

func walkThrough(ctx context.Context, w io.Writer, db *dynamokit.Client) error {
	emps, err := query.NewTable[Employee](db)
	if err != nil {
		return err
	}
	totals, err := query.NewTable[DepartmentTotal](db)
	if err != nil {
		return err
	}

	// The changes the company makes, while the reader below follows them.
	changes := []struct {
		what string
		do   func() error
	}{
		{"hire Alice into d-1", func() error { return emps.Put(ctx, &Employee{"e-1", "Alice", "d-1", 5000}) }},
		{"hire Bob into d-1", func() error { return emps.Put(ctx, &Employee{"e-2", "Bob", "d-1", 4000}) }},
		{"hire Cathy into d-2", func() error { return emps.Put(ctx, &Employee{"e-3", "Cathy", "d-2", 6000}) }},
		{"raise Bob to 4500", func() error { return emps.Put(ctx, &Employee{"e-2", "Bob", "d-1", 4500}) }},
		{"move Alice to d-2", func() error { return emps.Put(ctx, &Employee{"e-1", "Alice", "d-2", 5000}) }},
		{"Cathy leaves", func() error { return emps.Delete(ctx, Employee{EmployeeID: "e-3"}) }},
	}

	dec, err := stream.NewDecoder[Employee]()
	if err != nil {
		return err
	}
	reader, err := stream.NewReader(db, dec, &stream.Options{PollInterval: 200 * time.Millisecond})
	if err != nil {
		return err
	}
	// The handler is called once per change, in order for each employee:
	// it takes the employee out of the old department's totals and adds
	// them to the new one's. Run calls it from one goroutine (Concurrency
	// is 1), so the map needs no lock.
	sum := map[string]*DepartmentTotal{}
	handled := make(chan struct{}, len(changes))
	handle := func(ctx context.Context, ev stream.Event[Employee]) error {
		touched := map[string]bool{}
		if e := ev.Old; e != nil {
			t := total(sum, e.DepartmentID)
			t.HeadCount--
			t.Payroll -= e.Salary
			touched[e.DepartmentID] = true
		}
		if e := ev.New; e != nil {
			t := total(sum, e.DepartmentID)
			t.HeadCount++
			t.Payroll += e.Salary
			touched[e.DepartmentID] = true
		}
		for d := range touched {
			if err := totals.Put(ctx, sum[d]); err != nil {
				return err // Run stops, and this event is not checkpointed
			}
		}
		fmt.Fprintf(w, "stream: %-6s %-4s -> totals %s\n", ev.Kind, ev.Keys["employee_id"].(*types.AttributeValueMemberS).Value, show(sum))
		handled <- struct{}{}
		return nil
	}
	readerCtx, stopReader := context.WithCancel(ctx)
	defer stopReader()
	done := make(chan error, 1)
	go func() { done <- reader.Run(readerCtx, handle) }()

	for _, c := range changes {
		if err := c.do(); err != nil {
			return fmt.Errorf("%s: %w", c.what, err)
		}
		fmt.Fprintf(w, "table:  %s\n", c.what)
	}
	// Wait for the reader to catch up, then stop it.
	for range changes {
		select {
		case <-handled:
		case err := <-done:
			return fmt.Errorf("reader: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	stopReader()
	if err := <-done; !errors.Is(err, context.Canceled) {
		return fmt.Errorf("reader: %w", err)
	}
	// A real reader saves this (next to the totals) and resumes from it
	// with Options.Checkpoint.
	cp := reader.Checkpoint()
	fmt.Fprintf(w, "checkpoint: %d shard(s)\n", len(cp.Shards))

	fmt.Fprintln(w, "------ department_total (kept up to date by the stream) ------")
	var stored []DepartmentTotal
	for t, err := range totals.Scan().All(ctx) {
		if err != nil {
			return err
		}
		stored = append(stored, t)
	}
	sort.Slice(stored, func(i, j int) bool { return stored[i].DepartmentID < stored[j].DepartmentID })
	for _, t := range stored {
		fmt.Fprintf(w, "%s: %d employee(s), payroll %d\n", t.DepartmentID, t.HeadCount, t.Payroll)
	}

	// Check the totals against the employees as they are now.
	want := map[string]*DepartmentTotal{}
	for e, err := range emps.Scan().All(ctx) {
		if err != nil {
			return err
		}
		t := total(want, e.DepartmentID)
		t.HeadCount++
		t.Payroll += e.Salary
	}
	if got, want := show(sum), show(want); got != want {
		return fmt.Errorf("totals %s, but the employees add up to %s", got, want)
	}
	fmt.Fprintln(w, "the totals match the employee table")
	return nil
}

// total returns the totals of department d in m, made when missing.
func total(m map[string]*DepartmentTotal, d string) *DepartmentTotal {
	t, ok := m[d]
	if !ok {
		t = &DepartmentTotal{DepartmentID: d}
		m[d] = t
	}
	return t
}

// show renders totals in department order, leaving out empty ones.
func show(m map[string]*DepartmentTotal) string {
	ids := make([]string, 0, len(m))
	for d, t := range m {
		if t.HeadCount != 0 || t.Payroll != 0 {
			ids = append(ids, d)
		}
	}
	sort.Strings(ids)
	s := "["
	for i, d := range ids {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s:%d/%d", d, m[d].HeadCount, m[d].Payroll)
	}
	return s + "]"
}
