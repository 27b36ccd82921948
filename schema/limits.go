package schema

import (
	"fmt"

	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// DynamoDB's limits on names, as documented in
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
// and in the CreateTable API reference (TableName, IndexName,
// KeySchemaElement, Projection). The limits on indexes and projections
// are model's: [mapping.MaxGSIs], [mapping.MaxLSIs], [mapping.MaxProjected] and
// [mapping.MaxProjectedPerIndex].
const (
	minNameLen, maxNameLen = 3, 255 // table and index names, in characters
	maxAttrNameLen         = 255    // key and projected attribute names, in bytes
)

// problems returns what in t goes past DynamoDB's limits, or nil.
func (t *Definition) problems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if p := nameProblem(t.Name); p != "" {
		add("table name %s: %s", t.Name, p)
	}
	if n := len(t.GSIs); n > mapping.MaxGSIs {
		add("%d global secondary indexes, DynamoDB allows at most %d", n, mapping.MaxGSIs)
	}
	if n := len(t.LSIs); n > mapping.MaxLSIs {
		add("%d local secondary indexes, DynamoDB allows at most %d", n, mapping.MaxLSIs)
	}
	projected := 0
	for _, idxs := range [][]Index{t.GSIs, t.LSIs} {
		for _, idx := range idxs {
			if p := nameProblem(idx.Name); p != "" {
				add("index name %s: %s", idx.Name, p)
			}
			if idx.Projection.Type != mapping.ProjectInclude {
				continue
			}
			n := len(idx.Projection.NonKey)
			projected += n
			if n > mapping.MaxProjectedPerIndex {
				add("index %s projects %d non-key attributes, DynamoDB allows at most %d per index", idx.Name, n, mapping.MaxProjectedPerIndex)
			}
			for _, a := range idx.Projection.NonKey {
				if len(a) == 0 || len(a) > maxAttrNameLen {
					add("projected attribute name %s: want 1 to %d bytes, has %d", abbrev(a), maxAttrNameLen, len(a))
				}
			}
		}
	}
	if projected > mapping.MaxProjected {
		add("%d projected non-key attributes over all indexes, DynamoDB allows at most %d", projected, mapping.MaxProjected)
	}
	types := map[string]model.ScalarType{}
	for _, a := range t.keyAttrs() {
		if len(a.Name) == 0 || len(a.Name) > maxAttrNameLen {
			add("key attribute name %s: want 1 to %d bytes, has %d", abbrev(a.Name), maxAttrNameLen, len(a.Name))
		}
		if have, ok := types[a.Name]; ok && have != a.Type && have != "" && a.Type != "" {
			add("attribute %s is %s and %s", a.Name, have, a.Type)
		}
		if a.Type != "" {
			types[a.Name] = a.Type
		}
	}
	return out
}

// nameProblem returns what is wrong with a table or index name, or "".
func nameProblem(name string) string {
	if n := len(name); n < minNameLen || n > maxNameLen {
		return fmt.Sprintf("want %d to %d characters, has %d", minNameLen, maxNameLen, n)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return fmt.Sprintf("character %q not allowed (want a-z, A-Z, 0-9, '_', '-', '.')", r)
		}
	}
	return ""
}

// abbrev shortens a long name for a message.
func abbrev(s string) string {
	if len(s) > 8 {
		return s[:8] + "..."
	}
	return s
}
