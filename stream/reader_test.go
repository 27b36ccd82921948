package stream_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/stream"
	"github.com/google/go-cmp/cmp"
)

// The reader's handling of what moto's one never-closing shard cannot
// show (shard lineage, expired iterators, throttling, trimmed records) is
// tested against shards, the Streams API's model of a stream: records in
// shards with parents, and iterators into them, as the API describes them.

// Item is the model of the shards' records.
type Item struct {
	ID string `dynamo:"id,hash"`
}

func (Item) TableName() string { return "items" }

const testARN = "arn:aws:dynamodb:us-east-1:123456789012:table/items/stream/2026-01-01T00:00:00.000"

// table answers DescribeTable with a stream, for NewReader's client.
type table struct{ dynamokit.API }

func (table) DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	return &dynamodb.DescribeTableOutput{Table: &types.TableDescription{
		LatestStreamArn:     aws.String(testARN),
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage},
	}}, nil
}

// shards is a stream's shards, each a list of item IDs, behind the
// Streams API.
type shards struct {
	mu       sync.Mutex
	list     []*testShard
	iters    map[string][2]int // iterator → shard index, record index
	next     int
	disabled bool
	// fail makes the n-th GetRecords (counted from 1) fail with an error.
	fail map[int]error
	gets int
	// describeThrottled is how many DescribeStream calls are throttled
	// before one is answered.
	describeThrottled int
}

type testShard struct {
	id, parent string
	items      []string
	closed     bool
	trimmed    int // records before it are gone
}

func seq(shard, i int) string { return strconv.Itoa((shard+1)*1000 + i) }

func (s *shards) DescribeStream(_ context.Context, in *dynamodbstreams.DescribeStreamInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.describeThrottled > 0 {
		s.describeThrottled--
		return nil, &st.LimitExceededException{Message: aws.String("slow down")}
	}
	d := &st.StreamDescription{StreamArn: in.StreamArn, StreamStatus: st.StreamStatusEnabled}
	if s.disabled {
		d.StreamStatus = st.StreamStatusDisabled
	}
	start := 0
	if in.ExclusiveStartShardId != nil {
		for i, sh := range s.list {
			if sh.id == *in.ExclusiveStartShardId {
				start = i + 1
			}
		}
	}
	for i := start; i < len(s.list) && i < start+2; i++ { // pages of two
		sh := s.list[i]
		r := &st.SequenceNumberRange{StartingSequenceNumber: aws.String(seq(i, 0))}
		if sh.closed {
			r.EndingSequenceNumber = aws.String(seq(i, len(sh.items)))
		}
		out := st.Shard{ShardId: aws.String(sh.id), SequenceNumberRange: r}
		if sh.parent != "" {
			out.ParentShardId = aws.String(sh.parent)
		}
		d.Shards = append(d.Shards, out)
		if i == start+1 && i+1 < len(s.list) {
			d.LastEvaluatedShardId = aws.String(sh.id)
		}
	}
	return &dynamodbstreams.DescribeStreamOutput{StreamDescription: d}, nil
}

func (s *shards) GetShardIterator(_ context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	si := slices.IndexFunc(s.list, func(sh *testShard) bool { return sh.id == *in.ShardId })
	if si < 0 {
		return nil, &st.ResourceNotFoundException{Message: aws.String("no shard " + *in.ShardId)}
	}
	sh := s.list[si]
	pos := sh.trimmed
	switch in.ShardIteratorType {
	case st.ShardIteratorTypeLatest:
		pos = len(sh.items)
	case st.ShardIteratorTypeAfterSequenceNumber:
		n, _ := strconv.Atoi(*in.SequenceNumber)
		pos = n - (si+1)*1000 + 1
		if pos <= sh.trimmed {
			return nil, &st.TrimmedDataAccessException{Message: aws.String("trimmed")}
		}
	}
	return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String(s.iterator(si, pos))}, nil
}

func (s *shards) iterator(shard, pos int) string {
	if s.iters == nil {
		s.iters = make(map[string][2]int)
	}
	s.next++
	it := fmt.Sprint("it-", s.next)
	s.iters[it] = [2]int{shard, pos}
	return it
}

