package mapping

import "github.com/dynamokit/dynamokit/internal/structtag"

// UnorderedTime reports whether a is a time.Time (or *time.Time) field
// stored as a string in the default layout, RFC 3339 with the value's own
// zone offset and its fraction's trailing zeros dropped, as guregu/dynamo
// writes it. Such strings do not sort in time order: "…T10:00:00+02:00"
// is an earlier instant than "…T09:00:00Z", and "…:05Z" sorts after
// "…:05.5Z". So DynamoDB's comparisons of them (<, <=, >, >=, BETWEEN,
// begins_with), which compare the strings byte by byte, are not
// comparisons of times. A time in the utcnano or pynamodb layout (fixed
// width, UTC), with unixtime or as a TTL (a number), or rendered into a
// computed attribute (fixed width, UTC) sorts in time order.
func (a *Attribute) UnorderedTime() bool {
	return a.GoType != nil && deref(a.GoType) == typeTime && a.Type == String &&
		a.tag != nil && a.tag.Layout == structtag.LayoutRFC3339Nano
}
