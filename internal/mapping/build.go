package mapping

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/dynamokit/dynamokit/internal/structtag"
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
	idx    *Index
	fields [RangeKey + 1][]string     // Go fields that declared each role, in order, for errors
	attrs  [RangeKey + 1][]*Attribute // attributes of each role, in key order
}

// field returns the Go field that declared the first attribute of role, or "".
func (p *pendingIndex) field(role KeyRole) string {
	if len(p.fields[role]) == 0 {
		return ""
	}
	return p.fields[role][0]
}

// builder walks a struct type once and collects everything a Model holds.
type builder struct {
	t       reflect.Type
	codec   *itemcodec.Codec // the codec of t, whose fields the attributes are bound to
	m       *Model
	order   []*pendingIndex
	pending map[string]*pendingIndex
	unique  []pendingUnique // unique tags, resolved by finish
}

func (b *builder) fail(field, tag, format string) *TagError {
	return &TagError{Type: b.t, Field: field, Tag: tag, Reason: format}
}

// build parses and validates the struct type t.
func build(t reflect.Type) (*Model, error) {
	b, err := newBuilder(t)
	if err != nil {
		return nil, err
	}
	if err := b.walk(); err != nil {
		return nil, err
	}
	if err := b.finish(); err != nil {
		return nil, err
	}
	return b.m, nil
}

// newBuilder returns the builder of the struct type t, with t's codec, which
// compiles from the same walk of t that the builder reads.
func newBuilder(t reflect.Type) (*builder, error) {
	if t.Kind() != reflect.Struct {
		return nil, &TagError{Type: t, Reason: "a model must be a struct type, not " + t.Kind().String()}
	}
	b := &builder{
		t:       t,
		m:       &Model{Type: t, byName: make(map[string]*Attribute), indexes: make(map[string]*Index)},
		pending: make(map[string]*pendingIndex),
	}
	c, err := itemcodec.Compile(t)
	if err != nil {
		return nil, b.fail("", "", err.Error())
	}
	b.codec, b.m.codec = c, c
	return b, nil
}

