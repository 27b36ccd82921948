package schema

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// describe reads the live definition of a table; it returns nil and no
// error when the table does not exist. It reads the raw SDK responses
// itself: guregu/dynamo's Describe dereferences optional fields (a global
// index's IndexArn) without checking them.
func describe(ctx context.Context, c client, name string) (*Definition, error) {
	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return nil, nil
	case err != nil:
		return nil, failed(fmt.Sprintf("describe table %s", name), err)
	case out.Table == nil:
		return nil, fmt.Errorf("schema: describe table %s: no description in the response", name)
	}
	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return nil, failed(fmt.Sprintf("describe ttl of %s", name), err)
	}
	t := described(out.Table, ttl.TimeToLiveDescription)
	if t.Name == "" {
		t.Name = name
	}
	if err := describeSettings(ctx, c, t); err != nil {
		return nil, err
	}
	return t, nil
}

// described converts DynamoDB's descriptions of a table and its TTL into a
// [Definition]. Every field of the SDK structs may be nil or empty. Indexes
// being deleted are left out; indexes are sorted by name.
func described(td *types.TableDescription, ttl *types.TimeToLiveDescription) *Definition {
	if td == nil {
		return nil
	}
	defs := map[string]model.ScalarType{}
	for _, d := range td.AttributeDefinitions {
		defs[aws.ToString(d.AttributeName)] = model.ScalarType(d.AttributeType)
	}
	key := func(ks []types.KeySchemaElement) (hash, rng KeyAttr) {
		for _, k := range ks {
			a := KeyAttr{Name: aws.ToString(k.AttributeName)}
			a.Type = defs[a.Name]
			switch k.KeyType {
			case types.KeyTypeHash:
				hash = a
			case types.KeyTypeRange:
				rng = a
			}
		}
		return hash, rng
	}
	t := &Definition{Name: aws.ToString(td.TableName), Billing: billingOf(td)}
	t.Hash, t.Range = key(td.KeySchema)
	for _, g := range td.GlobalSecondaryIndexes {
		if g.IndexStatus == types.IndexStatusDeleting {
			continue
		}
		idx := Index{Name: aws.ToString(g.IndexName), Projection: projectionOf(g.Projection)}
		idx.setKey(keysOf(g.KeySchema, defs))
		if !t.Billing.OnDemand() {
			idx.Throughput = capacity(g.ProvisionedThroughput)
		}
		t.GSIs = append(t.GSIs, idx)
	}
	for _, l := range td.LocalSecondaryIndexes {
		idx := Index{Name: aws.ToString(l.IndexName), Projection: projectionOf(l.Projection)}
		idx.Hash, idx.Range = key(l.KeySchema)
		t.LSIs = append(t.LSIs, idx)
	}
	byName := func(a, b Index) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(t.GSIs, byName)
	slices.SortFunc(t.LSIs, byName)
	t.TTL = ttlAttribute(ttl)
	t.Settings = settingsFrom(td)
	t.ARN = aws.ToString(td.TableArn)
	return t
}

// billingOf reads the billing mode. A table created as provisioned before
// on-demand existed has no BillingModeSummary; an on-demand table reports
// zero capacity units, which [model.Billing] reads as on-demand.
func billingOf(td *types.TableDescription) model.Billing {
	if s := td.BillingModeSummary; s != nil && s.BillingMode == types.BillingModePayPerRequest {
		return model.Billing{}
	}
	return capacity(td.ProvisionedThroughput)
}

func capacity(pt *types.ProvisionedThroughputDescription) model.Billing {
	if pt == nil {
		return model.Billing{}
	}
	return model.Provisioned(aws.ToInt64(pt.ReadCapacityUnits), aws.ToInt64(pt.WriteCapacityUnits))
}

// projectionOf reads an index projection; a missing one is taken as ALL.
func projectionOf(p *types.Projection) model.Projection {
	if p == nil || p.ProjectionType == "" {
		return model.All
	}
	out := model.Projection{Type: mapping.ProjectionType(p.ProjectionType)}
	if out.Type == mapping.ProjectInclude {
		out.NonKey = slices.Clone(p.NonKeyAttributes)
	}
	return out
}

// ttlAttribute returns the attribute TTL is on for, or "" when it is off
// or being turned off.
func ttlAttribute(d *types.TimeToLiveDescription) string {
	if d == nil {
		return ""
	}
	switch d.TimeToLiveStatus {
	case types.TimeToLiveStatusEnabled, types.TimeToLiveStatusEnabling:
		return aws.ToString(d.AttributeName)
	}
	return ""
}
