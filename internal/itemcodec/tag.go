package itemcodec

import (
	"reflect"
	"strings"
)

// flags are the options of a dynamo tag, as guregu/dynamo reads them.
type flags uint16

const (
	flagSet flags = 1 << iota
	flagOmitEmpty
	flagOmitEmptyElem
	flagAllowEmpty
	flagAllowEmptyElem
	flagNull
	flagUnixTime

	// flagLayout holds the time layout of the layout=NAME option, shifted
	// by layoutShift; guregu/dynamo ignores the option.
	flagLayout flags = 3 << layoutShift
)

const layoutShift = 8

// layout returns the time layout fl selects.
func (fl flags) layout() layout { return layout(fl & flagLayout >> layoutShift) }

// options lists the tag spelling of each flag, in guregu's order.
var options = [...]struct {
	name string
	flag flags
}{
	{"set", flagSet},
	{"omitempty", flagOmitEmpty},
	{"omitemptyelem", flagOmitEmptyElem},
	{"allowempty", flagAllowEmpty},
	{"allowemptyelem", flagAllowEmptyElem},
	{"null", flagNull},
	{"unixtime", flagUnixTime},
}

// fieldInfo returns the attribute name and flags of a struct field exactly
// as guregu/dynamo's fieldInfo does: the name is the first part of the
// dynamo tag, or the field name when that part is empty, and unknown
// options (such as hash and range) are ignored. The one addition: a
// dynamokit:"ttl" field is unixtime, since DynamoDB's TTL reads only numbers
// (guregu reads the number back into a time.Time either way); and the
// option layout=NAME, which guregu ignores, selects how a time is written.
func fieldInfo(f reflect.StructField) (string, flags) {
	var fl flags
	if f.Tag.Get("dynamokit") == "ttl" {
		fl = flagUnixTime
	}
	tag := f.Tag.Get("dynamo")
	if tag == "" {
		return f.Name, fl
	}
	name, rest, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		if l, ok := strings.CutPrefix(part, "layout="); ok {
			fl = fl&^flagLayout | flags(layouts[l])<<layoutShift
			continue
		}
		for _, o := range options {
			if part == o.name {
				fl |= o.flag
			}
		}
	}
	return name, fl
}

// tag returns the dynamo tag value that gives fl to an attribute called name.
func (fl flags) tag(name string) string {
	var sb strings.Builder
	sb.WriteString(name)
	for _, o := range options {
		if fl&o.flag != 0 {
			sb.WriteByte(',')
			sb.WriteString(o.name)
		}
	}
	return sb.String()
}
