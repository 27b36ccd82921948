package schema

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// Definition is a table definition as schema compares them: what a set of
// models asks for (see [Definitions]) or what DynamoDB describes. [Diff]
// compares two.
type Definition struct {
	// Name is the table name, with [Options.Namer] applied.
	Name string
	// Hash and Range are the primary key; Range.Name is "" without a range key.
	Hash, Range KeyAttr
	// GSIs and LSIs are the global and local secondary indexes.
	GSIs, LSIs []Index
	// Billing is the billing mode and, when provisioned, the table's capacity.
	Billing model.Billing
	// TTL is the attribute DynamoDB's time to live reads, "" when TTL is off.
	TTL string
	// Settings are the table's other settings (stream, backups, deletion
	// protection, class, tags, encryption, auto scaling, warm throughput);
	// see settings.go.
	Settings
	// ARN is the table's ARN, set on a described table only.
	ARN string
	// Scaling is the live Application Auto Scaling of a described table:
	// its scalable targets, the table's first, then each global index's
	// by name, read before write. It is nil in a table the models describe
	// (see Settings.AutoScaling) and in a described table whose scaling
	// was not read; [Plan] reads it, into a non-nil slice, when
	// [Options.AutoScalingClient] is set. [Diff] changes the scaling only
	// of a table whose Scaling is not nil, or that does not exist.
	Scaling []ScalingTarget
}

// KeyAttr is a key attribute: its name and DynamoDB type. Type is "" when a
// description did not say.
type KeyAttr struct {
	Name string
	Type model.ScalarType
}

// String returns "name TYPE", such as "department_id S".
func (a KeyAttr) String() string {
	if a.Type == "" {
		return a.Name
	}
	return a.Name + " " + string(a.Type)
}

// Index is a secondary index of a [Definition].
type Index struct {
	Name string
	// Hash and Range are the index key; Range.Name is "" without a range key.
	// For a multi-attribute key they are its first hash and first range
	// attribute.
	Hash, Range KeyAttr
	// Hashes and Ranges list every attribute of each role of a global
	// index's multi-attribute key (more than one hash or range attribute),
	// in key order; both are nil for any other key. [Index.HashKeys] and
	// [Index.RangeKeys] list them for any key.
	Hashes, Ranges []KeyAttr
	// Projection is what the index copies; the zero value means ALL.
	Projection model.Projection
	// Throughput is a global index's provisioned capacity: zero for an
	// on-demand table and for local indexes.
	Throughput model.Billing
}

// Definitions returns the definitions of the tables that models describe,
// with their names passed through opts.Namer, in the order the models are
// given. A table whose models have unique attributes (a unique tag) is
// followed by the table of their uniqueness records: its name with
// "_unique" appended, keyed on the string id, with the same billing. Models
// that share a table name (single-table design) make one table, from the union of their
// indexes; they must agree on its key, billing and TTL, and on the keys and
// projection of an index they both declare.
//
// Every table, whether made from one model or merged from several, must be
// within DynamoDB's limits: at most 20 global (DynamoDB's default
// quota) and 5 local secondary indexes; at most 100 non-key attributes
// projected over all its indexes, and 20 into one; table and index names of
// 3 to 255 characters from a-z, A-Z, 0-9, '_', '-' and '.'; key and
// projected attribute names of at most 255 bytes; one type per key
// attribute. Otherwise the error names the table, its models and every
// limit it goes past. Create, Plan and Export call Definitions, so they refuse
// such tables before sending anything.
func Definitions(opts *Options, models ...*model.Model) ([]*Definition, error) {
	ms := make([]*mapping.Model, len(models))
	for i, m := range models {
		if m == nil {
			return nil, errors.New("schema: nil model")
		}
		mm, err := mapping.For(m.Type())
		if err != nil {
			return nil, fmt.Errorf("schema: %w", err)
		}
		ms[i] = mm
	}
	groups, err := group(ms, opts.namer())
	if err != nil {
		return nil, err
	}
	out := make([]*Definition, 0, len(groups))
	for _, g := range groups {
		out = append(out, g.want)
		if u := g.uniqueTable(); u != nil {
			if p := u.problems(); len(p) > 0 {
				return nil, fmt.Errorf("schema: table %s (the uniqueness records of %s): %s", u.Name, g.modelNames(), strings.Join(p, "; "))
			}
			out = append(out, u)
		}
	}
	return out, nil
}

