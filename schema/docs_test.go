package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocSnippets keeps the documentation true: every code block of
// docs/*.md preceded by a line <!-- from path --> must appear, line for line
// (indentation aside), in that file of the repository, which go test
// compiles. It lives here because docs/schema.md and docs/tags.md quote
// package schema's and package model's examples.
func TestDocSnippets(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, doc := range docs {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range snippets(string(text)) {
			src, err := os.ReadFile(filepath.Join("..", s.from))
			if err != nil {
				t.Errorf("%s:%d: %v", doc, s.line, err)
				continue
			}
			if !containsLines(normalize(string(src)), normalize(s.code)) {
				t.Errorf("%s:%d: the snippet is not in %s:\n%s", doc, s.line, s.from, s.code)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Error("no snippets found in docs/*.md")
	}
}

type snippet struct {
	from string // the quoted file, relative to the repository root
	line int    // where the snippet starts in the document
	code string
}

// snippets returns the code blocks that follow a <!-- from path --> line.
func snippets(doc string) []snippet {
	var out []snippet
	lines := strings.Split(doc, "\n")
	for i := 0; i+1 < len(lines); i++ {
		from, ok := strings.CutPrefix(strings.TrimSpace(lines[i]), "<!-- from ")
		if !ok || !strings.HasPrefix(lines[i+1], "```") {
			continue
		}
		s := snippet{from: strings.TrimSpace(strings.TrimSuffix(from, "-->")), line: i + 3}
		var code []string
		for i += 2; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			code = append(code, lines[i])
		}
		s.code = strings.Join(code, "\n")
		out = append(out, s)
	}
	return out
}

// normalize trims every line, so a snippet may be dedented.
func normalize(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return lines
}

// containsLines reports whether sub appears as consecutive lines of lines.
func containsLines(lines, sub []string) bool {
	for i := 0; i+len(sub) <= len(lines); i++ {
		match := true
		for j := range sub {
			if lines[i+j] != sub[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
