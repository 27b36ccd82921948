package schema

import (
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The Terraform JSON shapes of the AWS provider's aws_dynamodb_table
// (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/dynamodb_table):
// arguments in snake_case, nested blocks as objects (one) or arrays of
// objects (several).
type (
	tfTable struct {
		Name                      string            `json:"name"`
		BillingMode               types.BillingMode `json:"billing_mode"`
		HashKey                   string            `json:"hash_key"`
		RangeKey                  string            `json:"range_key,omitempty"`
		ReadCapacity              int64             `json:"read_capacity,omitempty"`
		WriteCapacity             int64             `json:"write_capacity,omitempty"`
		Attribute                 []tfAttribute     `json:"attribute"`
		GlobalSecondaryIndex      []tfIndex         `json:"global_secondary_index,omitempty"`
		LocalSecondaryIndex       []tfIndex         `json:"local_secondary_index,omitempty"`
		TTL                       *tfTTL            `json:"ttl,omitempty"`
		PointInTimeRecovery       *tfEnabled        `json:"point_in_time_recovery,omitempty"`
		ServerSideEncryption      *tfSSE            `json:"server_side_encryption,omitempty"`
		StreamEnabled             bool              `json:"stream_enabled,omitempty"`
		StreamViewType            string            `json:"stream_view_type,omitempty"`
		TableClass                string            `json:"table_class,omitempty"`
		DeletionProtectionEnabled bool              `json:"deletion_protection_enabled,omitempty"`
		WarmThroughput            *tfWarm           `json:"warm_throughput,omitempty"`
		Tags                      map[string]string `json:"tags,omitempty"`
		Lifecycle                 *tfLifecycle      `json:"lifecycle,omitempty"`
	}
	tfAttribute struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	// tfIndex is a global_secondary_index or (without hash_key and
	// capacity) a local_secondary_index block. A global index with a
	// multi-attribute key has key_schema blocks instead of hash_key and
	// range_key, which hold one attribute each.
	tfIndex struct {
		Name             string        `json:"name"`
		HashKey          string        `json:"hash_key,omitempty"`
		RangeKey         string        `json:"range_key,omitempty"`
		KeySchema        []tfKeySchema `json:"key_schema,omitempty"`
		ProjectionType   string        `json:"projection_type"`
		NonKeyAttributes []string      `json:"non_key_attributes,omitempty"`
		ReadCapacity     int64         `json:"read_capacity,omitempty"`
		WriteCapacity    int64         `json:"write_capacity,omitempty"`
	}
	// tfKeySchema is one key_schema block of a global_secondary_index:
	// one element of the index's KeySchema, as the DynamoDB API lists it
	// (AWS provider 6.29.0 and later).
	tfKeySchema struct {
		AttributeName string `json:"attribute_name"`
		KeyType       string `json:"key_type"`
	}
	tfTTL struct {
		AttributeName string `json:"attribute_name"`
		Enabled       bool   `json:"enabled"`
	}
	tfEnabled struct {
		Enabled bool `json:"enabled"`
	}
	tfSSE struct {
		Enabled   bool   `json:"enabled"`
		KMSKeyARN string `json:"kms_key_arn,omitempty"`
	}
	tfWarm struct {
		ReadUnitsPerSecond  int64 `json:"read_units_per_second"`
		WriteUnitsPerSecond int64 `json:"write_units_per_second"`
	}
	tfLifecycle struct {
		IgnoreChanges []string `json:"ignore_changes"`
	}
	tfScalingTarget struct {
		MaxCapacity       int64  `json:"max_capacity"`
		MinCapacity       int64  `json:"min_capacity"`
		ResourceID        string `json:"resource_id"`
		ScalableDimension string `json:"scalable_dimension"`
		ServiceNamespace  string `json:"service_namespace"`
	}
	tfScalingPolicy struct {
		Name                                     string           `json:"name"`
		PolicyType                               string           `json:"policy_type"`
		ResourceID                               string           `json:"resource_id"`
		ScalableDimension                        string           `json:"scalable_dimension"`
		ServiceNamespace                         string           `json:"service_namespace"`
		TargetTrackingScalingPolicyConfiguration tfTargetTracking `json:"target_tracking_scaling_policy_configuration"`
	}
	tfTargetTracking struct {
		PredefinedMetricSpecification tfMetric `json:"predefined_metric_specification"`
		TargetValue                   float64  `json:"target_value"`
	}
	tfMetric struct {
		PredefinedMetricType string `json:"predefined_metric_type"`
	}
)

// terraform returns the Terraform JSON configuration of t, whose
// aws_dynamodb_table resource is called name. It is made from the
// CreateTable request Create sends, so the two cannot drift apart.
func terraform(t *Definition, name string) map[string]any {
	in := t.CreateInput()
	tt := tfTable{Name: t.Name, BillingMode: in.BillingMode, HashKey: t.Hash.Name, RangeKey: t.Range.Name}
	if pt := in.ProvisionedThroughput; pt != nil {
		tt.ReadCapacity, tt.WriteCapacity = aws.ToInt64(pt.ReadCapacityUnits), aws.ToInt64(pt.WriteCapacityUnits)
	}
	for _, d := range in.AttributeDefinitions {
		tt.Attribute = append(tt.Attribute, tfAttribute{aws.ToString(d.AttributeName), string(d.AttributeType)})
	}
	for _, g := range in.GlobalSecondaryIndexes {
		idx := tfIndexOf(g.IndexName, g.KeySchema, g.Projection)
		if pt := g.ProvisionedThroughput; pt != nil {
			idx.ReadCapacity, idx.WriteCapacity = aws.ToInt64(pt.ReadCapacityUnits), aws.ToInt64(pt.WriteCapacityUnits)
		}
		tt.GlobalSecondaryIndex = append(tt.GlobalSecondaryIndex, idx)
	}
	for _, l := range in.LocalSecondaryIndexes {
		idx := tfIndexOf(l.IndexName, l.KeySchema, l.Projection)
		idx.HashKey = "" // a local index shares the table's hash key
		tt.LocalSecondaryIndex = append(tt.LocalSecondaryIndex, idx)
	}
	if t.TTL != "" {
		tt.TTL = &tfTTL{AttributeName: t.TTL, Enabled: true}
	}
	if t.PointInTimeRecovery {
		tt.PointInTimeRecovery = &tfEnabled{Enabled: true}
	}
	if t.Encryption.KMS {
		tt.ServerSideEncryption = &tfSSE{Enabled: true, KMSKeyARN: t.Encryption.KMSKeyARN}
	}
	if t.Stream != "" {
		tt.StreamEnabled, tt.StreamViewType = true, string(t.Stream)
	}
	tt.TableClass = string(in.TableClass)
	tt.DeletionProtectionEnabled = t.DeletionProtection
	if w := t.WarmThroughput; w != nil {
		tt.WarmThroughput = &tfWarm{w.ReadUnitsPerSecond, w.WriteUnitsPerSecond}
	}
	if len(t.Tags) > 0 {
		tt.Tags = t.Tags
	}
	resources := map[string]any{"aws_dynamodb_table": map[string]any{name: tt}}
	targets := scalingTargets(t)
	if len(targets) > 0 {
		// The scaling owns the table's capacity.
		tt.Lifecycle = &tfLifecycle{IgnoreChanges: []string{"read_capacity", "write_capacity"}}
		resources["aws_dynamodb_table"] = map[string]any{name: tt}
		tgs, pols := map[string]any{}, map[string]any{}
		for _, s := range targets {
			id := name + "_" + s.name(false)
			tgs[id] = tfScalingTarget{
				MaxCapacity:       s.Scaling.Max,
				MinCapacity:       s.Scaling.Min,
				ResourceID:        "table/${aws_dynamodb_table." + name + ".name}" + s.resourceSuffix(),
				ScalableDimension: s.Dimension,
				ServiceNamespace:  "dynamodb",
			}
			ref := "${aws_appautoscaling_target." + id + "."
			pols[id] = tfScalingPolicy{
				Name:              s.policyName(t.Name),
				PolicyType:        "TargetTrackingScaling",
				ResourceID:        ref + "resource_id}",
				ScalableDimension: ref + "scalable_dimension}",
				ServiceNamespace:  ref + "service_namespace}",
				TargetTrackingScalingPolicyConfiguration: tfTargetTracking{
					PredefinedMetricSpecification: tfMetric{s.Metric},
					TargetValue:                   s.Scaling.Target(),
				},
			}
		}
		resources["aws_appautoscaling_target"] = tgs
		resources["aws_appautoscaling_policy"] = pols
	}
	return map[string]any{"resource": resources}
}

// tfIndexOf returns the index block of an index of the CreateTable
// request: its key as hash_key and range_key, or as key_schema blocks when
// it has more than one attribute of a role.
func tfIndexOf(name *string, ks []types.KeySchemaElement, p *types.Projection) tfIndex {
	idx := tfIndex{Name: aws.ToString(name), ProjectionType: string(types.ProjectionTypeAll)}
	hashes, ranges := 0, 0
	for _, k := range ks {
		switch k.KeyType {
		case types.KeyTypeHash:
			idx.HashKey = aws.ToString(k.AttributeName)
			hashes++
		case types.KeyTypeRange:
			idx.RangeKey = aws.ToString(k.AttributeName)
			ranges++
		}
	}
	if hashes > 1 || ranges > 1 {
		idx.HashKey, idx.RangeKey = "", ""
		for _, k := range ks {
			idx.KeySchema = append(idx.KeySchema, tfKeySchema{aws.ToString(k.AttributeName), string(k.KeyType)})
		}
	}
	if p != nil && p.ProjectionType != "" {
		idx.ProjectionType = string(p.ProjectionType)
		idx.NonKeyAttributes = p.NonKeyAttributes
	}
	return idx
}

// terraformName makes a Terraform resource name from a table name: letters,
// digits and underscores, not starting with a digit. "dev-employee" gives
// "dev_employee".
func terraformName(table string) string {
	s := snake(table)
	if s == "" || unicode.IsDigit(rune(s[0])) {
		s = "t_" + s
	}
	return s
}

// snake lowercases s and turns every run of other characters than ASCII
// letters and digits into one underscore: "by-status" gives "by_status".
func snake(s string) string {
	var b strings.Builder
	under := false
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			under = b.Len() > 0
			continue
		}
		if under {
			b.WriteByte('_')
			under = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
