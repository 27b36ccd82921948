package itemcodec

import "github.com/dynamokit/dynamokit/internal/structtag"

// flags are the options of a dynamo tag that encoding reads, with the time
// layout in the high bits. The tags are parsed by internal/structtag alone.
type flags uint16

const (
	flagSet            = flags(structtag.Set)
	flagOmitEmpty      = flags(structtag.OmitEmpty)
	flagOmitEmptyElem  = flags(structtag.OmitEmptyElem)
	flagAllowEmpty     = flags(structtag.AllowEmpty)
	flagAllowEmptyElem = flags(structtag.AllowEmptyElem)
	flagNull           = flags(structtag.Null)
	flagUnixTime       = flags(structtag.UnixTime)

	// flagLayout holds the time layout of the layout=NAME option, shifted
	// by layoutShift; guregu/dynamo ignores the option.
	flagLayout flags = 3 << layoutShift
)

const layoutShift = 8

// flagsOf returns the flags of a field with the parsed tags t.
func flagsOf(t *structtag.Tag) flags {
	return flags(t.Options) | flags(t.Layout)<<layoutShift
}

// layout returns the time layout fl selects.
func (fl flags) layout() layout { return layout(fl & flagLayout >> layoutShift) }

// tag returns the dynamo tag value that gives fl to an attribute called name.
func (fl flags) tag(name string) string {
	if o := structtag.Options(fl &^ flagLayout).String(); o != "" {
		return name + "," + o
	}
	return name
}
