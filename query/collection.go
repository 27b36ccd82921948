package query

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/model"
)

// Member is a model that can be declared in a [Collection]: every
// *[Table] is one. It has no methods of its own for callers.
type Member interface {
	// table returns what a collection checks and uses of the member.
	member() memberTable
}

// memberTable is a member's [Table], seen without its type parameter.
type memberTable struct {
	c      *dynamokit.Client
	m      *mapping.Model
	name   string                          // the table's name
	decode func(mapping.Item) (any, error) // decodes an item into a new T, returned as a T
	// rangeCond renders a sort-key condition given by examples of T, as
	// [Query.Range] does.
	rangeCond func(op Op, vals []any) (expression.KeyConditionBuilder, Op, []types.AttributeValue, error)
	names     []*mapping.Attribute // the attributes of a position in the table
	sorts     []*mapping.Attribute // the table's sort key
}

func (r *Table[T]) member() memberTable {
	return memberTable{
		c:    r.c,
		m:    r.m,
		name: r.table,
		decode: func(item mapping.Item) (any, error) {
			return r.decode(item)
		},
		rangeCond: func(op Op, vals []any) (expression.KeyConditionBuilder, Op, []types.AttributeValue, error) {
			q := &Query[T]{r: r, op: op, vals: vals}
			return q.rangeCond(r.m.Key.Range)
		},
		names: r.positionNames(""),
		sorts: r.sortKeys(""),
	}
}

// ErrInvalidCollection is returned (wrapped) by [NewCollection] when the
// members do not form a collection: they must share the table, the
// partition key (attribute, type and template shape) and the sort key
// attribute, and each needs an entity-type attribute (dynamokit:"type"),
// of the same name, with a value of its own. The message names the
// collection, the member that differs and what differs. No request is
// sent; retrying never helps: change the members.
var ErrInvalidCollection = errors.New("query: invalid collection")

// Collection is several models stored in one partition of one table (a
// single-table design), declared together so that one Query of the
// partition returns each item decoded into its own model: a customer's
// profile, orders and addresses under pk "CUSTOMER#{customer_id}", told
// apart by their entity-type attribute. Make one with [NewCollection]; it
// is safe for concurrent use. See docs/query.md, "Collections".
type Collection struct {
	name     string
	c        *dynamokit.Client
	table    string
	members  []memberTable
	byType   map[reflect.Type]int // member index by model type
	byEntity map[string]int       // member index by entity-type value
	typeAttr string               // the entity-type attribute every member has
}

