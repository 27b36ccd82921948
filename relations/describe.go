package relations

import (
	"github.com/dynamokit/dynamokit/model"
)

// Description is what a declared relation is made of, for tools that show
// relations, such as a diagram of the models. It is a copy: changing it
// changes nothing in the relation.
type Description struct {
	// From and To are the two ends: the parent and the child of a
	// one-to-many relation, the From and To ends of a many-to-many.
	From, To *model.Model
	// Edge is the model of a many-to-many relation's edges; nil for a
	// one-to-many, so it tells the two kinds apart.
	Edge *model.Model
	// Layout is how a one-to-many relation stores its children; zero for a
	// many-to-many.
	Layout Layout
	// Index is the global index the children (or, for a many-to-many, the
	// edges of a To end) are found through; "" for an
	// [ItemCollection].
	Index string
	// OnDeleteFrom is what deleting the From end (the parent) does: the
	// [Spec.OnDelete] or [EdgeSpec.OnDeleteFrom] policy.
	OnDeleteFrom Policy
	// OnDeleteTo is what deleting the To end of a many-to-many does
	// ([EdgeSpec.OnDeleteTo]); [Restrict], unused, for a one-to-many.
	OnDeleteTo Policy
	// Counter is the attribute of the parent's (or of both ends')
	// items that counts the relation's children (edges).
	Counter string
	// Links are the attributes a child (an edge) shares with its parent
	// (with the From end): the link, such as department_id.
	Links []string
	// ToLinks are the attributes an edge shares with the To end; nil
	// for a one-to-many.
	ToLinks []string
	// Together reports [Spec.Together]: a parent and its children are read
	// with one Query.
	Together bool
	// Copies is [Spec.Copies], child attribute name to parent attribute
	// name; nil when the relation copies nothing.
	Copies map[string]string
}

// Describer is implemented by every declared relation, *[HasMany] and
// *[ManyToMany], whatever their type parameters, so that relations of
// different models can be listed together.
type Describer interface {
	Describe() Description
}

// Describe returns what the relation is made of. It makes no request.
func (h *HasMany[P, C]) Describe() Description {
	d := Description{
		From:         h.parents.Model(),
		To:           h.children.Model(),
		Layout:       h.spec.Layout,
		Index:        h.spec.Index,
		OnDeleteFrom: h.spec.OnDelete,
		Counter:      h.spec.Counter,
		Links:        linkNameList(h.links),
		Together:     h.spec.Together,
	}
	if len(h.spec.Copies) > 0 {
		d.Copies = make(map[string]string, len(h.spec.Copies))
		for k, v := range h.spec.Copies {
			d.Copies[k] = v
		}
	}
	return d
}

// Describe returns what the relation is made of. It makes no request.
func (m *ManyToMany[F, T, E]) Describe() Description {
	return Description{
		From:         m.from.Model(),
		To:           m.to.Model(),
		Edge:         m.edges.Model(),
		Index:        m.spec.Index,
		OnDeleteFrom: m.spec.OnDeleteFrom,
		OnDeleteTo:   m.spec.OnDeleteTo,
		Counter:      m.spec.Counter,
		Links:        linkNameList(m.fromLinks),
		ToLinks:      linkNameList(m.toLinks),
	}
}

func linkNameList(ls []link) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.name
	}
	return out
}
