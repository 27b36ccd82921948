package integration_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
	"github.com/google/go-cmp/cmp"
	"github.com/guregu/dynamo/v2"
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
func schemaEnv(t *testing.T, models ...*model.Model) (*dynamo.DB, *schema.Options) {
	t.Helper()
	db := dynamotest.DB(t)
	opts := &schema.Options{Namer: model.Prefix(dynamotest.Prefix(t)), PollInterval: 20 * time.Millisecond}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := schema.Drop(ctx, db, opts, models...); err != nil {
			t.Errorf("drop tables: %v", err)
		}
	})
	return db, opts
}

func describeTable(t *testing.T, db *dynamo.DB, name string) *types.TableDescription {
	t.Helper()
	out, err := db.Client().DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Table
}

func ttlOf(t *testing.T, db *dynamo.DB, name string) (string, types.TimeToLiveStatus) {
	t.Helper()
	out, err := db.Client().DescribeTimeToLive(t.Context(), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
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
func planKinds(t *testing.T, db *dynamo.DB, opts *schema.Options, models ...*model.Model) (*schema.ChangeSet, []string) {
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
	m := must[gadgetV2](t)
	db, opts := schemaEnv(t, m)
	var events []schema.Event
	opts.Progress = func(e schema.Event) { events = append(events, e) }
	ctx := t.Context()
	name := m.TableName(opts.Namer)

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

func TestSchemaAddIndexAndTTL(t *testing.T) {
	v1, v2 := must[gadgetV1](t), must[gadgetV2](t)
	db, opts := schemaEnv(t, v1)
	ctx := t.Context()
	name := v1.TableName(opts.Namer)
	if err := schema.Create(ctx, db, opts, v1); err != nil {
		t.Fatal(err)
	}

	cs, kinds := planKinds(t, db, opts, v2)
	if want := []string{"add index by-name", "enable ttl "}; !slices.Equal(kinds, want) {
		t.Fatalf("Plan = %v, want %v\n%s", kinds, want, cs)
	}
	var events []schema.Event
	opts.Progress = func(e schema.Event) { events = append(events, e) }
	if err := schema.Apply(ctx, db, cs, opts); err != nil {
		t.Fatal(err)
	}
	if got := gsiNames(describeTable(t, db, name)); !slices.Equal(got, []string{"by-name ACTIVE"}) {
		t.Errorf("indexes after Apply = %v, want [by-name ACTIVE]", got)
	}
	if attr, status := ttlOf(t, db, name); attr != "expires" || status != types.TimeToLiveStatusEnabled {
		t.Errorf("ttl after Apply = %s %s, want expires ENABLED", attr, status)
	}
	if len(events) != 4 || events[0].Step != "add index by-name" || !events[1].Done {
		t.Errorf("events = %v, want start and end of each change", events)
	}
	if cs, kinds := planKinds(t, db, opts, v2); !cs.Empty() {
		t.Errorf("Plan after Apply = %v, want no changes", kinds)
	}
}

func TestSchemaRemoveIndex(t *testing.T) {
	v1, v2 := must[gadgetV1](t), must[gadgetV2](t)
	db, opts := schemaEnv(t, v1)
	ctx := t.Context()
	name := v1.TableName(opts.Namer)
	if err := schema.Create(ctx, db, opts, v2); err != nil {
		t.Fatal(err)
	}

	// Without permission the deletion is planned but refused.
	cs, kinds := planKinds(t, db, opts, v1)
	if want := []string{"delete index by-name", "disable ttl "}; !slices.Equal(kinds, want) {
		t.Fatalf("Plan = %v, want %v", kinds, want)
	}
	if refused := cs.Refused(); len(refused) != 1 || refused[0].Index != "by-name" {
		t.Errorf("Refused() = %v, want the deletion of by-name", refused)
	}
	if err := schema.Apply(ctx, db, cs, opts); !errors.Is(err, schema.ErrDestructive) {
		t.Fatalf("Apply of a refused plan: error %v, want ErrDestructive", err)
	}
	if got := gsiNames(describeTable(t, db, name)); !slices.Equal(got, []string{"by-name ACTIVE"}) {
		t.Errorf("indexes after a refused Apply = %v, want [by-name ACTIVE]", got)
	}

	// With permission it runs.
	opts.AllowDestructive = true
	cs, _ = planKinds(t, db, opts, v1)
	if err := schema.Apply(ctx, db, cs, opts); err != nil {
		t.Fatal(err)
	}
	if got := gsiNames(describeTable(t, db, name)); len(got) != 0 {
		t.Errorf("indexes after Apply = %v, want none", got)
	}
	if cs, kinds := planKinds(t, db, opts, v1); !cs.Empty() {
		t.Errorf("Plan after Apply = %v, want no changes", kinds)
	}
}

func TestSchemaReplaceIndex(t *testing.T) {
	v2, v3 := must[gadgetV2](t), must[gadgetV3](t)
	db, opts := schemaEnv(t, v2)
	ctx := t.Context()
	name := v2.TableName(opts.Namer)
	if err := schema.Create(ctx, db, opts, v2); err != nil {
		t.Fatal(err)
	}
	opts.AllowDestructive = true
	cs, kinds := planKinds(t, db, opts, v3)
	if want := []string{"delete index by-name", "add index by-name"}; !slices.Equal(kinds, want) {
		t.Fatalf("Plan = %v, want %v", kinds, want)
	}
	if err := schema.Apply(ctx, db, cs, opts); err != nil {
		t.Fatal(err)
	}
	td := describeTable(t, db, name)
	if len(td.GlobalSecondaryIndexes) != 1 || td.GlobalSecondaryIndexes[0].Projection.ProjectionType != types.ProjectionTypeKeysOnly {
		t.Errorf("indexes after Apply = %v, want by-name with KEYS_ONLY", gsiNames(td))
	}
	if cs, kinds := planKinds(t, db, opts, v3); !cs.Empty() {
		t.Errorf("Plan after Apply = %v, want no changes", kinds)
	}
}

func TestSchemaBilling(t *testing.T) {
	v1, prov := must[gadgetV1](t), must[gadgetProvisioned](t)
	db, opts := schemaEnv(t, v1)
	ctx := t.Context()
	if err := schema.Create(ctx, db, opts, v1); err != nil {
		t.Fatal(err)
	}
	cs, kinds := planKinds(t, db, opts, prov)
	if want := []string{"update billing "}; !slices.Equal(kinds, want) {
		t.Fatalf("Plan = %v, want %v", kinds, want)
	}
	if err := schema.Apply(ctx, db, cs, opts); err != nil {
		t.Fatal(err)
	}
	if cs, kinds := planKinds(t, db, opts, prov); !cs.Empty() {
		t.Errorf("Plan after Apply = %v, want no changes:\n%s", kinds, cs)
	}
}

func TestSchemaRecreate(t *testing.T) {
	v1 := must[gadgetV1](t)
	db, opts := schemaEnv(t, v1)
	ctx := t.Context()
	if err := schema.Create(ctx, db, opts, v1); err != nil {
		t.Fatal(err)
	}
	cs, err := schema.Plan(ctx, db, opts, must[gadgetRekeyed](t))
	var re *schema.RecreateError
	if !errors.As(err, &re) {
		t.Fatalf("Plan of another key = %v, %v; want a *schema.RecreateError", cs, err)
	}
	want := []string{"primary key is hash id S, want hash serial S"}
	if re.Table != v1.TableName(opts.Namer) || !slices.Equal(re.Reasons, want) {
		t.Errorf("RecreateError = %s %q, want %s %q", re.Table, re.Reasons, v1.TableName(opts.Namer), want)
	}
}

func TestSchemaDrop(t *testing.T) {
	v1 := must[gadgetV1](t)
	db, opts := schemaEnv(t, v1) // its cleanup drops again: a missing table is skipped
	ctx := t.Context()
	if err := schema.Create(ctx, db, opts, v1); err != nil {
		t.Fatal(err)
	}
	if err := schema.Drop(ctx, db, opts, v1); err != nil {
		t.Fatal(err)
	}
	_, err := db.Client().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(v1.TableName(opts.Namer))})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("DescribeTable after Drop: error %v, want ResourceNotFoundException", err)
	}
	cs, kinds := planKinds(t, db, opts, v1)
	if want := []string{"create table "}; !slices.Equal(kinds, want) {
		t.Errorf("Plan after Drop = %v, want %v\n%s", kinds, want, cs)
	}
}
