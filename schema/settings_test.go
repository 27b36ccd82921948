package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ledger declares every table setting, with provisioned billing scaled by
// Application Auto Scaling.
type ledger struct {
	Account string `dynamo:"account,hash"`
	Seq     int64  `dynamo:"seq,range"`
	Day     string `dynamo:"day" index:"by-day,hash" localIndex:"by-day-local,range"`
	Expires int64  `dynamo:"expires" dynamokit:"ttl"`
}

func (ledger) TableName() string { return "ledger" }

func (ledger) TableOptions() model.Options {
	return model.Options{
		Billing:             model.Provisioned(10, 5),
		Projections:         map[string]model.Projection{"by-day": model.KeysOnly},
		Stream:              model.StreamNewAndOldImages,
		PointInTimeRecovery: true,
		DeletionProtection:  true,
		TableClass:          model.TableClassStandardIA,
		Tags:                map[string]string{"team": "payments", "env": "prod"},
		Encryption:          model.CustomerKey("arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"),
		AutoScaling: &model.AutoScaling{
			Read:  model.Scaling{Min: 5, Max: 100, TargetUtilization: 60},
			Write: model.Scaling{Min: 5, Max: 50},
		},
		WarmThroughput: &model.WarmThroughput{ReadUnitsPerSecond: 15000, WriteUnitsPerSecond: 5000},
	}
}

// journal is an on-demand table with a stream and the AWS managed key.
type journal struct {
	ID string `dynamo:"id,hash"`
}

func (journal) TableName() string { return "journal" }

func (journal) TableOptions() model.Options {
	return model.Options{Stream: model.StreamKeysOnly, Encryption: model.AWSManagedKey(), Tags: map[string]string{"team": "core"}}
}

func TestCreateInputSettings(t *testing.T) {
	got := createInput(t, model.MustOf[ledger](), nil)
	if got.StreamSpecification == nil || !aws.ToBool(got.StreamSpecification.StreamEnabled) || got.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("StreamSpecification = %+v, want NEW_AND_OLD_IMAGES enabled", got.StreamSpecification)
	}
	want := &dynamodb.CreateTableInput{
		TableClass:                types.TableClassStandardInfrequentAccess,
		DeletionProtectionEnabled: aws.Bool(true),
		SSESpecification:          &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms, KMSMasterKeyId: aws.String("arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789")},
		Tags:                      []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("payments")}},
		WarmThroughput:            &types.WarmThroughput{ReadUnitsPerSecond: aws.Int64(15000), WriteUnitsPerSecond: aws.Int64(5000)},
	}
	settingsOnly := &dynamodb.CreateTableInput{TableClass: got.TableClass, DeletionProtectionEnabled: got.DeletionProtectionEnabled, SSESpecification: got.SSESpecification, Tags: got.Tags, WarmThroughput: got.WarmThroughput}
	if diff := cmp.Diff(want, settingsOnly, settingsCmp()); diff != "" {
		t.Errorf("CreateInput settings (-want +got):\n%s", diff)
	}
	plain := createInput(t, model.MustOf[employee](), nil)
	if plain.StreamSpecification != nil || plain.SSESpecification != nil || plain.TableClass != "" || plain.DeletionProtectionEnabled != nil || plain.Tags != nil || plain.WarmThroughput != nil {
		t.Errorf("CreateInput of a model without settings sets some: %+v", plain)
	}
}

func TestOptionsInvalid(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"stream", model.Validate(badStream{}), `unknown stream view type "BOTH"`},
		{"class", model.Validate(badClass{}), `unknown table class "COLD"`},
		{"tag", model.Validate(badTag{}), "the aws: prefix is reserved"},
		{"key", model.Validate(badKey{}), "KMSKeyARN needs Encryption.KMS"},
		{"scaling on demand", model.Validate(badScalingOnDemand{}), "AutoScaling needs provisioned Billing"},
		{"scaling range", model.Validate(badScalingRange{}), "the provisioned 200 units are not within 5 to 100"},
		{"warm", model.Validate(badWarm{}), "WarmThroughput needs read and write units"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var te *model.TagError
			if !errors.As(tt.err, &te) || !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("Check = %v, want a *model.TagError containing %q", tt.err, tt.want)
			}
		})
	}
}

type badStream struct {
	ID string `dynamo:"id,hash"`
}

func (badStream) TableName() string           { return "bad" }
func (badStream) TableOptions() model.Options { return model.Options{Stream: "BOTH"} }

