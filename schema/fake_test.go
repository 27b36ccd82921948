package schema

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// fakeClient is an in-memory DynamoDB control plane: enough of
// CreateTable, DeleteTable, UpdateTable and TTL to test Create, Drop, Plan
// and Apply offline. A new table or index is CREATING until the next
// DescribeTable, and a deleted table or index is DELETING until then, so
// the waits are exercised. As in DynamoDB, CreateTable of a table that
// exists in any state, and DeleteTable of a table that is not ACTIVE, fail
// with a ResourceInUseException.
type fakeClient struct {
	mu     sync.Mutex
	tables map[string]*types.TableDescription
	ttl    map[string]*types.TimeToLiveDescription
	calls  []string // operation and table name of each call, in order
	inputs []any    // the requests that change something, in order
	// deleting is, per table, how many DescribeTable answers show it
	// DELETING before it is gone; 1 when not set.
	deleting map[string]int
	// frozen tables stay in the state they are in: a table or index that
	// never becomes ACTIVE, a deletion that never ends.
	frozen map[string]bool
	// pitr and tags hold each table's point-in-time recovery and tags
	// (see settings_fake_test.go).
	pitr map[string]bool
	tags map[string]map[string]string
}

var _ client = (*fakeClient)(nil)

func newFake() *fakeClient {
	return &fakeClient{tables: map[string]*types.TableDescription{}, ttl: map[string]*types.TimeToLiveDescription{}, deleting: map[string]int{}, frozen: map[string]bool{}}
}

func (f *fakeClient) record(op string, table *string, in any) {
	f.calls = append(f.calls, op+" "+aws.ToString(table))
	if in != nil {
		f.inputs = append(f.inputs, in)
	}
}

func (f *fakeClient) CreateTable(_ context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("CreateTable", in.TableName, in)
	name := aws.ToString(in.TableName)
	if f.tables[name] != nil {
		return nil, &types.ResourceInUseException{Message: aws.String("table exists")}
	}
	td := &types.TableDescription{
		TableName:            in.TableName,
		TableStatus:          types.TableStatusCreating,
		KeySchema:            in.KeySchema,
		AttributeDefinitions: in.AttributeDefinitions,
		BillingModeSummary:   &types.BillingModeSummary{BillingMode: in.BillingMode},
		ProvisionedThroughput: &types.ProvisionedThroughputDescription{
			ReadCapacityUnits: aws.Int64(0), WriteCapacityUnits: aws.Int64(0),
		},
	}
	if pt := in.ProvisionedThroughput; pt != nil {
		td.ProvisionedThroughput = &types.ProvisionedThroughputDescription{ReadCapacityUnits: pt.ReadCapacityUnits, WriteCapacityUnits: pt.WriteCapacityUnits}
	}
	for _, g := range in.GlobalSecondaryIndexes {
		td.GlobalSecondaryIndexes = append(td.GlobalSecondaryIndexes, gsiDescription(g.IndexName, g.KeySchema, g.Projection, g.ProvisionedThroughput, types.IndexStatusCreating))
	}
	for _, l := range in.LocalSecondaryIndexes {
		td.LocalSecondaryIndexes = append(td.LocalSecondaryIndexes, types.LocalSecondaryIndexDescription{IndexName: l.IndexName, KeySchema: l.KeySchema, Projection: l.Projection})
	}
	f.createSettings(td, in)
	f.tables[name] = td
	return &dynamodb.CreateTableOutput{TableDescription: td}, nil
}

func gsiDescription(name *string, ks []types.KeySchemaElement, p *types.Projection, pt *types.ProvisionedThroughput, status types.IndexStatus) types.GlobalSecondaryIndexDescription {
	d := types.GlobalSecondaryIndexDescription{IndexName: name, KeySchema: ks, Projection: p, IndexStatus: status}
	if pt != nil {
		d.ProvisionedThroughput = &types.ProvisionedThroughputDescription{ReadCapacityUnits: pt.ReadCapacityUnits, WriteCapacityUnits: pt.WriteCapacityUnits}
	}
	return d
}

func (f *fakeClient) DeleteTable(_ context.Context, in *dynamodb.DeleteTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("DeleteTable", in.TableName, in)
	name := aws.ToString(in.TableName)
	td := f.tables[name]
	if td == nil {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no table")}
	}
	if td.TableStatus != types.TableStatusActive {
		return nil, &types.ResourceInUseException{Message: aws.String("table is " + string(td.TableStatus))}
	}
	td.TableStatus = types.TableStatusDeleting
	return &dynamodb.DeleteTableOutput{TableDescription: td}, nil
}

