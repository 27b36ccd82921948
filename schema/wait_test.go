package schema

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
)

// within runs f and returns its error, failing t when f has not returned
// after d: a wait without a bound shows up as a failure, not a hung test.
func within(t *testing.T, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still waiting after %v", d)
		return nil
	}
}

// fakeWithTable returns a fake holding the ACTIVE table of m.
func fakeWithTable(t *testing.T, m *model.Model) *fakeClient {
	t.Helper()
	f := newFake()
	if err := create(t.Context(), f, &Options{PollInterval: time.Millisecond}, []*model.Model{m}); err != nil {
		t.Fatal(err)
	}
	f.calls = nil
	return f
}

// startDelete sends DeleteTable for name, which then shows DELETING in
// n DescribeTable answers.
func startDelete(t *testing.T, f *fakeClient, name string, n int) {
	t.Helper()
	if _, err := f.DeleteTable(t.Context(), &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	f.deleting[name] = n
	f.calls = nil
}

func count(calls []string, call string) int {
	n := 0
	for _, c := range calls {
		if c == call {
			n++
		}
	}
	return n
}

// TestCreateWhileDeleting: CreateTable of a table being deleted fails with
// ResourceInUseException; Create waits for the deletion to finish and
// creates the table again.
func TestCreateWhileDeleting(t *testing.T) {
	m := model.MustOf[widget]()
	f := fakeWithTable(t, m)
	startDelete(t, f, "widget", 3)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	err := within(t, 10*time.Second, func() error {
		return create(ctx, f, &Options{PollInterval: time.Millisecond}, []*model.Model{m})
	})
	if err != nil {
		t.Fatalf("Create of a DELETING table = %v, want nil", err)
	}
	if td := f.tables["widget"]; td == nil || td.TableStatus != types.TableStatusActive {
		t.Errorf("after Create: table %+v, want an ACTIVE table", td)
	}
	if n := count(f.calls, "CreateTable widget"); n != 2 {
		t.Errorf("calls = %v: %d CreateTable, want 2 (refused while DELETING, then sent again)", f.calls, n)
	}
}

// TestDropWhileBusy: DeleteTable of a table being created fails with
// ResourceInUseException, and so does DeleteTable of a table already being
// deleted; Drop waits, deleting the table once it is ACTIVE.
func TestDropWhileBusy(t *testing.T) {
	m := model.MustOf[widget]()
	opts := &Options{PollInterval: time.Millisecond}
	tests := []struct {
		name      string
		setup     func(t *testing.T) *fakeClient
		wantCalls int // DeleteTable calls
	}{
		{"creating", func(t *testing.T) *fakeClient {
			f := newFake()
			if _, err := f.CreateTable(t.Context(), createInput(t, m, nil)); err != nil {
				t.Fatal(err)
			}
			return f
		}, 2},
		{"deleting", func(t *testing.T) *fakeClient {
			f := fakeWithTable(t, m)
			startDelete(t, f, "widget", 3)
			return f
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.setup(t)
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			if err := within(t, 10*time.Second, func() error { return drop(ctx, f, opts, []*model.Model{m}) }); err != nil {
				t.Fatalf("Drop = %v, want nil", err)
			}
			if td := f.tables["widget"]; td != nil {
				t.Errorf("after Drop: table %s, want none", td.TableStatus)
			}
			if n := count(f.calls, "DeleteTable widget"); n != tt.wantCalls {
				t.Errorf("calls = %v: %d DeleteTable, want %d", f.calls, n, tt.wantCalls)
			}
		})
	}
}

// TestApplyTableDeleted: when a table is being deleted under Apply, the
// wait before the next change fails at once, naming the table.
func TestApplyTableDeleted(t *testing.T) {
	v1, v2 := model.MustOf[widget](), model.MustOf[widgetV2]()
	f := fakeWithTable(t, v1)
	opts := &Options{PollInterval: time.Millisecond}
	cs, err := plan(t.Context(), f, opts, []*model.Model{v2})
	if err != nil {
		t.Fatal(err)
	}
	startDelete(t, f, "widget", 1)
	f.frozen["widget"] = true
	err = within(t, 10*time.Second, func() error { return apply(context.Background(), f, cs, opts) })
	if err == nil || !strings.Contains(err.Error(), "table widget is being deleted") {
		t.Errorf("Apply to a DELETING table = %v, want an error saying table widget is being deleted", err)
	}
	if slices.Contains(f.calls, "UpdateTable widget") {
		t.Errorf("calls = %v, want no UpdateTable", f.calls)
	}
}

// TestWaitBound: every wait gives up after Options.WaitTimeout, even under
// context.Background(), with an error matching context.DeadlineExceeded
// that names the table and says what it last looked like.
func TestWaitBound(t *testing.T) {
	v1, v2 := model.MustOf[widget](), model.MustOf[widgetV2]()
	opts := &Options{PollInterval: time.Millisecond, WaitTimeout: 50 * time.Millisecond}
	tests := []struct {
		name string
		run  func(t *testing.T) error
		want string // in the error
	}{
		{"create while deleting", func(t *testing.T) error {
			f := fakeWithTable(t, v1)
			startDelete(t, f, "widget", 1)
			f.frozen["widget"] = true
			return create(context.Background(), f, opts, []*model.Model{v1})
		}, "wait for table widget to be active (last seen: table DELETING)"},
		{"create while creating", func(t *testing.T) error {
			f := newFake()
			f.frozen["widget"] = true
			return create(context.Background(), f, opts, []*model.Model{v1})
		}, "wait for table widget to be active (last seen: table CREATING)"},
		{"drop while deleting", func(t *testing.T) error {
			f := fakeWithTable(t, v1)
			startDelete(t, f, "widget", 1)
			f.frozen["widget"] = true
			return drop(context.Background(), f, opts, []*model.Model{v1})
		}, "wait for table widget to be deleted (last seen: table DELETING)"},
		{"apply index", func(t *testing.T) error {
			f := fakeWithTable(t, v1)
			cs, err := plan(t.Context(), f, opts, []*model.Model{v2})
			if err != nil {
				t.Fatal(err)
			}
			f.frozen["widget"] = true
			return apply(context.Background(), f, cs, opts)
		}, "wait for index by-name of widget to be active (last seen: table UPDATING, index by-name CREATING)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := within(t, 10*time.Second, func() error { return tt.run(t) })
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "gave up after 50ms") {
				t.Errorf("error = %v, want context.DeadlineExceeded with %q and \"gave up after 50ms\"", err, tt.want)
			}
		})
	}
}

func TestWaitTimeoutDefault(t *testing.T) {
	tests := []struct {
		opts *Options
		want time.Duration
	}{
		{nil, defaultWaitTimeout},
		{&Options{}, defaultWaitTimeout},
		{&Options{WaitTimeout: time.Second}, time.Second},
	}
	for _, tt := range tests {
		if got := tt.opts.waitTimeout(); got != tt.want {
			t.Errorf("%+v.waitTimeout() = %v, want %v", tt.opts, got, tt.want)
		}
	}
	if defaultWaitTimeout != 30*time.Minute {
		t.Errorf("defaultWaitTimeout = %v, want 30m as documented", defaultWaitTimeout)
	}
}
