package model

import (
	"strings"
)

// Template is a computed attribute's value pattern, such as "DEPT#{department_id}":
// literal text with references to other attributes in braces.
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
	refName string
}

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
		t.Parts = append(t.Parts, TemplatePart{refName: name})
		rest = rest[open+end+1:]
	}
	if len(t.Parts) == 0 {
		return nil, "empty template"
	}
	return t, ""
}
