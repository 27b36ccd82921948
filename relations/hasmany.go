package relations

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/dynamokit/dynamokit/internal/errtext"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// Layout is how children are stored relative to their parent.
type Layout int

const (
	// MultiTable finds children through a child index on the plain link
	// attribute or, for a parent identified by several attributes (a
	// tenant and a department id), a child index whose partition key is
	// those link attributes, a multi-attribute key.
	MultiTable Layout = iota + 1
	// InvertedIndex finds children through a child index on a computed key
	// built from the link attribute.
	InvertedIndex
	// ItemCollection keeps each parent's children in one partition of the
	// children's table, whose hash key is the link: a table of their own
	// (orders keyed by customer_id) or one shared with the parents
	// (pk = "DEPT#{department_id}"), where the parent may share the partition.
	ItemCollection
)

// String returns the layout's name: "none" for the zero Layout, which a
// many-to-many relation's [Description] holds, and Layout(n) for a value
// that names no layout.
func (l Layout) String() string {
	switch l {
	case 0:
		return "none"
	case MultiTable:
		return "multi-table"
	case InvertedIndex:
		return "inverted index"
	case ItemCollection:
		return "item collection"
	}
	return "Layout(" + strconv.Itoa(int(l)) + ")"
}

// defaultCounter is the attribute of the parent item that holds its
// children counter when [Spec.Counter] is empty.
const defaultCounter = "child_count"

// Spec declares a relation: how its children are stored and found, and
// what deleting a parent does. Nothing in it is inferred: [Declare] checks
// it against the models and refuses a Spec they do not fit, with an error
// matching [ErrMismatch] that names what is wrong.
type Spec struct {
	// Layout is how the children are stored. It is required.
	Layout Layout
	// Index is the child's global index on the link that the children are
	// found through: required for [MultiTable] and [InvertedIndex], and
	// empty for [ItemCollection], whose children are a partition of their
	// table. In the multi-table layout, an index whose partition key has
	// several attributes (index:"by-department,hash" on tenant_id and on
	// department_id) is keyed on the link when those attributes are
	// exactly the link attributes, in any order; none of them may be part
	// of the child's table key, which the link's moves could not change.
	Index string
	// OnDelete is what [HasMany.DeleteParent] does with the parent's
	// children. The zero value is [Restrict]; [Detach] is refused in an
	// item collection.
	OnDelete Policy
	// Together declares that [HasMany.ParentWithChildren] reads the parent
	// and its children with one Query, because the parent's item shares
	// the children's partition. Declare refuses it when the models do not
	// allow it; without it, ParentWithChildren always sends a GetItem and
	// a Query.
	Together bool
	// Counter is the attribute of the parent item that counts its children
	// ("child_count" when empty; [HasMany.Describe] reports the one in use).
	// It must not be an attribute of the parent model: the relation alone
	// writes it. Two relations with the same parent model and different child
	// models must each name their own counter: with one attribute, each would
	// count the other's children.
	Counter string
	// Copies declares attributes of the child that hold a copy of an
	// attribute of its parent, child attribute name to parent attribute
	// name, such as {"department_name": "department_name"}. Both must be
	// fields of the same Go type; a copy must not identify or link the
	// child, nor have a dynamokit role. [HasMany.Link] and
	// [HasMany.Relink] write the copies in the transaction that links the
	// child, from the parent as they read it. Change a copied attribute
	// of a parent with [HasMany.UpdateParent], which updates the parent
	// and brings its children's copies up to date; [HasMany.SyncCopies]
	// does the second half alone (after an interruption, or a change made
	// around the relation). A plain Update of a copied attribute is
	// refused with [ErrNeedsRelation]. The relation keeps a stamp of each
	// fan-out of the copies in the attribute "copies_stamp" of the parent
	// and of each child, so neither model may have an attribute of that
	// name.
	Copies map[string]string
}

// link is one attribute shared by parent and child.
type link struct {
	name   string
	parent *mapping.Attribute
	child  *mapping.Attribute
}