// uniqueTable is the table that holds the uniqueness records of the unique
// attributes of g's models (unique:"" tags), named after g's table with
// "_unique" appended and keyed on the string id, with g's billing; nil when
// no model of g has a unique attribute.
func (g *table) uniqueTable() *Definition {
	if !slices.ContainsFunc(g.models, func(m *mapping.Model) bool { return len(m.Unique) > 0 }) {
		return nil
	}
	return &Definition{
		Name:    mapping.UniqueTable(g.want.Name),
		Hash:    KeyAttr{Name: mapping.UniqueHash, Type: model.String},
		Billing: g.want.Billing,
	}
}

// table is one physical table and the models stored in it.
type table struct {
	want   *Definition
	models []*mapping.Model
}

// group merges models that share a table name into one table definition.
func group(models []*mapping.Model, n model.Namer) ([]*table, error) {
	var out []*table
	byName := map[string]*table{}
	for _, m := range models {
		if m == nil {
			return nil, errors.New("schema: nil model")
		}
		t := tableOf(m, n)
		g := byName[t.Name]
		if g == nil {
			g = &table{want: t}
			byName[t.Name] = g
			out = append(out, g)
		} else if err := g.want.merge(t); err != nil {
			return nil, fmt.Errorf("schema: table %s: models %s and %s: %w", t.Name, g.models[0].Type, m.Type, err)
		}
		g.models = append(g.models, m)
	}
	var errs []error
	for _, g := range out {
		if p := g.want.problems(); len(p) > 0 {
			errs = append(errs, fmt.Errorf("schema: table %s (%s): %s", g.want.Name, g.modelNames(), strings.Join(p, "; ")))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// modelNames names the models of the table, for messages: "model a.B" or
// "models a.B, a.C".
func (g *table) modelNames() string {
	names := make([]string, len(g.models))
	for i, m := range g.models {
		names[i] = m.Type.String()
	}
	if len(names) == 1 {
		return "model " + names[0]
	}
	return "models " + strings.Join(names, ", ")
}

// tableOf returns the table one model describes.
func tableOf(m *mapping.Model, n model.Namer) *Definition {
	t := &Definition{
		Name:    m.TableName(n),
		Hash:    attr(m.Key.Hash),
		Range:   attr(m.Key.Range),
		Billing: m.Billing,
	}
	for _, idx := range m.GSIs {
		i := index(idx)
		if !m.Billing.OnDemand() {
			i.Throughput = m.Billing
		}
		t.GSIs = append(t.GSIs, i)
	}
	for _, idx := range m.LSIs {
		t.LSIs = append(t.LSIs, index(idx))
	}
	if m.TTL != nil {
		t.TTL = m.TTL.Name
	}
	t.Settings = settingsOf(m)
	return t
}

func attr(a *mapping.Attribute) KeyAttr {
	if a == nil {
		return KeyAttr{}
	}
	return KeyAttr{Name: a.Name, Type: a.Type}
}

func index(idx *mapping.Index) Index {
	i := Index{Name: idx.Name, Projection: idx.Projection}
	i.setKey(indexKey(idx.Key))
	return i
}

// merge adds the indexes of o, another model's view of the same table, to t.
func (t *Definition) merge(o *Definition) error {
	if t.Hash != o.Hash || t.Range != o.Range {
		return fmt.Errorf("different primary keys (%s) and (%s)", t.keyString(), o.keyString())
	}
	if t.Billing != o.Billing {
		return fmt.Errorf("different billing (%s and %s)", billingString(t.Billing), billingString(o.Billing))
	}
	switch {
	case t.TTL == "":
		t.TTL = o.TTL
	case o.TTL != "" && o.TTL != t.TTL:
		return fmt.Errorf("different ttl attributes (%s and %s)", t.TTL, o.TTL)
	}
	if err := t.Settings.merge(o.Settings); err != nil {
		return err
	}
	var err error
	if t.GSIs, err = mergeIndexes(t.GSIs, o.GSIs, t.LSIs); err != nil {
		return err
	}
	if t.LSIs, err = mergeIndexes(t.LSIs, o.LSIs, t.GSIs); err != nil {
		return err
	}
	seen := map[string]model.ScalarType{}
	for _, a := range t.keyAttrs() {
		if have, ok := seen[a.Name]; ok && have != a.Type {
			return fmt.Errorf("attribute %s is %s in one and %s in the other", a.Name, have, a.Type)
		}
		seen[a.Name] = a.Type
	}
	return nil
}

// mergeIndexes adds the indexes of b missing from a; an index in both must
// be the same, and an index name must not be used by other (the other kind).
func mergeIndexes(a, b, other []Index) ([]Index, error) {
next:
	for _, idx := range b {
		for _, o := range other {
			if o.Name == idx.Name {
				return nil, fmt.Errorf("index %s is global in one and local in the other", idx.Name)
			}
		}
		for _, have := range a {
			if have.Name == idx.Name {
				if !sameIndex(have, idx) {
					return nil, fmt.Errorf("index %s differs: (%s) and (%s)", idx.Name, have.shape(), idx.shape())
				}
				continue next
			}
		}
		a = append(a, idx)
	}
	return a, nil
}

// keyAttrs returns every key attribute of the table and its indexes.
func (t *Definition) keyAttrs() []KeyAttr {
	out := []KeyAttr{t.Hash}
	if t.Range.Name != "" {
		out = append(out, t.Range)
	}
	for _, idxs := range [][]Index{t.GSIs, t.LSIs} {
		for _, idx := range idxs {
			out = append(out, idx.keyAttrs()...)
		}
	}
	return out
}

func (t *Definition) keyString() string { return keyString(t.Hash, t.Range) }

func keyString(hash, rng KeyAttr) string {
	if rng.Name == "" {
		return "hash " + hash.String()
	}
	return "hash " + hash.String() + ", range " + rng.String()
}

// shape describes an index's key and projection, for messages.
func (idx Index) shape() string {
	return indexKeyString(idx) + "; projection " + projectionString(idx.Projection)
}

// sameIndex reports whether two indexes have the same keys and projection.
// A key type only one side knows is not a difference.
func sameIndex(a, b Index) bool {
	return sameKey(a, b) && sameProjection(a.Projection, b.Projection)
}

func sameAttr(a, b KeyAttr) bool {
	return a.Name == b.Name && (a.Type == "" || b.Type == "" || a.Type == b.Type)
}

func sameProjection(a, b model.Projection) bool {
	at, bt := a.Type, b.Type
	if at == "" {
		at = mapping.ProjectAll
	}
	if bt == "" {
		bt = mapping.ProjectAll
	}
	if at != bt {
		return false
	}
	if at != mapping.ProjectInclude {
		return true
	}
	x, y := slices.Clone(a.NonKey), slices.Clone(b.NonKey)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

func projectionString(p model.Projection) string {
	switch p.Type {
	case "":
		return string(mapping.ProjectAll)
	case mapping.ProjectInclude:
		return fmt.Sprintf("%s %v", p.Type, p.NonKey)
	}
	return string(p.Type)
}

func billingString(b model.Billing) string {
	if b.OnDemand() {
		return "on-demand"
	}
	return fmt.Sprintf("provisioned %d/%d", b.ReadUnits, b.WriteUnits)
}
