package integration_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/schema"
	"github.com/google/go-cmp/cmp"
)

// QueueTicket declares everything issue 19 asks a model to declare at once: a
// global index whose key has two partition and two sort attributes, and
// every table setting the engine keeps.
type QueueTicket struct {
	ID       string `dynamo:"id,hash"`
	Tenant   string `dynamo:"tenant" index:"by-queue,hash"`
	Queue    string `dynamo:"queue" index:"by-queue,hash"`
	Status   string `dynamo:"status" index:"by-queue,range"`
	Priority int    `dynamo:"priority" index:"by-queue,range"`
	Title    string `dynamo:"title"`
	Expires  int64  `dynamo:"expires,omitempty" dynamokit:"ttl"`
}

func (QueueTicket) TableName() string { return "queue_ticket" }

func (QueueTicket) TableOptions() model.Options {
	return model.Options{
		Billing:             model.Provisioned(5, 5),
		Stream:              model.StreamNewAndOldImages,
		PointInTimeRecovery: true,
		DeletionProtection:  true,
		TableClass:          model.TableClassStandardIA,
		Tags:                map[string]string{"team": "support", "env": "test"},
		Encryption:          model.CustomerKey(vaultKey),
		WarmThroughput:      &model.WarmThroughput{ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000},
	}
}

// ticketKeys is the by-queue index's key, as DynamoDB lists it.
var ticketKeys = []string{"tenant HASH", "queue HASH", "status RANGE", "priority RANGE"}

