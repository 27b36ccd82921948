package relations

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/query"
)

// defaultEdgeCounter is the attribute of an end's item that counts its
// edges when [EdgeSpec.Counter] is empty.
const defaultEdgeCounter = "edge_count"

var (
	// ErrEndNotFound is returned by [ManyToMany.Link] when either
	// end does not exist; nothing is written. Retrying does not help
	// until both exist.
	ErrEndNotFound = errors.New("relations: end not found")
	// ErrHasEdges is returned by [ManyToMany.DeleteFrom] and
	// [ManyToMany.DeleteTo] under the [Restrict] policy when the end
	// still has edges. The error is a *[RestrictError], which names the
	// relation, the end and one edge, and says how many. Retrying
	// does not help until the edges are unlinked ([ManyToMany.Unlink]).
	ErrHasEdges = errors.New("relations: end has edges")
)

// EdgeSpec declares a many-to-many relation: how its edges are found from
// the second end, and what deleting either end does to them.
// [DeclareEdge] checks it against the models.
type EdgeSpec struct {
	// Index is the edge model's global secondary index whose hash key is
	// built from the To end's identifying attributes alone (the
	// reverse, or inverted, index). It is required and must project every
	// attribute of the edge.
	Index string
	// OnDeleteFrom and OnDeleteTo are what [ManyToMany.DeleteFrom] and
	// [ManyToMany.DeleteTo] do with the deleted end's edges. The zero
	// value is [Restrict]. [Cascade] deletes the edges, never the other
	// end. [Detach] is the same as Cascade: an edge's ends are
	// its key, so an edge cannot outlive one of them pointing at nothing;
	// detaching an end is deleting its edges and keeping the
	// end's deletion.
	OnDeleteFrom, OnDeleteTo Policy
	// Counter is the attribute of both ends' items that counts their
	// edges ("edge_count" when empty; [ManyToMany.Describe] reports the
	// one in use). It must not be an attribute
	// of either model, and two relations that share an end model
	// need different counters.
	Counter string
	// CursorKey, when set, signs the cursors of [ManyToMany.LinkedTo] and
	// [ManyToMany.LinkedFrom] (see query.Query.SignCursors).
	CursorKey []byte
}

// ManyToMany is a declared many-to-many relation between the From model F
// and the To model T, whose edges are items of the edge model E, made by
// [DeclareEdge]. It is safe for concurrent use.
//
// An edge holds the identifying attributes of both ends (its link to
// each), and may carry attributes of its own (a role, a date). It is found
// from its From end through its table's key, and from its To
// end through the reverse index [EdgeSpec.Index]. Each end's
// item counts its edges ([EdgeSpec.Counter]), in the transactions that
// link and unlink, so that a [Restrict] delete is one conditional
// DeleteItem that no link can race.
//
// Its verbs are named by the end the caller holds and what comes back.
// Link, Unlink and Edge take both ends. Every other verb takes one end,
// and its last word says which: From takes an f F (the From end), To
// a t T (the To end). The word before it says what comes back or what
// is done to that end:
//
//	EdgesFrom(f), EdgesTo(t)      the query of the end's edges
//	LinkedFrom(f), LinkedTo(t)    a page of the end's edges, each with the
//	                              end at its far end: a T for
//	                              LinkedFrom, an F for LinkedTo
//	CountFrom(f), CountTo(t)      how many edges the end has
//	RecountFrom(f), RecountTo(t)  count the end's edges again and store it
//	DeleteFrom(f), DeleteTo(t)    delete the end, under OnDeleteFrom or
//	                              OnDeleteTo
//
// So for authors (From) and books (To) linked by authorships,
// LinkedFrom(author) lists the author's books and LinkedTo(book) the
// book's authors.
type ManyToMany[F, T, E any] struct {
	from  *query.Table[F]
	to    *query.Table[T]
	edges *query.Table[E]
	spec  EdgeSpec
	// fromLinks and toLinks pair each end's identifying attributes
	// (link.parent) with the edge's (link.child).
	fromLinks, toLinks []link
}

