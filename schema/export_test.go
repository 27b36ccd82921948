package schema

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/dynamokit/dynamokit/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	got = append(bytes.TrimRight(got, "\n"), '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestExport(t *testing.T) {
	tests := []struct {
		name      string
		opts      *Options
		models    []*model.Model
		logicalID string
	}{
		{"employee", &Options{Namer: model.Prefix("dev-")}, []*model.Model{model.MustOf[employee]()}, "DevEmployeeTable"},
		{"order", nil, []*model.Model{model.MustOf[order]()}, "OrderTable"},
		{"app", nil, []*model.Model{model.MustOf[deptItem](), model.MustOf[empItem]()}, "AppTable"},
		{"ledger", &Options{Namer: model.Prefix("prod-")}, []*model.Model{model.MustOf[ledger]()}, "ProdLedgerTable"},
		{"journal", nil, []*model.Model{model.MustOf[journal]()}, "JournalTable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defs, err := Export(tt.opts, tt.models...)
			if err != nil {
				t.Fatal(err)
			}
			if len(defs) != 1 {
				t.Fatalf("Export returned %d definitions, want 1", len(defs))
			}
			d := defs[0]
			if d.LogicalID != tt.logicalID || d.Table != tt.models[0].TableName(tt.opts.namer()) {
				t.Errorf("Table, LogicalID = %q, %q; want %q, %q", d.Table, d.LogicalID, tt.models[0].TableName(tt.opts.namer()), tt.logicalID)
			}
			golden(t, tt.name+".create.json", d.CreateTable)
			golden(t, tt.name+".cloudformation.json", d.Resource)
			golden(t, tt.name+".template.json", d.Template)
			golden(t, tt.name+".tf.json", d.Terraform)

			// The exported request decodes into what Create sends.
			var req createTableRequest
			if err := json.Unmarshal(d.CreateTable, &req); err != nil {
				t.Fatal(err)
			}
			tables, _ := Definitions(tt.opts, tt.models...)
			again, _ := json.MarshalIndent(createTableJSON(tables[0].CreateInput()), "", "  ")
			if !bytes.Equal(again, d.CreateTable) {
				t.Errorf("CreateTable JSON is not the Create request")
			}
			// Export is deterministic.
			defs2, _ := Export(tt.opts, tt.models...)
			if !bytes.Equal(defs2[0].CreateTable, d.CreateTable) || !bytes.Equal(defs2[0].Resource, d.Resource) {
				t.Error("a second Export differs from the first")
			}
		})
	}
	if _, err := Export(nil, model.MustOf[empItem](), model.MustOf[appOtherKey]()); err == nil {
		t.Error("Export of conflicting models = nil error, want one")
	}
}

func TestLogicalID(t *testing.T) {
	for in, want := range map[string]string{
		"employee":        "EmployeeTable",
		"dev-employee":    "DevEmployeeTable",
		"my_app.v2-items": "MyAppV2ItemsTable",
		"2024-logs":       "T2024LogsTable",
		"--":              "TTable",
		"ünïcode":         "NCodeTable",
	} {
		if got := logicalID(in); got != want {
			t.Errorf("logicalID(%q) = %q, want %q", in, got, want)
		}
	}
}