func (f *fakeClient) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("DescribeTable", in.TableName, nil)
	name := aws.ToString(in.TableName)
	td := f.tables[name]
	if td == nil {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no table")}
	}
	// Answer with the current state, then move every transition along.
	cp := *td
	if f.frozen[name] {
		return &dynamodb.DescribeTableOutput{Table: &cp}, nil
	}
	if td.TableStatus == types.TableStatusDeleting {
		n, ok := f.deleting[name]
		if !ok {
			n = 1
		}
		if n--; n == 0 {
			delete(f.tables, name)
			delete(f.ttl, name)
			delete(f.deleting, name)
		} else {
			f.deleting[name] = n
		}
		return &dynamodb.DescribeTableOutput{Table: &cp}, nil
	}
	cp.GlobalSecondaryIndexes = append([]types.GlobalSecondaryIndexDescription(nil), td.GlobalSecondaryIndexes...)
	td.TableStatus = types.TableStatusActive
	kept := td.GlobalSecondaryIndexes[:0]
	for _, g := range td.GlobalSecondaryIndexes {
		if g.IndexStatus != types.IndexStatusDeleting {
			g.IndexStatus = types.IndexStatusActive
			kept = append(kept, g)
		}
	}
	td.GlobalSecondaryIndexes = kept
	return &dynamodb.DescribeTableOutput{Table: &cp}, nil
}

func (f *fakeClient) UpdateTable(_ context.Context, in *dynamodb.UpdateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("UpdateTable", in.TableName, in)
	td := f.tables[aws.ToString(in.TableName)]
	if td == nil {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no table")}
	}
	if len(in.GlobalSecondaryIndexUpdates) > 1 && in.BillingMode == "" && in.ProvisionedThroughput == nil {
		return nil, fmt.Errorf("fake: only one index can be created or deleted per UpdateTable")
	}
	if td.TableStatus != types.TableStatusActive {
		return nil, &types.ResourceInUseException{Message: aws.String("table is not ACTIVE")}
	}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			c := u.Create
			td.GlobalSecondaryIndexes = append(td.GlobalSecondaryIndexes, gsiDescription(c.IndexName, c.KeySchema, c.Projection, c.ProvisionedThroughput, types.IndexStatusCreating))
			td.AttributeDefinitions = append(td.AttributeDefinitions, in.AttributeDefinitions...)
		case u.Delete != nil:
			for i, g := range td.GlobalSecondaryIndexes {
				if aws.ToString(g.IndexName) == aws.ToString(u.Delete.IndexName) {
					td.GlobalSecondaryIndexes[i].IndexStatus = types.IndexStatusDeleting
				}
			}
		case u.Update != nil:
			for i, g := range td.GlobalSecondaryIndexes {
				if aws.ToString(g.IndexName) == aws.ToString(u.Update.IndexName) {
					pt := u.Update.ProvisionedThroughput
					td.GlobalSecondaryIndexes[i].ProvisionedThroughput = &types.ProvisionedThroughputDescription{ReadCapacityUnits: pt.ReadCapacityUnits, WriteCapacityUnits: pt.WriteCapacityUnits}
				}
			}
		}
	}
	if in.BillingMode != "" {
		td.BillingModeSummary = &types.BillingModeSummary{BillingMode: in.BillingMode}
		if in.BillingMode == types.BillingModePayPerRequest {
			td.ProvisionedThroughput = &types.ProvisionedThroughputDescription{ReadCapacityUnits: aws.Int64(0), WriteCapacityUnits: aws.Int64(0)}
		}
	}
	if pt := in.ProvisionedThroughput; pt != nil {
		td.ProvisionedThroughput = &types.ProvisionedThroughputDescription{ReadCapacityUnits: pt.ReadCapacityUnits, WriteCapacityUnits: pt.WriteCapacityUnits}
	}
	updateSettings(td, in)
	td.TableStatus = types.TableStatusUpdating
	return &dynamodb.UpdateTableOutput{TableDescription: td}, nil
}

func (f *fakeClient) DescribeTimeToLive(_ context.Context, in *dynamodb.DescribeTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("DescribeTimeToLive", in.TableName, nil)
	if f.tables[aws.ToString(in.TableName)] == nil {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no table")}
	}
	d := f.ttl[aws.ToString(in.TableName)]
	if d == nil {
		d = &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusDisabled}
	}
	return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: d}, nil
}

func (f *fakeClient) UpdateTimeToLive(_ context.Context, in *dynamodb.UpdateTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("UpdateTimeToLive", in.TableName, in)
	if f.tables[aws.ToString(in.TableName)] == nil {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no table")}
	}
	status := types.TimeToLiveStatusDisabled
	if aws.ToBool(in.TimeToLiveSpecification.Enabled) {
		status = types.TimeToLiveStatusEnabled
	}
	f.ttl[aws.ToString(in.TableName)] = &types.TimeToLiveDescription{AttributeName: in.TimeToLiveSpecification.AttributeName, TimeToLiveStatus: status}
	return &dynamodb.UpdateTimeToLiveOutput{TimeToLiveSpecification: in.TimeToLiveSpecification}, nil
}
