package diagram_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema/diagram"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); run go test -update to accept:\n%s", file, diff)
	}
}

func TestMermaidGolden(t *testing.T) {
	got, err := diagram.Mermaid(orgGraph(t))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "org.mmd", []byte(got))
}

func TestMermaidNil(t *testing.T) {
	var nilRel *relations.HasMany[Department, Employee]
	for _, tc := range []struct {
		name string
		g    diagram.Graph
		want string
	}{
		{"nil model", diagram.Graph{Models: []*model.Model{nil}}, "diagram: model 0 is nil"},
		{"nil relation", diagram.Graph{Relations: []relations.Describer{nil}}, "diagram: relation 0 is nil"},
		{"typed nil relation", diagram.Graph{Relations: []relations.Describer{nilRel}}, "diagram: relation 0 is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := diagram.Mermaid(tc.g)
			if err == nil || err.Error() != tc.want {
				t.Errorf("Mermaid() error = %v, want %s", err, tc.want)
			}
		})
	}
}

// TestMermaidParses parses the diagram with the real Mermaid parser, the
// npm package "mermaid", and compares what it read with
// testdata/org.parsed.json. It needs node and the package: set
// MERMAID_NODE_MODULES to a node_modules directory that holds mermaid
// (npm install mermaid in a directory of your choice); otherwise it skips.
func TestMermaidParses(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the Mermaid parser check needs node and the npm package mermaid")
	}
	modules := os.Getenv("MERMAID_NODE_MODULES")
	if modules == "" {
		t.Skip("MERMAID_NODE_MODULES is not set: npm install mermaid in a directory and set it to that node_modules to run the real Mermaid parser")
	}
	if _, err := os.Stat(filepath.Join(modules, "mermaid", "package.json")); err != nil {
		t.Skipf("no mermaid package in MERMAID_NODE_MODULES=%s: %v", modules, err)
	}
	text, err := diagram.Mermaid(orgGraph(t))
	if err != nil {
		t.Fatal(err)
	}
	// The second diagram names an attribute pk without quotes, which
	// Mermaid refuses: the check can fail.
	bad := "erDiagram\n    A {\n        S pk PK\n    }\n"
	cmd := exec.Command(node, filepath.Join("testdata", "mermaid_parse.mjs"), modules)
	cmd.Stdin = strings.NewReader(text + "\n---next---\n" + bad)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v: %s", err, &stderr)
	}
	var results []json.RawMessage
	if err := json.Unmarshal(out, &results); err != nil || len(results) != 2 {
		t.Fatalf("node printed %s (%v), want two results", out, err)
	}
	var failed struct{ Error string }
	if err := json.Unmarshal(results[0], &failed); err != nil || failed.Error != "" {
		t.Fatalf("Mermaid refused the diagram: %s\n%s", failed.Error, text)
	}
	if err := json.Unmarshal(results[1], &failed); err != nil || failed.Error == "" {
		t.Errorf("Mermaid accepted an attribute named pk without quotes: %s", results[1])
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, results[0], "", "  "); err != nil {
		t.Fatal(err)
	}
	indented.WriteByte('\n')
	golden(t, "org.parsed.json", indented.Bytes())
}
