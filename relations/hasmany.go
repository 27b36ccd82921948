package relations

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// Layout is how children are stored relative to their parent.
type Layout int

const (
	// MultiTable finds children through a child index on the plain link attribute.
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

// String returns the layout's name.
func (l Layout) String() string {
	switch l {
	case MultiTable:
		return "multi-table"
	case InvertedIndex:
		return "inverted index"
	case ItemCollection:
		return "item collection"
	}
	return "unknown layout"
}

// Options adjusts how [New] derives a relation. A nil *Options means the
// defaults.
type Options struct {
	// Index names the child index to find children through; by default
	// the first global index whose hash key is (or is computed from) the
	// link attributes and that projects every attribute of the child.
	Index string
}

// link is one attribute shared by parent and child.
type link struct {
	name   string
	parent *mapping.Attribute
	child  *mapping.Attribute
}

// HasMany is a one-to-many relationship from parent model P to child model
// C. It is safe for concurrent use.
type HasMany[P, C any] struct {
	parents  *query.Table[P]
	children *query.Table[C]
	links    []link
	index    string // "" for ItemCollection
	layout   Layout
	// together is set when the parent's item shares the partition of its
	// children (in the table or in the child index), so one Query reads
	// both: see [HasMany.ParentWithChildren].
	together bool
}

// New derives the relationship between the models of two repos. It returns
// an error matching [ErrNoRelation] when the models do not fit any layout.
//
// Children are read through the child index and decoded whole, so the index
// must copy every attribute of the child model (the ALL projection, or
// INCLUDE of every field and the entity type besides the keys). New skips
// an index keyed on the link that projects less, and when no other index
// or partition can serve, or when [Options.Index] names it, returns an
// [ErrNoRelation] error naming the index, its projection and the
// attributes it leaves out. It makes no request.
func New[P, C any](parents *query.Table[P], children *query.Table[C], opts *Options) (*HasMany[P, C], error) {
	if parents == nil || children == nil {
		return nil, errors.New("relations: nil repo")
	}
	pm, cm := mapping.Must(parents.Model()), mapping.Must(children.Model())
	h := &HasMany[P, C]{parents: parents, children: children}
	for _, pa := range identity(pm) {
		ca := cm.Attribute(pa.Name)
		if ca == nil || ca.Computed() {
			return nil, fmt.Errorf("%w: %s has no attribute %s to link to %s", ErrNoRelation, cm.Type, pa.Name, pm.Type)
		}
		if ca.GoType != pa.GoType {
			return nil, fmt.Errorf("%w: %s.%s is %s but %s.%s is %s", ErrNoRelation, cm.Type, ca.Field, ca.GoType, pm.Type, pa.Field, pa.GoType)
		}
		h.links = append(h.links, link{name: pa.Name, parent: pa, child: ca})
	}
	if len(h.links) == 0 {
		return nil, fmt.Errorf("%w: the key of %s refers to no attribute a child could link to", ErrNoRelation, pm.Type)
	}
	// The link fields are copied between parents and children with no
	// error to report in some operations ([HasMany.Query]): check once
	// that they can be.
	if _, err := h.childOf(new(P)); err != nil {
		return nil, fmt.Errorf("relations: %w", err)
	}
	if _, err := h.parentOf(new(C)); err != nil {
		return nil, fmt.Errorf("relations: %w", err)
	}
	want := opts != nil && opts.Index != ""
	var partial error // the first index keyed on the link that copies only part of a child
	for _, idx := range cm.GSIs {
		if want && idx.Name != opts.Index {
			continue
		}
		layout := h.keyedBy(idx.Key.Hash)
		if layout == 0 {
			if want {
				return nil, fmt.Errorf("%w: index %s of %s is not keyed on %s", ErrNoRelation, idx.Name, cm.Type, h.linkNames())
			}
			continue
		}
		// Children are read through the index and decoded whole: an index
		// that leaves attributes out would hand out children with zero
		// fields, which a later Put would write back.
		if missing := unprojected(cm, idx); len(missing) > 0 {
			err := fmt.Errorf("%w: index %s of %s projects %s, which leaves out %s: children read through it would miss them; project ALL, or INCLUDE them too",
				ErrNoRelation, idx.Name, cm.Type, projectionString(idx.Projection), strings.Join(missing, ", "))
			if want {
				return nil, err
			}
			if partial == nil {
				partial = err
			}
			continue
		}
		h.index, h.layout = idx.Name, layout
		if pi := pm.Index(idx.Name); pi != nil && layout == InvertedIndex {
			// The parent is read from the index too only if the index
			// holds all of it.
			h.together = h.sameTable() && sameTemplate(pi.Key.Hash, idx.Key.Hash) &&
				len(unprojected(pm, pi)) == 0 && len(unprojected(pm, idx)) == 0
		}
		return h, nil
	}
	if want {
		return nil, fmt.Errorf("%w: %s has no global index %s", ErrNoRelation, cm.Type, opts.Index)
	}
	// The child's own hash key is the link (customer_id, or
	// pk = "DEPT#{department_id}"): its children are a partition of its
	// table, shared with the parent or not.
	if h.keyedBy(cm.Key.Hash) != 0 {
		h.layout = ItemCollection
		h.together = h.sameTable() && sameTemplate(pm.Key.Hash, cm.Key.Hash)
		return h, nil
	}
	if partial != nil {
		return nil, partial
	}
	return nil, fmt.Errorf("%w: %s has neither a global index nor a hash key built from %s (its link to %s)", ErrNoRelation, cm.Type, h.linkNames(), pm.Type)
}

// unprojected returns the attributes of m that index idx does not copy,
// in field order: of those a read decodes (every field, and the entity
// type, which reads filter on), the ones that are neither a key of the
// table or of the index (which every index copies) nor included by its
// projection.
func unprojected(m *mapping.Model, idx *mapping.Index) []string {
	p := idx.Projection
	if p.Type == "" || p.Type == model.ProjectAll {
		return nil
	}
	var missing []string
	for _, a := range m.Attributes {
		switch {
		case a.Computed() && a != m.EntityType,
			slices.Contains(m.Key.Names(), a.Name),
			slices.Contains(idx.Key.Names(), a.Name),
			p.Type == model.ProjectInclude && slices.Contains(p.NonKey, a.Name):
			continue
		}
		missing = append(missing, a.Name)
	}
	return missing
}

// projectionString describes a projection for messages: "KEYS_ONLY", or
// "INCLUDE [title]".
func projectionString(p model.Projection) string {
	if p.Type == model.ProjectInclude {
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

// Layout returns how the children are stored.
func (h *HasMany[P, C]) Layout() Layout { return h.layout }

// Index returns the child index used to find children ("" for an item collection).
func (h *HasMany[P, C]) Index() string { return h.index }

// childOf returns a child value linked to parent: its link fields set from
// the parent's. It fails only for models whose link fields cannot be
// reached, which [New] rules out by making one child value.
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
// links. Like childOf, it fails only where [New] would have.
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
