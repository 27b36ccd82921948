// Package structtag is the one parser of dynamokit's struct tags: the
// dynamo tag (guregu/dynamo v2's syntax plus layout=NAME), the index and
// localIndex tags, the dynamokit role tag and the template tag.
//
// [Fields] walks a struct type once, embedded structs included, and caches
// the result per type, as encoding/json's cachedTypeFields does. Both the
// item codec (internal/itemcodec) and the model (internal/mapping) compile
// from that one list, so a tag means the same thing to both: neither parses
// a tag of its own.
package structtag

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Key is the key role a dynamo or index tag gives an attribute.
type Key uint8

// The key roles, numbered as the model numbers them.
const (
	Hash Key = iota + 1
	Range
)

// Options are the options of a dynamo tag besides the key role, as bits.
type Options uint16

// The options of the dynamo tag, in guregu/dynamo's order.
const (
	Set Options = 1 << iota
	OmitEmpty
	OmitEmptyElem
	AllowEmpty
	AllowEmptyElem
	Null
	UnixTime
)

// optionNames lists the tag spelling of each option, in guregu's order.
var optionNames = [...]struct {
	name string
	opt  Options
}{
	{"set", Set},
	{"omitempty", OmitEmpty},
	{"omitemptyelem", OmitEmptyElem},
	{"allowempty", AllowEmpty},
	{"allowemptyelem", AllowEmptyElem},
	{"null", Null},
	{"unixtime", UnixTime},
}

// String returns the options as a dynamo tag spells them, comma-separated.
func (o Options) String() string {
	var sb strings.Builder
	for _, n := range optionNames {
		if o&n.opt != 0 {
			if sb.Len() > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(n.name)
		}
	}
	return sb.String()
}

// Layout is how a time field is written as a string: the option
// layout=NAME of its dynamo tag.
type Layout uint8

// The layouts the layout option names.
const (
	// LayoutRFC3339Nano is guregu/dynamo's and the default: time.Time's
	// MarshalText, RFC 3339 with the fraction trimmed and the value's own
	// offset.
	LayoutRFC3339Nano Layout = iota
	// LayoutPynamoDB is pynamodb's UTCDateTimeAttribute: strftime
	// "%Y-%m-%dT%H:%M:%S.%f%z" in UTC, microseconds, offset +0000.
	LayoutPynamoDB
	// LayoutUTCNano is fixed width, in UTC, with nine fractional digits, so
	// that its strings sort in time order.
	LayoutUTCNano
)

// layouts maps each name the layout option takes to its layout.
var layouts = map[string]Layout{
	"rfc3339nano": LayoutRFC3339Nano,
	"pynamodb":    LayoutPynamoDB,
	"utcnano":     LayoutUTCNano,
}

// Index is one index:"name,role" or localIndex:"name,role" tag.
type Index struct {
	Raw  string // the tag's value
	Name string
	Key  Key
	OK   bool // the value has a name and a known role
}

// Tag is the parsed tags of one struct field.
type Tag struct {
	// Name is the attribute name: the first part of the dynamo tag, or the
	// Go field name when that part is empty, as guregu/dynamo reads it.
	Name string
	// Named reports whether the dynamo tag gives the name.
	Named bool
	// Skip is set by dynamo:"-".
	Skip bool
	// Dynamo is the dynamo tag's value.
	Dynamo string
	// Key is the key role of the dynamo tag (hash, partition, range, sort).
	Key Key
	// Options are the dynamo tag's options. A dynamokit:"ttl" field is
	// UnixTime too: DynamoDB's TTL reads only numbers.
	Options Options
	// Layout is the layout option's layout, and LayoutName its spelling
	// ("" without the option).
	Layout     Layout
	LayoutName string
	// Problem is the first problem of the dynamo tag (an unknown option or
	// layout, both key roles), or "". guregu/dynamo ignores what it does
	// not know; the model refuses it.
	Problem string
	// Role is the dynamokit tag's value, when HasRole.
	Role    string
	HasRole bool
	// Template is the template tag's value, when HasTemplate.
	Template    string
	HasTemplate bool
	// Indexes and LocalIndexes are the index and localIndex tags, in order.
	Indexes, LocalIndexes []Index
	// Unique is the unique tag's value, when HasUnique.
	Unique    string
	HasUnique bool
}

// Field is one field met by the walk of a struct type.
type Field struct {
	// Struct is the field as reflect describes it; its Offset is within the
	// struct that declares it.
	Struct reflect.StructField
	// Index is the field's index path from the walked type.
	Index []int
	// Depth is the number of embedded structs the field is inside.
	Depth int
	// Embedded is set for an anonymous field of struct type or pointer to
	// struct type not tagged "-": the fields of that struct follow it in
	// the list, up to Next.
	Embedded bool
	// Next is the position in the list just after the field and the fields
	// of an embedded struct it holds.
	Next int
	// Tag is the field's parsed tags.
	Tag *Tag
}