type badClass struct{ badStream }

func (badClass) TableOptions() model.Options { return model.Options{TableClass: "COLD"} }

type badTag struct{ badStream }

func (badTag) TableOptions() model.Options {
	return model.Options{Tags: map[string]string{"aws:x": "y"}}
}

type badKey struct{ badStream }

func (badKey) TableOptions() model.Options {
	return model.Options{Encryption: model.Encryption{KMSKeyARN: "arn:aws:kms:x"}}
}

type badScalingOnDemand struct{ badStream }

func (badScalingOnDemand) TableOptions() model.Options {
	return model.Options{AutoScaling: &model.AutoScaling{Read: model.Scaling{Min: 1, Max: 5}}}
}

type badScalingRange struct{ badStream }

func (badScalingRange) TableOptions() model.Options {
	return model.Options{Billing: model.Provisioned(200, 5), AutoScaling: &model.AutoScaling{Read: model.Scaling{Min: 5, Max: 100}}}
}

type badWarm struct{ badStream }

func (badWarm) TableOptions() model.Options {
	return model.Options{WarmThroughput: &model.WarmThroughput{ReadUnitsPerSecond: 1}}
}

func TestDiffSettings(t *testing.T) {
	base := func() *Definition {
		return &Definition{Name: "t", Hash: KeyAttr{"id", model.String}, ARN: fakeARN + "t"}
	}
	with := func(f func(*Definition)) *Definition {
		t := base()
		f(t)
		return t
	}
	tests := []struct {
		name       string
		want, have *Definition
		lines      []string
	}{
		{"same", base(), base(), nil},
		{"enable stream", with(func(t *Definition) { t.Stream = model.StreamNewImage }), base(),
			[]string{"+ enable stream: NEW_IMAGE"}},
		{"change stream view", with(func(t *Definition) { t.Stream = model.StreamNewImage }), with(func(t *Definition) { t.Stream = model.StreamKeysOnly }),
			[]string{"- disable stream: KEYS_ONLY (to enable it with NEW_IMAGE; readers lose their place, the old stream's records stay readable for 24 hours) [destructive]", "+ enable stream: NEW_IMAGE"}},
		{"pitr", with(func(t *Definition) { t.PointInTimeRecovery = true }), base(),
			[]string{"+ enable point-in-time recovery"}},
		{"pitr off", base(), with(func(t *Definition) { t.PointInTimeRecovery = true }),
			[]string{"- disable point-in-time recovery: the restore points of the last 35 days are lost [destructive]"}},
		{"protection", with(func(t *Definition) { t.DeletionProtection = true }), base(),
			[]string{"~ update deletion protection: off → on"}},
		{"protection off", base(), with(func(t *Definition) { t.DeletionProtection = true }),
			[]string{"~ update deletion protection: on → off [destructive]"}},
		{"class", with(func(t *Definition) { t.TableClass = model.TableClassStandardIA }), base(),
			[]string{"~ update table class: STANDARD → STANDARD_INFREQUENT_ACCESS"}},
		{"class standard is the default", with(func(t *Definition) { t.TableClass = model.TableClassStandard }), base(), nil},
		{"managed key matches any KMS key", with(func(t *Definition) { t.Encryption = model.AWSManagedKey() }), with(func(t *Definition) { t.Encryption = model.CustomerKey("arn:k") }), nil},
		{"customer key", with(func(t *Definition) { t.Encryption = model.CustomerKey("arn:new") }), with(func(t *Definition) { t.Encryption = model.CustomerKey("arn:old") }),
			[]string{"~ update encryption: KMS key arn:old → KMS key arn:new"}},
		{"back to AWS owned", base(), with(func(t *Definition) { t.Encryption = model.AWSManagedKey() }),
			[]string{"~ update encryption: AWS managed KMS key → AWS owned key"}},
		{"warm grows", with(func(t *Definition) {
			t.WarmThroughput = &model.WarmThroughput{ReadUnitsPerSecond: 20000, WriteUnitsPerSecond: 4000}
		}),
			with(func(t *Definition) {
				t.WarmThroughput = &model.WarmThroughput{ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 5000}
			}),
			[]string{"~ update warm throughput: 12000/5000 per second → 20000/5000 per second"}},
		{"warm never shrinks", with(func(t *Definition) {
			t.WarmThroughput = &model.WarmThroughput{ReadUnitsPerSecond: 1, WriteUnitsPerSecond: 1}
		}),
			with(func(t *Definition) {
				t.WarmThroughput = &model.WarmThroughput{ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000}
			}), nil},
		{"tags", with(func(t *Definition) { t.Tags = map[string]string{"a": "1", "b": "2"} }), with(func(t *Definition) { t.Tags = map[string]string{"a": "0", "c": "3"} }),
			[]string{"- untag table: c=3 (not in any model)", "+ tag table: a=1, b=2"}},
		{"nil tags leave the table's alone", base(), with(func(t *Definition) { t.Tags = map[string]string{"org": "x"} }), nil},
		{"auto scaling owns the capacity",
			with(func(t *Definition) {
				t.Billing = model.Provisioned(5, 5)
				t.AutoScaling = &model.AutoScaling{Read: model.Scaling{Min: 1, Max: 50}}
			}),
			with(func(t *Definition) { t.Billing = model.Provisioned(40, 5) }), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := Diff(tt.want, tt.have)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range changes {
				got = append(got, c.String())
			}
			if diff := cmp.Diff(tt.lines, got); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreateSettingsFake(t *testing.T) {
	f := newFake()
	ctx := t.Context()
	if err := create(ctx, f, &Options{PollInterval: 1}, []*model.Model{model.MustOf[ledger]()}); !errors.Is(err, ErrNoAutoScalingClient) ||
		!strings.Contains(err.Error(), "Options.AutoScalingClient") || !strings.Contains(err.Error(), "Options.SkipAutoScaling") {
		t.Fatalf("create of an auto scaled table without a scaling client = %v, want ErrNoAutoScalingClient naming both options", err)
	}
	if len(f.calls) != 0 {
		t.Fatalf("create refused auto scaling after sending %v", f.calls)
	}
	opts := &Options{PollInterval: 1, SkipAutoScaling: true}
	if err := create(ctx, f, opts, []*model.Model{model.MustOf[ledger]()}); err != nil {
		t.Fatal(err)
	}
	if !f.pitr["ledger"] {
		t.Error("create did not enable point-in-time recovery")
	}
	got, err := describe(ctx, f, "ledger")
	if err != nil {
		t.Fatal(err)
	}
	want := tableOf(mapping.Must(model.MustOf[ledger]()), nil)
	want.AutoScaling = nil // another service: described into Table.Scaling
	if diff := cmp.Diff(want.Settings, got.Settings, settingsCmp()); diff != "" {
		t.Errorf("described settings (-model +described):\n%s", diff)
	}
	cs, err := plan(ctx, f, opts, []*model.Model{model.MustOf[ledger]()})
	if err != nil {
		t.Fatal(err)
	}
	if !cs.Empty() {
		t.Errorf("plan after create = %v, want no changes", cs)
	}

	// Change every setting that can change in place, and apply.
	f.calls = nil
	changed := tableOf(mapping.Must(model.MustOf[journal]()), nil)
	changed.Name = "ledger"
	have, _ := describe(ctx, f, "ledger")
	changes, err := Diff(withKeysOf(changed, have), have)
	if err != nil {
		t.Fatal(err)
	}
	for i := range changes {
		changes[i].Refused = changes[i].Destructive
	}
	cs = &ChangeSet{Changes: changes}
	if err := apply(ctx, f, cs, opts); !errors.Is(err, ErrDestructive) {
		t.Fatalf("apply of refused changes = %v, want ErrDestructive", err)
	}
	for i := range cs.Changes {
		cs.Changes[i].Refused = false
	}
	if err := apply(ctx, f, cs, &Options{PollInterval: 1, AllowDestructive: true}); err != nil {
		t.Fatal(err)
	}
	after, _ := describe(ctx, f, "ledger")
	wantAfter := changed.Settings
	// A KMS key is described by its ARN, the AWS managed key's too, so the
	// customer key is taken for the managed key the model asks for.
	wantAfter.Encryption = have.Encryption
	wantAfter.WarmThroughput = after.WarmThroughput // kept: warm throughput only grows
	wantAfter.Tags = map[string]string{"team": "core"}
	if diff := cmp.Diff(wantAfter, after.Settings, settingsCmp()); diff != "" {
		t.Errorf("settings after apply (-want +got):\n%s\nchanges:\n%v", diff, cs)
	}
}

// withKeysOf returns want with the keys, indexes and billing of have, so a
// diff of the two holds only settings.
func withKeysOf(want, have *Definition) *Definition {
	cp := *have
	cp.Settings = want.Settings
	cp.ARN = ""
	return &cp
}

func settingsCmp() cmp.Option {
	return cmp.Options{sdkOpts, cmpopts.IgnoreUnexported(dynamodb.CreateTableInput{}, types.SSESpecification{}, types.Tag{}, types.WarmThroughput{})}
}

// The arguments and blocks of the AWS provider's resources that Export
// writes, from the provider's documentation (website/docs/r/
// dynamodb_table.html.markdown, appautoscaling_target and
// appautoscaling_policy), so a misspelt argument fails here rather than in
// terraform plan. global_secondary_index's key_schema blocks came with
// multi-attribute keys in provider 6.29.0, deprecating its hash_key and
// range_key (hashicorp/terraform-provider-aws#46197).
var terraformArgs = map[string]map[string]bool{
	"aws_dynamodb_table": set("name", "billing_mode", "hash_key", "range_key", "read_capacity", "write_capacity",
		"attribute", "global_secondary_index", "local_secondary_index", "ttl", "point_in_time_recovery",
		"server_side_encryption", "stream_enabled", "stream_view_type", "table_class",
		"deletion_protection_enabled", "warm_throughput", "tags", "lifecycle"),
	"attribute":                 set("name", "type"),
	"global_secondary_index":    set("name", "hash_key", "range_key", "key_schema", "projection_type", "non_key_attributes", "read_capacity", "write_capacity"),
	"key_schema":                set("attribute_name", "key_type"),
	"local_secondary_index":     set("name", "range_key", "projection_type", "non_key_attributes"),
	"ttl":                       set("attribute_name", "enabled"),
	"point_in_time_recovery":    set("enabled"),
	"server_side_encryption":    set("enabled", "kms_key_arn"),
	"warm_throughput":           set("read_units_per_second", "write_units_per_second"),
	"lifecycle":                 set("ignore_changes"),
	"aws_appautoscaling_target": set("max_capacity", "min_capacity", "resource_id", "scalable_dimension", "service_namespace"),
	"aws_appautoscaling_policy": set("name", "policy_type", "resource_id", "scalable_dimension", "service_namespace", "target_tracking_scaling_policy_configuration"),
	"target_tracking_scaling_policy_configuration": set("predefined_metric_specification", "target_value"),
	"predefined_metric_specification":              set("predefined_metric_type"),
}

// terraformRequired lists the arguments each block must have.
var terraformRequired = map[string][]string{
	"aws_dynamodb_table":        {"name", "hash_key", "attribute"},
	"attribute":                 {"name", "type"},
	"global_secondary_index":    {"name", "projection_type"}, // and hash_key or key_schema
	"key_schema":                {"attribute_name", "key_type"},
	"local_secondary_index":     {"name", "range_key", "projection_type"},
	"aws_appautoscaling_target": {"max_capacity", "min_capacity", "resource_id", "scalable_dimension", "service_namespace"},
	"aws_appautoscaling_policy": {"name", "resource_id", "scalable_dimension", "service_namespace"},
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func TestTerraformArguments(t *testing.T) {
	models := [][]*model.Model{
		{model.MustOf[ledger]()}, {model.MustOf[journal]()}, {model.MustOf[order]()}, {model.MustOf[employee]()},
		{model.MustOf[deptItem](), model.MustOf[empItem]()}, {model.MustOf[ticket]()},
	}
	for _, ms := range models {
		defs, err := Export(nil, ms...)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]map[string]map[string]map[string]any
		if err := json.Unmarshal(defs[0].Terraform, &doc); err != nil {
			t.Fatalf("%s: %v", defs[0].Table, err)
		}
		if len(doc) != 1 || doc["resource"] == nil {
			t.Fatalf("%s: top level is %v, want only resource", defs[0].Table, slices.Collect(maps.Keys(doc)))
		}
		if doc["resource"]["aws_dynamodb_table"][defs[0].TerraformName] == nil {
			t.Errorf("%s: no aws_dynamodb_table.%s", defs[0].Table, defs[0].TerraformName)
		}
		for kind, resources := range doc["resource"] {
			if terraformArgs[kind] == nil {
				t.Errorf("%s: unknown resource type %s", defs[0].Table, kind)
			}
			for name, body := range resources {
				checkTerraformBlock(t, kind+"."+name, kind, body)
			}
		}
	}
}

func checkTerraformBlock(t *testing.T, path, kind string, body map[string]any) {
	t.Helper()
	for _, req := range terraformRequired[kind] {
		if _, ok := body[req]; !ok {
			t.Errorf("%s: missing required argument %s", path, req)
		}
	}
	if kind == "global_secondary_index" {
		// The key is hash_key (and range_key), or key_schema blocks
		// (provider 6.29.0 and later), never both.
		_, hash := body["hash_key"]
		_, blocks := body["key_schema"]
		if hash == blocks {
			t.Errorf("%s: hash_key %v and key_schema %v, want exactly one", path, hash, blocks)
		}
	}
	for arg, v := range body {
		if !terraformArgs[kind][arg] {
			t.Errorf("%s: %s is not an argument of %s", path, arg, kind)
			continue
		}
		if terraformArgs[arg] == nil || arg == "lifecycle" && kind != "aws_dynamodb_table" {
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			checkTerraformBlock(t, path+"."+arg, arg, v)
		case []any:
			for i, e := range v {
				m, ok := e.(map[string]any)
				if !ok {
					t.Errorf("%s.%s[%d] is %T, want a block", path, arg, i, e)
					continue
				}
				checkTerraformBlock(t, fmt.Sprintf("%s.%s[%d]", path, arg, i), arg, m)
			}
		default:
			t.Errorf("%s.%s is %T, want a block", path, arg, v)
		}
	}
}

func TestSettingsRequests(t *testing.T) {
	have := &Definition{Name: "t", Hash: KeyAttr{"id", model.String}, ARN: fakeARN + "t", Settings: Settings{
		Stream: model.StreamKeysOnly, Encryption: model.CustomerKey("arn:old"), Tags: map[string]string{"x": "1"},
	}}
	want := &Definition{Name: "t", Hash: KeyAttr{"id", model.String}, Settings: Settings{
		PointInTimeRecovery: true, TableClass: model.TableClassStandardIA, Tags: map[string]string{"y": "2"},
		WarmThroughput: &model.WarmThroughput{ReadUnitsPerSecond: 13000, WriteUnitsPerSecond: 5000},
	}}
	changes, err := Diff(want, have)
	if err != nil {
		t.Fatal(err)
	}
	var got []any
	for _, c := range changes {
		got = append(got, c.in)
	}
	s := func(v string) *string { return aws.String(v) }
	wantIn := []any{
		&dynamodb.UpdateTableInput{TableName: s("t"), StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}},
		&dynamodb.UpdateContinuousBackupsInput{TableName: s("t"), PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}},
		&dynamodb.UpdateTableInput{TableName: s("t"), TableClass: types.TableClassStandardInfrequentAccess},
		&dynamodb.UpdateTableInput{TableName: s("t"), SSESpecification: &types.SSESpecification{Enabled: aws.Bool(false)}},
		&dynamodb.UpdateTableInput{TableName: s("t"), WarmThroughput: &types.WarmThroughput{ReadUnitsPerSecond: aws.Int64(13000), WriteUnitsPerSecond: aws.Int64(5000)}},
		&dynamodb.UntagResourceInput{ResourceArn: s(fakeARN + "t"), TagKeys: []string{"x"}},
		&dynamodb.TagResourceInput{ResourceArn: s(fakeARN + "t"), Tags: []types.Tag{{Key: s("y"), Value: s("2")}}},
	}
	opts := cmp.Options{sdkOpts, cmpopts.IgnoreUnexported(dynamodb.UpdateContinuousBackupsInput{}, dynamodb.UntagResourceInput{}, dynamodb.TagResourceInput{},
		types.StreamSpecification{}, types.PointInTimeRecoverySpecification{}, types.SSESpecification{}, types.WarmThroughput{}, types.Tag{})}
	if diff := cmp.Diff(wantIn, got, opts); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	// A customer key is sent by its ARN.
	want.Encryption = model.CustomerKey("arn:new")
	changes, _ = Diff(want, have)
	for _, c := range changes {
		if c.Kind == UpdateEncryption {
			sse := c.in.(*dynamodb.UpdateTableInput).SSESpecification
			if !aws.ToBool(sse.Enabled) || sse.SSEType != types.SSETypeKms || aws.ToString(sse.KMSMasterKeyId) != "arn:new" {
				t.Errorf("SSESpecification = %+v, want KMS arn:new", sse)
			}
		}
	}
}
