package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestOutput keeps the outputs docs/schema.md shows: the diagram and the
// Workbench export of the example's models (its dates masked), which need
// no engine.
func TestOutput(t *testing.T) {
	dates := regexp.MustCompile(`"Date(Created|LastModified)": "[^"]*"`)
	for _, tc := range []struct {
		file string
		args []string
	}{
		{"diagram.mmd", []string{"diagram"}},
		{"workbench.json", []string{"export", "-format", "workbench"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var out bytes.Buffer
			if code := run(t.Context(), &out, "dynamokit-example-", tc.args); code != 0 {
				t.Fatalf("run(%q) = %d", tc.args, code)
			}
			got := dates.ReplaceAll(out.Bytes(), []byte(`"Date$1": "Mon DD, YYYY, HH:MM PM"`))
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs (run go test -update to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}