// HasMany is a declared one-to-many relation from parent model P to child
// model C, made by [Declare]. It is safe for concurrent use.
//
// Its methods are grouped by the item they act on. Parent side:
// [HasMany.Children], [HasMany.CountChildren], [HasMany.ChildrenOf],
// [HasMany.ParentWithChildren], [HasMany.UpdateParent],
// [HasMany.SyncCopies], [HasMany.DeleteParent],
// [HasMany.Recount] and [HasMany.AuditParent]. Child side: [HasMany.Link],
// [HasMany.Relink], [HasMany.Unlink], [HasMany.DeleteChild] and
// [HasMany.ParentOf]. [HasMany.Audit] checks every parent. A parent is
// created with the parents' Table.Create (or TxCreate): the relation's
// write rule gives it its children counter at 0, in the same PutItem.
//
// For a many-to-many relation, see [ManyToMany].
type HasMany[P, C any] struct {
	parents  *query.Table[P]
	children *query.Table[C]
	spec     Spec
	links    []link
	copies   []copied
}

// Declare declares the relation between the models of two tables as spec
// says, and checks that the models fit it: the parent's identifying
// attributes (its plain key attributes, or those its computed key refers
// to) must be attributes of the child with the same names and Go types
// (the link); the declared layout must be the one the child's index or key
// makes; the index must project every attribute of the child, since
// children are decoded whole; and [Spec.Together] must be possible. A
// Spec the models do not fit returns an error matching [ErrMismatch] that
// says what is wrong. The tables' client must enforce a [Graph]
// (dynamokit.WithRules(relations.NewGraph())): without one, Declare
// returns an error that says so. It makes no request.
func Declare[P, C any](parents *query.Table[P], children *query.Table[C], spec Spec) (*HasMany[P, C], error) {
	if parents == nil || children == nil {
		return nil, errors.New("relations: declare: nil table")
	}
	if spec.Counter == "" {
		spec.Counter = defaultCounter
	}
	pm, cm := mapping.Must(parents.Model()), mapping.Must(children.Model())
	h := &HasMany[P, C]{parents: parents, children: children, spec: spec}
	mismatch := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s has many %s: %s", ErrMismatch, pm.Type, cm.Type, fmt.Sprintf(format, args...))
	}
	for _, pa := range identity(pm) {
		ca := cm.Attribute(pa.Name)
		if ca == nil || ca.Computed() {
			return nil, mismatch("%s has no attribute %s to link to %s", cm.Type, pa.Name, pm.Type)
		}
		if ca.GoType != pa.GoType {
			return nil, mismatch("%s.%s is %s but %s.%s is %s", cm.Type, ca.Field, ca.GoType, pm.Type, pa.Field, pa.GoType)
		}
		h.links = append(h.links, link{name: pa.Name, parent: pa, child: ca})
	}
	if len(h.links) == 0 {
		return nil, mismatch("the key of %s refers to no attribute a child could link to", pm.Type)
	}
	// The link fields are copied between parents and children with no
	// error to report in some operations ([HasMany.Children]): check
	// once that they can be.
	if _, err := h.childOf(new(P)); err != nil {
		return nil, fmt.Errorf("relations: declare: %w", err)
	}
	if _, err := h.parentOf(new(C)); err != nil {
		return nil, fmt.Errorf("relations: declare: %w", err)
	}
	if err := h.declareCopies(pm, cm, mismatch); err != nil {
		return nil, err
	}
	if a := pm.Attribute(spec.Counter); a != nil {
		return nil, mismatch("the children counter %s is an attribute of %s (field %s), which every Put of a parent would overwrite: name another in Spec.Counter", spec.Counter, pm.Type, a.Field)
	}
	switch spec.OnDelete {
	case Restrict, Cascade:
	case Detach:
		if spec.Layout == ItemCollection {
			return nil, fmt.Errorf("%w: %s has many %s: OnDelete: %w", ErrMismatch, pm.Type, cm.Type, errtext.Quoted{Err: ErrCannotDetach})
		}
	default:
		return nil, mismatch("unknown OnDelete policy %v", spec.OnDelete)
	}
	var hash *mapping.Attribute // the attribute children are found by
	switch spec.Layout {
	case MultiTable, InvertedIndex:
		if spec.Index == "" {
			return nil, mismatch("the %v layout needs Spec.Index, the child index on %s", spec.Layout, h.linkNames())
		}
		idx := cm.Index(spec.Index)
		if idx == nil || !slices.Contains(cm.GSIs, idx) {
			return nil, mismatch("%s has no global index %s", cm.Type, spec.Index)
		}
		if len(idx.Key.Hashes) > 1 {
			if why := h.multiLinkRefusal(cm, idx); why != "" {
				return nil, mismatch("%s", why)
			}
		} else {
			switch got := h.keyedBy(idx.Key.Hash); got {
			case spec.Layout:
			case 0:
				return nil, mismatch("index %s of %s is keyed on %s, which is not the link %s", idx.Name, cm.Type, idx.Key.Hash.Name, h.linkNames())
			default:
				return nil, mismatch("index %s of %s is keyed on %s, which makes it %v, not %v", idx.Name, cm.Type, describeKey(idx.Key.Hash), got, spec.Layout)
			}
		}
		// Children are read through the index and decoded whole: an index
		// that leaves attributes out would hand out children with zero
		// fields, which a later Put would write back.
		if missing := unprojected(cm, idx); len(missing) > 0 {
			return nil, mismatch("index %s of %s projects %s, which leaves out %s: children read through it would miss them; project ALL, or INCLUDE them too",
				idx.Name, cm.Type, projectionString(idx.Projection), strings.Join(missing, ", "))
		}
		hash = idx.Key.Hash
	case ItemCollection:
		if spec.Index != "" {
			return nil, mismatch("an item collection is found through its table's key, so Spec.Index must be empty, not %q", spec.Index)
		}
		if h.keyedBy(cm.Key.Hash) == 0 {
			return nil, mismatch("the hash key %s of %s is not built from the link %s alone, as an item collection needs", cm.Key.Hash.Name, cm.Type, h.linkNames())
		}
		hash = cm.Key.Hash
	case 0:
		return nil, mismatch("Spec.Layout is not set: declare MultiTable, InvertedIndex or ItemCollection")
	default:
		return nil, mismatch("unknown layout %v", spec.Layout)
	}
	if spec.Together {
		if spec.Index != "" && cm.Index(spec.Index).Key.Multi() {
			return nil, mismatch("Together: index %s of %s has a multi-attribute key (%s), whose partition ParentWithChildren does not read with one Query yet: leave Together unset (it then sends a GetItem and a Query)",
				spec.Index, cm.Type, strings.Join(cm.Index(spec.Index).Key.Names(), ", "))
		}
		if why := h.apart(hash); why != "" {
			return nil, mismatch("Together: the parent does not share its children's partition: %s", why)
		}
	}
	if err := h.register(); err != nil {
		return nil, err
	}
	return h, nil
}

