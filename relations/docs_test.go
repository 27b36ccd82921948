package relations_test

import (
	"os"
	"strings"
	"testing"
)

// sources are the compiled files docs/relations.md quotes.
var sources = []string{
	"../examples/departments/main.go",
	"../examples/singletable/main.go",
	"../examples/manytomany/main.go",
	"../integration_test/relations_layouts_test.go",
	"../integration_test/relations_orders_test.go",
	"copy_example_test.go",
	"example_test.go",
}

// TestDocSnippets checks that every Go snippet of docs/relations.md is
// copied from a compiled file, so the page cannot drift from the code.
func TestDocSnippets(t *testing.T) {
	doc, err := os.ReadFile("../docs/relations.md")
	if err != nil {
		t.Fatal(err)
	}
	var code strings.Builder
	for _, name := range sources {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		code.Write(b)
	}
	snippets := goSnippets(string(doc))
	if len(snippets) == 0 {
		t.Fatal("docs/relations.md has no Go snippets")
	}
	for _, s := range snippets {
		if !strings.Contains(code.String(), s) {
			t.Errorf("snippet of docs/relations.md is not in %v:\n%s", sources, s)
		}
	}
}

// goSnippets returns the bodies of the ```go blocks of a Markdown text.
func goSnippets(md string) []string {
	var out []string
	for {
		_, rest, ok := strings.Cut(md, "```go\n")
		if !ok {
			return out
		}
		body, after, _ := strings.Cut(rest, "```")
		out = append(out, body)
		md = after
	}
}
