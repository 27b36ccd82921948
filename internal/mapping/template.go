package mapping

import (
	"encoding"
	"reflect"
	"strconv"
	"strings"

	"github.com/guregu/dynamo/v2"
)

// Template is a computed attribute's value pattern, such as "DEPT#{department_id}":
// literal text with references to other attributes in braces. An integer
// reference declares its width, as in "SEQ#{seq:10}".
//
// Each reference is rendered by its attribute's own rules, so that the
// rendered strings sort as the values do and distinct values never render
// to the same string; see docs/tags.md.
type Template struct {
	// Source is the template as written in the tag.
	Source string
	// Parts alternates literal text and references, in order.
	Parts []TemplatePart
}

// TemplatePart is a literal or a reference to another attribute.
type TemplatePart struct {
	Literal string     // set for literal text
	Ref     *Attribute // set for a {reference}
	// Width is the declared width of an integer reference, such as 10 for
	// {seq:10}: the value is padded with zeros to that many digits. It is 0
	// for other parts.
	Width int

	refName string
	kind    partKind
	// sep is the byte a variable-length reference escapes: the first byte of
	// the literal that follows it; 0 for the last part.
	sep byte
	// plain is set for a string or integer field that guregu/dynamo encodes
	// as its Go value (no marshaler, no item option): rendered straight
	// from the field, with the same result.
	plain bool
}

// partKind says how a reference is rendered.
type partKind uint8

const (
	partLiteral partKind = iota
	partString           // escaped text
	partBinary           // base64url, escaped
	partTime             // UTC, fixed width
	partInt              // zero-padded to Width
)

// escapeByte starts an escape in a rendered string: "%23" for '#'.
const escapeByte = '%'

// maxWidth is the largest width of an integer reference: the digits of
// the largest uint64.
const maxWidth = 20

// timeLayout renders a time reference: UTC, nanoseconds always written, so
// that every time of years 0 to 9999 has the same length and string order
// is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// Prefix returns the literal text before the first reference, such as
// "DEPT#" for "DEPT#{department_id}". It is what a begins_with condition
// uses to select one entity type.
func (t *Template) Prefix() string {
	if len(t.Parts) > 0 && t.Parts[0].Ref == nil {
		return t.Parts[0].Literal
	}
	return ""
}

// Constant reports whether the template has no references.
func (t *Template) Constant() bool {
	for _, p := range t.Parts {
		if p.Ref != nil || p.refName != "" {
			return false
		}
	}
	return true
}

// Refs returns the attributes the template refers to.
func (t *Template) Refs() []*Attribute {
	var out []*Attribute
	for _, p := range t.Parts {
		if p.Ref != nil {
			out = append(out, p.Ref)
		}
	}
	return out
}

// parseTemplate splits src into parts; references are resolved later, once
// every attribute is known. It returns a reason when src is malformed.
func parseTemplate(src string) (*Template, string) {
	t := &Template{Source: src}
	rest := src
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			if strings.IndexByte(rest, '}') >= 0 {
				return nil, "unbalanced } in template"
			}
			t.Parts = append(t.Parts, TemplatePart{Literal: rest})
			break
		}
		if open > 0 {
			lit := rest[:open]
			if strings.IndexByte(lit, '}') >= 0 {
				return nil, "unbalanced } in template"
			}
			t.Parts = append(t.Parts, TemplatePart{Literal: lit})
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, "unterminated { in template"
		}
		name := rest[open+1 : open+end]
		if name == "" || strings.ContainsAny(name, "{") {
			return nil, "empty or nested reference in template"
		}
		part := TemplatePart{refName: name}
		if n, w, ok := strings.Cut(name, ":"); ok {
			width, err := strconv.Atoi(w)
			if n == "" || err != nil || width < 1 || width > maxWidth {
				return nil, "bad width in {" + name + "}: write {name:N} with N from 1 to 20"
			}
			part.refName, part.Width = n, width
		}
		t.Parts = append(t.Parts, part)
		rest = rest[open+end+1:]
	}
	if len(t.Parts) == 0 {
		return nil, "empty template"
	}
	return t, ""
}

// resolveKind sets p.kind from its attribute and checks that the part can
// be rendered in order and apart from its neighbours; next is the part
// after p, or nil. It returns a reason when it cannot.
func (p *TemplatePart) resolveKind(next *TemplatePart) string {
	ref := p.Ref
	ref0 := "{" + p.refName + "}"
	switch {
	case ref.GoType != nil && deref(ref.GoType) == typeTime:
		p.kind = partTime
	case ref.Type == Number:
		if ref.GoType != nil && isFloat(deref(ref.GoType).Kind()) {
			return ref0 + " is a float, which a key cannot render in order: use an integer with a width, such as {" + p.refName + ":10}"
		}
		if p.Width == 0 {
			return "integer reference " + ref0 + " needs a width, so that keys sort as numbers: declare a width, such as {" + p.refName + ":10}"
		}
		p.kind = partInt
	case ref.Type == String:
		p.kind = partString
	case ref.Type == Binary:
		p.kind = partBinary
	default:
		return "attribute " + p.refName + " must be a plain string, integer, time or binary field"
	}
	if ref.GoType != nil && !ref.viaItem {
		t := deref(ref.GoType)
		custom := t.Implements(typeDynamoMarshaler) || reflect.PointerTo(t).Implements(typeDynamoMarshaler) ||
			t.Implements(typeTextMarshaler) || reflect.PointerTo(t).Implements(typeTextMarshaler)
		p.plain = !custom && ((p.kind == partString && t.Kind() == reflect.String) || (p.kind == partInt && isInteger(t)))
	}
	if p.Width != 0 && p.kind != partInt {
		return ref0 + ": only an integer reference takes a width"
	}
	if p.kind == partString || p.kind == partBinary {
		if next == nil {
			return ""
		}
		if next.refName != "" {
			return ref0 + " has no fixed length, so it must be followed by literal text, such as {" + p.refName + "}#"
		}
		c := next.Literal[0]
		if !isSeparator(c) {
			return "the literal after " + ref0 + " must begin with an ASCII punctuation character other than %, such as #, which the value's own occurrences are escaped from"
		}
		p.sep = c
	}
	return ""
}

// isSeparator reports whether c may end a variable-length reference: ASCII
// punctuation (not a letter, digit or space, which escapes are made of or
// users expect to read) other than the escape byte.
func isSeparator(c byte) bool {
	switch {
	case c <= ' ' || c >= 0x7f, c == escapeByte:
		return false
	case '0' <= c && c <= '9', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		return false
	}
	return true
}

var (
	typeDynamoMarshaler = reflect.TypeFor[dynamo.Marshaler]()
	typeTextMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
)