// apart says why a parent's item is not in the partition of its children
// found by hash (a key of the child's table or index), "" when it is: the
// parent must be in the same table, declare hash with the same name and
// template, and, for an index, be copied whole into it.
func (h *HasMany[P, C]) apart(hash *mapping.Attribute) string {
	pm := mapping.Must(h.parents.Model())
	if !h.sameTable() {
		return fmt.Sprintf("%s is in table %s and %s in %s", pm.Type, h.parents.TableName(), mapping.Must(h.children.Model()).Type, h.children.TableName())
	}
	var ph *mapping.Attribute
	if h.spec.Index == "" {
		ph = pm.Key.Hash
	} else {
		pi := pm.Index(h.spec.Index)
		if pi == nil {
			return fmt.Sprintf("%s does not declare index %s", pm.Type, h.spec.Index)
		}
		if missing := unprojected(pm, pi); len(missing) > 0 {
			return fmt.Sprintf("index %s leaves out %s of %s", h.spec.Index, strings.Join(missing, ", "), pm.Type)
		}
		ph = pi.Key.Hash
	}
	if !sameTemplate(ph, hash) {
		return fmt.Sprintf("%s's %s is %s, the children's %s is %s", pm.Type, ph.Name, describeKey(ph), hash.Name, describeKey(hash))
	}
	return ""
}

// describeKey describes a key attribute for messages: its template, or
// that it is plain.
func describeKey(a *mapping.Attribute) string {
	if a == nil {
		return "not declared"
	}
	if a.Computed() {
		return fmt.Sprintf("computed from %q", a.Template.Source)
	}
	return fmt.Sprintf("the plain attribute %s", a.Name)
}

// unprojected returns the attributes of m that index idx does not copy,
// in field order: of those a read decodes (every field, and the entity
// type, which reads filter on), the ones that are neither a key of the
// table or of the index (which every index copies) nor included by its
// projection.
func unprojected(m *mapping.Model, idx *mapping.Index) []string {
	p := idx.Projection
	if p.Type == "" || p.Type == mapping.ProjectAll {
		return nil
	}
	var missing []string
	for _, a := range m.Attributes {
		switch {
		case a.Computed() && a != m.EntityType,
			slices.Contains(m.Key.Names(), a.Name),
			slices.Contains(idx.Key.Names(), a.Name),
			p.Type == mapping.ProjectInclude && slices.Contains(p.NonKey, a.Name):
			continue
		}
		missing = append(missing, a.Name)
	}
	return missing
}

