package integration_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/stream"
	"github.com/google/go-cmp/cmp"
)

// StreamEmployee is an item of a table whose stream, declared by the
// model, holds both images of each change.
type StreamEmployee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	DepartmentID string `dynamo:"department_id"`
	Salary       int    `dynamo:"salary"`
}

func (StreamEmployee) TableName() string { return "stream_employee" }

func (StreamEmployee) TableOptions() model.Options {
	return model.Options{Stream: model.StreamNewAndOldImages}
}

// KeysStreamEmployee is StreamEmployee in a table whose stream holds only keys.
type KeysStreamEmployee StreamEmployee

func (KeysStreamEmployee) TableName() string { return "stream_employee_keys" }

func (KeysStreamEmployee) TableOptions() model.Options {
	return model.Options{Stream: model.StreamKeysOnly}
}

// streamTable returns the table of T, created by schema with the stream
// T declares.
func streamTable[T any](t *testing.T) *query.Table[T] {
	t.Helper()
	return tableOf[T](t, newEnv(t, must[T](t)), nil, nil)
}

// readEvents runs a reader of emps' stream until it has handled n events,
// and returns them with the reader.
func readEvents[T any](t *testing.T, db *dynamokit.Client, d *stream.Decoder[T], opts *stream.Options, n int) ([]stream.Event[T], *stream.Reader[T]) {
	t.Helper()
	r, err := stream.NewReader(db, d, opts)
	if err != nil {
		t.Fatal(err)
	}
	// The deadline only ends a reader waiting for events that never come.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var got []stream.Event[T]
	err = r.Run(ctx, func(_ context.Context, ev stream.Event[T]) error {
		if unchanged(ev.Record) {
			return nil
		}
		got = append(got, ev)
		if len(got) == n {
			return stream.Stop
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run() = %v after %d events, want nil after %d", err, len(got), n)
	}
	return got, r
}

// unchanged reports whether rec is a MODIFY whose images are equal: a
// write that changed nothing, such as a put the SDK sent again after its
// answer was lost. DynamoDB writes no record for such a write; moto
// does (docs/testing.md).
func unchanged(rec stream.Record) bool {
	return rec.Kind == stream.Modify && rec.OldImage != nil && reflect.DeepEqual(rec.OldImage, rec.NewImage)
}

// employeeChanges makes an insert of e-1 and e-2, a change of e-1 and a
// removal of e-2.
func employeeChanges[T ~struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	DepartmentID string `dynamo:"department_id"`
	Salary       int    `dynamo:"salary"`
}](t *testing.T, emps *query.Table[T]) {
	t.Helper()
	ctx := t.Context()
	for _, e := range []T{{"e-1", "d-1", 100}, {"e-2", "d-1", 200}} {
		if err := emps.Put(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	if err := emps.Put(ctx, &T{"e-1", "d-2", 150}); err != nil {
		t.Fatal(err)
	}
	if err := emps.Delete(ctx, T{EmployeeID: "e-2"}); err != nil {
		t.Fatal(err)
	}
}

// eventLine is what a test compares of an event.
type eventLine struct {
	Kind     string
	Key      string
	Old, New *StreamEmployee
}

func lines[T any](evs []stream.Event[T], images func(stream.Event[T]) (old, new *StreamEmployee)) []eventLine {
	out := make([]eventLine, len(evs))
	for i, ev := range evs {
		key := ""
		if s, ok := ev.Keys["employee_id"].(*types.AttributeValueMemberS); ok {
			key = s.Value
		}
		old, new := images(ev)
		out[i] = eventLine{ev.Kind.String(), key, old, new}
	}
	return out
}

// employeeImages are the images of an event of StreamEmployee.
func employeeImages(ev stream.Event[StreamEmployee]) (old, new *StreamEmployee) {
	return ev.Old, ev.New
}

// keysImages are the images of an event of KeysStreamEmployee, as StreamEmployee.
func keysImages(ev stream.Event[KeysStreamEmployee]) (old, new *StreamEmployee) {
	return (*StreamEmployee)(ev.Old), (*StreamEmployee)(ev.New)
}

// TestStreamReaderImages: with NEW_AND_OLD_IMAGES, an insert, a change
// and a removal arrive in order, their images decoded into the model,
// with increasing sequence numbers, a time and the shard.
func TestStreamReaderImages(t *testing.T) {
	t.Parallel()
	emps := streamTable[StreamEmployee](t)
	employeeChanges(t, emps)
	dec, err := stream.NewDecoder[StreamEmployee]()
	if err != nil {
		t.Fatal(err)
	}
	got, r := readEvents(t, emps.Client(), dec, nil, 4)
	want := []eventLine{
		{"INSERT", "e-1", nil, &StreamEmployee{"e-1", "d-1", 100}},
		{"INSERT", "e-2", nil, &StreamEmployee{"e-2", "d-1", 200}},
		{"MODIFY", "e-1", &StreamEmployee{"e-1", "d-1", 100}, &StreamEmployee{"e-1", "d-2", 150}},
		{"REMOVE", "e-2", &StreamEmployee{"e-2", "d-1", 200}, nil},
	}
	if diff := cmp.Diff(lines(got, employeeImages), want); diff != "" {
		t.Errorf("events (-got +want):\n%s", diff)
	}
	for i, ev := range got {
		if ev.Time.IsZero() || ev.Shard == "" || ev.StreamARN == "" || ev.ViewType != model.StreamNewAndOldImages || ev.TTL {
			t.Errorf("event %d: time %v, shard %q, stream %q, view %q, TTL %v; want all set, TTL false", i, ev.Time, ev.Shard, ev.StreamARN, ev.ViewType, ev.TTL)
		}
		if d := time.Since(ev.Time); d < -time.Minute || d > time.Minute {
			t.Errorf("event %d: time %v, want about now", i, ev.Time)
		}
		t.Logf("event %d: ApproximateCreationDateTime %s", i, ev.Time.Format(time.RFC3339Nano))
		if i > 0 && !seqLess(got[i-1].SequenceNumber, ev.SequenceNumber) {
			t.Errorf("sequence numbers %s then %s, want increasing", got[i-1].SequenceNumber, ev.SequenceNumber)
		}
	}
	cp := r.Checkpoint()
	if pos := cp.Shards[got[3].Shard]; pos.Sequence != got[3].SequenceNumber {
		t.Errorf("checkpoint of shard %s = %+v, want the last event's sequence number %s", got[3].Shard, pos, got[3].SequenceNumber)
	}
}

// seqLess compares sequence numbers, decimal strings of any length.
func seqLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// TestStreamReaderKeysOnly: with KEYS_ONLY, events have their kind and
// keys and no image.
func TestStreamReaderKeysOnly(t *testing.T) {
	t.Parallel()
	emps := streamTable[KeysStreamEmployee](t)
	employeeChanges(t, emps)
	dec, err := stream.NewDecoder[KeysStreamEmployee]()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := readEvents(t, emps.Client(), dec, nil, 4)
	want := []eventLine{{"INSERT", "e-1", nil, nil}, {"INSERT", "e-2", nil, nil}, {"MODIFY", "e-1", nil, nil}, {"REMOVE", "e-2", nil, nil}}
	if diff := cmp.Diff(lines(got, keysImages), want); diff != "" {
		t.Errorf("events (-got +want):\n%s", diff)
	}
	for _, ev := range got {
		if ev.ViewType != model.StreamKeysOnly || ev.OldImage != nil || ev.NewImage != nil {
			t.Errorf("event %s: view %q, images %v %v; want KEYS_ONLY and none", ev.SequenceNumber, ev.ViewType, ev.OldImage, ev.NewImage)
		}
	}
}

// TestStreamReaderResume: a reader resumed from a saved checkpoint (as
// JSON) delivers every event after it once: none handled before, none
// lost, also the one whose handler failed, and the stream's newer events.
func TestStreamReaderResume(t *testing.T) {
	t.Parallel()
	emps := streamTable[StreamEmployee](t)
	ctx := t.Context()
	put := func(ids ...string) {
		t.Helper()
		for _, id := range ids {
			if err := emps.Put(ctx, &StreamEmployee{EmployeeID: id}); err != nil {
				t.Fatal(err)
			}
		}
	}
	dec, err := stream.NewDecoder[StreamEmployee]()
	if err != nil {
		t.Fatal(err)
	}
	put("e-1", "e-2", "e-3")

	// The first reader handles e-1 and e-2, and fails on e-3.
	r1, err := stream.NewReader(emps.Client(), dec, nil)
	if err != nil {
		t.Fatal(err)
	}
	var first []string
	failure := errors.New("cannot handle e-3")
	err = r1.Run(ctx, func(_ context.Context, ev stream.Event[StreamEmployee]) error {
		if ev.New.EmployeeID == "e-3" {
			return failure
		}
		first = append(first, ev.New.EmployeeID)
		return nil
	})
	if !errors.Is(err, failure) {
		t.Fatalf("Run() = %v, want the handler's error", err)
	}
	saved, err := json.Marshal(r1.Checkpoint())
	if err != nil {
		t.Fatal(err)
	}
	put("e-4", "e-5")

	var cp stream.Checkpoint
	if err := json.Unmarshal(saved, &cp); err != nil {
		t.Fatal(err)
	}
	got, r2 := readEvents(t, emps.Client(), dec, &stream.Options{Checkpoint: &cp}, 3)
	var second []string
	for _, ev := range got {
		second = append(second, ev.New.EmployeeID)
	}
	if diff := cmp.Diff([][]string{first, second}, [][]string{{"e-1", "e-2"}, {"e-3", "e-4", "e-5"}}); diff != "" {
		t.Errorf("events of the first and the resumed reader (-got +want):\n%s", diff)
	}

	// A third reader, from the second's checkpoint, begins with the next
	// change: nothing was left behind, nothing comes twice.
	put("e-6")
	cp2 := r2.Checkpoint()
	got, _ = readEvents(t, emps.Client(), dec, &stream.Options{Checkpoint: &cp2}, 1)
	if id := got[0].New.EmployeeID; id != "e-6" {
		t.Errorf("resumed again: first event of %s, want e-6", id)
	}
}

// TestStreamReaderLatest: a reader that starts at Latest sees only the
// changes made after it took its iterator. The later write is made right
// after the reader's first GetRecords, by a wrapper of the Streams API.
func TestStreamReaderLatest(t *testing.T) {
	t.Parallel()
	emps := streamTable[StreamEmployee](t)
	ctx := t.Context()
	if err := emps.Put(ctx, &StreamEmployee{EmployeeID: "before"}); err != nil {
		t.Fatal(err)
	}
	dec, err := stream.NewDecoder[StreamEmployee]()
	if err != nil {
		t.Fatal(err)
	}
	api, err := stream.NewAPI(emps.Client())
	if err != nil {
		t.Fatal(err)
	}
	hooked := &afterFirstRead{API: api, then: func(ctx context.Context) {
		if err := emps.Put(ctx, &StreamEmployee{EmployeeID: "after"}); err != nil {
			t.Error(err)
		}
	}}
	got, _ := readEvents(t, emps.Client(), dec, &stream.Options{API: hooked, Latest: true, PollInterval: 20 * time.Millisecond}, 1)
	if id := got[0].New.EmployeeID; id != "after" {
		t.Errorf("first event of %s, want after", id)
	}
}

// afterFirstRead is a Streams API that calls then once, after the first
// GetRecords.
type afterFirstRead struct {
	stream.API
	once sync.Once
	then func(ctx context.Context)
}

func (a *afterFirstRead) GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	out, err := a.API.GetRecords(ctx, in, opts...)
	a.once.Do(func() { a.then(ctx) })
	return out, err
}

// shopStream declares the stream of the shop table, which the shop's
// models share: each takes the setting it leaves unset from the others.
type shopStream struct {
	PK string `dynamo:"pk,hash"`
	SK string `dynamo:"sk,range"`
}

func (shopStream) TableName() string { return "shop" }

func (shopStream) TableOptions() model.Options {
	return model.Options{Stream: model.StreamNewAndOldImages}
}

// TestStreamReaderCollection: a collection's stream decodes each member's
// items into its model and reports an item of an unknown entity type as
// such, with its image.
func TestStreamReaderCollection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[ShopProfile](t), must[ShopOrder](t), must[ShopCoupon](t), must[shopStream](t))
	profiles := tableOf[ShopProfile](t, e, nil, nil)
	orders := tableOf[ShopOrder](t, e, nil, nil)
	coupons := tableOf[ShopCoupon](t, e, nil, nil)
	col, err := query.NewCollection("customer", profiles, orders)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := profiles.Put(ctx, &ShopProfile{CustomerID: "c-1", Name: "Ada"}); err != nil {
		t.Fatal(err)
	}
	if err := orders.Put(ctx, &ShopOrder{CustomerID: "c-1", OrderedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), OrderID: "o-1", Total: 30}); err != nil {
		t.Fatal(err)
	}
	if err := coupons.Put(ctx, &ShopCoupon{CustomerID: "c-1", Code: "WELCOME"}); err != nil {
		t.Fatal(err)
	}
	dec, err := stream.NewCollectionDecoder(col)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := readEvents(t, profiles.Client(), dec, nil, 3)
	var desc []string
	for _, ev := range got {
		n := ev.New
		switch v := n.Value.(type) {
		case ShopProfile:
			desc = append(desc, fmt.Sprintf("%s %s: %s", ev.Kind, n.Type, v.Name))
		case ShopOrder:
			desc = append(desc, fmt.Sprintf("%s %s: %s %d", ev.Kind, n.Type, v.OrderID, v.Total))
		case nil:
			code, _ := n.Raw["code"].(*types.AttributeValueMemberS)
			desc = append(desc, fmt.Sprintf("%s unknown %s (known %v): %s", ev.Kind, n.Type, n.Known(), code.Value))
		}
	}
	want := []string{"INSERT Profile: Ada", "INSERT Order: o-1 30", "INSERT unknown Coupon (known false): WELCOME"}
	if diff := cmp.Diff(desc, want); diff != "" {
		t.Errorf("events (-got +want):\n%s", diff)
	}
}

// plainEmployee is StreamEmployee in a table without a stream.
type plainEmployee StreamEmployee

func (plainEmployee) TableName() string { return "plain_employee" }

// TestStreamReaderNoStream: a table without a stream is ErrNoStream.
func TestStreamReaderNoStream(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[plainEmployee](t))
	emps := tableOf[plainEmployee](t, e, nil, nil)
	dec, err := stream.NewDecoder[plainEmployee]()
	if err != nil {
		t.Fatal(err)
	}
	r, err := stream.NewReader(emps.Client(), dec, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Run(t.Context(), func(context.Context, stream.Event[plainEmployee]) error { return nil })
	if !errors.Is(err, stream.ErrNoStream) {
		t.Errorf("Run() = %v, want ErrNoStream", err)
	}
}