// NewCollection declares the collection name of members, which must be
// at least two. Each member must be a model with an entity-type attribute
// (dynamokit:"type"), of the same name in every member and with a value
// of its own, and all must share the table (named by their clients'
// namers), the partition key
// (its attribute, its type and, for a computed key, its template's shape:
// the same literal text around references of the same Go types) and the
// sort key attribute. A member that differs is an error matching
// [ErrInvalidCollection] that names it and what differs. The collection's
// requests go through the first member's client, under its hooks and
// retry policy.
func NewCollection(name string, members ...Member) (*Collection, error) {
	fail := func(member reflect.Type, format string, args ...any) (*Collection, error) {
		if member == nil {
			return nil, fmt.Errorf("%w %s: %s", ErrInvalidCollection, name, fmt.Sprintf(format, args...))
		}
		return nil, fmt.Errorf("%w %s: member %s: %s", ErrInvalidCollection, name, member, fmt.Sprintf(format, args...))
	}
	if len(members) < 2 {
		return fail(nil, "%d member(s), want at least two", len(members))
	}
	col := &Collection{
		name:     name,
		members:  make([]memberTable, len(members)),
		byType:   make(map[reflect.Type]int, len(members)),
		byEntity: make(map[string]int, len(members)),
	}
	for i, mb := range members {
		if mb == nil || reflect.ValueOf(mb).IsNil() {
			return fail(nil, "member %d is nil", i)
		}
		t := mb.member()
		col.members[i] = t
		m, first := t.m, col.members[0]
		if m.EntityType == nil {
			return fail(m.Type, `has no entity-type attribute (dynamokit:"type"), which tells its items from the others'`)
		}
		if j, ok := col.byType[m.Type]; ok {
			return fail(m.Type, "declared twice (members %d and %d)", j, i)
		}
		if j, ok := col.byEntity[m.Entity]; ok {
			return fail(m.Type, "entity type %q is also %s's", m.Entity, col.members[j].m.Type)
		}
		col.byType[m.Type], col.byEntity[m.Entity] = i, i
		if m.Key.Range == nil {
			return fail(m.Type, "table %s has no sort key, so its partitions hold one item", t.name)
		}
		if i == 0 {
			col.c, col.table, col.typeAttr = t.c, t.name, m.EntityType.Name
			continue
		}
		f := first.m
		switch {
		case t.name != col.table:
			return fail(m.Type, "table %s, but %s's is %s", t.name, f.Type, col.table)
		case m.EntityType.Name != col.typeAttr:
			return fail(m.Type, "entity-type attribute %s, but %s's is %s", m.EntityType.Name, f.Type, col.typeAttr)
		case m.Key.Hash.Name != f.Key.Hash.Name:
			return fail(m.Type, "partition key %s, but %s's is %s", m.Key.Hash.Name, f.Type, f.Key.Hash.Name)
		case m.Key.Hash.Type != f.Key.Hash.Type:
			return fail(m.Type, "partition key %s of type %s, but %s's is of type %s", m.Key.Hash.Name, m.Key.Hash.Type, f.Type, f.Key.Hash.Type)
		case m.Key.Range.Name != f.Key.Range.Name || m.Key.Range.Type != f.Key.Range.Type:
			return fail(m.Type, "sort key %s (%s), but %s's is %s (%s)", m.Key.Range.Name, m.Key.Range.Type, f.Type, f.Key.Range.Name, f.Key.Range.Type)
		}
		if got, want := templateShape(m.Key.Hash), templateShape(f.Key.Hash); got != want {
			return fail(m.Type, "partition key %s has the shape %s, but %s's has %s", m.Key.Hash.Name, got, f.Type, want)
		}
	}
	return col, nil
}

// templateShape describes what a partition key's values look like: for a
// computed key, its template's literal text and the Go type and width of
// each reference ("CUSTOMER#{string}"); "value" for a plain attribute.
// Members whose partitions may hold each other's items have the same
// shape.
func templateShape(a *mapping.Attribute) string {
	if !a.Computed() {
		return "value"
	}
	var sb strings.Builder
	for _, p := range a.Template.Parts {
		if p.Ref == nil {
			sb.WriteString(strconv.Quote(p.Literal))
			continue
		}
		t := p.Ref.GoType
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		sb.WriteString("{" + t.String())
		if p.Width > 0 {
			sb.WriteString(":" + strconv.Itoa(p.Width))
		}
		sb.WriteString("}")
	}
	return sb.String()
}

// Name returns the collection's name.
func (col *Collection) Name() string { return col.name }

// TableName returns the name of the table the members share.
func (col *Collection) TableName() string { return col.table }

// Entity is one item of a [CollectionQuery]: decoded into its member's
// model when its entity type is a member's, else returned as it was read.
type Entity struct {
	// Type is the value of the entity-type attribute, "" when the item has
	// none (or not a string).
	Type string
	// Value is the item decoded into its member's model: a T (not a *T)
	// for a member *Table[T]; nil when Type is no member's.
	Value any
	// Raw is the item as read when Value is nil: an item of an entity type
	// the collection does not declare, which is reported rather than
	// dropped. It is nil for a member's item.
	Raw map[string]types.AttributeValue
}

// Known reports whether the item is of a member's entity type, so that
// Value holds it.
func (e Entity) Known() bool { return e.Value != nil }