// projectionString describes a projection for messages: "KEYS_ONLY", or
// "INCLUDE [title]".
func projectionString(p model.Projection) string {
	if p.Type == mapping.ProjectInclude {
		return fmt.Sprintf("%s %v", p.Type, p.NonKey)
	}
	return string(p.Type)
}

// identity returns the attributes that identify an item of m: its plain
// key attributes and those its computed key attributes refer to, each once
// (pk = "DEPT#{department_id}", sk = "DEPT#{department_id}" is identified by
// department_id alone).
func identity(m *mapping.Model) []*mapping.Attribute {
	var ids []*mapping.Attribute
	add := func(a *mapping.Attribute) {
		if !slices.Contains(ids, a) {
			ids = append(ids, a)
		}
	}
	for _, name := range m.Key.Names() {
		a := m.Attribute(name)
		if !a.Computed() {
			add(a)
			continue
		}
		for _, ref := range a.Template.Refs() {
			add(ref)
		}
	}
	return ids
}

func (h *HasMany[P, C]) sameTable() bool {
	return h.parents.TableName() == h.children.TableName()
}

// sameTemplate reports whether a parent and a child attribute have the same
// name and are computed from the same template, so that a parent and its
// children get the same value (their link attributes hold the same values).
func sameTemplate(p, c *mapping.Attribute) bool {
	return p != nil && c != nil && p.Name == c.Name && p.Computed() && c.Computed() && p.Template.Source == c.Template.Source
}

// keyedBy reports whether the child attribute a is the link itself
// (MultiTable) or computed from exactly the links (InvertedIndex).
func (h *HasMany[P, C]) keyedBy(a *mapping.Attribute) Layout {
	if !a.Computed() {
		if len(h.links) == 1 && a == h.links[0].child {
			return MultiTable
		}
		return 0
	}
	refs := a.Template.Refs()
	for _, r := range refs {
		if !slices.ContainsFunc(h.links, func(l link) bool { return l.child == r }) {
			return 0
		}
	}
	for _, l := range h.links {
		if !slices.Contains(refs, l.child) {
			return 0
		}
	}
	return InvertedIndex
}

func (h *HasMany[P, C]) linkNames() string {
	s := ""
	for i, l := range h.links {
		if i > 0 {
			s += ", "
		}
		s += l.name
	}
	return s
}

// childOf returns a child value linked to parent: its link fields set from
// the parent's. It fails only for models whose link fields cannot be
// reached, which [Declare] rules out by making one child value.
func (h *HasMany[P, C]) childOf(parent *P) (C, error) {
	var c C
	cv, pv := valueOf(&c), valueOf(parent)
	for _, l := range h.links {
		if err := copyField(cv, l.child, pv, l.parent); err != nil {
			return c, err
		}
	}
	return c, nil
}

// parentOf returns a parent value with its key fields taken from child's
// links. Like childOf, it fails only where [Declare] would have.
func (h *HasMany[P, C]) parentOf(child *C) (P, error) {
	var p P
	pv, cv := valueOf(&p), valueOf(child)
	for _, l := range h.links {
		if err := copyField(pv, l.parent, cv, l.child); err != nil {
			return p, err
		}
	}
	return p, nil
}

// copyField sets the field of attribute da in dst, a settable struct, to
// the field of attribute sa in src. A nil embedded pointer in src reads as
// the zero value; embedded pointers in dst are replaced by copies before
// the field is set (see [mapping.Attribute.SettableFieldOf]), so dst may be a
// shallow copy of another value, which does not change.
func copyField(dst reflect.Value, da *mapping.Attribute, src reflect.Value, sa *mapping.Attribute) error {
	v, err := sa.FieldOf(src)
	if err != nil {
		return err
	}
	f, err := da.SettableFieldOf(dst)
	if err != nil {
		return err
	}
	f.Set(v)
	return nil
}

func valueOf[T any](p *T) reflect.Value { return reflect.ValueOf(p).Elem() }

// setZero clears the field of attribute a in *v through copies of the
// embedded pointers on the way, so a value that shares them with *v (a
// shallow copy) keeps its field. A nil a (a model without that attribute)
// does nothing. a is a role attribute of T's model, which is always a
// field, so setting it cannot fail.
func setZero[T any](v *T, a *mapping.Attribute) {
	if a == nil {
		return
	}
	if f, err := a.SettableFieldOf(valueOf(v)); err == nil {
		f.SetZero()
	}
}
