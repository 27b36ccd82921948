package schema

import (
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit/model"
)

// Models that are each within DynamoDB's limits but, sharing a table, go
// past them.

type bigA struct {
	ID  string `dynamo:"id,hash"`
	F01 string `dynamo:"a01" index:"a-gsi-01,hash"`
	F02 string `dynamo:"a02" index:"a-gsi-02,hash"`
	F03 string `dynamo:"a03" index:"a-gsi-03,hash"`
	F04 string `dynamo:"a04" index:"a-gsi-04,hash"`
	F05 string `dynamo:"a05" index:"a-gsi-05,hash"`
	F06 string `dynamo:"a06" index:"a-gsi-06,hash"`
	F07 string `dynamo:"a07" index:"a-gsi-07,hash"`
	F08 string `dynamo:"a08" index:"a-gsi-08,hash"`
	F09 string `dynamo:"a09" index:"a-gsi-09,hash"`
	F10 string `dynamo:"a10" index:"a-gsi-10,hash"`
	F11 string `dynamo:"a11" index:"a-gsi-11,hash"`
}

func (bigA) TableName() string { return "big" }

type bigB struct {
	ID  string `dynamo:"id,hash"`
	F01 string `dynamo:"b01" index:"b-gsi-01,hash"`
	F02 string `dynamo:"b02" index:"b-gsi-02,hash"`
	F03 string `dynamo:"b03" index:"b-gsi-03,hash"`
	F04 string `dynamo:"b04" index:"b-gsi-04,hash"`
	F05 string `dynamo:"b05" index:"b-gsi-05,hash"`
	F06 string `dynamo:"b06" index:"b-gsi-06,hash"`
	F07 string `dynamo:"b07" index:"b-gsi-07,hash"`
	F08 string `dynamo:"b08" index:"b-gsi-08,hash"`
	F09 string `dynamo:"b09" index:"b-gsi-09,hash"`
	F10 string `dynamo:"b10" index:"b-gsi-10,hash"`
}

func (bigB) TableName() string { return "big" }

type lsiA struct {
	ID string `dynamo:"id,hash"`
	SK string `dynamo:"sk,range"`
	F1 string `dynamo:"a1" localIndex:"a-lsi-1,range"`
	F2 string `dynamo:"a2" localIndex:"a-lsi-2,range"`
	F3 string `dynamo:"a3" localIndex:"a-lsi-3,range"`
}

func (lsiA) TableName() string { return "lsi" }

type lsiB struct {
	ID string `dynamo:"id,hash"`
	SK string `dynamo:"sk,range"`
	F1 string `dynamo:"b1" localIndex:"b-lsi-1,range"`
	F2 string `dynamo:"b2" localIndex:"b-lsi-2,range"`
	F3 string `dynamo:"b3" localIndex:"b-lsi-3,range"`
}

func (lsiB) TableName() string { return "lsi" }

type projA struct {
	ID string `dynamo:"id,hash"`
	K1 string `dynamo:"ak1" index:"a-gsi-1,hash"`
	K2 string `dynamo:"ak2" index:"a-gsi-2,hash"`
	K3 string `dynamo:"ak3" index:"a-gsi-3,hash"`
}

func (projA) TableName() string { return "proj" }

func (projA) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{
		"a-gsi-1": model.Include(projected("a1", 17)...),
		"a-gsi-2": model.Include(projected("a2", 17)...),
		"a-gsi-3": model.Include(projected("a3", 17)...),
	}}
}

type projB struct {
	ID string `dynamo:"id,hash"`
	K1 string `dynamo:"bk1" index:"b-gsi-1,hash"`
	K2 string `dynamo:"bk2" index:"b-gsi-2,hash"`
	K3 string `dynamo:"bk3" index:"b-gsi-3,hash"`
}

func (projB) TableName() string { return "proj" }

func (projB) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{
		"b-gsi-1": model.Include(projected("b1", 17)...),
		"b-gsi-2": model.Include(projected("b2", 17)...),
		"b-gsi-3": model.Include(projected("b3", 17)...),
	}}
}

// projected returns n attribute names starting with prefix.
func projected(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + "-" + string(rune('a'+i))
	}
	return out
}

