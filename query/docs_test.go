package query_test

import (
	"os"
	"strings"
	"testing"
)

// TestDocSnippets checks that every Go snippet of docs/query.md is a part
// of example_test.go or multikey_example_test.go, so the documentation
// only shows code that compiles (and, where an example has an Output,
// runs).
func TestDocSnippets(t *testing.T) {
	doc, err := os.ReadFile("../docs/query.md")
	if err != nil {
		t.Fatal(err)
	}
	var src []byte
	for _, f := range []string{"example_test.go", "multikey_example_test.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(append(src, b...), '\n')
	}
	examples := "\n" + dedent(string(src)) + "\n"
	blocks := goBlocks(string(doc))
	if len(blocks) == 0 {
		t.Fatal("docs/query.md has no Go snippets")
	}
	for i, b := range blocks {
		if !strings.Contains(examples, "\n"+dedent(b)+"\n") {
			t.Errorf("snippet %d of docs/query.md is not in the example files:\n%s", i+1, b)
		}
	}
}

// goBlocks returns the bodies of the ```go fences of a Markdown text.
func goBlocks(md string) []string {
	var out []string
	for {
		_, rest, ok := strings.Cut(md, "```go\n")
		if !ok {
			return out
		}
		body, after, ok := strings.Cut(rest, "```")
		if !ok {
			return out
		}
		out = append(out, strings.TrimSuffix(body, "\n"))
		md = after
	}
}

// dedent removes the leading tabs of every line, so a function body
// matches the same lines shown unindented.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, "\t")
	}
	return strings.Join(lines, "\n")
}
