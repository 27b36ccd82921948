package integration_test

import (
	"context"
	"errors"
	"slices"
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
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/schema"
)

const vaultKey = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"

// vaultV1 declares every table setting schema creates.
type vaultV1 struct {
	ID      string `dynamo:"id,hash"`
	Owner   string `dynamo:"owner" index:"by-owner,hash"`
	Expires int64  `dynamo:"expires,omitempty" dynamokit:"ttl"`
}

func (vaultV1) TableName() string { return "vault" }
func (vaultV1) TableOptions() model.Options {
	return model.Options{
		Billing:             model.Provisioned(5, 5),
		Stream:              model.StreamNewAndOldImages,
		PointInTimeRecovery: true,
		DeletionProtection:  true,
		TableClass:          model.TableClassStandardIA,
		Tags:                map[string]string{"team": "vault", "env": "test"},
		Encryption:          model.CustomerKey(vaultKey),
		WarmThroughput:      &model.WarmThroughput{ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000},
	}
}

// vaultV2 changes every setting that can change in place. It keeps the
// value of the tag team: moto's TagResource adds a second tag with the
// same key where DynamoDB replaces the value.
type vaultV2 struct {
	ID      string `dynamo:"id,hash"`
	Owner   string `dynamo:"owner" index:"by-owner,hash"`
	Expires int64  `dynamo:"expires,omitempty" dynamokit:"ttl"`
}

func (vaultV2) TableName() string { return "vault" }
func (vaultV2) TableOptions() model.Options {
	return model.Options{
		Billing:        model.Provisioned(5, 5),
		TableClass:     model.TableClassStandard,
		Tags:           map[string]string{"team": "vault", "owner": "platform"},
		Encryption:     model.CustomerKey(vaultKey),
		WarmThroughput: &model.WarmThroughput{ReadUnitsPerSecond: 15000, WriteUnitsPerSecond: 4000},
	}
}

// vaultScaled asks for auto scaling, which schema refuses to create
// without an Application Auto Scaling client.
type vaultScaled struct {
	ID string `dynamo:"id,hash"`
}

func (vaultScaled) TableName() string { return "vault-scaled" }
func (vaultScaled) TableOptions() model.Options {
	return model.Options{
		Billing:     model.Provisioned(5, 5),
		AutoScaling: &model.AutoScaling{Read: model.Scaling{Min: 1, Max: 10}},
	}
}

// inputRecorder keeps the inputs of the requests a client sends.
type inputRecorder struct {
	mu     sync.Mutex
	inputs []any
}

func (r *inputRecorder) hook(_ context.Context, req *dynamokit.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inputs = append(r.inputs, req.Input)
}

func (r *inputRecorder) take() []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.inputs
	r.inputs = nil
	return out
}

// protectedTable creates the table of m, a model whose settings include
// deletion protection and the infrequent-access class, on a client that
// records every request's input, and drops it when t ends (turning the
// protection off first). It checks that CreateTable asked for the class,
// which moto does not store, and returns the client, the schema options,
// the recorder, the table's name and the CreateTable request sent.
func protectedTable(t *testing.T, m *model.Model) (*dynamokit.Client, *schema.Options, *inputRecorder, string, *dynamodb.CreateTableInput) {
	t.Helper()
	rec := &inputRecorder{}
	db := graphClient(t, dynamokit.WithNamer(model.Prefix(dynamotest.TablePrefix(t))), dynamokit.WithHook(rec.hook))
	opts := &schema.Options{PollInterval: 20 * time.Millisecond}
	name := db.TableName(m)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// Deletion protection would keep the table.
		db.Executor().UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(name), DeletionProtectionEnabled: aws.Bool(false)})
		if err := schema.Drop(ctx, db, opts, m); err != nil {
			t.Errorf("drop: %v", err)
		}
	})
	if err := schema.Create(t.Context(), db, opts, m); err != nil {
		t.Fatal(err)
	}
	var created *dynamodb.CreateTableInput
	for _, in := range rec.take() {
		if in, ok := in.(*dynamodb.CreateTableInput); ok {
			created = in
		}
	}
	if created == nil || created.TableClass != types.TableClassStandardInfrequentAccess {
		t.Fatalf("CreateTable did not ask for STANDARD_INFREQUENT_ACCESS: %+v", created)
	}
	return db, opts, rec, name, created
}

