package schema

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// base is a table with one global index; each test case changes a copy.
func base() *Definition {
	return &Definition{
		Name: "t", Hash: KeyAttr{"id", "S"}, Range: KeyAttr{"sk", "S"},
		GSIs: []Index{{Name: "g1", Hash: KeyAttr{"a", "S"}, Projection: model.All}},
		LSIs: []Index{{Name: "l1", Hash: KeyAttr{"id", "S"}, Range: KeyAttr{"d", "S"}, Projection: model.All}},
	}
}

func with(t *Definition, change func(*Definition)) *Definition {
	cp := *t
	cp.GSIs = append([]Index(nil), t.GSIs...)
	cp.LSIs = append([]Index(nil), t.LSIs...)
	change(&cp)
	return &cp
}

var (
	g2       = Index{Name: "g2", Hash: KeyAttr{"b", "N"}, Range: KeyAttr{"c", "S"}, Projection: model.KeysOnly}
	ignoreIn = cmpopts.IgnoreFields(Change{}, "in")
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name       string
		want, have *Definition
		changes    []Change
	}{
		{name: "same", want: base(), have: base()},
		{
			name: "same, key types unknown in description",
			want: base(),
			have: with(base(), func(t *Definition) { t.Hash.Type, t.GSIs[0].Hash.Type = "", "" }),
		},
		{
			name: "same, include attributes in another order",
			want: with(base(), func(t *Definition) { t.GSIs[0].Projection = model.Include("x", "y") }),
			have: with(base(), func(t *Definition) { t.GSIs[0].Projection = model.Include("y", "x") }),
		},
		{
			name: "same, empty projection is ALL",
			want: with(base(), func(t *Definition) { t.GSIs[0].Projection = model.Projection{} }),
			have: base(),
		},
		{
			name: "create table",
			want: with(base(), func(t *Definition) { t.TTL = "exp" }),
			changes: []Change{
				{Table: "t", Kind: CreateTable, Detail: "hash id S, range sk S; global index g1 (hash a S; projection ALL); local index l1 (hash id S, range d S; projection ALL); on-demand"},
				{Table: "t", Kind: EnableTTL, Detail: "attribute exp"},
			},
		},
		{
			name:    "add gsi",
			want:    with(base(), func(t *Definition) { t.GSIs = append(t.GSIs, g2) }),
			have:    base(),
			changes: []Change{{Table: "t", Kind: AddIndex, Index: "g2", Detail: "hash b N, range c S; projection KEYS_ONLY"}},
		},
		{
			name: "remove gsi",
			want: with(base(), func(t *Definition) { t.GSIs = nil }),
			have: base(),
			changes: []Change{{Table: "t", Kind: DeleteIndex, Index: "g1", Destructive: true,
				Detail: "hash a S; projection ALL (not in any model)"}},
		},
		{
			name: "change gsi projection",
			want: with(base(), func(t *Definition) { t.GSIs[0].Projection = model.KeysOnly }),
			have: base(),
			changes: []Change{
				{Table: "t", Kind: DeleteIndex, Index: "g1", Destructive: true, Detail: "hash a S; projection ALL (to re-create it with hash a S; projection KEYS_ONLY)"},
				{Table: "t", Kind: AddIndex, Index: "g1", Detail: "hash a S; projection KEYS_ONLY (re-created, was hash a S; projection ALL)"},
			},
		},
		{
			name: "change gsi key type",
			want: with(base(), func(t *Definition) { t.GSIs[0].Hash.Type = "N" }),
			have: base(),
			changes: []Change{
				{Table: "t", Kind: DeleteIndex, Index: "g1", Destructive: true, Detail: "hash a S; projection ALL (to re-create it with hash a N; projection ALL)"},
				{Table: "t", Kind: AddIndex, Index: "g1", Detail: "hash a N; projection ALL (re-created, was hash a S; projection ALL)"},
			},
		},
		{
			name:    "enable ttl",
			want:    with(base(), func(t *Definition) { t.TTL = "exp" }),
			have:    base(),
			changes: []Change{{Table: "t", Kind: EnableTTL, Detail: "attribute exp"}},
		},
		{
			name:    "disable ttl",
			want:    base(),
			have:    with(base(), func(t *Definition) { t.TTL = "exp" }),
			changes: []Change{{Table: "t", Kind: DisableTTL, Detail: "attribute exp"}},
		},
		{
			name: "move ttl",
			want: with(base(), func(t *Definition) { t.TTL = "b" }),
			have: with(base(), func(t *Definition) { t.TTL = "a" }),
			changes: []Change{
				{Table: "t", Kind: DisableTTL, Detail: "attribute a"},
				{Table: "t", Kind: EnableTTL, Detail: "attribute b"},
			},
		},
		{
			name: "to provisioned",
			want: with(base(), func(t *Definition) {
				t.Billing = model.Provisioned(5, 5)
				t.GSIs[0].Throughput = t.Billing
			}),
			have:    base(),
			changes: []Change{{Table: "t", Kind: UpdateBilling, Detail: "on-demand → provisioned 5/5"}},
		},
		{
			name: "to on-demand",
			want: base(),
			have: with(base(), func(t *Definition) {
				t.Billing = model.Provisioned(5, 5)
				t.GSIs[0].Throughput = t.Billing
			}),
			changes: []Change{{Table: "t", Kind: UpdateBilling, Detail: "provisioned 5/5 → on-demand"}},
		},
		{
			name: "capacity",
			want: with(base(), func(t *Definition) {
				t.Billing = model.Provisioned(10, 5)
				t.GSIs[0].Throughput = t.Billing
			}),
			have: with(base(), func(t *Definition) {
				t.Billing = model.Provisioned(5, 5)
				t.GSIs[0].Throughput = model.Provisioned(1, 1)
			}),
			changes: []Change{{Table: "t", Kind: UpdateBilling, Detail: "table 5/5 → 10/5, index g1 1/1 → 10/5"}},
		},
		{
			name: "index capacity only",
			want: with(base(), func(t *Definition) {
				t.Billing = model.Provisioned(5, 5)
				t.GSIs[0].Throughput = t.Billing
			}),
			have: with(base(), func(t *Definition) {
				t.Billing = model.Provisioned(5, 5)
				t.GSIs[0].Throughput = model.Provisioned(1, 1)
			}),
			changes: []Change{{Table: "t", Kind: UpdateBilling, Detail: "index g1 1/1 → 5/5"}},
		},
		{
			name: "everything, in order",
			want: with(base(), func(t *Definition) {
				t.GSIs = []Index{g2}
				t.Billing = model.Provisioned(2, 2)
				t.TTL = "exp"
			}),
			have: base(),
			changes: []Change{
				{Table: "t", Kind: DeleteIndex, Index: "g1", Destructive: true, Detail: "hash a S; projection ALL (not in any model)"},
				{Table: "t", Kind: UpdateBilling, Detail: "on-demand → provisioned 2/2"},
				{Table: "t", Kind: AddIndex, Index: "g2", Detail: "hash b N, range c S; projection KEYS_ONLY"},
				{Table: "t", Kind: EnableTTL, Detail: "attribute exp"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Diff(tt.want, tt.have)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.changes, got, ignoreIn, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
			for _, c := range got {
				if c.in == nil {
					t.Errorf("change %v has no request", c)
				}
			}
		})
	}
}

