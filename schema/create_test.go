package schema

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// sdkOpts compares SDK structs, which have unexported fields.
var sdkOpts = cmpopts.IgnoreUnexported(
	dynamodb.CreateTableInput{}, dynamodb.UpdateTableInput{}, dynamodb.UpdateTimeToLiveInput{},
	types.KeySchemaElement{}, types.AttributeDefinition{}, types.GlobalSecondaryIndex{},
	types.LocalSecondaryIndex{}, types.Projection{}, types.ProvisionedThroughput{},
	types.GlobalSecondaryIndexUpdate{}, types.CreateGlobalSecondaryIndexAction{},
	types.DeleteGlobalSecondaryIndexAction{}, types.UpdateGlobalSecondaryIndexAction{},
	types.TimeToLiveSpecification{},
)

func hashKey(name string) types.KeySchemaElement {
	return types.KeySchemaElement{AttributeName: aws.String(name), KeyType: types.KeyTypeHash}
}

func rangeKey(name string) types.KeySchemaElement {
	return types.KeySchemaElement{AttributeName: aws.String(name), KeyType: types.KeyTypeRange}
}

func def(name string, t types.ScalarAttributeType) types.AttributeDefinition {
	return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: t}
}

func TestCreateInput(t *testing.T) {
	pt := &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(2)}
	tests := []struct {
		name  string
		m     *model.Model
		namer model.Namer
		want  *dynamodb.CreateTableInput
	}{
		{
			name:  "hash key and gsi, on-demand",
			m:     model.MustOf[employee](),
			namer: model.Prefix("dev-"),
			want: &dynamodb.CreateTableInput{
				TableName:            aws.String("dev-employee"),
				KeySchema:            []types.KeySchemaElement{hashKey("employee_id")},
				AttributeDefinitions: []types.AttributeDefinition{def("department_id", "S"), def("employee_id", "S")},
				GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
					IndexName:  aws.String("department-employee-index"),
					KeySchema:  []types.KeySchemaElement{hashKey("department_id")},
					Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
				}},
				BillingMode: types.BillingModePayPerRequest,
			},
		},
		{
			name: "range key, projections, lsi, provisioned",
			m:    model.MustOf[order](),
			want: &dynamodb.CreateTableInput{
				TableName: aws.String("order"),
				KeySchema: []types.KeySchemaElement{hashKey("customer_id"), rangeKey("order_id")},
				AttributeDefinitions: []types.AttributeDefinition{
					def("customer_id", "S"), def("date", "S"), def("order_id", "S"), def("status", "S"), def("total", "N"),
				},
				GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
					{
						IndexName:             aws.String("by-status"),
						KeySchema:             []types.KeySchemaElement{hashKey("status"), rangeKey("date")},
						Projection:            &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"total", "customer_id"}},
						ProvisionedThroughput: pt,
					},
					{
						IndexName:             aws.String("by-total"),
						KeySchema:             []types.KeySchemaElement{hashKey("total")},
						Projection:            &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
						ProvisionedThroughput: pt,
					},
				},
				LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
					IndexName:  aws.String("by-date"),
					KeySchema:  []types.KeySchemaElement{hashKey("customer_id"), rangeKey("date")},
					Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
				}},
				BillingMode:           types.BillingModeProvisioned,
				ProvisionedThroughput: pt,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := createInput(t, tt.m, tt.namer)
			if diff := cmp.Diff(tt.want, got, sdkOpts); diff != "" {
				t.Errorf("CreateInput (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTables(t *testing.T) {
	tables, err := Definitions(&Options{Namer: model.Prefix("p-")}, model.MustOf[deptItem](), model.MustOf[employee](), model.MustOf[empItem]())
	if err != nil {
		t.Fatal(err)
	}
	want := []*Definition{
		{
			Name: "p-app", Hash: KeyAttr{"pk", "S"}, Range: KeyAttr{"sk", "S"},
			GSIs: []Index{{Name: "gsi1", Hash: KeyAttr{"gsi1pk", "S"}, Range: KeyAttr{"gsi1sk", "S"}, Projection: model.All}},
			TTL:  "exp",
		},
		{
			Name: "p-employee", Hash: KeyAttr{"employee_id", "S"},
			GSIs: []Index{{Name: "department-employee-index", Hash: KeyAttr{"department_id", "S"}, Projection: model.All}},
		},
	}
	if diff := cmp.Diff(want, tables); diff != "" {
		t.Errorf("Tables (-want +got):\n%s", diff)
	}
}

func TestTablesConflicts(t *testing.T) {
	emp := model.MustOf[empItem]()
	tests := []struct {
		name  string
		other *model.Model
		want  string
	}{
		{"key", model.MustOf[appOtherKey](), "different primary keys (hash pk S, range sk S) and (hash pk S)"},
		{"billing", model.MustOf[appProvisioned](), "different billing (on-demand and provisioned 1/1)"},
		{"ttl", model.MustOf[appOtherTTL](), "different ttl attributes (exp and other_ttl)"},
		{"index", model.MustOf[appOtherGSI](), "index gsi1 differs"},
		{"index kind", model.MustOf[appLocalGSI1](), "index gsi1 is global in one and local in the other"},
		{"attribute type", model.MustOf[appNumberGSIKey](), "attribute gsi1pk is S in one and N in the other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Definitions(nil, emp, tt.other)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "schema: table app: ") {
				t.Errorf("Tables error = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := Definitions(nil, emp, nil); err == nil || err.Error() != "schema: nil model" {
		t.Errorf("Tables with nil model: error %v, want schema: nil model", err)
	}
}

// createInput returns the CreateTable request for the table of m alone,
// its name passed through n.
func createInput(t testing.TB, m *model.Model, n model.Namer) *dynamodb.CreateTableInput {
	t.Helper()
	defs, err := Definitions(&Options{Namer: n}, m)
	if err != nil {
		t.Fatal(err)
	}
	return defs[0].CreateInput()
}

// TestCreateInputSharedTable: the CreateTable request of a table that two
// models share has the indexes of both, whichever model comes first.
func TestCreateInputSharedTable(t *testing.T) {
	for _, models := range [][]*model.Model{
		{model.MustOf[deptItem](), model.MustOf[empItem]()},
		{model.MustOf[empItem](), model.MustOf[deptItem]()},
	} {
		defs, err := Definitions(nil, models...)
		if err != nil {
			t.Fatal(err)
		}
		if len(defs) != 1 {
			t.Fatalf("Definitions = %d tables, want 1", len(defs))
		}
		in := defs[0].CreateInput()
		if aws.ToString(in.TableName) != "app" || len(in.GlobalSecondaryIndexes) != 1 || aws.ToString(in.GlobalSecondaryIndexes[0].IndexName) != "gsi1" {
			t.Errorf("CreateInput of app from %v = %s with %d global indexes, want app with gsi1", models[0].Type(), aws.ToString(in.TableName), len(in.GlobalSecondaryIndexes))
		}
	}
}