// DeclareEdge declares the many-to-many relation between the models of
// from and to whose edges are the items of edges, as spec says, and checks
// that the models fit it:
//
//   - each end's identifying attributes (its plain key attributes, or
//     those its computed key refers to) are attributes of the edge model,
//     with the same names and Go types, and the two ends share none;
//   - the edge table's hash key is built from the From end's
//     attributes alone (employee_id, or pk = "EMP#{employee_id}"), and its
//     range key from the To end's alone, so that an edge's key is the
//     pair it links and linking twice leaves one edge;
//   - [EdgeSpec.Index] is a global index of the edge model whose hash key is
//     built from the To end's attributes alone, projecting every
//     attribute of the edge;
//   - an edge model that shares its table with an end declares an
//     entity type (dynamokit:"type"), so its queries skip the ends'
//     items;
//   - the counter is an attribute of neither end model.
//
// A Spec the models do not fit returns an error matching [ErrMismatch] that
// says what is wrong, and tables whose client enforces no [Graph] an error
// that says so. It makes no request.
func DeclareEdge[F, T, E any](from *query.Table[F], to *query.Table[T], edges *query.Table[E], spec EdgeSpec) (*ManyToMany[F, T, E], error) {
	if from == nil || to == nil || edges == nil {
		return nil, errors.New("relations: declare edge: nil table")
	}
	if spec.Counter == "" {
		spec.Counter = defaultEdgeCounter
	}
	fm, tm, em := mapping.Must(from.Model()), mapping.Must(to.Model()), mapping.Must(edges.Model())
	mismatch := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s links %s to %s: %s", ErrMismatch, em.Type, fm.Type, tm.Type, fmt.Sprintf(format, args...))
	}
	m := &ManyToMany[F, T, E]{from: from, to: to, edges: edges, spec: spec}
	var err error
	if m.fromLinks, err = edgeLinks(fm, em, mismatch); err != nil {
		return nil, err
	}
	if m.toLinks, err = edgeLinks(tm, em, mismatch); err != nil {
		return nil, err
	}
	for _, fl := range m.fromLinks {
		if slices.ContainsFunc(m.toLinks, func(tl link) bool { return tl.name == fl.name }) {
			return nil, mismatch("%s and %s are both identified by %s: an edge needs a distinct attribute for each end", fm.Type, tm.Type, fl.name)
		}
	}
	// The link fields are copied between ends and edges with no error
	// to report in some operations: check once that they can be.
	var f F
	var t T
	if _, err := m.edgeOf(&f, &t, nil); err != nil {
		return nil, fmt.Errorf("relations: declare edge: %w", err)
	}
	var e E
	if _, err := endOf[F](&e, m.fromLinks); err != nil {
		return nil, fmt.Errorf("relations: declare edge: %w", err)
	}
	if _, err := endOf[T](&e, m.toLinks); err != nil {
		return nil, fmt.Errorf("relations: declare edge: %w", err)
	}
	if !builtFrom(em.Key.Hash, m.fromLinks) {
		return nil, mismatch("the hash key %s of %s is %s, not built from %s's %s alone: edges are found from %s through the table's key",
			em.Key.Hash.Name, em.Type, describeKey(em.Key.Hash), fm.Type, linkNames(m.fromLinks), fm.Type)
	}
	if em.Key.Range == nil || !builtFrom(em.Key.Range, m.toLinks) {
		return nil, mismatch("the range key of %s is %s, not built from %s's %s alone: an edge's key must be the pair it links",
			em.Type, describeKey(em.Key.Range), tm.Type, linkNames(m.toLinks))
	}
	if spec.Index == "" {
		return nil, mismatch("EdgeSpec.Index is empty: name the global index of %s keyed on %s, which finds the edges of a %s",
			em.Type, linkNames(m.toLinks), tm.Type)
	}
	idx := em.Index(spec.Index)
	if idx == nil || !slices.Contains(em.GSIs, idx) {
		return nil, mismatch("%s has no global index %s", em.Type, spec.Index)
	}
	if why := multiKeyRefusal(em, idx, "edges"); why != "" {
		return nil, mismatch("%s", why)
	}
	if !builtFrom(idx.Key.Hash, m.toLinks) {
		return nil, mismatch("index %s of %s is keyed on %s (%s), not built from %s's %s alone",
			idx.Name, em.Type, idx.Key.Hash.Name, describeKey(idx.Key.Hash), tm.Type, linkNames(m.toLinks))
	}
	if missing := unprojected(em, idx); len(missing) > 0 {
		return nil, mismatch("index %s of %s projects %s, which leaves out %s: edges read through it would miss them; project ALL, or INCLUDE them too",
			idx.Name, em.Type, projectionString(idx.Projection), strings.Join(missing, ", "))
	}
	for _, s := range []struct {
		table string
		m     *mapping.Model
	}{{from.TableName(), fm}, {to.TableName(), tm}} {
		if s.table == edges.TableName() && em.EntityType == nil {
			return nil, mismatch("%s shares table %s with %s but declares no entity type (dynamokit:\"type\"): its queries would read %s items as edges",
				em.Type, s.table, s.m.Type, s.m.Type)
		}
		if a := s.m.Attribute(spec.Counter); a != nil {
			return nil, mismatch("the edge counter %s is an attribute of %s (field %s), which every Put would overwrite: name another in EdgeSpec.Counter",
				spec.Counter, s.m.Type, a.Field)
		}
		// The cascade's log on an end, and what it leaves on far ends.
		if err := sweepAttrsFree(s.m, spec.Counter, "EdgeSpec.Counter", farTook(spec.Counter)); err != nil {
			return nil, mismatch("%v", err)
		}
	}
	if spec.CursorKey != nil && len(spec.CursorKey) < query.MinCursorKeyLen {
		return nil, mismatch("EdgeSpec.CursorKey has %d bytes, want at least %d", len(spec.CursorKey), query.MinCursorKeyLen)
	}
	for _, p := range []struct {
		name string
		p    Policy
	}{{"OnDeleteFrom", spec.OnDeleteFrom}, {"OnDeleteTo", spec.OnDeleteTo}} {
		switch p.p {
		case Restrict, Cascade, Detach:
		default:
			return nil, mismatch("%s: unknown policy %v", p.name, p.p)
		}
	}
	if err := m.register(); err != nil {
		return nil, err
	}
	return m, nil
}