// MaxDepth is how deep embedded structs may nest; a type that nests them
// deeper (a recursive embedded pointer does) is refused.
const MaxDepth = 16

// walked is what the cache holds for one type.
type walked struct {
	fields []Field
	deep   bool
}

// cache holds the walk of every struct type seen: map[reflect.Type]*walked.
var cache sync.Map

// Fields returns the fields of the struct type t in a depth-first walk:
// each field in order, an embedded struct's fields right after it. The walk
// is made once per type; the result is shared and must not be modified. ok
// is false when embedded structs nest deeper than [MaxDepth]; the list then
// stops there.
func Fields(t reflect.Type) (fields []Field, ok bool) {
	if w, ok := cache.Load(t); ok {
		return w.(*walked).fields, !w.(*walked).deep
	}
	w := &walked{}
	w.walk(t, nil, 0)
	actual, _ := cache.LoadOrStore(t, w)
	return actual.(*walked).fields, !actual.(*walked).deep
}

func (w *walked) walk(t reflect.Type, prefix []int, depth int) {
	if depth > MaxDepth {
		w.deep = true
		return
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := Parse(sf)
		at := len(w.fields)
		w.fields = append(w.fields, Field{
			Struct: sf,
			Index:  append(prefix[:len(prefix):len(prefix)], i),
			Depth:  depth,
			Tag:    tag,
		})
		if sf.Anonymous && !tag.Skip && isStructOrPtr(sf.Type) {
			w.fields[at].Embedded = true
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			w.walk(et, w.fields[at].Index, depth+1)
		}
		w.fields[at].Next = len(w.fields)
	}
}

func isStructOrPtr(t reflect.Type) bool {
	return t.Kind() == reflect.Struct || t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct
}

// Parse parses the tags of sf. Callers that walk a type use [Fields], which
// caches the result.
func Parse(sf reflect.StructField) *Tag {
	t := &Tag{}
	t.Role, t.HasRole = sf.Tag.Lookup("dynamokit")
	t.Template, t.HasTemplate = sf.Tag.Lookup("template")
	t.Unique, t.HasUnique = sf.Tag.Lookup("unique")
	if t.Role == "ttl" {
		t.Options = UnixTime
	}
	t.Dynamo = sf.Tag.Get("dynamo")
	name, rest, _ := strings.Cut(t.Dynamo, ",")
	t.Skip = name == "-"
	t.Name, t.Named = name, name != ""
	if name == "" {
		t.Name = sf.Name
	}
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		if k, ok := keyOf(part); ok {
			if t.Key != 0 && t.Key != k {
				t.problem("an attribute cannot be both the hash and the range key")
			}
			t.Key = k
			continue
		}
		if part == "" {
			continue
		}
		if l, ok := strings.CutPrefix(part, "layout="); ok {
			// dynamokit's own option; guregu/dynamo ignores it.
			lay, known := layouts[l]
			if !known {
				t.problem("unknown time layout " + l + " (want rfc3339nano, pynamodb or utcnano)")
			}
			t.Layout, t.LayoutName = lay, l
			continue
		}
		known := false
		for _, o := range optionNames {
			if part == o.name {
				t.Options |= o.opt
				known = true
			}
		}
		if !known {
			t.problem("unknown option " + part)
		}
	}
	for _, raw := range lookupAll(string(sf.Tag), "index") {
		t.Indexes = append(t.Indexes, parseIndex(raw))
	}
	for _, raw := range lookupAll(string(sf.Tag), "localIndex") {
		t.LocalIndexes = append(t.LocalIndexes, parseIndex(raw))
	}
	return t
}

// problem records p unless an earlier problem was recorded.
func (t *Tag) problem(p string) {
	if t.Problem == "" {
		t.Problem = p
	}
}

// keyOf maps the key spellings of guregu/dynamo to a role.
func keyOf(s string) (Key, bool) {
	switch s {
	case "hash", "partition":
		return Hash, true
	case "range", "sort":
		return Range, true
	}
	return 0, false
}

// parseIndex parses "name,hash". OK is false when the role is missing or
// unknown, or the name is empty. Unlike guregu/dynamo, the name is cut at
// the comma, so "name,partition" and "name,sort" keep the right index name.
func parseIndex(raw string) Index {
	name, role, found := strings.Cut(raw, ",")
	it := Index{Raw: raw, Name: name}
	if !found || name == "" {
		return it
	}
	it.Key, it.OK = keyOf(role)
	return it
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
