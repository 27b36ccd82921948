package diagram

import (
	"fmt"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// Graph is what a diagram shows. Models need not list the models of the
// relations and collections: every model any of them names is drawn, once,
// in the order first met (Models, then Relations, then Collections).
type Graph struct {
	// Models are the models to draw.
	Models []*model.Model
	// Relations are declared relations: the values [relations.Declare] and
	// [relations.DeclareEdge] return.
	Relations []relations.Describer
	// Collections are declared collections ([query.NewCollection]).
	Collections []*query.Collection
	// Namer names the tables in the comments, as the client's namer does;
	// nil keeps the base names.
	Namer model.Namer
}

// Mermaid returns g as a Mermaid erDiagram, ending in a newline. The text
// is deterministic: the same graph gives the same text, so it can be
// committed and diffed. Names Mermaid would misread are escaped: an
// attribute name that is not a plain word (or is PK, FK or UK) is written
// in backquotes, and characters an entity name cannot hold become '_'.
// A nil model, relation or collection is an error.
func Mermaid(g Graph) (string, error) {
	d, err := build(g)
	if err != nil {
		return "", err
	}
	return d.render(), nil
}

// entity is one model of the diagram.
type entity struct {
	id string // the Mermaid entity name
	m  *mapping.Model
	// fks are the attributes that link the model to another (FK), with
	// what they link to, in the order found.
	fks map[string][]string
}

type drawing struct {
	g        Graph
	entities []*entity
	byType   map[reflect.Type]*entity
	edges    []string
	cols     []string
}

func build(g Graph) (*drawing, error) {
	d := &drawing{g: g, byType: map[reflect.Type]*entity{}}
	for i, m := range g.Models {
		if m.Type() == nil {
			return nil, fmt.Errorf("diagram: model %d is nil", i)
		}
		if _, err := d.add(m); err != nil {
			return nil, err
		}
	}
	var descs []relations.Description
	for i, r := range g.Relations {
		if isNil(r) {
			return nil, fmt.Errorf("diagram: relation %d is nil", i)
		}
		descs = append(descs, r.Describe())
	}
	for _, rd := range descs {
		for _, m := range []*model.Model{rd.From, rd.To, rd.Edge} {
			if m != nil {
				if _, err := d.add(m); err != nil {
					return nil, err
				}
			}
		}
	}
	for i, col := range g.Collections {
		if col == nil {
			return nil, fmt.Errorf("diagram: collection %d is nil", i)
		}
		for _, m := range col.Models() {
			if _, err := d.add(m); err != nil {
				return nil, err
			}
		}
	}
	d.name()
	for _, rd := range descs {
		d.relation(rd)
	}
	for _, col := range g.Collections {
		d.collection(col)
	}
	return d, nil
}

// isNil reports whether r is nil or a nil pointer, whose Describe would
// panic.
func isNil(r relations.Describer) bool {
	if r == nil {
		return true
	}
	v := reflect.ValueOf(r)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// add adds the model m unless it is there already.
func (d *drawing) add(m *model.Model) (*entity, error) {
	if e, ok := d.byType[m.Type()]; ok {
		return e, nil
	}
	mm, err := mapping.For(m.Type())
	if err != nil {
		return nil, fmt.Errorf("diagram: %w", err)
	}
	e := &entity{m: mm, fks: map[string][]string{}}
	d.entities = append(d.entities, e)
	d.byType[m.Type()] = e
	return e, nil
}

// name gives each entity its Mermaid name: the Go type's name, or, when two
// types share it, the name prefixed with the last element of its package
// path.
func (d *drawing) name() {
	count := map[string]int{}
	for _, e := range d.entities {
		count[entityName(e.m.Type.Name())]++
	}
	used := map[string]bool{}
	for _, e := range d.entities {
		id := entityName(e.m.Type.Name())
		if count[id] > 1 {
			id = entityName(path.Base(e.m.Type.PkgPath()) + "_" + e.m.Type.Name())
		}
		for base, n := id, 2; used[id]; n++ {
			id = fmt.Sprintf("%s_%d", base, n)
		}
		used[id] = true
		e.id = id
	}
}

// entityName keeps the characters an unquoted Mermaid entity name may
// hold (letters, digits, '_' and '-') and turns others into '_'.
func entityName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !isWordByte(c) && c != '-' {
			b[i] = '_'
		}
	}
	if len(b) == 0 || b[0] >= '0' && b[0] <= '9' || b[0] == '-' {
		return "E_" + string(b)
	}
	return string(b)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// link marks attr as a link to the entity named to.
func (e *entity) link(attr, to string) {
	if !slices.Contains(e.fks[attr], to) {
		e.fks[attr] = append(e.fks[attr], to)
	}
}

func (d *drawing) entity(m *model.Model) *entity { return d.byType[m.Type()] }

// relation draws one declared relation and marks its link attributes.
func (d *drawing) relation(rd relations.Description) {
	from, to := d.entity(rd.From), d.entity(rd.To)
	switch {
	case rd.Edge == nil: // one-to-many
		for _, l := range rd.Links {
			to.link(l, from.id)
		}
		parts := []string{"has many", rd.Layout.String()}
		if rd.Index != "" {
			parts = append(parts, "index "+rd.Index)
		}
		parts = append(parts, "on delete "+rd.OnDeleteFrom.String())
		if rd.Together {
			parts = append(parts, "read together")
		}
		d.edges = append(d.edges, fmt.Sprintf("%s ||--o{ %s : %s", from.id, to.id, label(strings.Join(parts, ", "))))
	default: // many-to-many
		edge := d.entity(rd.Edge)
		for _, l := range rd.Links {
			edge.link(l, from.id)
		}
		for _, l := range rd.ToLinks {
			edge.link(l, to.id)
		}
		text := fmt.Sprintf("many to many through %s, index %s, on delete %s %s, on delete %s %s",
			edge.id, rd.Index, from.id, rd.OnDeleteFrom, to.id, rd.OnDeleteTo)
		d.edges = append(d.edges,
			fmt.Sprintf("%s }o--o{ %s : %s", from.id, to.id, label(text)),
			fmt.Sprintf("%s ||..o{ %s : %s", from.id, edge.id, label("edges by key")),
			fmt.Sprintf("%s ||..o{ %s : %s", to.id, edge.id, label("edges by index "+rd.Index)),
		)
	}
}

// collection draws a collection as an entity of its own that holds the
// shared partition key and entity-type attribute, joined to each member.
func (d *drawing) collection(col *query.Collection) {
	models := col.Models()
	if len(models) == 0 {
		return
	}
	first := d.entity(models[0]).m
	id := `"collection ` + quotedName(col.Name()) + `"`
	var b strings.Builder
	fmt.Fprintf(&b, "    %s {\n", id)
	hash := first.Key.Hash
	row(&b, hash, "PK", "partition key of table "+col.TableName()+keySource(hash))
	if r := first.Key.Range; r != nil {
		row(&b, r, "PK", "sort key")
	}
	if et := first.EntityType; et != nil {
		var names []string
		for _, m := range models {
			names = append(names, d.entity(m).m.Entity)
		}
		row(&b, et, "", "entity type: "+strings.Join(names, ", "))
	}
	b.WriteString("    }\n")
	d.cols = append(d.cols, b.String())
	for _, m := range models {
		e := d.entity(m)
		d.edges = append(d.edges, fmt.Sprintf("%s ||..o{ %s : %s", id, e.id, label("entity "+e.m.Entity)))
	}
}

// quotedName keeps what a quoted Mermaid entity name may hold.
func quotedName(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '"', '%', '\r', '\n', '\v', '\b', '\\':
			return '_'
		}
		return r
	}, s)
}