// TestSchemaEverything: one table with a multi-attribute index and every
// table setting is created, queried through the index by its key's shape,
// planned (no changes), and exported as the CreateTable request Create
// sent, as CloudFormation and as Terraform, each with the whole index key
// and every setting.
func TestSchemaEverything(t *testing.T) {
	t.Parallel()
	m := must[QueueTicket](t)
	// Create, and read each setting back with the SDK's own calls.
	db, opts, rec, name, sent := protectedTable(t, m)
	ctx := t.Context()
	td := describeTable(t, db, name)
	if len(td.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("global indexes %v, want by-queue", gsiNames(td))
	}
	if diff := cmp.Diff(keyList(td.GlobalSecondaryIndexes[0].KeySchema), ticketKeys); diff != "" {
		t.Errorf("live key of by-queue (-got +want):\n%s", diff)
	}
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
	if pt := td.ProvisionedThroughput; pt == nil || aws.ToInt64(pt.ReadCapacityUnits) != 5 || aws.ToInt64(pt.WriteCapacityUnits) != 5 {
		t.Errorf("ProvisionedThroughput = %+v, want 5/5", pt)
	}
	if got := pitrOf(t, db, name); got != types.PointInTimeRecoveryStatusEnabled {
		t.Errorf("point-in-time recovery is %s, want ENABLED", got)
	}
	if got, want := tagsOf(t, db, aws.ToString(td.TableArn)), "env=test team=support"; got != want {
		t.Errorf("tags = %q, want %q", got, want)
	}
	if attr, status := ttlOf(t, db, name); attr != "expires" || status != types.TimeToLiveStatusEnabled {
		t.Errorf("ttl = %s %s, want expires ENABLED", attr, status)
	}

	// Query the index by its key's shape: both partition attributes, the
	// first sort attribute with Equal and a range on the second.
	tickets := tableOf[QueueTicket](t, env{db: db, names: db.Namer()}, nil, nil)
	for _, tk := range []QueueTicket{
		{ID: "1", Tenant: "acme", Queue: "billing", Status: "open", Priority: 1, Title: "a"},
		{ID: "2", Tenant: "acme", Queue: "billing", Status: "open", Priority: 3, Title: "b"},
		{ID: "3", Tenant: "acme", Queue: "billing", Status: "closed", Priority: 4, Title: "c"},
		{ID: "4", Tenant: "acme", Queue: "sales", Status: "open", Priority: 5, Title: "d"},
		{ID: "5", Tenant: "other", Queue: "billing", Status: "open", Priority: 6, Title: "e"},
	} {
		if err := tickets.Put(ctx, &tk); err != nil {
			t.Fatal(err)
		}
	}
	got, err := tickets.Query(QueueTicket{Tenant: "acme", Queue: "billing"}).
		Index("by-queue").
		SortKey("status", query.Equal, "open").
		SortKey("priority", query.GreaterThanEqual, 2).
		Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "2" {
		t.Errorf("open billing tickets of priority >= 2 = %+v, want ticket 2", got)
	}
	// A skipped sort attribute is refused before any request.
	rec.take()
	_, err = tickets.Query(QueueTicket{Tenant: "acme", Queue: "billing"}).
		Index("by-queue").
		SortKey("priority", query.Equal, 1).
		Collect(ctx)
	if err == nil || !strings.Contains(err.Error(), "index by-queue") || !strings.Contains(err.Error(), "skips status") {
		t.Errorf("query skipping status = %v, want an error naming by-queue and status", err)
	}
	if in := rec.take(); len(in) != 0 {
		t.Errorf("the refused query sent %d requests", len(in))
	}

	// Plan: nothing to change. moto does not keep the table class
	// (DescribeTable has no TableClassSummary, read as STANDARD), so there
	// the class is the one difference.
	cs, kinds := planKinds(t, db, opts, m)
	if td.TableClassSummary == nil {
		if want := []string{"update table class "}; !slices.Equal(kinds, want) {
			t.Errorf("plan after create = %v, want %v (moto forgets the class)\n%s", kinds, want, cs)
		}
	} else if !cs.Empty() {
		t.Errorf("plan after create = %v, want no changes", cs)
	}

	defs, err := schema.Export(&schema.Options{Namer: db.Namer()}, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != 1 || defs[0].Table != name {
		t.Fatalf("Export = %d tables, want %s", len(defs), name)
	}
	d := defs[0]

	// The CreateTable export is the request Create sent, in the API's
	// JSON: it decodes into the SDK's input.
	var exported dynamodb.CreateTableInput
	if err := json.Unmarshal(d.CreateTable, &exported); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&exported, sent, ignoreUnexported); diff != "" {
		t.Errorf("exported CreateTable (-got +want the request Create sent):\n%s", diff)
	}

	// CloudFormation: the resource's key schema and every setting.
	var cfn struct {
		Type       string
		Properties struct {
			TableName              string
			BillingMode            string
			GlobalSecondaryIndexes []struct {
				IndexName string
				KeySchema []types.KeySchemaElement
			}
			StreamSpecification              struct{ StreamViewType string }
			PointInTimeRecoverySpecification struct{ PointInTimeRecoveryEnabled bool }
			TimeToLiveSpecification          struct {
				AttributeName string
				Enabled       bool
			}
			SSESpecification struct {
				SSEEnabled     bool
				SSEType        string
				KMSMasterKeyID string `json:"KMSMasterKeyId"`
			}
			TableClass                string
			DeletionProtectionEnabled bool
			WarmThroughput            struct{ ReadUnitsPerSecond, WriteUnitsPerSecond int64 }
			Tags                      []struct{ Key, Value string }
		}
	}
	if err := json.Unmarshal(d.Resource, &cfn); err != nil {
		t.Fatal(err)
	}
	p := cfn.Properties
	if cfn.Type != "AWS::DynamoDB::Table" || p.TableName != name || p.BillingMode != "PROVISIONED" {
		t.Errorf("CloudFormation resource %s %s %s, want AWS::DynamoDB::Table %s PROVISIONED", cfn.Type, p.TableName, p.BillingMode, name)
	}
	if len(p.GlobalSecondaryIndexes) != 1 || p.GlobalSecondaryIndexes[0].IndexName != "by-queue" {
		t.Fatalf("CloudFormation indexes = %+v, want by-queue", p.GlobalSecondaryIndexes)
	}
	if diff := cmp.Diff(keyList(p.GlobalSecondaryIndexes[0].KeySchema), ticketKeys); diff != "" {
		t.Errorf("CloudFormation key of by-queue (-got +want):\n%s", diff)
	}
	var cfnTags []string
	for _, tag := range p.Tags {
		cfnTags = append(cfnTags, tag.Key+"="+tag.Value)
	}
	slices.Sort(cfnTags)
	if p.StreamSpecification.StreamViewType != "NEW_AND_OLD_IMAGES" ||
		!p.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled ||
		p.TimeToLiveSpecification.AttributeName != "expires" || !p.TimeToLiveSpecification.Enabled ||
		!p.SSESpecification.SSEEnabled || p.SSESpecification.SSEType != "KMS" || p.SSESpecification.KMSMasterKeyID != vaultKey ||
		p.TableClass != "STANDARD_INFREQUENT_ACCESS" || !p.DeletionProtectionEnabled ||
		p.WarmThroughput.ReadUnitsPerSecond != 12000 || p.WarmThroughput.WriteUnitsPerSecond != 4000 ||
		strings.Join(cfnTags, " ") != "env=test team=support" {
		t.Errorf("CloudFormation settings = %+v", p)
	}

	// Terraform: the aws_dynamodb_table resource with key_schema blocks
	// for the index and every setting.
	var tf struct {
		Resource struct {
			Table map[string]struct {
				Name                 string `json:"name"`
				BillingMode          string `json:"billing_mode"`
				HashKey              string `json:"hash_key"`
				GlobalSecondaryIndex []struct {
					Name      string `json:"name"`
					HashKey   string `json:"hash_key"`
					RangeKey  string `json:"range_key"`
					KeySchema []struct {
						AttributeName string `json:"attribute_name"`
						KeyType       string `json:"key_type"`
					} `json:"key_schema"`
				} `json:"global_secondary_index"`
				TTL *struct {
					AttributeName string `json:"attribute_name"`
					Enabled       bool   `json:"enabled"`
				} `json:"ttl"`
				PointInTimeRecovery *struct {
					Enabled bool `json:"enabled"`
				} `json:"point_in_time_recovery"`
				ServerSideEncryption *struct {
					Enabled   bool   `json:"enabled"`
					KMSKeyARN string `json:"kms_key_arn"`
				} `json:"server_side_encryption"`
				StreamEnabled             bool              `json:"stream_enabled"`
				StreamViewType            string            `json:"stream_view_type"`
				TableClass                string            `json:"table_class"`
				DeletionProtectionEnabled bool              `json:"deletion_protection_enabled"`
				Tags                      map[string]string `json:"tags"`
				WarmThroughput            *struct {
					Read  int64 `json:"read_units_per_second"`
					Write int64 `json:"write_units_per_second"`
				} `json:"warm_throughput"`
			} `json:"aws_dynamodb_table"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(d.Terraform, &tf); err != nil {
		t.Fatal(err)
	}
	tt, ok := tf.Resource.Table[d.TerraformName]
	if !ok || tt.Name != name || tt.BillingMode != "PROVISIONED" || tt.HashKey != "id" {
		t.Fatalf("Terraform aws_dynamodb_table.%s = %+v, want %s, PROVISIONED, hash_key id", d.TerraformName, tt, name)
	}
	if len(tt.GlobalSecondaryIndex) != 1 {
		t.Fatalf("Terraform global_secondary_index = %+v, want by-queue", tt.GlobalSecondaryIndex)
	}
	gsi := tt.GlobalSecondaryIndex[0]
	var tfKeys []string
	for _, k := range gsi.KeySchema {
		tfKeys = append(tfKeys, k.AttributeName+" "+k.KeyType)
	}
	if diff := cmp.Diff(tfKeys, ticketKeys); diff != "" || gsi.Name != "by-queue" || gsi.HashKey != "" || gsi.RangeKey != "" {
		t.Errorf("Terraform index %s, hash_key %q, range_key %q, key_schema (-got +want):\n%s", gsi.Name, gsi.HashKey, gsi.RangeKey, diff)
	}
	if tt.TTL == nil || tt.TTL.AttributeName != "expires" || !tt.TTL.Enabled ||
		tt.PointInTimeRecovery == nil || !tt.PointInTimeRecovery.Enabled ||
		tt.ServerSideEncryption == nil || !tt.ServerSideEncryption.Enabled || tt.ServerSideEncryption.KMSKeyARN != vaultKey ||
		!tt.StreamEnabled || tt.StreamViewType != "NEW_AND_OLD_IMAGES" ||
		tt.TableClass != "STANDARD_INFREQUENT_ACCESS" || !tt.DeletionProtectionEnabled ||
		tt.WarmThroughput == nil || tt.WarmThroughput.Read != 12000 || tt.WarmThroughput.Write != 4000 ||
		!cmp.Equal(tt.Tags, map[string]string{"team": "support", "env": "test"}) {
		t.Errorf("Terraform settings = %+v", tt)
	}
}

// keyList is a KeySchema as "name TYPE" lines, in order.
func keyList(ks []types.KeySchemaElement) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = aws.ToString(k.AttributeName) + " " + string(k.KeyType)
	}
	return out
}

// ignoreUnexported lets cmp compare the SDK's structs, whose unexported
// fields hold no data.
var ignoreUnexported = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && !unicode.IsUpper([]rune(sf.Name())[0])
}, cmp.Ignore())