func TestSchemaSettings(t *testing.T) {
	t.Parallel()
	v1, v2 := must[vaultV1](t), must[vaultV2](t)
	db, opts, rec, name, _ := protectedTable(t, v1)
	ctx := t.Context()

	// Read every setting back with the SDK's own calls.
	td := describeTable(t, db, name)
	if s := td.StreamSpecification; s == nil || !aws.ToBool(s.StreamEnabled) || s.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("StreamSpecification = %+v, want NEW_AND_OLD_IMAGES", s)
	}
	if !aws.ToBool(td.DeletionProtectionEnabled) {
		t.Error("DeletionProtectionEnabled = false, want true")
	}
	if s := td.SSEDescription; s == nil || s.SSEType != types.SSETypeKms || aws.ToString(s.KMSMasterKeyArn) != vaultKey {
		t.Errorf("SSEDescription = %+v, want KMS with %s", s, vaultKey)
	}
	if w := td.WarmThroughput; w == nil || aws.ToInt64(w.ReadUnitsPerSecond) != 12000 || aws.ToInt64(w.WriteUnitsPerSecond) != 4000 {
		t.Errorf("WarmThroughput = %+v, want 12000/4000", w)
	}
	if got := pitrOf(t, db, name); got != types.PointInTimeRecoveryStatusEnabled {
		t.Errorf("point-in-time recovery is %s, want ENABLED", got)
	}
	if got, want := tagsOf(t, db, aws.ToString(td.TableArn)), "env=test team=vault"; got != want {
		t.Errorf("tags = %q, want %q", got, want)
	}
	if attr, status := ttlOf(t, db, name); attr != "expires" || status != types.TimeToLiveStatusEnabled {
		t.Errorf("ttl = %s %s, want expires ENABLED", attr, status)
	}
	// moto does not keep the table class: DescribeTable has no
	// TableClassSummary, which reads as STANDARD.
	classKept := td.TableClassSummary != nil

	// Deletion protection holds against schema.Drop.
	if err := schema.Drop(ctx, db, opts, v1); err == nil {
		t.Fatal("Drop of a protected table = nil error")
	}

	cs, kinds := planKinds(t, db, opts, v1)
	if want := []string(nil); !classKept {
		want = []string{"update table class "}
		if !slices.Equal(kinds, want) {
			t.Fatalf("plan after create = %v, want %v (moto forgets the class)", kinds, want)
		}
	} else if !cs.Empty() {
		t.Fatalf("plan after create = %v, want no changes", cs)
	}

	// Every change v2 asks for; disabling the stream and point-in-time
	// recovery is destructive.
	cs, kinds = planKinds(t, db, opts, v2)
	want := []string{"disable stream ", "disable point-in-time recovery ", "update deletion protection ", "update warm throughput ", "untag table ", "tag table "}
	if classKept {
		want = slices.Insert(want, 3, "update table class ")
	}
	if !slices.Equal(kinds, want) {
		t.Fatalf("plan v2 = %v, want %v\n%s", kinds, want, cs)
	}
	if err := schema.Apply(ctx, db, cs, opts); !errors.Is(err, schema.ErrDestructive) {
		t.Fatalf("Apply without AllowDestructive = %v, want ErrDestructive", err)
	}
	destructive := &schema.Options{PollInterval: opts.PollInterval, AllowDestructive: true}
	cs, err := schema.Plan(ctx, db, destructive, v2)
	if err != nil {
		t.Fatal(err)
	}
	rec.take()
	if err := schema.Apply(ctx, db, cs, destructive); err != nil {
		t.Fatalf("apply:\n%s%v", cs, err)
	}
	sent := map[string]bool{}
	for _, in := range rec.take() {
		switch in := in.(type) {
		case *dynamodb.UpdateContinuousBackupsInput:
			sent["UpdateContinuousBackups"] = true
		case *dynamodb.TagResourceInput:
			sent["TagResource"] = true
		case *dynamodb.UntagResourceInput:
			sent["UntagResource"] = true
		case *dynamodb.UpdateTableInput:
			switch {
			case in.StreamSpecification != nil:
				sent["stream"] = true
			case in.DeletionProtectionEnabled != nil:
				sent["protection"] = true
			case in.WarmThroughput != nil:
				sent["warm"] = true
			}
		}
	}
	for _, k := range []string{"UpdateContinuousBackups", "TagResource", "UntagResource", "stream", "protection", "warm"} {
		if !sent[k] {
			t.Errorf("Apply sent no %s request", k)
		}
	}

	td = describeTable(t, db, name)
	if s := td.StreamSpecification; s != nil && aws.ToBool(s.StreamEnabled) {
		t.Errorf("stream is still on: %+v", s)
	}
	if aws.ToBool(td.DeletionProtectionEnabled) {
		t.Error("deletion protection is still on")
	}
	if w := td.WarmThroughput; w == nil || aws.ToInt64(w.ReadUnitsPerSecond) != 15000 {
		t.Errorf("WarmThroughput = %+v, want 15000 reads", w)
	}
	if got := pitrOf(t, db, name); got != types.PointInTimeRecoveryStatusDisabled {
		t.Errorf("point-in-time recovery is %s, want DISABLED", got)
	}
	if got, want := tagsOf(t, db, aws.ToString(td.TableArn)), "owner=platform team=vault"; got != want {
		t.Errorf("tags = %q, want %q", got, want)
	}
	if cs, _ := planKinds(t, db, opts, v2); !cs.Empty() {
		t.Errorf("plan after apply = %v, want no changes", cs)
	}
}