func (d *drawing) render() string {
	var b strings.Builder
	b.WriteString("erDiagram\n")
	for _, e := range d.entities {
		d.renderEntity(&b, e)
	}
	for _, c := range d.cols {
		b.WriteString(c)
	}
	for _, l := range d.edges {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

func (d *drawing) renderEntity(b *strings.Builder, e *entity) {
	m := e.m
	fmt.Fprintf(b, "    %s {\n", e.id)
	table := m.TableName(d.g.Namer)
	for _, a := range m.Attributes {
		var keys, notes []string
		switch a {
		case m.Key.Hash:
			keys = append(keys, "PK")
			notes = append(notes, "partition key of table "+table+keySource(a))
		case m.Key.Range:
			keys = append(keys, "PK")
			notes = append(notes, "sort key"+keySource(a))
		default:
			if a.Computed() && a.Role != mapping.TypeRole {
				notes = append(notes, "= "+a.Template.Source)
			}
		}
		if to := e.fks[a.Name]; len(to) > 0 {
			keys = append(keys, "FK")
			notes = append(notes, "link to "+strings.Join(to, ", "))
		}
		for _, idx := range slices.Concat(m.GSIs, m.LSIs) {
			kind := "gsi"
			if idx.Local {
				kind = "lsi"
			}
			if role := indexKeyRole(idx.Key, a); role != "" {
				notes = append(notes, kind+" "+idx.Name+" "+role)
			}
		}
		switch a.Role {
		case mapping.TTLRole:
			notes = append(notes, "ttl")
		case mapping.VersionRole:
			notes = append(notes, "version")
		case mapping.CreatedRole:
			notes = append(notes, "created at")
		case mapping.UpdatedRole:
			notes = append(notes, "updated at")
		case mapping.TypeRole:
			notes = append(notes, "entity type "+m.Entity)
		}
		row(b, a, strings.Join(keys, ", "), strings.Join(notes, "; "))
	}
	b.WriteString("    }\n")
}

// indexKeyRole says what a is in the index key k: "partition key" or "sort
// key", and in a multi-attribute key its place among the attributes of
// its role, "partition key 2 of 2"; "" when a is not in the key.
func indexKeyRole(k mapping.KeySchema, a *mapping.Attribute) string {
	if !k.Multi() {
		switch a {
		case k.Hash:
			return "partition key"
		case k.Range:
			return "sort key"
		}
		return ""
	}
	if i := slices.Index(k.Hashes, a); i >= 0 {
		return fmt.Sprintf("partition key %d of %d", i+1, len(k.Hashes))
	}
	if i := slices.Index(k.Ranges, a); i >= 0 {
		return fmt.Sprintf("sort key %d of %d", i+1, len(k.Ranges))
	}
	return ""
}

// keySource is ": " and the template of a computed key, "" for a plain one.
func keySource(a *mapping.Attribute) string {
	if a.Computed() {
		return ": " + a.Template.Source
	}
	return ""
}

// row writes one attribute row: type, name, keys and comment.
func row(b *strings.Builder, a *mapping.Attribute, keys, note string) {
	typ := a.ValueType()
	if typ == "" {
		typ = "ANY"
	}
	b.WriteString("        " + typ + " " + attributeName(a.Name))
	if keys != "" {
		b.WriteString(" " + keys)
	}
	if note != "" {
		b.WriteString(" " + label(note))
	}
	b.WriteString("\n")
}

// plainWord is an attribute name Mermaid reads as it is.
var plainWord = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// attributeName writes an attribute name as Mermaid reads it: as it is
// when it is a plain word, else in backquotes. PK, FK and UK, in any case,
// are key markers to Mermaid, so they are quoted too.
func attributeName(name string) string {
	switch strings.ToUpper(name) {
	case "PK", "FK", "UK":
		return "`" + name + "`"
	}
	if plainWord.MatchString(name) {
		return name
	}
	return "`" + strings.NewReplacer("`", "'", "\n", " ", "\r", " ").Replace(name) + "`"
}

// label quotes s for a comment or a relationship label, which cannot hold
// a double quote or a line break.
func label(s string) string {
	return `"` + strings.NewReplacer(`"`, "'", "\n", " ", "\r", " ").Replace(s) + `"`
}
