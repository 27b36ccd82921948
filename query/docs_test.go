package query_test

import (
	"testing"

	"github.com/dynamokit/dynamokit/internal/doccheck"
)

// TestDocSnippets checks that every Go snippet of docs/query.md is a part
// of example_test.go or multikey_example_test.go, so the documentation
// only shows code that compiles (and, where an example has an Output,
// runs).
func TestDocSnippets(t *testing.T) {
	doccheck.Snippets(t, "../docs/query.md", "example_test.go", "multikey_example_test.go")
}
