package query

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// sortCond is one condition of [Query.SortKey].
type sortCond struct {
	attr string
	op   Op
	vals []any
}

// SortKey adds a condition on the named sort attribute of the key the query
// runs against: one value, two for [Between], encoded by the attribute as
// [Query.Range] encodes them. It is how a global index with a
// multi-attribute key is queried: the partition value passed to
// [Table.Query] sets every partition attribute of the index (each is
// compared with Equal), and SortKey gives conditions on its sort
// attributes from left to right, each with Equal but the last, which may
// use any [Op]:
//
//	tickets.Query(Ticket{Tenant: "acme", Parent: "p-1"}).
//		Index("by-parent").
//		SortKey("status", query.Equal, "open").
//		SortKey("priority", query.GreaterThanEqual, 2)
//
// The query is checked against the index's key before any request: a
// partition attribute the value leaves empty, a name that is not a sort
// attribute, a sort attribute skipped or given twice, or a range
// condition that is not on the last attribute given is an error naming the
// index and the attribute, returned by the call that runs the query.
// On a key of one sort attribute, SortKey(name, op, values...) is
// Range(op, values...) on that attribute, with its name checked.
func (q *Query[T]) SortKey(attr string, op Op, values ...any) *Query[T] {
	q.sorts = append(q.sorts, sortCond{attr: attr, op: op, vals: values})
	return q
}

// keyEq is an attribute that a query's key condition holds equal to a value.
type keyEq struct {
	attr  string
	value types.AttributeValue
}

// target names what the query runs against, for messages: "index by-parent"
// or "table ticket".
func (q *Query[T]) target() string {
	if q.index != "" {
		return "index " + q.index
	}
	return "table " + q.r.table
}

// sortConds returns the conditions on the sort attributes of ks: those of
// SortKey, or the one of Range. A key of one sort attribute takes either;
// a multi-attribute sort key takes only SortKey, which names each.
func (q *Query[T]) sortConds(ks mapping.KeySchema) ([]sortCond, error) {
	if q.op == 0 {
		return q.sorts, nil
	}
	if len(q.sorts) > 0 {
		return nil, fmt.Errorf("query: %s: Range and SortKey together; give every sort condition with SortKey", q.target())
	}
	switch len(ks.Ranges) {
	case 0:
		return nil, fmt.Errorf("query: Range on %s, which has no sort key", q.target())
	case 1:
		return []sortCond{{attr: ks.Range.Name, op: q.op, vals: q.vals}}, nil
	}
	return nil, fmt.Errorf("query: Range on %s, whose sort key has several attributes (%s): name each with SortKey, from left to right", q.target(), attrNames(ks.Ranges))
}

// multiKeyCond builds the key condition of a query on ks with SortKey
// conditions or a multi-attribute key: every partition attribute equal to
// the partition value's, then the sort conditions, checked against the
// key's shape (left to right, Equal but on the last).
func (q *Query[T]) multiKeyCond(ks mapping.KeySchema) (expression.KeyConditionBuilder, *keyBounds, error) {
	var zero expression.KeyConditionBuilder
	m := q.r.m
	hashes := ks.Hashes
	if hashes == nil {
		hashes = []*mapping.Attribute{ks.Hash}
	}
	bounds := &keyBounds{}
	conds := make([]expression.KeyConditionBuilder, 0, len(hashes)+len(q.sorts)+1)
	for i, a := range hashes {
		v, err := m.Value(a.Name, &q.partition)
		if err != nil {
			return zero, nil, err
		}
		if v == nil {
			if len(hashes) == 1 {
				return zero, nil, fmt.Errorf("query: partition attribute %s: %w%s", a.Name, model.ErrEmptyKey, q.indexHint())
			}
			return zero, nil, fmt.Errorf("query: %s: partition attribute %s is empty, and a query gives every partition attribute (%s): %w",
				q.target(), a.Name, attrNames(hashes), model.ErrEmptyKey)
		}
		conds = append(conds, expression.Key(a.Name).Equal(expression.Value(v)))
		if i == 0 {
			bounds.hash, bounds.value = a.Name, v
		} else {
			bounds.eqs = append(bounds.eqs, keyEq{a.Name, v})
		}
	}
	sorts, err := q.sortConds(ks)
	if err != nil {
		return zero, nil, err
	}
	next := 0 // the position in ks.Ranges of the next sort attribute
	for i, sc := range sorts {
		at := -1
		for j, a := range ks.Ranges {
			if a.Name == sc.attr {
				at = j
			}
		}
		switch {
		case at < 0 && containsName(hashes, sc.attr):
			return zero, nil, fmt.Errorf("query: %s: SortKey(%q): %s is a partition attribute, set by the partition value", q.target(), sc.attr, sc.attr)
		case at < 0 && len(ks.Ranges) == 0:
			return zero, nil, fmt.Errorf("query: %s: SortKey(%q): the key has no sort attribute", q.target(), sc.attr)
		case at < 0:
			return zero, nil, fmt.Errorf("query: %s: SortKey(%q): not a sort attribute of the key (%s)", q.target(), sc.attr, attrNames(ks.Ranges))
		case at < next:
			return zero, nil, fmt.Errorf("query: %s: sort attribute %s is given twice or out of order: give %s from left to right", q.target(), sc.attr, attrNames(ks.Ranges))
		case at > next:
			return zero, nil, fmt.Errorf("query: %s: a condition on sort attribute %s skips %s: sort attributes are used from left to right, each but the last with Equal",
				q.target(), sc.attr, attrNames(ks.Ranges[next:at]))
		case sc.op != Equal && i < len(sorts)-1:
			return zero, nil, fmt.Errorf("query: %s: sort attribute %s has a range condition, but %s follows it: only the last sort attribute given may have one, the others take Equal",
				q.target(), sc.attr, sorts[i+1].attr)
		}
		next = at + 1
		sub := &Query[T]{r: q.r, op: sc.op, vals: sc.vals}
		c, op, vals, err := sub.rangeCond(ks.Ranges[at])
		if err != nil {
			return zero, nil, err
		}
		conds = append(conds, c)
		if i < len(sorts)-1 {
			bounds.eqs = append(bounds.eqs, keyEq{sc.attr, vals[0]})
		} else {
			bounds.sort, bounds.op, bounds.vals = sc.attr, op, vals
		}
	}
	if len(conds) == 1 {
		return conds[0], bounds, nil
	}
	return expression.KeyAnd(conds...), bounds, nil
}

func containsName(attrs []*mapping.Attribute, name string) bool {
	for _, a := range attrs {
		if a.Name == name {
			return true
		}
	}
	return false
}

// attrNames joins the names of attrs: "tenant, parent".
func attrNames(attrs []*mapping.Attribute) string {
	s := make([]string, len(attrs))
	for i, a := range attrs {
		s[i] = a.Name
	}
	return strings.Join(s, ", ")
}
