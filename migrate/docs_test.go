package migrate_test

import (
	"testing"

	"github.com/dynamokit/dynamokit/internal/doccheck"
)

// TestDocSnippets checks that every Go snippet of docs/migrations.md is a
// part of example_test.go, so the page only shows code that compiles.
func TestDocSnippets(t *testing.T) {
	doccheck.Snippets(t, "../docs/migrations.md", "example_test.go")
}
