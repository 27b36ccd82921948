package schema

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

func TestDescribed(t *testing.T) {
	pt := func(r, w int64) *types.ProvisionedThroughputDescription {
		return &types.ProvisionedThroughputDescription{ReadCapacityUnits: aws.Int64(r), WriteCapacityUnits: aws.Int64(w)}
	}
	tests := []struct {
		name string
		td   *types.TableDescription
		ttl  *types.TimeToLiveDescription
		want *Definition
	}{
		{name: "nil", want: nil},
		{
			// Every optional field missing: no panic, and what can be read is read.
			name: "nils everywhere",
			td: &types.TableDescription{
				KeySchema:            []types.KeySchemaElement{{KeyType: types.KeyTypeHash}},
				AttributeDefinitions: []types.AttributeDefinition{{}},
				GlobalSecondaryIndexes: []types.GlobalSecondaryIndexDescription{
					{}, // no IndexArn, IndexName, KeySchema, Projection, ProvisionedThroughput
				},
				LocalSecondaryIndexes: []types.LocalSecondaryIndexDescription{{}},
			},
			ttl:  &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusEnabled},
			want: &Definition{GSIs: []Index{{Projection: model.All}}, LSIs: []Index{{Projection: model.All}}},
		},
		{
			name: "empty description",
			td:   &types.TableDescription{},
			ttl:  &types.TimeToLiveDescription{},
			want: &Definition{},
		},
		{
			name: "full, provisioned",
			td: &types.TableDescription{
				TableName:             aws.String("order"),
				KeySchema:             []types.KeySchemaElement{hashKey("customer_id"), rangeKey("order_id")},
				AttributeDefinitions:  []types.AttributeDefinition{def("customer_id", "S"), def("order_id", "S"), def("status", "S"), def("total", "N"), def("date", "S")},
				BillingModeSummary:    &types.BillingModeSummary{BillingMode: types.BillingModeProvisioned},
				ProvisionedThroughput: pt(5, 2),
				GlobalSecondaryIndexes: []types.GlobalSecondaryIndexDescription{
					{
						IndexName:             aws.String("by-total"),
						KeySchema:             []types.KeySchemaElement{hashKey("total")},
						Projection:            &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
						ProvisionedThroughput: pt(1, 1),
						IndexStatus:           types.IndexStatusActive,
					},
					{
						IndexName:             aws.String("by-status"),
						KeySchema:             []types.KeySchemaElement{hashKey("status"), rangeKey("date")},
						Projection:            &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"total"}},
						ProvisionedThroughput: pt(5, 2),
						IndexStatus:           types.IndexStatusCreating,
					},
					{IndexName: aws.String("going"), IndexStatus: types.IndexStatusDeleting},
				},
				LocalSecondaryIndexes: []types.LocalSecondaryIndexDescription{{
					IndexName:  aws.String("by-date"),
					KeySchema:  []types.KeySchemaElement{hashKey("customer_id"), rangeKey("date")},
					Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
				}},
			},
			ttl: &types.TimeToLiveDescription{AttributeName: aws.String("expires"), TimeToLiveStatus: types.TimeToLiveStatusEnabling},
			want: &Definition{
				Name: "order", Hash: KeyAttr{"customer_id", "S"}, Range: KeyAttr{"order_id", "S"},
				GSIs: []Index{
					{Name: "by-status", Hash: KeyAttr{"status", "S"}, Range: KeyAttr{"date", "S"}, Projection: model.Include("total"), Throughput: model.Provisioned(5, 2)},
					{Name: "by-total", Hash: KeyAttr{"total", "N"}, Projection: model.KeysOnly, Throughput: model.Provisioned(1, 1)},
				},
				LSIs:    []Index{{Name: "by-date", Hash: KeyAttr{"customer_id", "S"}, Range: KeyAttr{"date", "S"}, Projection: model.All}},
				Billing: model.Provisioned(5, 2),
				TTL:     "expires",
			},
		},
		{
			name: "on-demand with zero capacity, ttl disabling",
			td: &types.TableDescription{
				TableName:             aws.String("t"),
				KeySchema:             []types.KeySchemaElement{hashKey("id")},
				BillingModeSummary:    &types.BillingModeSummary{BillingMode: types.BillingModePayPerRequest},
				ProvisionedThroughput: pt(0, 0),
				GlobalSecondaryIndexes: []types.GlobalSecondaryIndexDescription{{
					IndexName: aws.String("g"), KeySchema: []types.KeySchemaElement{hashKey("x")}, ProvisionedThroughput: pt(0, 0),
				}},
			},
			ttl:  &types.TimeToLiveDescription{AttributeName: aws.String("expires"), TimeToLiveStatus: types.TimeToLiveStatusDisabling},
			want: &Definition{Name: "t", Hash: KeyAttr{Name: "id"}, GSIs: []Index{{Name: "g", Hash: KeyAttr{Name: "x"}, Projection: model.All}}},
		},
		{
			name: "provisioned without billing summary",
			td:   &types.TableDescription{TableName: aws.String("old"), ProvisionedThroughput: pt(3, 4)},
			want: &Definition{Name: "old", Billing: model.Provisioned(3, 4)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := described(tt.td, tt.ttl)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("described (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDescribeFake reads a table back through the client calls.
func TestDescribeFake(t *testing.T) {
	f := newFake()
	ctx := t.Context()
	if got, err := describe(ctx, f, "missing"); got != nil || err != nil {
		t.Errorf("describe(missing) = %v, %v; want nil, nil", got, err)
	}
	m := model.MustOf[order]()
	if _, err := f.CreateTable(ctx, createInput(t, m, nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.UpdateTimeToLive(ctx, ttlInput("order", "expires", true)); err != nil {
		t.Fatal(err)
	}
	got, err := describe(ctx, f, "order")
	if err != nil {
		t.Fatal(err)
	}
	want := tableOf(mapping.Must(m), nil)
	want.ARN = fakeARN + "order"
	// described sorts indexes by name; the model declares by-status first.
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("describe (-model +described):\n%s", diff)
	}
}
