// Package doccheck keeps documentation pages true to the code: the Go
// snippets of a Markdown page must be copied from files that go test
// compiles.
package doccheck

import (
	"os"
	"strings"
	"testing"
)

// Snippets fails t unless every ```go block of the Markdown file doc
// appears, line for line with leading tabs ignored, in one of the files
// sources. A page without Go blocks fails too: the check would prove
// nothing.
func Snippets(t testing.TB, doc string, sources ...string) {
	t.Helper()
	md, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	var code strings.Builder
	code.WriteString("\n")
	for _, name := range sources {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		code.WriteString(dedent(string(b)))
		code.WriteString("\n")
	}
	blocks := goBlocks(string(md))
	if len(blocks) == 0 {
		t.Fatalf("%s has no Go snippets", doc)
	}
	for i, b := range blocks {
		if !strings.Contains(code.String(), "\n"+dedent(b)+"\n") {
			t.Errorf("snippet %d of %s is not in %v:\n%s", i+1, doc, sources, b)
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
