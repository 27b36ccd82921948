package schema

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
)

// Exported is one table in the formats other tools read. The JSON is
// indented and deterministic, so it can be committed and diffed.
type Exported struct {
	// Table is the table name.
	Table string
	// CreateTable is the CreateTable request that [Create] sends, in the
	// shape of the DynamoDB API: it works as
	// `aws dynamodb create-table --cli-input-json file://table.json`.
	CreateTable json.RawMessage
	// Resource is the table as a CloudFormation AWS::DynamoDB::Table
	// resource, with a TimeToLiveSpecification when a model declares TTL
	// and a PointInTimeRecoverySpecification when it asks for backups.
	Resource json.RawMessage
	// LogicalID is a CloudFormation logical ID made from the table name:
	// "dev-employee" gives "DevEmployeeTable".
	LogicalID string
	// Template is a whole CloudFormation template: the table's resource
	// under LogicalID and, when a model declares [model.AutoScaling], an
	// AWS::ApplicationAutoScaling::ScalableTarget and ScalingPolicy for
	// each capacity scaled, of the table and of each global index.
	Template json.RawMessage
	// Terraform is the table as a Terraform JSON configuration (a .tf.json
	// file): an aws_dynamodb_table resource named TerraformName and, with
	// auto scaling, aws_appautoscaling_target and aws_appautoscaling_policy
	// resources; the table then ignores changes of its capacity, which the
	// scaling owns. A global index with a multi-attribute key is written
	// with key_schema blocks (attribute_name, key_type) in key order, which
	// the AWS provider reads from version 6.29.0; hash_key and range_key
	// hold one attribute each.
	Terraform json.RawMessage
	// TerraformName is the name of the aws_dynamodb_table resource, made
	// from the table name: "dev-employee" gives "dev_employee".
	TerraformName string
}

// Export returns the definition of each table of models, grouped as by
// [Definitions] and named with opts.Namer. It does no I/O.
func Export(opts *Options, models ...*model.Model) ([]Exported, error) {
	tables, err := Definitions(opts, models...)
	if err != nil {
		return nil, err
	}
	out := make([]Exported, len(tables))
	for i, t := range tables {
		req := createTableJSON(t.CreateInput())
		res := cloudFormationTable(t, req)
		d := Exported{Table: t.Name, LogicalID: logicalID(t.Name), TerraformName: terraformName(t.Name)}
		if d.CreateTable, err = json.MarshalIndent(req, "", "  "); err != nil {
			return nil, failed(fmt.Sprintf("export %s", t.Name), err)
		}
		if d.Resource, err = json.MarshalIndent(res, "", "  "); err != nil {
			return nil, failed(fmt.Sprintf("export %s", t.Name), err)
		}
		if d.Template, err = json.MarshalIndent(cloudFormationTemplate(t, d.LogicalID, res), "", "  "); err != nil {
			return nil, failed(fmt.Sprintf("export %s", t.Name), err)
		}
		if d.Terraform, err = json.MarshalIndent(terraform(t, d.TerraformName), "", "  "); err != nil {
			return nil, failed(fmt.Sprintf("export %s", t.Name), err)
		}
		out[i] = d
	}
	return out, nil
}

// The JSON shapes of the DynamoDB API and of CloudFormation, which agree on
// everything a table definition holds but the stream and the encryption.
type (
	// tableJSON is what both shapes share.
	tableJSON struct {
		TableName                 string            `json:"TableName"`
		KeySchema                 []keyJSON         `json:"KeySchema"`
		AttributeDefinitions      []attributeJSON   `json:"AttributeDefinitions"`
		GlobalSecondaryIndexes    []globalIndexJSON `json:"GlobalSecondaryIndexes,omitempty"`
		LocalSecondaryIndexes     []localIndexJSON  `json:"LocalSecondaryIndexes,omitempty"`
		BillingMode               types.BillingMode `json:"BillingMode"`
		ProvisionedThroughput     *throughputJSON   `json:"ProvisionedThroughput,omitempty"`
		TableClass                types.TableClass  `json:"TableClass,omitempty"`
		DeletionProtectionEnabled bool              `json:"DeletionProtectionEnabled,omitempty"`
		WarmThroughput            *warmJSON         `json:"WarmThroughput,omitempty"`
		Tags                      []tagJSON         `json:"Tags,omitempty"`
	}
	createTableRequest struct {
		tableJSON
		StreamSpecification *streamJSON `json:"StreamSpecification,omitempty"`
		SSESpecification    *sseJSON    `json:"SSESpecification,omitempty"`
	}
	streamJSON struct {
		StreamEnabled  bool                 `json:"StreamEnabled"`
		StreamViewType types.StreamViewType `json:"StreamViewType"`
	}
	sseJSON struct {
		Enabled        bool          `json:"Enabled"`
		SSEType        types.SSEType `json:"SSEType,omitempty"`
		KMSMasterKeyID string        `json:"KMSMasterKeyId,omitempty"`
	}
	warmJSON struct {
		ReadUnitsPerSecond  int64 `json:"ReadUnitsPerSecond"`
		WriteUnitsPerSecond int64 `json:"WriteUnitsPerSecond"`
	}
	tagJSON struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	}
	keyJSON struct {
		AttributeName string        `json:"AttributeName"`
		KeyType       types.KeyType `json:"KeyType"`
	}
	attributeJSON struct {
		AttributeName string                    `json:"AttributeName"`
		AttributeType types.ScalarAttributeType `json:"AttributeType"`
	}
	globalIndexJSON struct {
		IndexName             string          `json:"IndexName"`
		KeySchema             []keyJSON       `json:"KeySchema"`
		Projection            projectionJSON  `json:"Projection"`
		ProvisionedThroughput *throughputJSON `json:"ProvisionedThroughput,omitempty"`
	}
	localIndexJSON struct {
		IndexName  string         `json:"IndexName"`
		KeySchema  []keyJSON      `json:"KeySchema"`
		Projection projectionJSON `json:"Projection"`
	}
	projectionJSON struct {
		ProjectionType   types.ProjectionType `json:"ProjectionType"`
		NonKeyAttributes []string             `json:"NonKeyAttributes,omitempty"`
	}
	throughputJSON struct {
		ReadCapacityUnits  int64 `json:"ReadCapacityUnits"`
		WriteCapacityUnits int64 `json:"WriteCapacityUnits"`
	}
	resourceJSON struct {
		Type       string         `json:"Type"`
		Properties propertiesJSON `json:"Properties"`
	}
	propertiesJSON struct {
		tableJSON
		StreamSpecification              *cfnStreamJSON `json:"StreamSpecification,omitempty"`
		SSESpecification                 *cfnSSEJSON    `json:"SSESpecification,omitempty"`
		TimeToLiveSpecification          *ttlJSON       `json:"TimeToLiveSpecification,omitempty"`
		PointInTimeRecoverySpecification *cfnPITRJSON   `json:"PointInTimeRecoverySpecification,omitempty"`
	}
	cfnStreamJSON struct {
		StreamViewType types.StreamViewType `json:"StreamViewType"`
	}
	cfnSSEJSON struct {
		SSEEnabled     bool          `json:"SSEEnabled"`
		SSEType        types.SSEType `json:"SSEType,omitempty"`
		KMSMasterKeyID string        `json:"KMSMasterKeyId,omitempty"`
	}
	cfnPITRJSON struct {
		PointInTimeRecoveryEnabled bool `json:"PointInTimeRecoveryEnabled"`
	}
	ttlJSON struct {
		AttributeName string `json:"AttributeName"`
		Enabled       bool   `json:"Enabled"`
	}
)