func (s *shards) GetRecords(_ context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	if err := s.fail[s.gets]; err != nil {
		return nil, err
	}
	at, ok := s.iters[*in.ShardIterator]
	if !ok {
		return nil, &st.ExpiredIteratorException{Message: aws.String("unknown iterator")}
	}
	sh := s.list[at[0]]
	end := min(len(sh.items), at[1]+int(aws.ToInt32(in.Limit)))
	if in.Limit == nil {
		end = len(sh.items)
	}
	out := &dynamodbstreams.GetRecordsOutput{}
	for i := at[1]; i < end; i++ {
		out.Records = append(out.Records, st.Record{
			EventID:   aws.String(sh.id + "/" + sh.items[i]),
			EventName: st.OperationTypeInsert,
			Dynamodb: &st.StreamRecord{
				Keys:           map[string]st.AttributeValue{"id": &st.AttributeValueMemberS{Value: sh.items[i]}},
				NewImage:       map[string]st.AttributeValue{"id": &st.AttributeValueMemberS{Value: sh.items[i]}},
				SequenceNumber: aws.String(seq(at[0], i)),
				StreamViewType: st.StreamViewTypeNewImage,
			},
		})
	}
	if !sh.closed || end < len(sh.items) {
		out.NextShardIterator = aws.String(s.iterator(at[0], end))
	}
	return out, nil
}

