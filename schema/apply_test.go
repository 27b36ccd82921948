package schema

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

// widget is a table that grows an index and TTL between versions.
type widget struct {
	ID   string `dynamo:"id,hash"`
	Name string `dynamo:"name"`
}

func (widget) TableName() string { return "widget" }

type widgetV2 struct {
	ID      string `dynamo:"id,hash"`
	Name    string `dynamo:"name" index:"by-name,hash"`
	Color   string `dynamo:"color" index:"by-color,hash"`
	Expires int64  `dynamo:"expires" dynamokit:"ttl"`
}

func (widgetV2) TableName() string { return "widget" }

func fastOpts(events *[]Event) *Options {
	return &Options{PollInterval: time.Millisecond, Progress: func(e Event) { *events = append(*events, e) }}
}

// writes returns the calls that change something, in order.
func writes(calls []string) []string {
	var out []string
	for _, c := range calls {
		if !strings.HasPrefix(c, "Describe") {
			out = append(out, c)
		}
	}
	return out
}

func TestPlanApply(t *testing.T) {
	ctx := t.Context()
	f := newFake()
	var events []Event
	opts := fastOpts(&events)
	v1, v2 := model.MustOf[widget](), model.MustOf[widgetV2]()

	// A missing table is created.
	cs, err := plan(ctx, f, opts, []*model.Model{v1})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Changes) != 1 || cs.Changes[0].Kind != CreateTable {
		t.Fatalf("plan of a missing table = %v, want create table", cs)
	}
	if err := apply(ctx, f, cs, opts); err != nil {
		t.Fatal(err)
	}

	// Two indexes and TTL are added, one UpdateTable per index, each
	// waiting for the previous to be ACTIVE.
	cs, err = plan(ctx, f, opts, []*model.Model{v2})
	if err != nil {
		t.Fatal(err)
	}
	f.calls, events = nil, nil
	if err := apply(ctx, f, cs, opts); err != nil {
		t.Fatal(err)
	}
	wantWrites := []string{"UpdateTable widget", "UpdateTable widget", "UpdateTimeToLive widget"}
	if diff := cmp.Diff(wantWrites, writes(f.calls)); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
	// Between the two UpdateTables the first index was seen ACTIVE.
	first := slices.Index(f.calls, "UpdateTable widget")
	if !slices.Contains(f.calls[first+1:first+3], "DescribeTable widget") {
		t.Errorf("calls = %v, want a DescribeTable between the index creations", f.calls)
	}
	wantEvents := []Event{
		{Table: "widget", Step: "add index by-name"}, {Table: "widget", Step: "add index by-name", Done: true},
		{Table: "widget", Step: "add index by-color"}, {Table: "widget", Step: "add index by-color", Done: true},
		{Table: "widget", Step: "enable ttl"}, {Table: "widget", Step: "enable ttl", Done: true},
	}
	if diff := cmp.Diff(wantEvents, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if cs, err := plan(ctx, f, opts, []*model.Model{v2}); err != nil || !cs.Empty() {
		t.Errorf("plan after apply = %v, %v; want no changes", cs, err)
	}

	// Going back to v1 deletes both indexes: refused by default.
	cs, err = plan(ctx, f, opts, []*model.Model{v1})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cs.Refused()); got != 2 {
		t.Errorf("Refused() has %d changes, want 2:\n%s", got, cs)
	}
	f.calls = nil
	if err := apply(ctx, f, cs, opts); !errors.Is(err, ErrDestructive) {
		t.Errorf("apply of refused changes: error %v, want ErrDestructive", err)
	}
	if len(f.calls) != 0 {
		t.Errorf("apply of refused changes made calls %v, want none", f.calls)
	}

	// A plan made with AllowDestructive still needs it at Apply.
	opts.AllowDestructive = true
	cs, err = plan(ctx, f, opts, []*model.Model{v1})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Refused()) != 0 {
		t.Errorf("Refused() with AllowDestructive = %v, want none", cs.Refused())
	}
	if err := apply(ctx, f, cs, &Options{PollInterval: time.Millisecond}); !errors.Is(err, ErrDestructive) {
		t.Errorf("apply without AllowDestructive: error %v, want ErrDestructive", err)
	}
	if err := apply(ctx, f, cs, opts); err != nil {
		t.Fatal(err)
	}
	if cs, err := plan(ctx, f, opts, []*model.Model{v1}); err != nil || !cs.Empty() {
		t.Errorf("plan after removing = %v, %v; want no changes", cs, err)
	}
}

func TestApplyEmpty(t *testing.T) {
	f := newFake()
	for _, cs := range []*ChangeSet{nil, {}} {
		if err := apply(t.Context(), f, cs, nil); err != nil {
			t.Errorf("apply(%v) = %v, want nil", cs, err)
		}
	}
	if len(f.calls) != 0 {
		t.Errorf("apply of an empty change set made calls %v, want none", f.calls)
	}
}

func TestApplyErrors(t *testing.T) {
	ctx := t.Context()
	opts := &Options{PollInterval: time.Millisecond}
	tests := []struct {
		name string
		cs   *ChangeSet
		want string
	}{
		{"no request", &ChangeSet{Changes: []Change{{Table: "x", Kind: EnableTTL}}}, "a Change must come from Plan or Diff"},
		{"missing table", &ChangeSet{Changes: []Change{ttlChange("missing", "exp", true)}}, "table missing does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := apply(ctx, newFake(), tt.cs, opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "schema: apply: ") {
				t.Errorf("apply error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPlanRecreate(t *testing.T) {
	f := newFake()
	ctx := t.Context()
	if _, err := f.CreateTable(ctx, createInput(t, model.MustOf[employee](), nil)); err != nil {
		t.Fatal(err)
	}
	// The live employee table is keyed on employee_id; this model on pk.
	otherKey := model.MustOf[appOtherKey]()
	_, err := plan(ctx, f, &Options{Namer: func(string) string { return "employee" }}, []*model.Model{otherKey})
	if !errors.Is(err, ErrRecreate) || !strings.Contains(err.Error(), ": employee: ") {
		t.Fatalf("plan = %v, want ErrRecreate for employee", err)
	}
}
