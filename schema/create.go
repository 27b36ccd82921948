package schema

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/guregu/dynamo/v2"
)

// CreateInput returns the CreateTable request for m, with its table name
// passed through n (nil keeps it). It does no I/O.
func CreateInput(m *model.Model, n model.Namer) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName: aws.String(m.TableName(n)),
		KeySchema: keySchema(m.Key),
	}
	defs := map[string]model.ScalarType{}
	addDefs := func(k model.KeySchema) {
		defs[k.Hash.Name] = k.Hash.Type
		if k.Range != nil {
			defs[k.Range.Name] = k.Range.Type
		}
	}
	addDefs(m.Key)
	for _, idx := range m.GSIs {
		addDefs(idx.Key)
		g := types.GlobalSecondaryIndex{
			IndexName:  aws.String(idx.Name),
			KeySchema:  keySchema(idx.Key),
			Projection: projection(idx.Projection),
		}
		if !m.Billing.OnDemand() {
			g.ProvisionedThroughput = throughput(m.Billing)
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, g)
	}
	for _, idx := range m.LSIs {
		addDefs(idx.Key)
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  aws.String(idx.Name),
			KeySchema:  keySchema(idx.Key),
			Projection: projection(idx.Projection),
		})
	}
	names := make([]string, 0, len(defs))
	for name := range defs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(name),
			AttributeType: types.ScalarAttributeType(defs[name]),
		})
	}
	if m.Billing.OnDemand() {
		in.BillingMode = types.BillingModePayPerRequest
	} else {
		in.BillingMode = types.BillingModeProvisioned
		in.ProvisionedThroughput = throughput(m.Billing)
	}
	return in
}

func keySchema(k model.KeySchema) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(k.Hash.Name), KeyType: types.KeyTypeHash}}
	if k.Range != nil {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(k.Range.Name), KeyType: types.KeyTypeRange})
	}
	return ks
}

func projection(p model.Projection) *types.Projection {
	if p.Type == "" {
		p = model.All
	}
	out := &types.Projection{ProjectionType: types.ProjectionType(p.Type)}
	if p.Type == model.ProjectInclude {
		out.NonKeyAttributes = append([]string(nil), p.NonKey...)
	}
	return out
}

func throughput(b model.Billing) *types.ProvisionedThroughput {
	return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(b.ReadUnits), WriteCapacityUnits: aws.Int64(b.WriteUnits)}
}

// Create creates the table of each model that does not exist yet, waits
// until every table and index is ACTIVE, and enables TTL on tables whose
// model declares a ttl attribute. A table that already exists is left as it
// is (use [Plan] to compare it with its model) and is not an error.
// Several models may share one table (single-table design): it is created
// once, from the union of their keys and indexes.
//
// It calls CreateTable, DescribeTable, DescribeTimeToLive and
// UpdateTimeToLive:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
func Create(ctx context.Context, db *dynamo.DB, opts *Options, models ...*model.Model) error {
	tables, err := group(models, opts.namer())
	if err != nil {
		return err
	}
	client := db.Client()
	for _, t := range tables {
		opts.progress(Event{Table: t.name, Step: "create table"})
		_, err := client.CreateTable(ctx, t.input)
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return fmt.Errorf("schema: create table %s: %w", t.name, err)
		}
	}
	for _, t := range tables {
		if err := waitActive(ctx, db, t.name, opts); err != nil {
			return err
		}
		opts.progress(Event{Table: t.name, Step: "create table", Done: true})
		if t.ttl != "" {
			if err := enableTTL(ctx, db, t.name, t.ttl); err != nil {
				return err
			}
		}
	}
	return nil
}

// table is one physical table and the models stored in it.
type table struct {
	name   string
	input  *dynamodb.CreateTableInput
	ttl    string
	models []*model.Model
}

// group merges models that share a table name into one table definition,
// checking that they agree on its key schema.
func group(models []*model.Model, n model.Namer) ([]*table, error) {
	var out []*table
	byName := map[string]*table{}
	for _, m := range models {
		if m == nil {
			return nil, errors.New("schema: nil model")
		}
		in := CreateInput(m, n)
		name := *in.TableName
		t := byName[name]
		if t == nil {
			t = &table{name: name, input: in}
			byName[name] = t
			out = append(out, t)
		} else if err := merge(t.input, in); err != nil {
			return nil, fmt.Errorf("schema: table %s: models %s and %s: %w", name, t.models[0].Type, m.Type, err)
		}
		if m.TTL != nil {
			if t.ttl != "" && t.ttl != m.TTL.Name {
				return nil, fmt.Errorf("schema: table %s: models disagree on the ttl attribute (%s, %s)", name, t.ttl, m.TTL.Name)
			}
			t.ttl = m.TTL.Name
		}
		t.models = append(t.models, m)
	}
	return out, nil
}

// merge adds the indexes and attribute definitions of b to a; both must
// describe the same table key.
func merge(a, b *dynamodb.CreateTableInput) error {
	if !sameKeySchema(a.KeySchema, b.KeySchema) {
		return errors.New("different primary keys")
	}
	defs := map[string]types.ScalarAttributeType{}
	for _, d := range a.AttributeDefinitions {
		defs[*d.AttributeName] = d.AttributeType
	}
	for _, d := range b.AttributeDefinitions {
		if t, ok := defs[*d.AttributeName]; ok {
			if t != d.AttributeType {
				return fmt.Errorf("attribute %s is %s in one and %s in the other", *d.AttributeName, t, d.AttributeType)
			}
			continue
		}
		a.AttributeDefinitions = append(a.AttributeDefinitions, d)
	}
	sort.Slice(a.AttributeDefinitions, func(i, j int) bool {
		return *a.AttributeDefinitions[i].AttributeName < *a.AttributeDefinitions[j].AttributeName
	})
gsi:
	for _, g := range b.GlobalSecondaryIndexes {
		for _, have := range a.GlobalSecondaryIndexes {
			if *have.IndexName == *g.IndexName {
				if !sameKeySchema(have.KeySchema, g.KeySchema) {
					return fmt.Errorf("index %s has different keys", *g.IndexName)
				}
				continue gsi
			}
		}
		a.GlobalSecondaryIndexes = append(a.GlobalSecondaryIndexes, g)
	}
lsi:
	for _, l := range b.LocalSecondaryIndexes {
		for _, have := range a.LocalSecondaryIndexes {
			if *have.IndexName == *l.IndexName {
				if !sameKeySchema(have.KeySchema, l.KeySchema) {
					return fmt.Errorf("index %s has different keys", *l.IndexName)
				}
				continue lsi
			}
		}
		a.LocalSecondaryIndexes = append(a.LocalSecondaryIndexes, l)
	}
	return nil
}

func sameKeySchema(a, b []types.KeySchemaElement) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if aws.ToString(a[i].AttributeName) != aws.ToString(b[i].AttributeName) || a[i].KeyType != b[i].KeyType {
			return false
		}
	}
	return true
}

func enableTTL(ctx context.Context, db *dynamo.DB, table, attr string) error {
	out, err := db.Client().DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		return fmt.Errorf("schema: describe ttl of %s: %w", table, err)
	}
	if d := out.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == attr &&
		(d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = db.Client().UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(attr), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return fmt.Errorf("schema: enable ttl on %s.%s: %w", table, attr, err)
	}
	return nil
}