type shortName struct {
	ID string `dynamo:"id,hash"`
}

func (shortName) TableName() string { return "ab" }

// TestTablesLimits: Definitions checks every table, merged from several models
// or made from one, against DynamoDB's limits, and names the models of a
// table that goes past one.
func TestTablesLimits(t *testing.T) {
	tests := []struct {
		name   string
		opts   *Options
		models []*model.Model
		want   []string // in the error
	}{
		{
			name:   "global indexes",
			models: []*model.Model{model.MustOf[bigA](), model.MustOf[bigB]()},
			want:   []string{"schema: table big (models schema.bigA, schema.bigB): ", "21 global secondary indexes, DynamoDB allows at most 20"},
		},
		{
			name:   "local indexes",
			models: []*model.Model{model.MustOf[lsiA](), model.MustOf[lsiB]()},
			want:   []string{"schema: table lsi (models schema.lsiA, schema.lsiB): ", "6 local secondary indexes, DynamoDB allows at most 5"},
		},
		{
			name:   "projected attributes",
			models: []*model.Model{model.MustOf[projA](), model.MustOf[projB]()},
			want:   []string{"schema: table proj (models schema.projA, schema.projB): ", "102 projected non-key attributes over all indexes, DynamoDB allows at most 100"},
		},
		{
			name:   "table name too short",
			models: []*model.Model{model.MustOf[shortName]()},
			want:   []string{"schema: table ab (model schema.shortName): ", "table name ab: want 3 to 255 characters, has 2"},
		},
		{
			name:   "table name too long",
			opts:   &Options{Namer: model.Prefix(strings.Repeat("x", 250))},
			models: []*model.Model{model.MustOf[widget]()},
			want:   []string{"(model schema.widget): ", "want 3 to 255 characters, has 256"},
		},
		{
			name:   "table name character",
			opts:   &Options{Namer: model.Prefix("dev/")},
			models: []*model.Model{model.MustOf[widget]()},
			want:   []string{"schema: table dev/widget (model schema.widget): ", `table name dev/widget: character '/' not allowed (want a-z, A-Z, 0-9, '_', '-', '.')`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Definitions(tt.opts, tt.models...)
			for _, want := range tt.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("Tables error = %v, want it to contain %q", err, want)
				}
			}
			if _, xerr := Export(tt.opts, tt.models...); xerr == nil {
				t.Errorf("Export error = nil, want %v", err)
			}
		})
	}
}

// TestTableLimits checks what no model can declare but a Definition can hold.
func TestTableLimits(t *testing.T) {
	ok := func() *Definition {
		return &Definition{
			Name: "table", Hash: KeyAttr{"id", model.String},
			GSIs: []Index{{Name: "gsi", Hash: KeyAttr{"g", model.String}}},
		}
	}
	tests := []struct {
		name   string
		change func(*Definition)
		want   string // the problem, "" for none
	}{
		{"within limits", func(*Definition) {}, ""},
		{"index name too short", func(t *Definition) { t.GSIs[0].Name = "ab" }, "index name ab: want 3 to 255 characters, has 2"},
		{"index name character", func(t *Definition) { t.GSIs[0].Name = "by name" }, "index name by name: character ' ' not allowed"},
		{"key attribute name too long", func(t *Definition) { t.GSIs[0].Hash.Name = strings.Repeat("k", 256) }, "key attribute name kkkkkkkk...: want 1 to 255 bytes, has 256"},
		{"projected attributes of one index", func(t *Definition) { t.GSIs[0].Projection = model.Include(projected("p", 21)...) }, "index gsi projects 21 non-key attributes, DynamoDB allows at most 20 per index"},
		{"projected attribute name too long", func(t *Definition) { t.GSIs[0].Projection = model.Include(strings.Repeat("p", 256)) }, "projected attribute name pppppppp...: want 1 to 255 bytes, has 256"},
		{"attribute types", func(t *Definition) { t.GSIs[0].Hash = KeyAttr{"id", model.Number} }, "attribute id is S and N"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := ok()
			tt.change(tb)
			got := strings.Join(tb.problems(), "; ")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("problems() = %q, want %q", got, tt.want)
			}
		})
	}
}
