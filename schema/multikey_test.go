package schema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

// ticket has a global index with a multi-attribute key: two hash and three
// range attributes, in field order.
type ticket struct {
	ID       string `dynamo:"id,hash"`
	Tenant   string `dynamo:"tenant" index:"by-parent,hash"`
	Parent   string `dynamo:"parent" index:"by-parent,hash"`
	Status   string `dynamo:"status" index:"by-parent,range"`
	Priority int    `dynamo:"priority" index:"by-parent,range"`
	Opened   string `dynamo:"opened" index:"by-parent,range"`
}

func (ticket) TableName() string { return "ticket" }

// multiKeys is the KeySchema of ticket's by-parent index.
var multiKeys = []types.KeySchemaElement{hashKey("tenant"), hashKey("parent"), rangeKey("status"), rangeKey("priority"), rangeKey("opened")}

func TestCreateInputMultiKey(t *testing.T) {
	got := createInput(t, model.MustOf[ticket](), nil)
	want := &dynamodb.CreateTableInput{
		TableName: aws.String("ticket"),
		KeySchema: []types.KeySchemaElement{hashKey("id")},
		AttributeDefinitions: []types.AttributeDefinition{
			def("id", "S"), def("opened", "S"), def("parent", "S"), def("priority", "N"), def("status", "S"), def("tenant", "S"),
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("by-parent"),
			KeySchema:  multiKeys,
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
		BillingMode: types.BillingModePayPerRequest,
	}
	if diff := cmp.Diff(got, want, sdkOpts); diff != "" {
		t.Errorf("CreateInput(ticket) (-got +want):\n%s", diff)
	}
}

// ticketDescription is ticket's table as DynamoDB describes it, with the
// index's key elements in the order given.
func ticketDescription(keys []types.KeySchemaElement) *types.TableDescription {
	return &types.TableDescription{
		TableName: aws.String("ticket"),
		KeySchema: []types.KeySchemaElement{hashKey("id")},
		AttributeDefinitions: []types.AttributeDefinition{
			def("id", "S"), def("opened", "S"), def("parent", "S"), def("priority", "N"), def("status", "S"), def("tenant", "S"),
		},
		BillingModeSummary: &types.BillingModeSummary{BillingMode: types.BillingModePayPerRequest},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndexDescription{{
			IndexName:   aws.String("by-parent"),
			KeySchema:   keys,
			Projection:  &types.Projection{ProjectionType: types.ProjectionTypeAll},
			IndexStatus: types.IndexStatusActive,
		}},
	}
}

// TestDescribedMultiKey: a live index keeps every key element, each role
// in order, so the plan of a table made elsewhere finds nothing to change.
func TestDescribedMultiKey(t *testing.T) {
	got := described(ticketDescription(multiKeys), nil)
	want := Index{
		Name: "by-parent", Hash: KeyAttr{"tenant", "S"}, Range: KeyAttr{"status", "S"},
		Hashes:     []KeyAttr{{"tenant", "S"}, {"parent", "S"}},
		Ranges:     []KeyAttr{{"status", "S"}, {"priority", "N"}, {"opened", "S"}},
		Projection: model.All,
	}
	if diff := cmp.Diff(got.GSIs, []Index{want}); diff != "" {
		t.Errorf("described GSIs (-got +want):\n%s", diff)
	}
	tables, err := Definitions(nil, model.MustOf[ticket]())
	if err != nil {
		t.Fatal(err)
	}
	changes, err := Diff(tables[0], got)
	if err != nil || len(changes) != 0 {
		t.Errorf("Diff(ticket, its own description) = %v, %v; want no changes", changes, err)
	}
}

// TestDiffMultiKey: another order of the same attributes is another index,
// re-created; a new multi-attribute index is added with its whole key.
func TestDiffMultiKey(t *testing.T) {
	tables, err := Definitions(nil, model.MustOf[ticket]())
	if err != nil {
		t.Fatal(err)
	}
	want := tables[0]
	swapped := []types.KeySchemaElement{hashKey("tenant"), hashKey("parent"), rangeKey("priority"), rangeKey("status"), rangeKey("opened")}
	changes, err := Diff(want, described(ticketDescription(swapped), nil))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range changes {
		lines = append(lines, c.String())
	}
	wantLines := []string{
		"- delete index by-parent: hash tenant S, parent S; range priority N, status S, opened S; projection ALL (to re-create it with hash tenant S, parent S; range status S, priority N, opened S; projection ALL) [destructive]",
		"+ add index by-parent: hash tenant S, parent S; range status S, priority N, opened S; projection ALL (re-created, was hash tenant S, parent S; range priority N, status S, opened S; projection ALL)",
	}
	if diff := cmp.Diff(lines, wantLines); diff != "" {
		t.Errorf("Diff(reordered) (-got +want):\n%s", diff)
	}

	noIndex := ticketDescription(nil)
	noIndex.GlobalSecondaryIndexes = nil
	changes, err = Diff(want, described(noIndex, nil))
	if err != nil || len(changes) != 1 {
		t.Fatalf("Diff(without the index) = %v, %v; want one change", changes, err)
	}
	in := changes[0].in.(*dynamodb.UpdateTableInput)
	if diff := cmp.Diff(in.GlobalSecondaryIndexUpdates[0].Create.KeySchema, multiKeys, sdkOpts); diff != "" {
		t.Errorf("add index KeySchema (-got +want):\n%s", diff)
	}
	if got := len(in.AttributeDefinitions); got != 5 {
		t.Errorf("add index defines %d attributes, want 5", got)
	}
	if !strings.HasPrefix(changes[0].String(), "+ add index by-parent: hash tenant S, parent S; range status S") {
		t.Errorf("change = %q", changes[0].String())
	}
}

// TestIndexKeys: HashKeys and RangeKeys list a key of any shape.
func TestIndexKeys(t *testing.T) {
	single := Index{Hash: KeyAttr{"a", "S"}, Range: KeyAttr{"b", "N"}}
	if diff := cmp.Diff([][]KeyAttr{single.HashKeys(), single.RangeKeys()}, [][]KeyAttr{{{"a", "S"}}, {{"b", "N"}}}); diff != "" {
		t.Errorf("single key (-got +want):\n%s", diff)
	}
	if got := (Index{Hash: KeyAttr{"a", "S"}}).RangeKeys(); got != nil {
		t.Errorf("RangeKeys without range = %v, want nil", got)
	}
}

// TestExportMultiKey: both export formats list every key element in order.
func TestExportMultiKey(t *testing.T) {
	defs, err := Export(nil, model.MustOf[ticket]())
	if err != nil {
		t.Fatal(err)
	}
	want := `"KeySchema": [
          {
            "AttributeName": "tenant",
            "KeyType": "HASH"
          },
          {
            "AttributeName": "parent",
            "KeyType": "HASH"
          },
          {
            "AttributeName": "status",
            "KeyType": "RANGE"
          },
          {
            "AttributeName": "priority",
            "KeyType": "RANGE"
          },
          {
            "AttributeName": "opened",
            "KeyType": "RANGE"
          }
        ]`
	for _, doc := range []struct {
		name string
		json []byte
	}{{"CreateTable", defs[0].CreateTable}, {"CloudFormation", defs[0].Resource}} {
		if !strings.Contains(strings.Join(strings.Fields(string(doc.json)), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("%s export lacks the index's key elements in order:\n%s", doc.name, doc.json)
		}
	}
}

// TestTerraformMultiKey: Terraform's global_secondary_index lists a
// multi-attribute key as key_schema blocks, every element in key order,
// and no hash_key or range_key, which hold one attribute each.
func TestTerraformMultiKey(t *testing.T) {
	defs, err := Export(nil, model.MustOf[ticket]())
	if err != nil {
		t.Fatal(err)
	}
	var conf struct {
		Resource struct {
			Table map[string]struct {
				HashKey string           `json:"hash_key"`
				GSIs    []map[string]any `json:"global_secondary_index"`
			} `json:"aws_dynamodb_table"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(defs[0].Terraform, &conf); err != nil {
		t.Fatal(err)
	}
	tt := conf.Resource.Table["ticket"]
	key := func(name, typ string) any { return map[string]any{"attribute_name": name, "key_type": typ} }
	want := []map[string]any{{
		"name":            "by-parent",
		"projection_type": "ALL",
		"key_schema": []any{
			key("tenant", "HASH"), key("parent", "HASH"), key("status", "RANGE"), key("priority", "RANGE"), key("opened", "RANGE"),
		},
	}}
	if diff := cmp.Diff(tt.GSIs, want); diff != "" || tt.HashKey != "id" {
		t.Errorf("terraform of ticket: hash_key %q, global_secondary_index (-got +want):\n%s", tt.HashKey, diff)
	}
}

// TestTerraformSingleKey: an index of one attribute per role keeps
// hash_key and range_key, which every provider version reads.
func TestTerraformSingleKey(t *testing.T) {
	ks := []types.KeySchemaElement{hashKey("a"), rangeKey("b")}
	got := tfIndexOf(aws.String("i"), ks, nil)
	want := tfIndex{Name: "i", HashKey: "a", RangeKey: "b", ProjectionType: "ALL"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("tfIndexOf (-got +want):\n%s", diff)
	}
}

// TestWorkbenchMultiKey: the Workbench format, whose index key is one
// partition and one sort attribute, refuses a multi-attribute key and names
// the index.
func TestWorkbenchMultiKey(t *testing.T) {
	_, err := Workbench(nil, WorkbenchInfo{}, model.MustOf[ticket]())
	want := "schema: workbench: index by-parent of table ticket has a multi-attribute key (hash tenant S, parent S; range status S, priority N, opened S)"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Workbench(ticket) = %v, want an error starting %q", err, want)
	}
}