// walk visits the fields of the model's type in the one walk that
// internal/structtag makes of it (the codec compiles from the same walk),
// descending into embedded structs like guregu/dynamo does.
func (b *builder) walk() error {
	fields, ok := structtag.Fields(b.t)
	if !ok {
		return b.fail("", "", "embedded structs nested too deeply")
	}
	for i := 0; i < len(fields); i++ {
		sf := &fields[i]
		f := sf.Struct
		if sf.Tag.Skip {
			continue
		}
		if sf.Embedded {
			if deref(f.Type) != typeTime {
				continue // its fields follow
			}
			i = sf.Next - 1 // an embedded time is one attribute
		}
		if sf.Tag.HasTemplate {
			if f.IsExported() || f.Type.Kind() != reflect.Struct || f.Type.NumField() != 0 {
				return b.fail(f.Name, string(f.Tag), "a template tag belongs on a blank field: _ struct{}")
			}
			if err := b.addField(sf, nil, true); err != nil {
				return err
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if err := b.addField(sf, sf.Index, false); err != nil {
			return err
		}
	}
	return nil
}

// viaItem are the dynamo tag options that guregu/dynamo applies only when
// it encodes a whole item, not a lone value; so does the layout option,
// which only the item codec knows.
const viaItem = structtag.Set | structtag.Null | structtag.AllowEmpty | structtag.AllowEmptyElem | structtag.OmitEmptyElem

func (b *builder) addField(sf *structtag.Field, index []int, computed bool) error {
	f, tag := sf.Struct, sf.Tag
	raw := tag.Dynamo
	if tag.Problem != "" {
		return b.fail(f.Name, `dynamo:"`+raw+`"`, tag.Problem)
	}
	if !tag.Named && computed {
		return b.fail(f.Name, `dynamo:"`+raw+`"`, "a computed attribute needs a name")
	}
	name := tag.Name
	if _, dup := b.m.byName[name]; dup {
		return b.fail(f.Name, `dynamo:"`+raw+`"`, "duplicate attribute name "+name)
	}
	a := &Attribute{
		Name:      name,
		Field:     f.Name,
		Index:     index,
		OmitEmpty: tag.Options&structtag.OmitEmpty != 0,
		Set:       tag.Options&structtag.Set != 0,
		UnixTime:  tag.Options&structtag.UnixTime != 0,
		tag:       tag,
		viaItem:   tag.Options&viaItem != 0 || tag.LayoutName != "",
	}
	if computed {
		t, reason := parseTemplate(tag.Template)
		if reason != "" {
			return b.fail(f.Name, `template:"`+tag.Template+`"`, reason)
		}
		a.Template = t
		a.Type = String
	} else {
		a.GoType = f.Type
		if err := b.bindField(a); err != nil {
			return err
		}
	}
	if tag.HasRole {
		role, reason := b.role(a, tag.Role)
		if reason != "" {
			return b.fail(f.Name, `dynamokit:"`+tag.Role+`"`, reason)
		}
		a.Role = role
	}
	if reason := checkLayout(a, tag); reason != "" {
		return b.fail(f.Name, `dynamo:"`+raw+`"`, reason)
	}
	b.m.byName[name] = a
	b.m.Attributes = append(b.m.Attributes, a)

	if tag.Key != 0 || len(tag.Indexes) > 0 || len(tag.LocalIndexes) > 0 {
		// DynamoDB refuses an empty key value, and an empty string or a
		// NULL in an index key.
		for _, opt := range [...]structtag.Options{structtag.AllowEmpty, structtag.Null} {
			if tag.Options&opt != 0 {
				return b.fail(f.Name, `dynamo:"`+raw+`"`, "a key attribute is never empty: the "+opt.String()+" option cannot apply to it")
			}
		}
	}
	if tag.HasUnique {
		b.unique = append(b.unique, pendingUnique{a: a, tag: tag.Unique})
	}
	if tag.Key != 0 {
		if err := b.setTableKey(a, KeyRole(tag.Key), f.Name, raw); err != nil {
			return err
		}
	}
	for _, it := range tag.Indexes {
		if err := b.addIndexKey(a, it, false, f.Name); err != nil {
			return err
		}
	}
	for _, it := range tag.LocalIndexes {
		if err := b.addIndexKey(a, it, true, f.Name); err != nil {
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

func (b *builder) addIndexKey(a *Attribute, it structtag.Index, local bool, field string) error {
	key := "index"
	if local {
		key = "localIndex"
	}
	tag := key + `:"` + it.Raw + `"`
	if !it.OK {
		return b.fail(field, tag, `want "name,hash" or "name,range"`)
	}
	if a.Type == "" {
		return b.fail(field, tag, "DynamoDB cannot key an index on "+a.notKeyable())
	}
	p := b.pending[it.Name]
	if p == nil {
		p = &pendingIndex{idx: &Index{Name: it.Name, Local: local, Projection: All}}
		b.pending[it.Name] = p
		b.order = append(b.order, p)
	}
	if p.idx.Local != local {
		return b.fail(field, tag, "index "+it.Name+" is declared both global and local")
	}
	role := KeyRole(it.Key)
	other := HashKey
	if role == HashKey {
		other = RangeKey
	}
	kind := strings.ToLower(role.String())
	have := p.attrs[role]
	switch {
	case slices.Contains(p.attrs[other], a):
		return b.fail(field, tag, "index "+it.Name+" uses attribute "+a.Name+" as both hash and range key")
	case slices.Contains(have, a):
		return b.fail(field, tag, "index "+it.Name+" lists attribute "+a.Name+" twice as a "+kind+" key")
	case len(have) > 0 && local:
		// Only a global index may have a multi-attribute key.
		return b.fail(field, tag, "index "+it.Name+" has two "+kind+" keys: "+have[0].Name+" and "+a.Name+" (only a global index may have a key of several attributes)")
	case len(have) == MaxKeyAttrs:
		return b.fail(field, tag, fmt.Sprintf("index %s has more than %d %s attributes (%s and %s): DynamoDB allows at most %d", it.Name, MaxKeyAttrs, kind, names(have), a.Name, MaxKeyAttrs))
	}
	p.fields[role] = append(p.fields[role], field)
	p.attrs[role] = append(have, a)
	return nil
}

// names joins the names of attrs with ", ".
func names(attrs []*Attribute) string {
	s := make([]string, len(attrs))
	for i, a := range attrs {
		s[i] = a.Name
	}
	return strings.Join(s, ", ")
}

// multiKey checks the multi-attribute key of global index p: each of its
// attributes is a typed attribute of its own, not one computed from a
// template (whose concatenation the multi-attribute key replaces).
func (b *builder) multiKey(p *pendingIndex) error {
	for _, role := range [...]KeyRole{HashKey, RangeKey} {
		for i, a := range p.attrs[role] {
			if a.Template != nil {
				return b.fail(p.fields[role][i], `template:"`+a.Template.Source+`"`,
					"index "+p.idx.Name+" has a key of several attributes ("+names(p.idx.Key.Attributes())+"), each a typed attribute of its own: "+
						a.Name+" is computed from a template; key the index on the fields the template refers to, or keep one computed key")
			}
		}
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
	m.Key.Hashes = []*Attribute{m.Key.Hash}
	if err := b.uniques(); err != nil {
		return err
	}
	if m.Key.Range != nil {
		m.Key.Ranges = []*Attribute{m.Key.Range}
	}
	for _, p := range b.order {
		idx := p.idx
		idx.Key.Hashes, idx.Key.Ranges = p.attrs[HashKey], p.attrs[RangeKey]
		if len(idx.Key.Hashes) > 0 {
			idx.Key.Hash = idx.Key.Hashes[0]
		}
		if len(idx.Key.Ranges) > 0 {
			idx.Key.Range = idx.Key.Ranges[0]
		}
		if idx.Local {
			if m.Key.Range == nil {
				field := p.field(RangeKey)
				if field == "" {
					field = p.field(HashKey)
				}
				return b.fail(field, "", "local index "+idx.Name+" needs a table with a range key")
			}
			if idx.Key.Hash != nil && idx.Key.Hash != m.Key.Hash {
				return b.fail(p.field(HashKey), "", "local index "+idx.Name+" must share the table's hash key "+m.Key.Hash.Name)
			}
			if idx.Key.Range == nil {
				return b.fail(p.field(HashKey), "", "local index "+idx.Name+" needs a range key")
			}
			idx.Key.Hash = m.Key.Hash
			idx.Key.Hashes = []*Attribute{m.Key.Hash}
			m.LSIs = append(m.LSIs, idx)
		} else {
			if idx.Key.Hash == nil {
				return b.fail(p.field(RangeKey), "", "global index "+idx.Name+" has a range key but no hash key")
			}
			if idx.Key.Multi() {
				if err := b.multiKey(p); err != nil {
					return err
				}
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
			if p.sep > escapeByte && sortKey(m, a) {
				return b.fail(a.Field, `template:"`+a.Template.Source+`"`, fmt.Sprintf("a sort key must separate {%s} with a byte below %%, such as #: with %q, a value that extends another sorts before it, so ranges miss items", p.refName, p.sep))
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
	opts, ok, err := b.options()
	if err != nil {
		return b.fail("", "", "TableOptions: "+err.Error())
	}
	if ok {
		m.Billing = opts.Billing
		m.Settings = opts.Settings
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

// checkLayout returns why the layout option of a cannot apply, or "".
func checkLayout(a *Attribute, tag *structtag.Tag) string {
	if tag.LayoutName == "" {
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

// sortKey reports whether a is the sort key of the table or of an index,
// whose rendered values ranges compare.
func sortKey(m *Model, a *Attribute) bool {
	if m.Key.Range == a {
		return true
	}
	for _, idx := range m.indexes {
		if slices.Contains(idx.Key.Ranges, a) {
			return true
		}
	}
	return false
}
