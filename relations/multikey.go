package relations

import (
	"fmt"
	"strings"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// multiKeyRefusal says why a relation cannot find its items through idx,
// a global index of m with a multi-attribute key, or returns "" for an
// index with one hash attribute and at most one range attribute.
//
// A relation finds children (or edges) in one partition keyed by one
// attribute built from the link, and its integrity checks and counters
// name that one attribute. A key of several partition attributes (tenant
// and parent, say) would need each of them matched to the link, which is
// not done yet; rather than read a partition by its first attribute alone,
// the relation is refused.
func multiKeyRefusal(m *mapping.Model, idx *mapping.Index, role string) string {
	if !idx.Key.Multi() {
		return ""
	}
	names := make([]string, 0, len(idx.Key.Hashes)+len(idx.Key.Ranges))
	for _, a := range idx.Key.Attributes() {
		names = append(names, a.Name)
	}
	return fmt.Sprintf("index %s of %s has a multi-attribute key (%s), which relations do not use yet: %s are found through one partition attribute built from the link; "+
		"key the index on the link alone (a template such as \"{tenant}#{parent_id}\" joins several attributes), and keep the multi-attribute index for queries",
		idx.Name, m.Type, strings.Join(names, ", "), role)
}
