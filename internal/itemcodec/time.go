package itemcodec

import (
	"errors"
	"github.com/dynamokit/dynamokit/internal/structtag"
	"time"
	"unsafe"
)

// layout is how a time field is written as a string (see
// [structtag.Layout]). Every layout reads every variant that parseTime
// accepts.
type layout = structtag.Layout

const (
	layoutRFC3339Nano = structtag.LayoutRFC3339Nano
	layoutPynamoDB    = structtag.LayoutPynamoDB
	layoutUTCNano     = structtag.LayoutUTCNano
)

// The Go layouts of the named layouts other than the default.
const (
	goPynamoDB = "2006-01-02T15:04:05.000000-0700"
	goUTCNano  = "2006-01-02T15:04:05.000000000Z"
)

// errYearRange matches time.Time.MarshalText's refusal of a year that has no
// four-digit form.
var errYearRange = errors.New("year outside of range [0,9999]")

// appendTime appends t in layout l.
func appendTime(b []byte, t time.Time, l layout) ([]byte, error) {
	switch l {
	case layoutPynamoDB, layoutUTCNano:
		u := t.UTC()
		if y := u.Year(); y < 0 || y > 9999 {
			return nil, errYearRange
		}
		if l == layoutPynamoDB {
			return u.AppendFormat(b, goPynamoDB), nil
		}
		return u.AppendFormat(b, goUTCNano), nil
	}
	return t.AppendText(b)
}

// parseTime reads s into *t. It tries the layout l first, then the variants
// of ISO 8601 other writers use: RFC 3339 (Z or +hh:mm, any fraction or
// none), +hhmm without a colon (pynamodb), and no offset at all (read as
// UTC). A field whose layout is in UTC is read in UTC.
func parseTime(t *time.Time, s string, l layout) error {
	if l == layoutRFC3339Nano {
		// The bytes are only read and not kept, so they may alias s.
		err := t.UnmarshalText(unsafe.Slice(unsafe.StringData(s), len(s)))
		if err == nil {
			return nil
		}
		if v, ok := parseVariant(s); ok {
			*t = v
			return nil
		}
		return err
	}
	v, ok := parseVariant(s)
	if !ok {
		// Report the error of the field's own layout.
		var err error
		if l == layoutPynamoDB {
			_, err = time.Parse(goPynamoDB, s)
		} else {
			_, err = time.Parse(time.RFC3339Nano, s)
		}
		return err
	}
	*t = v.UTC()
	return nil
}

// variants are the layouts parseVariant tries. When parsing, Go accepts a
// fraction of any length after the seconds even when the layout has none.
var variants = [...]string{
	"2006-01-02T15:04:05-0700",
	time.RFC3339,
	"2006-01-02T15:04:05",
}

// parseVariant reads s in the first variant that fits.
func parseVariant(s string) (time.Time, bool) {
	for _, lay := range variants {
		if t, err := time.Parse(lay, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
