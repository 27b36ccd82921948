package model

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/dynamokit/dynamokit/internal/itemcodec"
)

// DynamoDB's limits on the secondary indexes of one table: MaxGSIs is the
// default quota of global indexes per table, MaxLSIs the fixed number of
// local ones; an INCLUDE projection lists at most MaxProjectedPerIndex
// non-key attributes, and the projections of all indexes at most
// MaxProjected, an attribute in two indexes counting twice. See
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
// and https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Projection.html.
const (
	MaxGSIs              = 20
	MaxLSIs              = 5
	MaxProjected         = 100
	MaxProjectedPerIndex = 20
)

// pendingIndex collects an index's key attributes while fields are walked.
type pendingIndex struct {
	idx   *Index
	field map[KeyRole]string     // Go field that declared each role, for errors
	attr  map[KeyRole]*Attribute // attribute of each role
}

// builder walks a struct type once and collects everything a Model holds.
type builder struct {
	t       reflect.Type
	codec   *itemcodec.Codec // the codec of t, whose fields the attributes are bound to
	m       *Model
	order   []*pendingIndex
	pending map[string]*pendingIndex
}

func (b *builder) fail(field, tag, format string) *TagError {
	return &TagError{Type: b.t, Field: field, Tag: tag, Reason: format}
}

// build parses and validates the struct type t.
func build(t reflect.Type) (*Model, error) {
	if t.Kind() != reflect.Struct {
		return nil, &TagError{Type: t, Reason: "a model must be a struct type, not " + t.Kind().String()}
	}
	b := &builder{
		t:       t,
		m:       &Model{Type: t, byName: make(map[string]*Attribute), indexes: make(map[string]*Index)},
		pending: make(map[string]*pendingIndex),
	}
	c, err := itemcodec.For(t)
	if err != nil {
		return nil, b.fail("", "", err.Error())
	}
	b.codec = c
	if err := b.walk(t, nil, 0); err != nil {
		return nil, err
	}
	if err := b.finish(); err != nil {
		return nil, err
	}
	return b.m, nil
}

