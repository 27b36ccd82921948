package relations

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"

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
	// ItemCollection keeps children in their parent's partition of a shared table.
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
	// link attributes.
	Index string
}

// link is one attribute shared by parent and child.
type link struct {
	name   string
	parent *model.Attribute
	child  *model.Attribute
}

// HasMany is a one-to-many relationship from parent model P to child model
// C. It is safe for concurrent use.
type HasMany[P, C any] struct {
	parents  *query.Repo[P]
	children *query.Repo[C]
	links    []link
	index    string // "" for ItemCollection
	layout   Layout
}

// New derives the relationship between the models of two repos. It returns
// an error matching [ErrNoRelation] when the models do not fit any layout.
func New[P, C any](parents *query.Repo[P], children *query.Repo[C], opts *Options) (*HasMany[P, C], error) {
	if parents == nil || children == nil {
		return nil, errors.New("relations: nil repo")
	}
	pm, cm := parents.Model(), children.Model()
	h := &HasMany[P, C]{parents: parents, children: children}
	var ids []*model.Attribute
	for _, a := range pm.Key.Names() {
		attr := pm.Attribute(a)
		if attr.Computed() {
			ids = append(ids, attr.Template.Refs()...)
		} else {
			ids = append(ids, attr)
		}
	}
	for _, pa := range ids {
		ca := cm.Attribute(pa.Name)
		if ca == nil || ca.Computed() {
			return nil, fmt.Errorf("%w: %s has no attribute %s to link to %s", ErrNoRelation, cm.Type, pa.Name, pm.Type)
		}
		if ca.GoType != pa.GoType {
			return nil, fmt.Errorf("%w: %s.%s is %s but %s.%s is %s", ErrNoRelation, cm.Type, ca.Field, ca.GoType, pm.Type, pa.Field, pa.GoType)
		}
		h.links = append(h.links, link{name: pa.Name, parent: pa, child: ca})
	}
	want := opts != nil && opts.Index != ""
	for _, idx := range cm.GSIs {
		if want && idx.Name != opts.Index {
			continue
		}
		if layout := h.keyedBy(idx.Key.Hash); layout != 0 {
			h.index, h.layout = idx.Name, layout
			return h, nil
		}
		if want {
			return nil, fmt.Errorf("%w: index %s of %s is not keyed on %s", ErrNoRelation, idx.Name, cm.Type, h.linkNames())
		}
	}
	if want {
		return nil, fmt.Errorf("%w: %s has no global index %s", ErrNoRelation, cm.Type, opts.Index)
	}
	if parents.TableName() == children.TableName() && cm.Key.Hash.Computed() && h.keyedBy(cm.Key.Hash) == InvertedIndex {
		h.layout = ItemCollection
		return h, nil
	}
	return nil, fmt.Errorf("%w: %s has no global index keyed on %s, and does not share %s's partition", ErrNoRelation, cm.Type, h.linkNames(), pm.Type)
}

// keyedBy reports whether the child attribute a is the link itself
// (MultiTable) or computed from exactly the links (InvertedIndex).
func (h *HasMany[P, C]) keyedBy(a *model.Attribute) Layout {
	if !a.Computed() {
		if len(h.links) == 1 && a == h.links[0].child {
			return MultiTable
		}
		return 0
	}
	refs := a.Template.Refs()
	if len(refs) != len(h.links) {
		return 0
	}
	for _, l := range h.links {
		found := false
		for _, r := range refs {
			found = found || r == l.child
		}
		if !found {
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
// the parent's.
func (h *HasMany[P, C]) childOf(parent *P) C {
	var c C
	pv := reflect.ValueOf(parent).Elem()
	cv := reflect.ValueOf(&c).Elem()
	for _, l := range h.links {
		cv.FieldByIndex(l.child.Index).Set(pv.FieldByIndex(l.parent.Index))
	}
	return c
}

// parentOf returns a parent value with its key fields taken from child's links.
func (h *HasMany[P, C]) parentOf(child *C) P {
	var p P
	pv := reflect.ValueOf(&p).Elem()
	cv := reflect.ValueOf(child).Elem()
	for _, l := range h.links {
		pv.FieldByIndex(l.parent.Index).Set(cv.FieldByIndex(l.child.Index))
	}
	return p
}

// query returns the query for parent's children.
func (h *HasMany[P, C]) query(parent P) *query.Query[C] {
	q := h.children.Query(h.childOf(&parent))
	if h.index != "" {
		q = q.Index(h.index)
	}
	return q
}

// Query returns the query of parent's children, to refine with a range
// condition, filter, order or limit before running it.
func (h *HasMany[P, C]) Query(parent P) *query.Query[C] { return h.query(parent) }

// Children returns every child of parent (only its key fields need be set).
// A parent without children, or one that does not exist, has none.
func (h *HasMany[P, C]) Children(ctx context.Context, parent P) ([]C, error) {
	return h.query(parent).Collect(ctx)
}

// All streams the children of parent.
func (h *HasMany[P, C]) All(ctx context.Context, parent P) iter.Seq2[C, error] {
	return h.query(parent).All(ctx)
}

// Page reads one page of at most limit children, starting at cursor ("" for
// the first page).
func (h *HasMany[P, C]) Page(ctx context.Context, parent P, limit int, cursor string) (query.Page[C], error) {
	return h.query(parent).Limit(limit).Page(ctx, cursor)
}

// Count returns how many children parent has.
func (h *HasMany[P, C]) Count(ctx context.Context, parent P) (int, error) {
	return h.query(parent).Count(ctx)
}

// Parent returns child's parent. child needs its link fields set. It returns
// [ErrParentNotFound] when the link is empty or the parent does not exist.
func (h *HasMany[P, C]) Parent(ctx context.Context, child C) (P, error) {
	p := h.parentOf(&child)
	out, err := h.parents.Get(ctx, p)
	if errors.Is(err, query.ErrNotFound) || errors.Is(err, query.ErrEmptyKey) {
		var zero P
		return zero, fmt.Errorf("%w: %w", ErrParentNotFound, err)
	}
	return out, err
}

func valueOf[T any](p *T) reflect.Value { return reflect.ValueOf(p).Elem() }