func TestDiffRecreate(t *testing.T) {
	tests := []struct {
		name       string
		want, have *Definition
		reasons    []string
	}{
		{
			name:    "hash key name",
			want:    with(base(), func(t *Definition) { t.Hash = KeyAttr{"pk", "S"} }),
			have:    base(),
			reasons: []string{"primary key is hash id S, range sk S, want hash pk S, range sk S"},
		},
		{
			name:    "range key added",
			want:    base(),
			have:    with(base(), func(t *Definition) { t.Range = KeyAttr{} }),
			reasons: []string{"primary key is hash id S, want hash id S, range sk S"},
		},
		{
			name:    "key attribute type",
			want:    with(base(), func(t *Definition) { t.Range.Type = "N" }),
			have:    base(),
			reasons: []string{"primary key is hash id S, range sk S, want hash id S, range sk N"},
		},
		{
			name: "lsi added",
			want: with(base(), func(t *Definition) {
				t.LSIs = append(t.LSIs, Index{Name: "l2", Hash: KeyAttr{"id", "S"}, Range: KeyAttr{"e", "S"}})
			}),
			have:    base(),
			reasons: []string{"local index l2 can only be created with the table"},
		},
		{
			name:    "lsi removed",
			want:    with(base(), func(t *Definition) { t.LSIs = nil }),
			have:    base(),
			reasons: []string{"local index l1 is not in any model"},
		},
		{
			name:    "lsi projection",
			want:    with(base(), func(t *Definition) { t.LSIs[0].Projection = model.KeysOnly }),
			have:    base(),
			reasons: []string{"local index l1 is (hash id S, range d S; projection ALL), want (hash id S, range d S; projection KEYS_ONLY)"},
		},
		{
			name: "several",
			want: with(base(), func(t *Definition) { t.Hash.Name, t.LSIs = "pk", nil }),
			have: base(),
			reasons: []string{
				"primary key is hash id S, range sk S, want hash pk S, range sk S",
				"local index l1 is not in any model",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Diff(tt.want, tt.have)
			if !errors.Is(err, ErrRecreate) {
				t.Fatalf("Diff = %v, %v; want ErrRecreate", got, err)
			}
			if want := "schema: table must be recreated: t: " + strings.Join(tt.reasons, "; "); err.Error() != want {
				t.Errorf("Error() = %q, want %q", err, want)
			}
		})
	}
	if _, err := Diff(nil, base()); err == nil {
		t.Error("Diff(nil, t) = nil error, want one")
	}
}

