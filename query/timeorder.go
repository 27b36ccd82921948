package query

import (
	"errors"
	"fmt"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// ErrUnorderedTime is returned, before any request, for a range
// comparison (<, <=, >, >=, BETWEEN, begins_with: [Attr.LessThan] and the
// like in a [Cond], or [Query.Range] with any operator but [Equal]) on a
// time.Time attribute stored in the default layout. That layout, RFC 3339
// with the value's own zone offset and trailing zeros of the fraction
// dropped (as guregu/dynamo writes it), does not sort in time order, and
// DynamoDB compares the strings byte by byte, so such a comparison would
// silently miss items or include others. Declare a sortable layout on the
// field: `layout=utcnano` (fixed width, UTC), `layout=pynamodb` (pynamodb's
// UTCDateTimeAttribute) or `unixtime` (a number); items already stored
// must then be rewritten in it. To compare the stored strings as they are,
// name the attribute with [Path]. Equality compares strings too: the same
// instant in another zone is not equal.
var ErrUnorderedTime = errors.New("query: the attribute's times do not sort as stored")

// refuseUnordered returns an error matching [ErrUnorderedTime] when a is
// a time attribute whose stored strings do not sort in time order, for
// the comparison named by what; path offers [Path] as the way to compare
// the strings as stored (a condition, not a key range).
func refuseUnordered(a *mapping.Attribute, what string, path bool) error {
	if a == nil || !a.UnorderedTime() {
		return nil
	}
	alt := ""
	if path {
		alt = fmt.Sprintf(", or compare the stored strings as they are with query.Path(%q)", a.Name)
	}
	return fmt.Errorf("%w: %s on %s (%s in the default layout) would compare RFC 3339 strings with their own zone offsets and trimmed fractions, not times: "+
		"declare a sortable layout on the field, `layout=utcnano`, `layout=pynamodb` or `unixtime`%s",
		ErrUnorderedTime, what, a.Name, a.GoType, alt)
}

// rangeWhat names a range comparison of kind k for an error, or "" for a
// comparison that does not depend on order.
func rangeWhat(k condKind) string {
	switch k {
	case condLess:
		return "<"
	case condLessEqual:
		return "<="
	case condGreater:
		return ">"
	case condGreaterEqual:
		return ">="
	case condBetween:
		return "BETWEEN"
	case condBeginsWith:
		return "begins_with"
	}
	return ""
}

// opWhat names the sort-key comparison op for an error.
func opWhat(op Op) string {
	return [...]string{Equal: "=", LessThan: "<", LessThanEqual: "<=", GreaterThan: ">", GreaterThanEqual: ">=", Between: "BETWEEN", BeginsWith: "begins_with"}[op]
}

// orderedTimes refuses a range comparison, what, of left with c's
// operands when left or an attribute among them is a time attribute whose
// stored strings do not sort in time order.
func (c Cond) orderedTimes(m *mapping.Model, left *mapping.Attribute, what string) error {
	if err := refuseUnordered(left, what, true); err != nil {
		return err
	}
	for _, op := range c.right {
		if at, ok := op.(Attr); ok && !at.path {
			if err := refuseUnordered(m.Attribute(at.name), what, true); err != nil {
				return err
			}
		}
	}
	return nil
}
