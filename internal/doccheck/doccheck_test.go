package doccheck

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGoBlocks reads the bodies of the Go fences only.
func TestGoBlocks(t *testing.T) {
	md := "text\n```go\na := 1\n```\n```sh\nls\n```\n```go\n\tb()\n```\n"
	got := goBlocks(md)
	if len(got) != 2 || got[0] != "a := 1" || got[1] != "\tb()" {
		t.Errorf("goBlocks = %q, want [a := 1, \\tb()]", got)
	}
}

// TestSnippets passes a page quoting its source and fails one that does
// not.
func TestSnippets(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	src := write("src.go", "func f() {\n\ta := 1\n\tb(a)\n}\n")
	good := write("good.md", "```go\na := 1\nb(a)\n```\n")
	bad := write("bad.md", "```go\na := 2\n```\n")
	Snippets(t, good, src)
	rec := &recorder{TB: t}
	Snippets(rec, bad, src)
	if !rec.failed {
		t.Error("a snippet not in the source passed")
	}
}

// recorder notes a failure instead of failing the test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}
