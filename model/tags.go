package model

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/dynamokit/dynamokit/internal/itemcodec"
)

// dynamoTag is the parsed form of a dynamo:"name,opts" tag.
type dynamoTag struct {
	name    string
	key     KeyRole
	options tagOptions
}

// tagOptions is the comma-separated list after the attribute name.
type tagOptions string

// Contains reports whether opt is one of the options.
func (o tagOptions) Contains(opt string) bool {
	s := string(o)
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, ",")
		if part == opt {
			return true
		}
	}
	return false
}

// layout returns the NAME of the option layout=NAME, or "".
func (o tagOptions) layout() string {
	s := string(o)
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, ",")
		if l, ok := strings.CutPrefix(part, "layout="); ok {
			return l
		}
	}
	return ""
}

// knownDynamoOptions are the options of the dynamo tag besides the key role.
var knownDynamoOptions = map[string]bool{
	"omitempty": true, "set": true, "unixtime": true, "null": true,
	"allowempty": true, "allowemptyelem": true, "omitemptyelem": true,
}

// itemOptions are the dynamo tag options that guregu/dynamo applies only
// when it encodes a whole item, not a lone value; so does the layout
// option, which only the item codec knows.
var itemOptions = []string{"set", "null", "allowempty", "allowemptyelem", "omitemptyelem"}

// keyRoleOf maps the key spellings of guregu/dynamo to a role.
func keyRoleOf(s string) (KeyRole, bool) {
	switch s {
	case "hash", "partition":
		return HashKey, true
	case "range", "sort":
		return RangeKey, true
	}
	return 0, false
}

// parseDynamoTag splits a dynamo tag. It reports the first problem: an
// unknown option, or both key roles.
func parseDynamoTag(tag string) (t dynamoTag, problem string) {
	name, rest, _ := strings.Cut(tag, ",")
	t.name = name
	var opts []string
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		if role, ok := keyRoleOf(part); ok {
			if t.key != 0 && t.key != role && problem == "" {
				problem = "an attribute cannot be both the hash and the range key"
			}
			t.key = role
			continue
		}
		if part == "" {
			continue
		}
		if l, ok := strings.CutPrefix(part, "layout="); ok {
			// dynamokit's own option; guregu/dynamo ignores it.
			if !itemcodec.IsLayout(l) && problem == "" {
				problem = "unknown time layout " + l + " (want rfc3339nano, pynamodb or utcnano)"
			}
			opts = append(opts, part)
			continue
		}
		if !knownDynamoOptions[part] && problem == "" {
			problem = "unknown option " + part
		}
		opts = append(opts, part)
	}
	t.options = tagOptions(strings.Join(opts, ","))
	return t, problem
}

// indexTag is one parsed index:"name,role" or localIndex:"name,role" tag.
type indexTag struct {
	raw  string
	name string
	key  KeyRole
}

// parseIndexTag parses "name,hash". ok is false when the role is missing or
// unknown, or the name is empty. Unlike guregu/dynamo, the name is cut at the
// comma, so "name,partition" and "name,sort" keep the right index name.
func parseIndexTag(raw string) (indexTag, bool) {
	name, role, found := strings.Cut(raw, ",")
	t := indexTag{raw: raw, name: name}
	if !found || name == "" {
		return t, false
	}
	r, ok := keyRoleOf(role)
	t.key = r
	return t, ok
}

// lookupAll returns every value of key in a struct tag, in order. Unlike
// reflect.StructTag.Get it does not stop at the first match, so a tag may
// repeat, as in index:"a,hash" index:"b,range". It follows the syntax of
// reflect.StructTag.Lookup.
func lookupAll(tag, key string) []string {
	var out []string
	for tag != "" {
		i := 0
		for i < len(tag) && tag[i] == ' ' {
			i++
		}
		tag = tag[i:]
		if tag == "" {
			break
		}
		i = 0
		for i < len(tag) && tag[i] > ' ' && tag[i] != ':' && tag[i] != '"' && tag[i] != 0x7f {
			i++
		}
		if i == 0 || i+1 >= len(tag) || tag[i] != ':' || tag[i+1] != '"' {
			break
		}
		name := tag[:i]
		tag = tag[i+1:]
		i = 1
		for i < len(tag) && tag[i] != '"' {
			if tag[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(tag) {
			break
		}
		qvalue := tag[:i+1]
		tag = tag[i+1:]
		if name == key {
			if v, err := strconv.Unquote(qvalue); err == nil {
				out = append(out, v)
			}
		}
	}
	return out
}

// checkLayout returns why the layout option of a cannot apply, or "".
func checkLayout(a *Attribute, opts tagOptions) string {
	if opts.layout() == "" {
		return ""
	}
	t := a.GoType
	if t != nil && t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t == nil || deref(t) != typeTime {
		what := "a computed attribute"
		if a.GoType != nil {
			what = a.GoType.String()
		}
		return "the layout option needs a time.Time, *time.Time or []time.Time field, not " + what
	}
	if a.UnixTime {
		return "the layout option cannot apply to a unixtime attribute (a ttl is one): it is written as a number"
	}
	return ""
}