// walk visits the fields of t, descending into embedded structs like
// guregu/dynamo does.
func (b *builder) walk(t reflect.Type, prefix []int, depth int) error {
	if depth > 16 {
		return b.fail("", "", "embedded structs nested too deeply")
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("dynamo")
		if tag == "-" {
			continue
		}
		index := append(append([]int(nil), prefix...), i)
		ft := f.Type
		if f.Anonymous {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct && et != typeTime {
				if err := b.walk(et, index, depth+1); err != nil {
					return err
				}
				continue
			}
		}
		tmpl, hasTemplate := f.Tag.Lookup("template")
		if hasTemplate {
			if f.IsExported() || ft.Kind() != reflect.Struct || ft.NumField() != 0 {
				return b.fail(f.Name, string(f.Tag), "a template tag belongs on a blank field: _ struct{}")
			}
			if err := b.addField(f, nil, tmpl, true); err != nil {
				return err
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if err := b.addField(f, index, "", false); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) addField(f reflect.StructField, index []int, tmpl string, computed bool) error {
	raw := f.Tag.Get("dynamo")
	dt, problem := parseDynamoTag(raw)
	if problem != "" {
		return b.fail(f.Name, `dynamo:"`+raw+`"`, problem)
	}
	name := dt.name
	if name == "" {
		if computed {
			return b.fail(f.Name, `dynamo:"`+raw+`"`, "a computed attribute needs a name")
		}
		name = f.Name
	}
	if _, dup := b.m.byName[name]; dup {
		return b.fail(f.Name, `dynamo:"`+raw+`"`, "duplicate attribute name "+name)
	}
	a := &Attribute{
		Name:      name,
		Field:     f.Name,
		Index:     index,
		OmitEmpty: dt.options.Contains("omitempty"),
		Set:       dt.options.Contains("set"),
		UnixTime:  dt.options.Contains("unixtime"),
	}
	for _, opt := range itemOptions {
		a.viaItem = a.viaItem || dt.options.Contains(opt)
	}
	a.viaItem = a.viaItem || dt.options.layout() != ""
	if computed {
		t, reason := parseTemplate(tmpl)
		if reason != "" {
			return b.fail(f.Name, `template:"`+tmpl+`"`, reason)
		}
		a.Template = t
		a.Type = String
	} else {
		a.GoType = f.Type
		if err := b.bindField(a); err != nil {
			return err
		}
	}
	if roleTag, ok := f.Tag.Lookup("dynamokit"); ok {
		role, reason := b.role(a, roleTag)
		if reason != "" {
			return b.fail(f.Name, `dynamokit:"`+roleTag+`"`, reason)
		}
		a.Role = role
	}
	if reason := checkLayout(a, dt.options); reason != "" {
		return b.fail(f.Name, `dynamo:"`+raw+`"`, reason)
	}
	b.m.byName[name] = a
	b.m.Attributes = append(b.m.Attributes, a)

	indexTags, localIndexTags := lookupAll(string(f.Tag), "index"), lookupAll(string(f.Tag), "localIndex")
	if dt.key != 0 || len(indexTags) > 0 || len(localIndexTags) > 0 {
		// DynamoDB refuses an empty key value, and an empty string or a
		// NULL in an index key.
		for _, opt := range [...]string{"allowempty", "null"} {
			if dt.options.Contains(opt) {
				return b.fail(f.Name, `dynamo:"`+raw+`"`, "a key attribute is never empty: the "+opt+" option cannot apply to it")
			}
		}
	}
	if dt.key != 0 {
		if err := b.setTableKey(a, dt.key, f.Name, raw); err != nil {
			return err
		}
	}
	for _, raw := range indexTags {
		if err := b.addIndexKey(a, raw, false, f.Name); err != nil {
			return err
		}
	}
	for _, raw := range localIndexTags {
		if err := b.addIndexKey(a, raw, true, f.Name); err != nil {
			return err
		}
	}
	return nil
}

// role validates a dynamokit:"..." tag and records the attribute.
func (b *builder) role(a *Attribute, tag string) (Role, string) {
	var (
		role Role
		slot **Attribute
	)
	switch tag {
	case "ttl":
		role, slot = TTLRole, &b.m.TTL
		// A time.Time TTL is always stored as Unix seconds (see encodeTTL),
		// since DynamoDB's TTL ignores strings; guregu/dynamo reads it back.
		if a.GoType == nil || !(isInteger(deref(a.GoType)) || deref(a.GoType) == typeTime) {
			return 0, "a ttl attribute must be a time.Time or an integer (Unix seconds)"
		}
		if reason := mustBeNumber(a, tag); reason != "" {
			return 0, reason
		}
		a.UnixTime = true
	case "version":
		role, slot = VersionRole, &b.m.Version
		// A narrower integer wraps around (a uint8 after 255 writes), and
		// every write after that is a version conflict.
		if a.GoType == nil || !isVersionType(deref(a.GoType)) {
			what := "a computed attribute"
			if a.GoType != nil {
				what = a.GoType.String()
			}
			return 0, "a version attribute must be an integer of 64 bits (int, int64, uint or uint64), not " + what
		}
		if reason := mustBeNumber(a, tag); reason != "" {
			return 0, reason
		}
	case "created", "updated":
		role, slot = CreatedRole, &b.m.Created
		if tag == "updated" {
			role, slot = UpdatedRole, &b.m.Updated
		}
		if a.GoType == nil || !(deref(a.GoType) == typeTime || isInteger(deref(a.GoType))) {
			return 0, "a " + tag + " attribute must be a time.Time or an integer (Unix seconds)"
		}
		if isInteger(deref(a.GoType)) {
			if reason := mustBeNumber(a, tag); reason != "" {
				return 0, reason
			}
		}
	case "type":
		role, slot = TypeRole, &b.m.EntityType
		if a.Template == nil || !a.Template.Constant() {
			return 0, `the type attribute must be a constant template: _ struct{} ` + "`" + `dynamo:"entity" template:"Employee" dynamokit:"type"` + "`"
		}
		b.m.Entity = a.Template.Source
	default:
		return 0, "unknown role " + tag + " (want ttl, version, created, updated or type)"
	}
	if *slot != nil {
		return 0, "more than one " + tag + " attribute"
	}
	*slot = a
	return role, ""
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func (b *builder) setTableKey(a *Attribute, role KeyRole, field, raw string) error {
	tag := `dynamo:"` + raw + `"`
	if a.Type == "" {
		return b.fail(field, tag, "DynamoDB cannot key on "+a.notKeyable())
	}
	switch role {
	case HashKey:
		if b.m.Key.Hash != nil {
			return b.fail(field, tag, "two hash keys: "+b.m.Key.Hash.Name+" and "+a.Name)
		}
		b.m.Key.Hash = a
	case RangeKey:
		if b.m.Key.Range != nil {
			return b.fail(field, tag, "two range keys: "+b.m.Key.Range.Name+" and "+a.Name)
		}
		b.m.Key.Range = a
	}
	return nil
}

func (b *builder) addIndexKey(a *Attribute, raw string, local bool, field string) error {
	key := "index"
	if local {
		key = "localIndex"
	}
	tag := key + `:"` + raw + `"`
	it, ok := parseIndexTag(raw)
	if !ok {
		return b.fail(field, tag, `want "name,hash" or "name,range"`)
	}
	if a.Type == "" {
		return b.fail(field, tag, "DynamoDB cannot key an index on "+a.notKeyable())
	}
	p := b.pending[it.name]
	if p == nil {
		p = &pendingIndex{
			idx:   &Index{Name: it.name, Local: local, Projection: All},
			field: make(map[KeyRole]string, 2),
			attr:  make(map[KeyRole]*Attribute, 2),
		}
		b.pending[it.name] = p
		b.order = append(b.order, p)
	}
	if p.idx.Local != local {
		return b.fail(field, tag, "index "+it.name+" is declared both global and local")
	}
	if prev, dup := p.attr[it.key]; dup {
		return b.fail(field, tag, "index "+it.name+" has two "+strings.ToLower(it.key.String())+" keys: "+prev.Name+" and "+a.Name)
	}
	for role, prev := range p.attr {
		if prev == a && role != it.key {
			return b.fail(field, tag, "index "+it.name+" uses attribute "+a.Name+" as both hash and range key")
		}
	}
	p.field[it.key] = field
	p.attr[it.key] = a
	if it.key == HashKey {
		p.idx.Key.Hash = a
	} else {
		p.idx.Key.Range = a
	}
	return nil
}

// finish checks what needs every field: keys, index shapes, templates, table name.
func (b *builder) finish() error {
	m := b.m
	for _, a := range m.Attributes {
		a.owner = b.t // computed attributes too, for errors
	}
	if m.Key.Hash == nil {
		return b.fail("", "", `no hash key: tag one field dynamo:"name,hash"`)
	}
	for _, p := range b.order {
		idx := p.idx
		if idx.Local {
			if m.Key.Range == nil {
				field := p.field[RangeKey]
				if field == "" {
					field = p.field[HashKey]
				}
				return b.fail(field, "", "local index "+idx.Name+" needs a table with a range key")
			}
			if idx.Key.Hash != nil && idx.Key.Hash != m.Key.Hash {
				return b.fail(p.field[HashKey], "", "local index "+idx.Name+" must share the table's hash key "+m.Key.Hash.Name)
			}
			if idx.Key.Range == nil {
				return b.fail(p.field[HashKey], "", "local index "+idx.Name+" needs a range key")
			}
			idx.Key.Hash = m.Key.Hash
			m.LSIs = append(m.LSIs, idx)
		} else {
			if idx.Key.Hash == nil {
				return b.fail(p.field[RangeKey], "", "global index "+idx.Name+" has a range key but no hash key")
			}
			m.GSIs = append(m.GSIs, idx)
		}
		if _, dup := m.indexes[idx.Name]; dup {
			return b.fail("", "", "duplicate index name "+idx.Name)
		}
		m.indexes[idx.Name] = idx
	}
	if len(m.GSIs) > MaxGSIs {
		return b.fail("", "", "more than 20 global secondary indexes")
	}
	if len(m.LSIs) > MaxLSIs {
		return b.fail("", "", "more than 5 local secondary indexes")
	}
	for _, a := range m.Attributes {
		if a.Template == nil {
			continue
		}
		for i := range a.Template.Parts {
			p := &a.Template.Parts[i]
			if p.refName == "" {
				continue
			}
			ref := m.byName[p.refName]
			if ref == nil {
				return b.fail(a.Field, `template:"`+a.Template.Source+`"`, "unknown attribute "+p.refName)
			}
			if ref.Template != nil || ref.Type == "" {
				return b.fail(a.Field, `template:"`+a.Template.Source+`"`, "attribute "+p.refName+" must be a plain string, integer, time or binary field")
			}
			if (a == m.Key.Hash || a == m.Key.Range) && (ref == m.Version || ref == m.Updated) {
				return b.fail(a.Field, `template:"`+a.Template.Source+`"`, "a computed key of the table cannot refer to "+p.refName+", which every write changes")
			}
			p.Ref = ref
		}
		for i := range a.Template.Parts {
			p := &a.Template.Parts[i]
			if p.Ref == nil {
				continue
			}
			var next *TemplatePart
			if i+1 < len(a.Template.Parts) {
				next = &a.Template.Parts[i+1]
			}
			if reason := p.resolveKind(next); reason != "" {
				return b.fail(a.Field, `template:"`+a.Template.Source+`"`, reason)
			}
		}
	}
	if v := m.Version; v != nil {
		if reason := versionInKey(m, v); reason != "" {
			return b.fail(v.Field, `dynamokit:"version"`, "the version attribute "+v.Name+" cannot be part of a key: "+reason)
		}
	}
	if b.t.Implements(typeTabler) || reflect.PointerTo(b.t).Implements(typeTabler) {
		m.Table = reflect.New(b.t).Interface().(Tabler).TableName()
	} else {
		return b.fail("", "", "no TableName() string method")
	}
	if m.Table == "" {
		return b.fail("", "", "TableName() returned an empty table name")
	}
	if b.t.Implements(typeOptioner) || reflect.PointerTo(b.t).Implements(typeOptioner) {
		opts := reflect.New(b.t).Interface().(Optioner).TableOptions()
		m.Billing = opts.Billing
		if m.Billing.ReadUnits < 0 || m.Billing.WriteUnits < 0 || (m.Billing.ReadUnits == 0) != (m.Billing.WriteUnits == 0) {
			return b.fail("", "", "provisioned billing needs both read and write units above zero")
		}
		for name, proj := range opts.Projections {
			idx := m.indexes[name]
			if idx == nil {
				return b.fail("", "", "TableOptions: projection for unknown index "+name)
			}
			switch proj.Type {
			case ProjectAll, ProjectKeysOnly:
				if len(proj.NonKey) > 0 {
					return b.fail("", "", "TableOptions: index "+name+": only an INCLUDE projection lists attributes")
				}
			case ProjectInclude:
				if len(proj.NonKey) == 0 {
					return b.fail("", "", "TableOptions: index "+name+": an INCLUDE projection needs attributes")
				}
			default:
				return b.fail("", "", "TableOptions: index "+name+": unknown projection type "+string(proj.Type))
			}
			if n := len(proj.NonKey); n > MaxProjectedPerIndex {
				return b.fail("", "", fmt.Sprintf("TableOptions: index %s: an INCLUDE projection lists %d attributes, DynamoDB allows at most %d", name, n, MaxProjectedPerIndex))
			}
			idx.Projection = Projection{Type: proj.Type, NonKey: append([]string(nil), proj.NonKey...)}
		}
		projected := 0
		for _, idx := range m.indexes {
			projected += len(idx.Projection.NonKey)
		}
		if projected > MaxProjected {
			return b.fail("", "", fmt.Sprintf("TableOptions: %d projected attributes over all indexes, DynamoDB allows at most %d", projected, MaxProjected))
		}
	}
	return nil
}

// isVersionType reports whether t is an integer type of 64 bits: int and
// uint are accepted as such, whatever the platform.
func isVersionType(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64:
		return true
	}
	return false
}

// versionInKey says how the version attribute v is the table's hash or range
// key, or returns "". The version changes with every write, so a key made
// from it would move the item on every write: Create would write the item
// under version 1's key whatever the caller set. (A computed table key that
// refers to it is refused with the templates; index keys may use it, since
// writes recompute them.)
func versionInKey(m *Model, v *Attribute) string {
	for _, k := range []struct {
		attr  *Attribute
		where string
	}{{m.Key.Hash, "the table's hash key"}, {m.Key.Range, "the table's range key"}} {
		if k.attr == v {
			return "it is " + k.where
		}
	}
	return ""
}

// mustBeNumber returns why a, which has the role tag and is read as a
// number, cannot have it when its field is written as something else (an
// integer type with a MarshalText method is written as a string), or "".
func mustBeNumber(a *Attribute, tag string) string {
	if a.Type == Number {
		return ""
	}
	what := "not a number"
	if a.Type != "" {
		what = string(a.Type)
	}
	return "a " + tag + " attribute must be written as a number, but " + a.GoType.String() + " is written as " + what + " (by its own marshalling method)"
}
