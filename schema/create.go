package schema

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// CreateInput returns the CreateTable request that [Create] sends for the
// table t defines: its keys, indexes, billing and the settings CreateTable
// takes (stream, encryption, table class, deletion protection, warm
// throughput, tags). Settings that need requests of their own (TTL,
// point-in-time recovery, auto scaling) are not in it; Create sends them
// after the table is active. Get t from [Definitions], which merges the
// models that share a table and refuses a definition DynamoDB would. It
// does no I/O.
func (t *Definition) CreateInput() *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName: aws.String(t.Name),
		KeySchema: keySchema(t.Hash, t.Range),
	}
	for _, idx := range t.GSIs {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:             aws.String(idx.Name),
			KeySchema:             indexKeySchema(idx),
			Projection:            projection(idx.Projection),
			ProvisionedThroughput: throughput(idx.Throughput),
		})
	}
	for _, idx := range t.LSIs {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  aws.String(idx.Name),
			KeySchema:  keySchema(idx.Hash, idx.Range),
			Projection: projection(idx.Projection),
		})
	}
	in.AttributeDefinitions = attributeDefinitions(t.keyAttrs())
	if t.Billing.OnDemand() {
		in.BillingMode = types.BillingModePayPerRequest
	} else {
		in.BillingMode = types.BillingModeProvisioned
		in.ProvisionedThroughput = throughput(t.Billing)
	}
	t.Settings.addTo(in)
	return in
}

// attributeDefinitions returns one definition per attribute name, sorted.
func attributeDefinitions(attrs []KeyAttr) []types.AttributeDefinition {
	defs := map[string]model.ScalarType{}
	for _, a := range attrs {
		defs[a.Name] = a.Type
	}
	names := make([]string, 0, len(defs))
	for name := range defs {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]types.AttributeDefinition, len(names))
	for i, name := range names {
		out[i] = types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeType(defs[name])}
	}
	return out
}

func keySchema(hash, rng KeyAttr) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(hash.Name), KeyType: types.KeyTypeHash}}
	if rng.Name != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(rng.Name), KeyType: types.KeyTypeRange})
	}
	return ks
}

func projection(p model.Projection) *types.Projection {
	if p.Type == "" {
		p = model.All
	}
	out := &types.Projection{ProjectionType: types.ProjectionType(p.Type)}
	if p.Type == mapping.ProjectInclude {
		out.NonKeyAttributes = append([]string(nil), p.NonKey...)
	}
	return out
}

// throughput returns b as provisioned throughput, or nil when b is on-demand.
func throughput(b model.Billing) *types.ProvisionedThroughput {
	if b.OnDemand() {
		return nil
	}
	return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(b.ReadUnits), WriteCapacityUnits: aws.Int64(b.WriteUnits)}
}

// Create creates the table of each model that does not exist yet, with
// its [Settings], waits until every table and index is ACTIVE, and enables
// TTL on tables whose model declares a ttl attribute and point-in-time
// recovery on those that ask for it. For a table whose models declare
// [model.AutoScaling], it then registers a scalable target and puts a
// target-tracking policy for each scaled capacity of the table and of
// each global index, through opts.AutoScalingClient; without that client
// such a table is refused with [ErrNoAutoScalingClient] before any
// request, unless opts.SkipAutoScaling is set (then the table is created
// without its scaling). A table that already exists is not an error and
// keeps its definition and its scalable targets (use [Plan] to compare it
// with its models); only TTL, point-in-time recovery and scalable targets
// that are missing are added to it. A
// table being deleted is waited for and then created. Each wait is bounded
// by [Options.WaitTimeout], whatever ctx says. Several models may share one
// table (single-table design): it is created once, from the union of their
// keys and indexes (see [Definitions]).
//
// It calls CreateTable, DescribeTable, DescribeTimeToLive,
// UpdateTimeToLive and UpdateContinuousBackups, and for auto scaling
// RegisterScalableTarget and PutScalingPolicy (and
// DescribeScalableTargets and DescribeScalingPolicies for a table that
// existed):
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
func Create(ctx context.Context, c *dynamokit.Client, opts *Options, models ...*model.Model) error {
	x, opts, err := clientOptions(c, opts)
	if err != nil {
		return err
	}
	return create(ctx, x, opts, models)
}

func create(ctx context.Context, c client, opts *Options, models []*model.Model) error {
	tables, err := Definitions(opts, models...)
	if err != nil {
		return err
	}
	if err := opts.checkAutoScaling(tables); err != nil {
		return err
	}
	created := map[string]bool{}
	for _, t := range tables {
		opts.progress(Event{Table: t.Name, Step: "create table"})
		_, err := c.CreateTable(ctx, t.CreateInput())
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return failed(fmt.Sprintf("create table %s", t.Name), err)
		}
		created[t.Name] = err == nil
	}
	for _, t := range tables {
		if err := waitCreated(ctx, c, t, opts); err != nil {
			return err
		}
		opts.progress(Event{Table: t.Name, Step: "create table", Done: true})
		if t.TTL != "" {
			if err := enableTTL(ctx, c, t.Name, t.TTL); err != nil {
				return err
			}
		}
		if t.PointInTimeRecovery {
			if err := enablePITR(ctx, c, t.Name); err != nil {
				return err
			}
		}
		if api := opts.scalingClient(); api != nil && t.AutoScaling != nil {
			if err := createScaling(ctx, api, t, created[t.Name], opts); err != nil {
				return err
			}
		}
	}
	return nil
}

// createScaling registers the scalable targets and puts the
// target-tracking policies of t's auto scaling. On a table that existed
// before, it adds only the targets that are missing, leaving the others
// as they are, as Create leaves the table.
func createScaling(ctx context.Context, api AutoScalingAPI, t *Definition, fresh bool, opts *Options) error {
	var have *Definition
	if !fresh {
		live, err := describeScaling(ctx, api, t)
		if err != nil {
			return err
		}
		have = &Definition{Name: t.Name, Scaling: live}
	}
	_, changes := scalingChanges(t, have, nil)
	for _, ch := range changes {
		if ch.Kind != AddAutoScaling {
			continue
		}
		opts.progress(Event{Table: t.Name, Step: ch.step()})
		if err := applyScaling(ctx, api, ch.in.(*scalingStep)); err != nil {
			return failed(fmt.Sprintf("create table %s: %s", t.Name, ch.step()), err)
		}
		opts.progress(Event{Table: t.Name, Step: ch.step(), Done: true})
	}
	return nil
}

// enableTTL turns TTL on for attr unless it already is.
func enableTTL(ctx context.Context, c client, table, attr string) error {
	out, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		return failed(fmt.Sprintf("describe ttl of %s", table), err)
	}
	if ttlAttribute(out.TimeToLiveDescription) == attr {
		return nil
	}
	if _, err := c.UpdateTimeToLive(ctx, ttlInput(table, attr, true)); err != nil {
		return failed(fmt.Sprintf("enable ttl on %s.%s", table, attr), err)
	}
	return nil
}

// ttlInput returns the request that turns TTL on attr on or off.
func ttlInput(table, attr string, enabled bool) *dynamodb.UpdateTimeToLiveInput {
	return &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(attr), Enabled: aws.Bool(enabled)},
	}
}