// createTableJSON converts the request Create sends, so Export cannot
// drift from it.
func createTableJSON(in *dynamodb.CreateTableInput) createTableRequest {
	out := createTableRequest{tableJSON: tableJSON{
		TableName:                 aws.ToString(in.TableName),
		KeySchema:                 keysJSON(in.KeySchema),
		BillingMode:               in.BillingMode,
		ProvisionedThroughput:     throughputOf(in.ProvisionedThroughput),
		TableClass:                in.TableClass,
		DeletionProtectionEnabled: aws.ToBool(in.DeletionProtectionEnabled),
	}}
	if w := in.WarmThroughput; w != nil {
		out.WarmThroughput = &warmJSON{aws.ToInt64(w.ReadUnitsPerSecond), aws.ToInt64(w.WriteUnitsPerSecond)}
	}
	for _, t := range in.Tags {
		out.Tags = append(out.Tags, tagJSON{aws.ToString(t.Key), aws.ToString(t.Value)})
	}
	if s := in.StreamSpecification; s != nil {
		out.StreamSpecification = &streamJSON{aws.ToBool(s.StreamEnabled), s.StreamViewType}
	}
	if s := in.SSESpecification; s != nil {
		out.SSESpecification = &sseJSON{aws.ToBool(s.Enabled), s.SSEType, aws.ToString(s.KMSMasterKeyId)}
	}
	for _, d := range in.AttributeDefinitions {
		out.AttributeDefinitions = append(out.AttributeDefinitions, attributeJSON{aws.ToString(d.AttributeName), d.AttributeType})
	}
	for _, g := range in.GlobalSecondaryIndexes {
		out.GlobalSecondaryIndexes = append(out.GlobalSecondaryIndexes, globalIndexJSON{
			IndexName:             aws.ToString(g.IndexName),
			KeySchema:             keysJSON(g.KeySchema),
			Projection:            projectionOfJSON(g.Projection),
			ProvisionedThroughput: throughputOf(g.ProvisionedThroughput),
		})
	}
	for _, l := range in.LocalSecondaryIndexes {
		out.LocalSecondaryIndexes = append(out.LocalSecondaryIndexes, localIndexJSON{
			IndexName:  aws.ToString(l.IndexName),
			KeySchema:  keysJSON(l.KeySchema),
			Projection: projectionOfJSON(l.Projection),
		})
	}
	return out
}

func keysJSON(ks []types.KeySchemaElement) []keyJSON {
	out := make([]keyJSON, len(ks))
	for i, k := range ks {
		out[i] = keyJSON{aws.ToString(k.AttributeName), k.KeyType}
	}
	return out
}

func projectionOfJSON(p *types.Projection) projectionJSON {
	if p == nil {
		return projectionJSON{ProjectionType: types.ProjectionTypeAll}
	}
	return projectionJSON{ProjectionType: p.ProjectionType, NonKeyAttributes: p.NonKeyAttributes}
}

func throughputOf(pt *types.ProvisionedThroughput) *throughputJSON {
	if pt == nil {
		return nil
	}
	return &throughputJSON{aws.ToInt64(pt.ReadCapacityUnits), aws.ToInt64(pt.WriteCapacityUnits)}
}

// logicalID makes a CloudFormation logical ID (letters and digits only)
// from a table name: each run of letters and digits is capitalised, and
// "Table" is appended.
func logicalID(table string) string {
	var b strings.Builder
	upper := true
	for _, r := range table {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	id := b.String()
	if id == "" || unicode.IsDigit(rune(id[0])) {
		id = "T" + id
	}
	return id + "Table"
}