// newReader returns a reader of s.
func newReader(t *testing.T, s *shards, opts stream.Options) *stream.Reader[Item] {
	t.Helper()
	dec, err := stream.NewDecoder[Item]()
	if err != nil {
		t.Fatal(err)
	}
	opts.API = s
	if opts.PollInterval == 0 {
		opts.PollInterval = 8 * time.Millisecond
	}
	r, err := stream.NewReader(dynamokit.NewFromClient(table{}), dec, &opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// collect runs r until it has handled n events, and returns them as
// "shard:id".
func collect(t *testing.T, r *stream.Reader[Item], n int) []string {
	t.Helper()
	// The deadline only ends a reader waiting for events that never come.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []string
	err := r.Run(ctx, func(_ context.Context, ev stream.Event[Item]) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev.Shard+":"+ev.New.ID)
		if len(got) == n {
			return stream.Stop
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run() = %v after %v", err, got)
	}
	return got
}

// TestReaderLineage: a parent shard is read to its end before its
// children, though they come first in the shards' order; an orphan whose
// parent is trimmed is read at once; each shard in order.
func TestReaderLineage(t *testing.T) {
	s := &shards{list: []*testShard{
		{id: "child-a", parent: "parent", items: []string{"a1", "a2"}},
		{id: "parent", items: []string{"p1", "p2", "p3"}, closed: true},
		{id: "child-b", parent: "parent", items: []string{"b1", "b2"}},
		{id: "orphan", parent: "trimmed-long-ago", items: []string{"o1", "o2"}},
	}}
	got := collect(t, newReader(t, s, stream.Options{Limit: 1}), 9)
	lastParent := slices.Index(got, "parent:p3")
	if lastParent < 0 {
		t.Fatalf("events %v, want parent:p3 among them", got)
	}
	byShard := map[string][]string{}
	for i, e := range got {
		sh, _, _ := strings.Cut(e, ":")
		byShard[sh] = append(byShard[sh], e)
		if strings.HasPrefix(sh, "child") && i < lastParent {
			t.Errorf("events %v: %s before the parent's end", got, e)
		}
	}
	want := map[string][]string{
		"parent":  {"parent:p1", "parent:p2", "parent:p3"},
		"child-a": {"child-a:a1", "child-a:a2"},
		"child-b": {"child-b:b1", "child-b:b2"},
		"orphan":  {"orphan:o1", "orphan:o2"},
	}
	if diff := cmp.Diff(byShard, want); diff != "" {
		t.Errorf("events by shard (-got +want):\n%s", diff)
	}
}

// TestReaderRecovers: an expired iterator is replaced by one at the
// checkpoint, and a throttled read or listing of the shards is tried
// again: every record comes once, in order.
func TestReaderRecovers(t *testing.T) {
	s := &shards{
		describeThrottled: 2,
		list:              []*testShard{{id: "s", items: []string{"1", "2", "3", "4", "5"}}},
		fail: map[int]error{
			2: &st.ExpiredIteratorException{Message: aws.String("expired")},
			3: &st.LimitExceededException{Message: aws.String("slow down")},
			5: &st.LimitExceededException{Message: aws.String("slow down")},
		},
	}
	got := collect(t, newReader(t, s, stream.Options{Limit: 2}), 5)
	if diff := cmp.Diff(got, []string{"s:1", "s:2", "s:3", "s:4", "s:5"}); diff != "" {
		t.Errorf("events (-got +want):\n%s", diff)
	}
}

// TestReaderTrimmed: a checkpoint older than the records left is
// ErrTrimmed, and with SkipTrimmed the reader goes on from the oldest
// record left; so is a checkpointed shard that is gone.
func TestReaderTrimmed(t *testing.T) {
	s := &shards{list: []*testShard{{id: "s", items: []string{"1", "2", "3", "4"}, trimmed: 2}}}
	cp := &stream.Checkpoint{StreamARN: testARN, Shards: map[string]stream.Position{"s": {Sequence: seq(0, 0)}}}
	err := newReader(t, s, stream.Options{Checkpoint: cp}).Run(t.Context(), func(context.Context, stream.Event[Item]) error { return nil })
	if !errors.Is(err, stream.ErrTrimmed) {
		t.Fatalf("Run() = %v, want ErrTrimmed", err)
	}
	got := collect(t, newReader(t, s, stream.Options{Checkpoint: cp, SkipTrimmed: true}), 2)
	if diff := cmp.Diff(got, []string{"s:3", "s:4"}); diff != "" {
		t.Errorf("events with SkipTrimmed (-got +want):\n%s", diff)
	}

	gone := &stream.Checkpoint{StreamARN: testARN, Shards: map[string]stream.Position{"gone": {Sequence: "5"}, "done": {Sequence: "9", Done: true}}}
	err = newReader(t, s, stream.Options{Checkpoint: gone}).Run(t.Context(), func(context.Context, stream.Event[Item]) error { return nil })
	if !errors.Is(err, stream.ErrTrimmed) || !strings.Contains(err.Error(), "shard gone") {
		t.Errorf("Run() with a checkpointed shard gone = %v, want ErrTrimmed naming it", err)
	}
}

// TestReaderEnds: a disabled stream read to its end ends Run with nil,
// its shards marked done in the checkpoint; a checkpoint of another
// stream is refused.
func TestReaderEnds(t *testing.T) {
	s := &shards{disabled: true, list: []*testShard{
		{id: "p", items: []string{"1"}, closed: true},
		{id: "c", parent: "p", items: []string{"2"}, closed: true},
	}}
	r := newReader(t, s, stream.Options{})
	var got []string
	err := r.Run(t.Context(), func(_ context.Context, ev stream.Event[Item]) error {
		got = append(got, ev.New.ID)
		return nil
	})
	if err != nil || !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("Run() = %v after %v, want nil after [1 2]", err, got)
	}
	want := stream.Checkpoint{StreamARN: testARN, Shards: map[string]stream.Position{"p": {Sequence: seq(0, 0), Done: true}, "c": {Sequence: seq(1, 0), Done: true}}}
	if diff := cmp.Diff(r.Checkpoint(), want); diff != "" {
		t.Errorf("Checkpoint() (-got +want):\n%s", diff)
	}

	other := &stream.Checkpoint{StreamARN: testARN + "-old"}
	err = newReader(t, s, stream.Options{Checkpoint: other}).Run(t.Context(), func(context.Context, stream.Event[Item]) error { return nil })
	if !errors.Is(err, stream.ErrOtherStream) {
		t.Errorf("Run() with another stream's checkpoint = %v, want ErrOtherStream", err)
	}
}

// TestReaderCanceled: Run ends with the context's error, the checkpoint
// at the last handled record.
func TestReaderCanceled(t *testing.T) {
	s := &shards{list: []*testShard{{id: "s", items: []string{"1", "2", "3"}}}}
	r := newReader(t, s, stream.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	err := r.Run(ctx, func(_ context.Context, ev stream.Event[Item]) error {
		if ev.New.ID == "2" {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run() = %v, want context.Canceled", err)
	}
	if got := r.Checkpoint().Shards["s"].Sequence; got != seq(0, 1) {
		t.Errorf("checkpoint = %s, want %s (the record whose handler canceled)", got, seq(0, 1))
	}
}

// TestReaderConcurrency: shards are read side by side, up to Concurrency
// at once: the handler of one shard waits for another's to start, which
// only a second shard read at the same time can do, and no more than two
// handlers ever run at once.
func TestReaderConcurrency(t *testing.T) {
	s := &shards{list: []*testShard{
		{id: "s1", items: []string{"1"}},
		{id: "s2", items: []string{"2"}},
		{id: "s3", items: []string{"3"}},
	}}
	r := newReader(t, s, stream.Options{Concurrency: 2})
	var (
		mu             sync.Mutex
		running, most  int
		n              int
		first          = make(chan struct{})
		firstOnce      sync.Once
		waitedForOther bool
	)
	err := r.Run(t.Context(), func(ctx context.Context, ev stream.Event[Item]) error {
		mu.Lock()
		running++
		most = max(most, running)
		n++
		k := n
		mu.Unlock()
		defer func() {
			mu.Lock()
			running--
			mu.Unlock()
		}()
		if k == 1 {
			select {
			case <-first: // another shard's handler started meanwhile
				waitedForOther = true
			case <-time.After(5 * time.Second):
			}
		} else {
			firstOnce.Do(func() { close(first) })
		}
		if k == 3 {
			return stream.Stop
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !waitedForOther || most != 2 {
		t.Errorf("handlers: another started during the first: %v; most at once %d; want true and 2", waitedForOther, most)
	}
}