// edgeLinks pairs the identifying attributes of the end model pm with
// the edge model's attributes of the same names.
func edgeLinks(pm, em *mapping.Model, mismatch func(string, ...any) error) ([]link, error) {
	var links []link
	for _, pa := range identity(pm) {
		ea := em.Attribute(pa.Name)
		if ea == nil || ea.Computed() {
			return nil, mismatch("%s has no attribute %s to link to %s", em.Type, pa.Name, pm.Type)
		}
		if ea.GoType != pa.GoType {
			return nil, mismatch("%s.%s is %s but %s.%s is %s", em.Type, ea.Field, ea.GoType, pm.Type, pa.Field, pa.GoType)
		}
		links = append(links, link{name: pa.Name, parent: pa, child: ea})
	}
	if len(links) == 0 {
		return nil, mismatch("the key of %s refers to no attribute an edge could link to", pm.Type)
	}
	return links, nil
}

// builtFrom reports whether the edge's key attribute a is the one link
// attribute of links, or computed from exactly links' attributes.
func builtFrom(a *mapping.Attribute, links []link) bool {
	if a == nil {
		return false
	}
	if !a.Computed() {
		return len(links) == 1 && a == links[0].child
	}
	refs := a.Template.Refs()
	for _, r := range refs {
		if !slices.ContainsFunc(links, func(l link) bool { return l.child == r }) {
			return false
		}
	}
	for _, l := range links {
		if !slices.Contains(refs, l.child) {
			return false
		}
	}
	return true
}

func linkNames(links []link) string {
	names := make([]string, len(links))
	for i, l := range links {
		names[i] = l.name
	}
	return strings.Join(names, ", ")
}

// edgeOf returns a copy of *e (the zero edge when e is nil) whose link
// fields are set from f and t; either may be nil to leave its links as
// they are.
func (m *ManyToMany[F, T, E]) edgeOf(f *F, t *T, e *E) (E, error) {
	var out E
	if e != nil {
		out = *e
	}
	ev := valueOf(&out)
	if f != nil {
		fv := valueOf(f)
		for _, l := range m.fromLinks {
			if err := copyField(ev, l.child, fv, l.parent); err != nil {
				return out, err
			}
		}
	}
	if t != nil {
		tv := valueOf(t)
		for _, l := range m.toLinks {
			if err := copyField(ev, l.child, tv, l.parent); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// endOf returns an end value whose key fields are taken from
// edge's links to it.
func endOf[X, E any](edge *E, links []link) (X, error) {
	var x X
	xv, ev := valueOf(&x), valueOf(edge)
	for _, l := range links {
		if err := copyField(xv, l.parent, ev, l.child); err != nil {
			return x, err
		}
	}
	return x, nil
}

// keyID renders an encoded key as a string that tells keys apart.
func keyID(key mapping.Item) string {
	names := make([]string, 0, len(key))
	for n := range key {
		names = append(names, n)
	}
	slices.Sort(names)
	var sb strings.Builder
	for _, n := range names {
		fmt.Fprintf(&sb, "%q=%v;", n, reflect.ValueOf(key[n]).Elem().Field(0).Interface())
	}
	return sb.String()
}
