package integration_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/schema"
	"github.com/google/go-cmp/cmp"
)

// SupportCase has a global index with a multi-attribute key: partition tenant
// and parent_id, sort status and priority, each a typed attribute.
type SupportCase struct {
	ID       string `dynamo:"id,hash"`
	Tenant   string `dynamo:"tenant" index:"by-parent,hash"`
	ParentID string `dynamo:"parent_id" index:"by-parent,hash"`
	Status   string `dynamo:"status" index:"by-parent,range"`
	Priority int    `dynamo:"priority" index:"by-parent,range"`
	Title    string `dynamo:"title"`
}

func (SupportCase) TableName() string { return "support_case" }

// CaseReordered sorts the same index by priority first.
type CaseReordered struct {
	ID       string `dynamo:"id,hash"`
	Tenant   string `dynamo:"tenant" index:"by-parent,hash"`
	ParentID string `dynamo:"parent_id" index:"by-parent,hash"`
	Priority int    `dynamo:"priority" index:"by-parent,range"`
	Status   string `dynamo:"status" index:"by-parent,range"`
}

func (CaseReordered) TableName() string { return "support_case" }

// TestSchemaMultiKeyIndex creates a multi-attribute index, writes to it,
// queries it by its key's shape, pages through it, and plans it.
func TestSchemaMultiKeyIndex(t *testing.T) {
	t.Parallel()
	m := must[SupportCase](t)
	db, opts := schemaEnv(t, m)
	ctx := t.Context()
	name := m.TableName(db.Namer())
	if err := schema.Create(ctx, db, opts, m); err != nil {
		t.Fatal(err)
	}
	td := describeTable(t, db, name)
	var keys []string
	for _, k := range td.GlobalSecondaryIndexes[0].KeySchema {
		keys = append(keys, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
	}
	if diff := cmp.Diff(keys, []string{"tenant HASH", "parent_id HASH", "status RANGE", "priority RANGE"}); diff != "" {
		t.Errorf("live KeySchema (-got +want):\n%s", diff)
	}
	if cs, err := schema.Plan(ctx, db, opts, m); err != nil || !cs.Empty() {
		t.Errorf("Plan after Create = %v, %v; want no changes", cs, err)
	}

	cases := tableOf[SupportCase](t, env{db: db, names: db.Namer()}, nil, nil)
	for _, tk := range []SupportCase{
		{ID: "1", Tenant: "acme", ParentID: "p-1", Status: "open", Priority: 1, Title: "a"},
		{ID: "2", Tenant: "acme", ParentID: "p-1", Status: "open", Priority: 3, Title: "b"},
		{ID: "3", Tenant: "acme", ParentID: "p-1", Status: "closed", Priority: 2, Title: "c"},
		{ID: "4", Tenant: "acme", ParentID: "p-2", Status: "open", Priority: 5, Title: "d"},
		{ID: "5", Tenant: "other", ParentID: "p-1", Status: "open", Priority: 4, Title: "e"},
	} {
		if err := cases.Put(ctx, &tk); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(q *query.Query[SupportCase]) []string {
		t.Helper()
		got, err := q.Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tk := range got {
			out = append(out, tk.ID)
		}
		return out
	}
	parent := SupportCase{Tenant: "acme", ParentID: "p-1"}
	byParent := func() *query.Query[SupportCase] { return cases.Query(parent).Index("by-parent") }
	tests := []struct {
		name string
		q    *query.Query[SupportCase]
		want []string
	}{
		{"every partition attribute", byParent(), []string{"3", "1", "2"}},
		{"the first sort attribute", byParent().SortKey("status", query.Equal, "open"), []string{"1", "2"}},
		{"a range on the second", byParent().SortKey("status", query.Equal, "open").SortKey("priority", query.GreaterThan, 1), []string{"2"}},
		{"a range on the first", byParent().SortKey("status", query.GreaterThanEqual, "d"), []string{"1", "2"}},
		{"descending", byParent().SortKey("status", query.Equal, "open").Descending(), []string{"2", "1"}},
	}
	for _, tt := range tests {
		if got := ids(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}

	// Pages of one item: a cursor holds every key attribute of the index.
	var paged []string
	cursor := ""
	for range 5 {
		p, err := byParent().PageSize(1).Page(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range p.Items {
			paged = append(paged, tk.ID)
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	if !slices.Equal(paged, []string{"3", "1", "2"}) {
		t.Errorf("paged = %v, want [3 1 2]", paged)
	}

	// A query that skips a sort attribute is refused before any request;
	// the engine refuses the same shape sent raw.
	_, err := byParent().SortKey("priority", query.Equal, 1).Collect(ctx)
	if err == nil || !strings.Contains(err.Error(), "index by-parent: a condition on sort attribute priority skips status") {
		t.Errorf("skipped sort attribute: error = %v", err)
	}
	_, err = db.Executor().Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(name),
		IndexName:                 aws.String("by-parent"),
		KeyConditionExpression:    aws.String("tenant = :t AND parent_id = :p AND priority = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberS{Value: "acme"}, ":p": &types.AttributeValueMemberS{Value: "p-1"}, ":n": &types.AttributeValueMemberN{Value: "1"}},
	})
	if err == nil {
		t.Error("raw query skipping status: the engine accepted it")
	}
	_, err = cases.Query(SupportCase{Tenant: "acme"}).Index("by-parent").Collect(ctx)
	if !errors.Is(err, model.ErrEmptyKey) || !strings.Contains(err.Error(), "partition attribute parent_id is empty") {
		t.Errorf("missing partition attribute: error = %v", err)
	}

	// Another order of the sort attributes is another index: re-created.
	opts.AllowDestructive = true
	cs, kinds := planKinds(t, db, opts, must[CaseReordered](t))
	if !slices.Equal(kinds, []string{"delete index by-parent", "add index by-parent"}) {
		t.Errorf("Plan(reordered) = %v, want delete and add of by-parent:\n%s", kinds, cs)
	}
}

// TestSchemaMultiKeyMadeElsewhere: an index with a multi-attribute key
// created through the raw SDK is read with all its key elements, so Plan
// finds nothing to change.
func TestSchemaMultiKeyMadeElsewhere(t *testing.T) {
	t.Parallel()
	m := must[SupportCase](t)
	db, opts := schemaEnv(t, m)
	ctx := t.Context()
	name := m.TableName(db.Namer())
	def := func(n string, typ types.ScalarAttributeType) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: typ}
	}
	key := func(n string, kt types.KeyType) types.KeySchemaElement {
		return types.KeySchemaElement{AttributeName: aws.String(n), KeyType: kt}
	}
	_, err := db.Executor().CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   []types.KeySchemaElement{key("id", types.KeyTypeHash)},
		AttributeDefinitions: []types.AttributeDefinition{
			def("id", "S"), def("tenant", "S"), def("parent_id", "S"), def("status", "S"), def("priority", "N"),
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("by-parent"),
			KeySchema: []types.KeySchemaElement{
				key("tenant", types.KeyTypeHash), key("parent_id", types.KeyTypeHash),
				key("status", types.KeyTypeRange), key("priority", types.KeyTypeRange),
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := schema.Plan(ctx, db, opts, m)
	if err != nil || !cs.Empty() {
		t.Errorf("Plan of the table made elsewhere = %v, %v; want no changes", cs, err)
	}
	_, kinds := planKinds(t, db, opts, must[CaseReordered](t))
	if !slices.Equal(kinds, []string{"delete index by-parent", "add index by-parent"}) {
		t.Errorf("Plan(reordered) = %v, want delete and add of by-parent", kinds)
	}
}
