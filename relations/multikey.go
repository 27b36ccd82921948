package relations

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// multiLinkRefusal says why idx, a global index of the child model cm
// whose partition key has several attributes, cannot find a parent's
// children, or returns "" when it can: in the multi-table layout, its
// partition attributes must be exactly the link attributes, each plain (a
// field of the child holding one attribute of the parent's key), in any
// order. Then the child value built from a parent ([HasMany.childOf]) sets
// every partition attribute, and the children's Query gives each with
// Equal (see query.Query.SortKey), so one parent's children are one
// partition of the index: children of another parent that shares some of
// the attributes (the same department id in another tenant) are not in it.
// Every other verb works on the link attributes one by one (conditions,
// counters, write checks, audit), so it needs nothing more.
func (h *HasMany[P, C]) multiLinkRefusal(cm *mapping.Model, idx *mapping.Index) string {
	hashes := idx.Key.Hashes
	names := make([]string, len(hashes))
	for i, a := range hashes {
		names[i] = a.Name
	}
	if h.spec.Layout != MultiTable {
		return fmt.Sprintf("index %s of %s has a partition key of several attributes (%s), which makes it %v, not %v: declare MultiTable",
			idx.Name, cm.Type, strings.Join(names, ", "), MultiTable, h.spec.Layout)
	}
	for _, a := range hashes {
		if !slices.ContainsFunc(h.links, func(l link) bool { return l.child == a }) {
			return fmt.Sprintf("partition attribute %s of index %s of %s is not a link attribute: the index's partition attributes (%s) must be exactly the link (%s), each given by the parent's key",
				a.Name, idx.Name, cm.Type, strings.Join(names, ", "), h.linkNames())
		}
	}
	for _, l := range h.links {
		if !slices.Contains(hashes, l.child) {
			return fmt.Sprintf("index %s of %s leaves link attribute %s out of its partition key (%s): the partition attributes must be exactly the link (%s), or children of different parents would share a partition",
				idx.Name, cm.Type, l.name, strings.Join(names, ", "), h.linkNames())
		}
	}
	for _, l := range h.links {
		if inTableKey(cm, l.child) {
			return fmt.Sprintf("link attribute %s is part of the table key of %s, which HasMany.Relink, HasMany.Unlink and the Detach policy cannot change (they set or remove every link attribute): key %s on attributes of its own (employee_id, say) and keep %s a plain attribute",
				l.name, cm.Type, cm.Type, l.name)
		}
	}
	return ""
}

// inTableKey reports whether a is a key attribute of m's table or is
// referred to by a computed one.
func inTableKey(m *mapping.Model, a *mapping.Attribute) bool {
	for _, k := range m.Key.Attributes() {
		if k == a || (k.Computed() && slices.Contains(k.Template.Refs(), a)) {
			return true
		}
	}
	return false
}

// multiKeyRefusal says why a many-to-many relation cannot find its edges
// through idx, a global index of m with a multi-attribute key, or returns
// "" for an index with one hash attribute and at most one range attribute.
//
// A many-to-many relation finds edges in one partition keyed by one
// attribute built from the link, and its integrity checks and counters
// name that one attribute. A key of several partition attributes would
// need each of them matched to the link, which is not done yet for edges;
// rather than read a partition by its first attribute alone, the relation
// is refused.
func multiKeyRefusal(m *mapping.Model, idx *mapping.Index, role string) string {
	if !idx.Key.Multi() {
		return ""
	}
	return fmt.Sprintf("index %s of %s has a multi-attribute key (%s), which many-to-many relations do not use yet: %s are found through one partition attribute built from the link; "+
		"key the index on the link alone (a template such as \"{tenant}#{parent_id}\" joins several attributes), and keep the multi-attribute index for queries",
		idx.Name, m.Type, strings.Join(idx.Key.Names(), ", "), role)
}
