package integration_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
	"github.com/google/go-cmp/cmp"
)

// Versions of one table, "gadget", as its model evolves.

type gadgetV1 struct {
	ID   string `dynamo:"id,hash"`
	Name string `dynamo:"name"`
}

func (gadgetV1) TableName() string { return "gadget" }

// gadgetV2 adds a global index and TTL.
type gadgetV2 struct {
	ID      string `dynamo:"id,hash"`
	Name    string `dynamo:"name" index:"by-name,hash"`
	Expires int64  `dynamo:"expires,omitempty" dynamokit:"ttl"`
}

func (gadgetV2) TableName() string { return "gadget" }

// gadgetV3 projects the index differently.
type gadgetV3 struct {
	ID      string `dynamo:"id,hash"`
	Name    string `dynamo:"name" index:"by-name,hash"`
	Expires int64  `dynamo:"expires,omitempty" dynamokit:"ttl"`
}

func (gadgetV3) TableName() string { return "gadget" }
func (gadgetV3) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{"by-name": model.KeysOnly}}
}

// gadgetProvisioned is gadgetV1 with provisioned capacity.
type gadgetProvisioned struct {
	ID   string `dynamo:"id,hash"`
	Name string `dynamo:"name"`
}

func (gadgetProvisioned) TableName() string { return "gadget" }
func (gadgetProvisioned) TableOptions() model.Options {
	return model.Options{Billing: model.Provisioned(2, 1)}
}

// gadgetRekeyed has another hash key: DynamoDB cannot change that.
type gadgetRekeyed struct {
	Serial string `dynamo:"serial,hash"`
}

func (gadgetRekeyed) TableName() string { return "gadget" }

// schemaEnv connects to the engine and returns options naming tables with a
// prefix unique to t, polling fast. It creates nothing; the tables of
// models are dropped when t ends.
func schemaEnv(t *testing.T, models ...*model.Model) (*dynamokit.Client, *schema.Options) {
	t.Helper()
	db := graphClient(t, dynamokit.WithNamer(model.Prefix(dynamotest.TablePrefix(t))))
	opts := &schema.Options{PollInterval: 20 * time.Millisecond}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := schema.Drop(ctx, db, opts, models...); err != nil {
			t.Errorf("drop tables: %v", err)
		}
	})
	return db, opts
}

func describeTable(t *testing.T, db *dynamokit.Client, name string) *types.TableDescription {
	t.Helper()
	out, err := db.Executor().DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Table
}

