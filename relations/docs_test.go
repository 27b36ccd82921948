package relations_test

import (
	"testing"

	"github.com/dynamokit/dynamokit/internal/doccheck"
)

// sources are the compiled files docs/relations.md quotes.
var sources = []string{
	"../examples/departments/main.go",
	"../examples/singletable/main.go",
	"../examples/manytomany/main.go",
	"../integration_test/relations_layouts_test.go",
	"../integration_test/relations_multikey_test.go",
	"../integration_test/relations_orders_test.go",
	"copy_example_test.go",
	"example_test.go",
}

// TestDocSnippets checks that every Go snippet of docs/relations.md is
// copied from a compiled file, so the page cannot drift from the code.
func TestDocSnippets(t *testing.T) {
	doccheck.Snippets(t, "../docs/relations.md", sources...)
}