// gadgetNoIndex is gadgetV1's table read by a model that declares an index
// the table lacks.
type gadgetNoIndex struct {
	ID   string `dynamo:"id,hash"`
	Name string `dynamo:"name" index:"by-name,hash"`
}

func (gadgetNoIndex) TableName() string { return "gadget" }

func TestQueryMissingIndex(t *testing.T) {
	t.Parallel()
	m := must[gadgetV1](t)
	db, opts := schemaEnv(t, m)
	ctx := t.Context()
	if err := schema.Create(ctx, db, opts, m); err != nil {
		t.Fatal(err)
	}
	table := db.TableName(m)
	check := func(what string, err error) {
		t.Helper()
		var e *dynamokit.Error
		if !errors.Is(err, dynamokit.ErrIndexNotFound) || errors.Is(err, dynamokit.ErrTableNotFound) || !errors.As(err, &e) || e.Index != "by-name" || !strings.Contains(err.Error(), "by-name") {
			t.Errorf("%s = %v, want ErrIndexNotFound naming by-name", what, err)
		}
	}
	// moto answers this Query with a ResourceNotFoundException, DynamoDB
	// with a ValidationException.
	_, err := db.Executor().Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(table), IndexName: aws.String("by-name"),
		KeyConditionExpression:    aws.String("#n = :v"),
		ExpressionAttributeNames:  map[string]string{"#n": "name"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "x"}},
	})
	check("Query", err)
	// moto answers this Scan with a ValidationException, as DynamoDB does.
	_, err = db.Executor().Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), IndexName: aws.String("by-name")})
	check("Scan", err)

	gadgets, err := query.NewTable[gadgetNoIndex](db)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range gadgets.Query(gadgetNoIndex{Name: "x"}).Index("by-name").All(ctx) {
		check("query.Query", err)
		break
	}

	// A missing table is still ErrTableNotFound, index or not.
	_, err = db.Executor().Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(table + "-missing"), IndexName: aws.String("by-name"),
		KeyConditionExpression:    aws.String("#n = :v"),
		ExpressionAttributeNames:  map[string]string{"#n": "name"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "x"}},
	})
	if !errors.Is(err, dynamokit.ErrTableNotFound) || errors.Is(err, dynamokit.ErrIndexNotFound) {
		t.Errorf("Query of a missing table = %v, want ErrTableNotFound", err)
	}
}

// settingsReader is the part of a client's executor that reads a table's
// backups and tags, which dynamokit.API leaves out.
type settingsReader interface {
	DescribeContinuousBackups(context.Context, *dynamodb.DescribeContinuousBackupsInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error)
	ListTagsOfResource(context.Context, *dynamodb.ListTagsOfResourceInput, ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error)
}

// settingsOf returns the executor of db as a settingsReader.
func settingsOf(t *testing.T, db *dynamokit.Client) settingsReader {
	t.Helper()
	s, ok := db.Executor().(settingsReader)
	if !ok {
		t.Fatalf("the executor (%T) cannot read table settings", db.Executor())
	}
	return s
}

func pitrOf(t *testing.T, db *dynamokit.Client, name string) types.PointInTimeRecoveryStatus {
	t.Helper()
	out, err := settingsOf(t, db).DescribeContinuousBackups(t.Context(), &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus
}

// tagsOf returns the tags of a table as "k=v k=v", sorted.
func tagsOf(t *testing.T, db *dynamokit.Client, arn string) string {
	t.Helper()
	out, err := settingsOf(t, db).ListTagsOfResource(t.Context(), &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, tag := range out.Tags {
		tags = append(tags, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
	}
	slices.Sort(tags)
	return strings.Join(tags, " ")
}