func ttlOf(t *testing.T, db *dynamokit.Client, name string) (string, types.TimeToLiveStatus) {
	t.Helper()
	out, err := db.Executor().DescribeTimeToLive(t.Context(), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	d := out.TimeToLiveDescription
	return aws.ToString(d.AttributeName), d.TimeToLiveStatus
}

func gsiNames(td *types.TableDescription) []string {
	var names []string
	for _, g := range td.GlobalSecondaryIndexes {
		names = append(names, aws.ToString(g.IndexName)+" "+string(g.IndexStatus))
	}
	slices.Sort(names)
	return names
}

// planKinds plans models and returns the kind and index of each change.
func planKinds(t *testing.T, db *dynamokit.Client, opts *schema.Options, models ...*model.Model) (*schema.ChangeSet, []string) {
	t.Helper()
	cs, err := schema.Plan(t.Context(), db, opts, models...)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, c := range cs.Changes {
		kinds = append(kinds, string(c.Kind)+" "+c.Index)
	}
	return cs, kinds
}

func TestSchemaCreateTwice(t *testing.T) {
	t.Parallel()
	m := must[gadgetV2](t)
	db, opts := schemaEnv(t, m)
	var events []schema.Event
	opts.Progress = func(e schema.Event) { events = append(events, e) }
	ctx := t.Context()
	name := m.TableName(db.Namer())

	if err := schema.Create(ctx, db, opts, m); err != nil {
		t.Fatal(err)
	}
	td := describeTable(t, db, name)
	if td.TableStatus != types.TableStatusActive || !slices.Equal(gsiNames(td), []string{"by-name ACTIVE"}) {
		t.Errorf("after Create: status %s, indexes %v; want ACTIVE, [by-name ACTIVE]", td.TableStatus, gsiNames(td))
	}
	if attr, status := ttlOf(t, db, name); attr != "expires" || status != types.TimeToLiveStatusEnabled {
		t.Errorf("ttl after Create = %s %s, want expires ENABLED", attr, status)
	}
	wantEvents := []schema.Event{{Table: name, Step: "create table"}, {Table: name, Step: "create table", Done: true}}
	if diff := cmp.Diff(wantEvents, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// The second Create changes nothing.
	if err := schema.Create(ctx, db, opts, m); err != nil {
		t.Fatalf("second Create: %v", err)
	}
	again := describeTable(t, db, name)
	if !aws.ToTime(again.CreationDateTime).Equal(aws.ToTime(td.CreationDateTime)) {
		t.Errorf("second Create re-created the table: created %v, then %v", td.CreationDateTime, again.CreationDateTime)
	}
	if cs, kinds := planKinds(t, db, opts, m); !cs.Empty() {
		t.Errorf("Plan after Create = %v, want no changes", kinds)
	}
}

// gadgetTable creates the table of start under a prefix unique to t (it
// is dropped when t ends) and returns its name.
func gadgetTable(t *testing.T, start *model.Model) (*dynamokit.Client, *schema.Options, string) {
	t.Helper()
	db, opts := schemaEnv(t, start)
	if err := schema.Create(t.Context(), db, opts, start); err != nil {
		t.Fatal(err)
	}
	return db, opts, start.TableName(db.Namer())
}

// migrate plans the move to target, checks the planned changes against
// want, applies them and checks that a new plan is empty.
func migrate(t *testing.T, db *dynamokit.Client, opts *schema.Options, target *model.Model, want ...string) {
	t.Helper()
	cs, kinds := planKinds(t, db, opts, target)
	if !slices.Equal(kinds, want) {
		t.Fatalf("Plan = %q, want %q\n%s", kinds, want, cs)
	}
	if err := schema.Apply(t.Context(), db, cs, opts); err != nil {
		t.Fatal(err)
	}
	if cs, kinds := planKinds(t, db, opts, target); !cs.Empty() {
		t.Errorf("Plan after Apply = %q, want no changes\n%s", kinds, cs)
	}
}

func TestSchemaAddIndexAndTTL(t *testing.T) {
	t.Parallel()
	db, opts, name := gadgetTable(t, must[gadgetV1](t))
	var events []schema.Event
	opts.Progress = func(e schema.Event) { events = append(events, e) }

	migrate(t, db, opts, must[gadgetV2](t), "add index by-name", "enable ttl ")
	if got := gsiNames(describeTable(t, db, name)); !slices.Equal(got, []string{"by-name ACTIVE"}) {
		t.Errorf("indexes after Apply = %v, want [by-name ACTIVE]", got)
	}
	if attr, status := ttlOf(t, db, name); attr != "expires" || status != types.TimeToLiveStatusEnabled {
		t.Errorf("ttl after Apply = %s %s, want expires ENABLED", attr, status)
	}
	wantEvents := []schema.Event{
		{Table: name, Step: "add index by-name"}, {Table: name, Step: "add index by-name", Done: true},
		{Table: name, Step: "enable ttl"}, {Table: name, Step: "enable ttl", Done: true},
	}
	if diff := cmp.Diff(wantEvents, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestSchemaRemoveIndex(t *testing.T) {
	t.Parallel()
	db, opts, name := gadgetTable(t, must[gadgetV2](t))
	v1 := must[gadgetV1](t)

	// Without permission the deletion is planned but refused.
	cs, kinds := planKinds(t, db, opts, v1)
	if want := []string{"delete index by-name", "disable ttl "}; !slices.Equal(kinds, want) {
		t.Fatalf("Plan = %q, want %q", kinds, want)
	}
	if refused := cs.Refused(); len(refused) != 1 || refused[0].Index != "by-name" {
		t.Errorf("Refused() = %v, want the deletion of by-name", refused)
	}
	if err := schema.Apply(t.Context(), db, cs, opts); !errors.Is(err, schema.ErrDestructive) {
		t.Fatalf("Apply of a refused plan: error %v, want ErrDestructive", err)
	}
	if got := gsiNames(describeTable(t, db, name)); !slices.Equal(got, []string{"by-name ACTIVE"}) {
		t.Errorf("indexes after a refused Apply = %v, want [by-name ACTIVE]", got)
	}

	// With permission it runs.
	opts.AllowDestructive = true
	migrate(t, db, opts, v1, "delete index by-name", "disable ttl ")
	if got := gsiNames(describeTable(t, db, name)); len(got) != 0 {
		t.Errorf("indexes after Apply = %v, want none", got)
	}
	if _, status := ttlOf(t, db, name); status != types.TimeToLiveStatusDisabled {
		t.Errorf("ttl after Apply = %s, want DISABLED", status)
	}
}

func TestSchemaReplaceIndex(t *testing.T) {
	t.Parallel()
	db, opts, name := gadgetTable(t, must[gadgetV2](t))
	opts.AllowDestructive = true
	migrate(t, db, opts, must[gadgetV3](t), "delete index by-name", "add index by-name")
	td := describeTable(t, db, name)
	if len(td.GlobalSecondaryIndexes) != 1 || td.GlobalSecondaryIndexes[0].Projection.ProjectionType != types.ProjectionTypeKeysOnly {
		t.Errorf("indexes after Apply = %v, want by-name with KEYS_ONLY", gsiNames(td))
	}
}

func TestSchemaBilling(t *testing.T) {
	t.Parallel()
	db, opts, name := gadgetTable(t, must[gadgetV1](t))
	migrate(t, db, opts, must[gadgetProvisioned](t), "update billing ")
	td := describeTable(t, db, name)
	if pt := td.ProvisionedThroughput; pt == nil || aws.ToInt64(pt.ReadCapacityUnits) != 2 || aws.ToInt64(pt.WriteCapacityUnits) != 1 {
		t.Errorf("throughput after Apply = %+v, want 2/1", pt)
	}
	migrate(t, db, opts, must[gadgetV1](t), "update billing ")
}

func TestSchemaRecreate(t *testing.T) {
	t.Parallel()
	db, opts, name := gadgetTable(t, must[gadgetV1](t))
	cs, err := schema.Plan(t.Context(), db, opts, must[gadgetRekeyed](t))
	if !errors.Is(err, schema.ErrRecreate) {
		t.Fatalf("Plan of another key = %v, %v; want schema.ErrRecreate", cs, err)
	}
	if want := "schema: table must be recreated: " + name + ": primary key is hash id S, want hash serial S"; err.Error() != want {
		t.Errorf("Plan of another key = %q, want %q", err, want)
	}
}

func TestSchemaDrop(t *testing.T) {
	t.Parallel()
	v1 := must[gadgetV1](t)
	db, opts, name := gadgetTable(t, v1) // its cleanup drops again: a missing table is skipped
	ctx := t.Context()
	if err := schema.Drop(ctx, db, opts, v1); err != nil {
		t.Fatal(err)
	}
	_, err := db.Executor().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("DescribeTable after Drop: error %v, want ResourceNotFoundException", err)
	}
	cs, kinds := planKinds(t, db, opts, v1)
	if want := []string{"create table "}; !slices.Equal(kinds, want) {
		t.Errorf("Plan after Drop = %v, want %v\n%s", kinds, want, cs)
	}
}

// deletingHook is an SDK HTTP client that makes the engine show a table
// being deleted, which moto never does (it deletes at once): while armed,
// DescribeTable answers say DELETING, and after shows of them the table is
// really deleted before the next DescribeTable is forwarded (never, when
// shows is 0). CreateTable meanwhile gets the engine's own answer: a
// ResourceInUseException, as DynamoDB gives for a table being deleted.
type deletingHook struct {
	next  dynamodb.HTTPClient
	plain *dynamokit.Client // deletes the table, bypassing the hook
	table string
	shows int

	mu       sync.Mutex
	armed    bool
	shown    int
	creates  int
	describe int
}

// Do implements dynamodb.HTTPClient.
func (h *deletingHook) Do(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	defer h.mu.Unlock() // one request at a time: the engine serves them so anyway
	op := operation(r)
	if op == "DescribeTable" {
		h.describe++
	}
	if op != "DescribeTable" || !h.armed {
		return h.next.Do(r)
	}
	if h.shows > 0 && h.shown == h.shows {
		h.armed = false
		if _, err := h.plain.Executor().DeleteTable(r.Context(), &dynamodb.DeleteTableInput{TableName: aws.String(h.table)}); err != nil {
			return nil, err
		}
		return h.next.Do(r)
	}
	h.shown++
	resp, err := h.next.Do(r)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var out map[string]map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, err
	}
	out["Table"]["TableStatus"] = string(types.TableStatusDeleting)
	if body, err = json.Marshal(out); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.Header.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	return resp, nil
}

// sent counts the CreateTable requests of the client's executor (a
// dynamokit.Hook): what Create asks for, whether or not the SDK beneath
// sent one again after an answer lost on a loaded machine.
func (h *deletingHook) sent(_ context.Context, r *dynamokit.Request) {
	if r.Op == "CreateTable" {
		h.mu.Lock()
		h.creates++
		h.mu.Unlock()
	}
}

func (h *deletingHook) counts() (creates, describes int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.creates, h.describe
}

// TestSchemaCreateWhileDeleting: Create of a table that is being deleted
// waits until it is gone and creates it again; a deletion that never ends
// is given up after Options.WaitTimeout, even under context.Background().
func TestSchemaCreateWhileDeleting(t *testing.T) {
	t.Parallel()
	t.Run("deletion ends", func(t *testing.T) {
		v1 := must[gadgetV1](t)
		plain, opts, name := gadgetTable(t, v1)
		hook := &deletingHook{plain: plain, table: name, shows: 3, armed: true}
		db := graphClient(t, dynamokit.WithNamer(plain.Namer()), dynamokit.WithHook(hook.sent), dynamokit.WithSDKOptions(func(o *dynamodb.Options) { hook.next = o.HTTPClient; o.HTTPClient = hook }))

		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if err := schema.Create(ctx, db, opts, v1); err != nil {
			t.Fatalf("Create of a DELETING table = %v, want nil", err)
		}
		if creates, describes := hook.counts(); creates != 2 || describes < 5 {
			t.Errorf("Create sent %d CreateTable and %d DescribeTable, want 2 CreateTable (refused, then after the deletion) and at least 5 DescribeTable", creates, describes)
		}
		if td := describeTable(t, plain, name); td.TableStatus != types.TableStatusActive {
			t.Errorf("after Create: status %s, want ACTIVE", td.TableStatus)
		}
	})
	t.Run("deletion never ends", func(t *testing.T) {
		v1 := must[gadgetV1](t)
		plain, opts, name := gadgetTable(t, v1)
		hook := &deletingHook{plain: plain, table: name, armed: true}
		db := graphClient(t, dynamokit.WithNamer(plain.Namer()), dynamokit.WithHook(hook.sent), dynamokit.WithSDKOptions(func(o *dynamodb.Options) { hook.next = o.HTTPClient; o.HTTPClient = hook }))
		opts.WaitTimeout = 300 * time.Millisecond

		done := make(chan error, 1)
		go func() { done <- schema.Create(context.Background(), db, opts, v1) }()
		select {
		case err := <-done:
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "last seen: table DELETING") {
				t.Errorf("Create of a table DELETING forever = %v, want context.DeadlineExceeded naming %s and its DELETING status", err, name)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Create of a table DELETING forever still waiting after 30s")
		}
		if creates, _ := hook.counts(); creates != 1 {
			t.Errorf("Create sent %d CreateTable, want 1 (refused)", creates)
		}
	})
}