// Entities returns the values of entities that are T, in order: with
// orders a *Table[Order], Entities[Order](page.Items) is the page's
// orders.
func Entities[T any](entities []Entity) []T {
	var out []T
	for _, e := range entities {
		if v, ok := e.Value.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// CollectionQuery is a Query of one partition of a [Collection], made
// with [Collection.Query]. Like [Query], it keeps the first error for the
// call that does I/O.
type CollectionQuery struct {
	col        *Collection
	partition  any
	op         Op
	vals       []any
	filters    []expression.ConditionBuilder
	desc       bool
	limit      int
	pageSize   int
	consistent bool
	cursorKey  []byte
	err        error
}

// Query starts a query of the partition given by example: a value (or a
// pointer to one) of any member's model whose partition key is set, such
// as Profile{CustomerID: "c-1"}. Every item of the partition is returned,
// those of every member and those of entity types no member declares (see
// [Entity]); [CollectionQuery.Range] and [CollectionQuery.Filter] narrow
// it.
//
// It calls Query, one request per page:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
func (col *Collection) Query(partition any) *CollectionQuery {
	return &CollectionQuery{col: col, partition: partition}
}

// member returns the index of the member whose model v (or *v) is.
func (col *Collection) member(v any) (int, bool) {
	t := reflect.TypeOf(v)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	i, ok := col.byType[t]
	return i, ok
}

// memberNames lists the members' model types, for error messages.
func (col *Collection) memberNames() string {
	names := make([]string, len(col.members))
	for i, mt := range col.members {
		names[i] = mt.m.Type.String()
	}
	return strings.Join(names, ", ")
}

// Range adds a condition on the sort key, given by example of one member
// as [Query.Range] takes it: one value, two for [Between], of the same
// member's model, rendered through that member's sort-key template. With
// orders under "ORDER#{ordered_at}#{order_id}",
// Range(query.Between, Order{OrderedAt: from}, Order{OrderedAt: to})
// holds the customer's orders from from to to. The key condition is on
// the partition's sort key, so it keeps the items of any entity type whose
// keys fall in the range: with members whose sort keys start with literal
// text of their own (ORDER#, ADDRESS#), only the member's. A [RawKey]
// gives the stored string instead.
func (q *CollectionQuery) Range(op Op, values ...any) *CollectionQuery {
	q.op, q.vals = op, values
	return q
}

// Filter adds a condition on the items of member, checked against its
// model as [Query.Filter] checks one (a name the model lacks is an error
// returned by the call that runs the query). It applies to that member's
// items only: the filter sent is "entity type is not the member's, or
// cond" (NOT (entity = "Order") OR cond), so the other members' items,
// and unknown ones, even without an entity type, pass it. Several
// filters are joined with AND, so two on one member must both hold.
// Filtered items still consume read capacity.
func (q *CollectionQuery) Filter(member Member, cond Cond) *CollectionQuery {
	i, err := q.col.index(member)
	if err != nil {
		q.setErr(fmt.Errorf("query: collection %s: filter: %w", q.col.name, err))
		return q
	}
	mt := q.col.members[i]
	c, err := cond.bind(mt.m)
	if err != nil {
		q.setErr(fmt.Errorf("query: collection %s: filter on %s: %w", q.col.name, mt.m.Type, err))
		return q
	}
	// NOT (entity = X) rather than entity <> X: it holds for an item
	// without the attribute whatever an engine makes of <> on a missing
	// attribute.
	other := expression.Not(name(q.col.typeAttr).Equal(expression.Value(mt.m.Entity)))
	q.filters = append(q.filters, other.Or(c))
	return q
}

// Only keeps the items of members, dropping those of the other members
// and of unknown entity types: the filter sent is "entity type in
// (theirs)", joined with the others with AND. Like any filter, it saves
// nothing of the read capacity; a [CollectionQuery.Range] that only the
// wanted members' sort keys fall in does.
func (q *CollectionQuery) Only(members ...Member) *CollectionQuery {
	if len(members) == 0 {
		q.setErr(fmt.Errorf("query: collection %s: Only: no member", q.col.name))
		return q
	}
	vals := make([]expression.OperandBuilder, 0, len(members))
	for _, mb := range members {
		i, err := q.col.index(mb)
		if err != nil {
			q.setErr(fmt.Errorf("query: collection %s: Only: %w", q.col.name, err))
			return q
		}
		vals = append(vals, expression.Value(q.col.members[i].m.Entity))
	}
	in := name(q.col.typeAttr).In(vals[0], vals[1:]...)
	if len(vals) == 1 {
		in = name(q.col.typeAttr).Equal(vals[0])
	}
	q.filters = append(q.filters, in)
	return q
}

// index returns the index of member mb in col.
func (col *Collection) index(mb Member) (int, error) {
	if mb == nil || reflect.ValueOf(mb).IsNil() {
		return 0, errors.New("nil member")
	}
	t := mb.member().m.Type
	i, ok := col.byType[t]
	if !ok {
		return 0, fmt.Errorf("%s is not a member (members: %s)", t, col.memberNames())
	}
	return i, nil
}

// Descending returns items in descending sort-key order.
func (q *CollectionQuery) Descending() *CollectionQuery { q.desc = true; return q }

// Limit makes [CollectionQuery.All] and [CollectionQuery.Collect] stop
// after n items; it is also the page size when
// [CollectionQuery.PageSize] is not set. A limit of 0 or less is no limit.
func (q *CollectionQuery) Limit(n int) *CollectionQuery { q.limit = n; return q }

// PageSize sets how many items each request reads (DynamoDB's Limit,
// counted before filters): the size of a [CollectionQuery.Page].
func (q *CollectionQuery) PageSize(n int) *CollectionQuery { q.pageSize = n; return q }

// Consistent asks for strongly consistent reads. Elsewhere strong
// consistency is a table view ([Table.Consistent]); a collection query is
// started from a [Collection], which spans the tables of its members rather
// than one Table, so it has no such view and keeps this builder method.
func (q *CollectionQuery) Consistent() *CollectionQuery { q.consistent = true; return q }

// SignCursors signs the cursors of [CollectionQuery.Page] with
// HMAC-SHA256 under key, as [Query.SignCursors] does, and rejects cursors
// not signed with it.
func (q *CollectionQuery) SignCursors(key []byte) *CollectionQuery {
	k, err := cursorKey(key)
	q.setErr(err)
	q.cursorKey = k
	return q
}

func (q *CollectionQuery) setErr(err error) {
	if q.err == nil {
		q.err = err
	}
}

// build builds the Query request without I/O, and the cursor spec of its
// pages.
func (q *CollectionQuery) build() (*dynamodb.QueryInput, cursorSpec, error) {
	col := q.col
	if q.err != nil {
		return nil, cursorSpec{}, q.err
	}
	i, ok := col.member(q.partition)
	if !ok {
		return nil, cursorSpec{}, fmt.Errorf("query: collection %s: partition: got %T, want an example of a member (%s)", col.name, q.partition, col.memberNames())
	}
	mt := col.members[i]
	hash := mt.m.Key.Hash
	hv, err := mt.m.Value(hash.Name, q.partition)
	if err != nil {
		return nil, cursorSpec{}, err
	}
	if hv == nil {
		return nil, cursorSpec{}, fmt.Errorf("query: collection %s: partition attribute %s of %s: %w", col.name, hash.Name, mt.m.Type, model.ErrEmptyKey)
	}
	bounds := &keyBounds{hash: hash.Name, value: hv}
	kc := expression.Key(hash.Name).Equal(expression.Value(hv))
	if q.op != 0 {
		rm := col.members[0]
		if len(q.vals) > 0 {
			if _, raw := q.vals[0].(RawKey); !raw {
				j, ok := col.member(q.vals[0])
				if !ok {
					return nil, cursorSpec{}, fmt.Errorf("query: collection %s: range: got %T, want an example of a member (%s) or a query.RawKey", col.name, q.vals[0], col.memberNames())
				}
				rm = col.members[j]
			}
		}
		for _, v := range q.vals[1:] {
			if reflect.TypeOf(v) != reflect.TypeOf(q.vals[0]) {
				return nil, cursorSpec{}, fmt.Errorf("query: collection %s: range: values %T and %T, want both of one member", col.name, q.vals[0], v)
			}
		}
		rc, op, vals, err := rm.rangeCond(q.op, q.vals)
		if err != nil {
			return nil, cursorSpec{}, err
		}
		kc = kc.And(rc)
		bounds.sort, bounds.op, bounds.vals = rm.m.Key.Range.Name, op, vals
	}
	rq := rawread.Query{Read: rawread.Read{Table: col.table, Consistent: q.consistent}, Key: kc,
		Descending: q.desc, Limit: requestLimit(q.pageSize, q.limit)}
	if len(q.filters) > 0 {
		rq.Filter = and(q.filters)
	}
	in, err := rawread.QueryInput(rq)
	if err != nil {
		return nil, cursorSpec{}, err
	}
	spec := cursorSpec{
		// The scope names the collection's members, so a cursor of a
		// Table's query of the same partition is not accepted here.
		scope:  "collection=" + strconv.Quote(col.memberNames()) + ";" + queryScope(in),
		key:    q.cursorKey,
		names:  col.members[0].names,
		sorts:  col.members[0].sorts,
		bounds: bounds,
	}
	return in, spec, nil
}

// entity decodes item by its entity type.
func (col *Collection) entity(item map[string]types.AttributeValue) (Entity, error) {
	var e Entity
	if s, ok := item[col.typeAttr].(*types.AttributeValueMemberS); ok {
		e.Type = s.Value
	}
	i, ok := col.byEntity[e.Type]
	if !ok {
		e.Raw = item
		return e, nil
	}
	v, err := col.members[i].decode(item)
	if err != nil {
		return Entity{}, err
	}
	e.Value = v
	return e, nil
}

// All streams the partition's items, each decoded as its member's model
// (see [Entity]), reading pages as needed. Stop early by breaking out of
// the loop; an error ends the stream.
func (q *CollectionQuery) All(ctx context.Context) iter.Seq2[Entity, error] {
	return traced(q.col.c, ctx, "CollectionQuery.All", q.col.table, q.all)
}

func (q *CollectionQuery) all(ctx context.Context) iter.Seq2[Entity, error] {
	table := q.col.table
	return func(yield func(Entity, error) bool) {
		in, _, err := q.build()
		if err != nil {
			yield(Entity{}, wrap("Query", table, err, nil))
			return
		}
		var start map[string]types.AttributeValue
		fetch := rawread.QueryPage(q.col.c.Executor(), in)
		n := 0
		for {
			if err := ctx.Err(); err != nil {
				yield(Entity{}, &dynamokit.Error{Op: "Query", Table: table, Err: err})
				return
			}
			items, lek, err := fetch(ctx, start)
			if err != nil {
				yield(Entity{}, wrap("Query", table, err, nil))
				return
			}
			for _, item := range items {
				e, err := q.col.entity(item)
				if err != nil {
					yield(Entity{}, wrap("Query", table, err, nil))
					return
				}
				if !yield(e, nil) {
					return
				}
				n++
				if q.limit > 0 && n >= q.limit {
					return
				}
			}
			if len(lek) == 0 {
				return
			}
			start = lek
		}
	}
}

// Collect returns every item of the query (at most
// [CollectionQuery.Limit]).
func (q *CollectionQuery) Collect(ctx context.Context) ([]Entity, error) {
	return collect(q.All(ctx))
}

// Page reads one page of at most [CollectionQuery.PageSize] (else
// [CollectionQuery.Limit]) items, of any members, starting at cursor (""
// for the first page): one Query request. Page.Next is the cursor of the
// next page, "" after the last. A cursor made by another query (of
// another collection, partition, range, filter or order) or altered
// returns [ErrBadCursor]; see [CollectionQuery.SignCursors].
func (q *CollectionQuery) Page(ctx context.Context, cursor string) (_ Page[Entity], err error) {
	ctx, op := clientlink.Start(ctx, q.col.c, "CollectionQuery.Page", q.col.table)
	defer op.End(&err)
	table := q.col.table
	in, spec, err := q.build()
	if err != nil {
		return Page[Entity]{}, wrap("Query", table, err, nil)
	}
	start, err := decodeCursor(cursor, spec)
	if err != nil {
		return Page[Entity]{}, &dynamokit.Error{Op: "Query", Table: table, Kind: ErrBadCursor, Err: err}
	}
	items, lek, err := rawread.QueryPage(q.col.c.Executor(), in)(ctx, start)
	if err != nil {
		return Page[Entity]{}, wrap("Query", table, err, nil)
	}
	p := Page[Entity]{Items: make([]Entity, 0, len(items))}
	for _, item := range items {
		e, err := q.col.entity(item)
		if err != nil {
			return Page[Entity]{}, wrap("Query", table, err, nil)
		}
		p.Items = append(p.Items, e)
	}
	if p.Next, err = encodeCursor(lek, spec); err != nil {
		return Page[Entity]{}, wrap("Query", table, err, nil)
	}
	return p, nil
}