// TestDiffRequests checks the request behind each kind of change.
func TestDiffRequests(t *testing.T) {
	pt := func(r, w int64) *types.ProvisionedThroughput {
		return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(r), WriteCapacityUnits: aws.Int64(w)}
	}
	provisioned := func(r, w int64) func(*Definition) {
		return func(t *Definition) {
			t.Billing = model.Provisioned(r, w)
			for i := range t.GSIs {
				t.GSIs[i].Throughput = t.Billing
			}
		}
	}
	tests := []struct {
		name       string
		want, have *Definition
		requests   []any
	}{
		{
			name: "add gsi to provisioned table",
			want: with(base(), func(t *Definition) { t.GSIs = append(t.GSIs, g2); provisioned(3, 4)(t) }),
			have: with(base(), provisioned(3, 4)),
			requests: []any{&dynamodb.UpdateTableInput{
				TableName:            aws.String("t"),
				AttributeDefinitions: []types.AttributeDefinition{def("b", "N"), def("c", "S")},
				GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
					IndexName:             aws.String("g2"),
					KeySchema:             []types.KeySchemaElement{hashKey("b"), rangeKey("c")},
					Projection:            &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
					ProvisionedThroughput: pt(3, 4),
				}}},
			}},
		},
		{
			name: "delete gsi",
			want: with(base(), func(t *Definition) { t.GSIs = nil }),
			have: base(),
			requests: []any{&dynamodb.UpdateTableInput{
				TableName: aws.String("t"),
				GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{
					Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("g1")},
				}},
			}},
		},
		{
			name: "to provisioned updates every kept index",
			want: with(base(), provisioned(3, 4)),
			have: base(),
			requests: []any{&dynamodb.UpdateTableInput{
				TableName:             aws.String("t"),
				BillingMode:           types.BillingModeProvisioned,
				ProvisionedThroughput: pt(3, 4),
				GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{
					Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String("g1"), ProvisionedThroughput: pt(3, 4)},
				}},
			}},
		},
		{
			name:     "to on-demand",
			want:     base(),
			have:     with(base(), provisioned(3, 4)),
			requests: []any{&dynamodb.UpdateTableInput{TableName: aws.String("t"), BillingMode: types.BillingModePayPerRequest}},
		},
		{
			name: "index capacity only: the table's is not resent",
			want: with(base(), provisioned(3, 4)),
			have: with(base(), func(t *Definition) { provisioned(3, 4)(t); t.GSIs[0].Throughput = model.Provisioned(1, 1) }),
			requests: []any{&dynamodb.UpdateTableInput{
				TableName: aws.String("t"),
				GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{
					Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String("g1"), ProvisionedThroughput: pt(3, 4)},
				}},
			}},
		},
		{
			name: "ttl",
			want: with(base(), func(t *Definition) { t.TTL = "b" }),
			have: with(base(), func(t *Definition) { t.TTL = "a" }),
			requests: []any{
				&dynamodb.UpdateTimeToLiveInput{TableName: aws.String("t"), TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("a"), Enabled: aws.Bool(false)}},
				&dynamodb.UpdateTimeToLiveInput{TableName: aws.String("t"), TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("b"), Enabled: aws.Bool(true)}},
			},
		},
		{
			name:     "create",
			want:     base(),
			requests: []any{base().CreateInput()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := Diff(tt.want, tt.have)
			if err != nil {
				t.Fatal(err)
			}
			var got []any
			for _, c := range changes {
				got = append(got, c.in)
			}
			if diff := cmp.Diff(tt.requests, got, sdkOpts); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChangeSetString(t *testing.T) {
	cs := &ChangeSet{Changes: []Change{
		{Table: "a", Kind: CreateTable, Detail: "hash id S; on-demand"},
		{Table: "a", Kind: EnableTTL, Detail: "attribute exp"},
		{Table: "b", Kind: DeleteIndex, Index: "old", Detail: "hash x S; projection ALL (not in any model)", Destructive: true, Refused: true},
		{Table: "b", Kind: DeleteIndex, Index: "g", Detail: "hash y S; projection ALL (to re-create it)", Destructive: true},
		{Table: "b", Kind: UpdateBilling, Detail: "on-demand → provisioned 1/1"},
		{Table: "b", Kind: AddIndex, Index: "new", Detail: "hash z S; projection ALL"},
		{Table: "b", Kind: DisableTTL, Detail: "attribute exp"},
	}}
	want := `table a
  + create table: hash id S; on-demand
  + enable ttl: attribute exp
table b
  - delete index old: hash x S; projection ALL (not in any model) [destructive: refused, needs Options.AllowDestructive]
  - delete index g: hash y S; projection ALL (to re-create it) [destructive]
  ~ update billing: on-demand → provisioned 1/1
  + add index new: hash z S; projection ALL
  - disable ttl: attribute exp
`
	if got := cs.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	if got := cs.Refused(); len(got) != 1 || got[0].Index != "old" {
		t.Errorf("Refused() = %v, want the deletion of old", got)
	}
	for _, empty := range []*ChangeSet{nil, {}} {
		if !empty.Empty() || empty.String() != "no changes\n" || empty.Refused() != nil {
			t.Errorf("%#v: Empty, String, Refused = %v, %q, %v; want true, no changes, nil", empty, empty.Empty(), empty.String(), empty.Refused())
		}
	}
}
