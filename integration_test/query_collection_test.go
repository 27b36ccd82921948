package integration_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
)

// A customer's profile, orders and addresses share the customer's
// partition of the table "shop".
type (
	ShopProfile struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"#PROFILE"`
		_          struct{} `dynamo:"entity" template:"Profile" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		Name       string   `dynamo:"name"`
	}
	ShopOrder struct {
		_          struct{}  `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{}  `dynamo:"sk,range" template:"ORDER#{ordered_at}#{order_id}"`
		_          struct{}  `dynamo:"entity" template:"Order" dynamokit:"type"`
		CustomerID string    `dynamo:"customer_id"`
		OrderedAt  time.Time `dynamo:"ordered_at"`
		OrderID    string    `dynamo:"order_id"`
		Total      int       `dynamo:"total"`
	}
	ShopAddress struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"ADDRESS#{address_id}"`
		_          struct{} `dynamo:"entity" template:"Address" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		AddressID  string   `dynamo:"address_id"`
		City       string   `dynamo:"city"`
	}
	// ShopCoupon is stored in the partition too, but no collection below
	// declares it: its items are of an unknown entity type.
	ShopCoupon struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"COUPON#{code}"`
		_          struct{} `dynamo:"entity" template:"Coupon" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		Code       string   `dynamo:"code"`
	}
)

func (ShopProfile) TableName() string { return "shop" }
func (ShopOrder) TableName() string   { return "shop" }
func (ShopAddress) TableName() string { return "shop" }
func (ShopCoupon) TableName() string  { return "shop" }

// customerShop is a customer partition with a profile, orders, addresses and a
// coupon, and the collection of the first three.
type customerShop struct {
	profiles  *query.Table[ShopProfile]
	orders    *query.Table[ShopOrder]
	addresses *query.Table[ShopAddress]
	coupons   *query.Table[ShopCoupon]
	col       *query.Collection
	counter   *counter
	day       time.Time // orders are made on days day, day+1, ...
}

func newShop(t *testing.T) customerShop {
	t.Helper()
	e := newEnv(t, must[ShopProfile](t), must[ShopOrder](t), must[ShopAddress](t), must[ShopCoupon](t))
	ctx := t.Context()
	db, c := countingDB(t)
	s := customerShop{
		profiles:  tableOf[ShopProfile](t, e, db, nil),
		orders:    tableOf[ShopOrder](t, e, db, nil),
		addresses: tableOf[ShopAddress](t, e, db, nil),
		coupons:   tableOf[ShopCoupon](t, e, db, nil),
		counter:   c,
		day:       time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
	var err error
	if s.col, err = query.NewCollection("customer", s.profiles, s.orders, s.addresses); err != nil {
		t.Fatal(err)
	}
	for _, cust := range []string{"c-1", "c-2"} {
		if err := s.profiles.Put(ctx, &ShopProfile{CustomerID: cust, Name: "name of " + cust}); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			o := ShopOrder{CustomerID: cust, OrderedAt: s.day.AddDate(0, 0, i), OrderID: fmt.Sprintf("o-%d", i), Total: 10 * (i + 1)}
			if err := s.orders.Put(ctx, &o); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 2 {
			a := ShopAddress{CustomerID: cust, AddressID: fmt.Sprintf("a-%d", i), City: fmt.Sprintf("city %d", i)}
			if err := s.addresses.Put(ctx, &a); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.coupons.Put(ctx, &ShopCoupon{CustomerID: "c-1", Code: "WELCOME"}); err != nil {
		t.Fatal(err)
	}
	// An item without the entity-type attribute at all.
	notes := tableOf[ShopNoType](t, e, db, nil)
	if err := notes.Put(ctx, &ShopNoType{CustomerID: "c-1", NoteID: "n-1"}); err != nil {
		t.Fatal(err)
	}
	c.take()
	return s
}

// describe renders entities as "Type:id" in order.
func describe(t *testing.T, es []query.Entity) []string {
	t.Helper()
	var out []string
	for _, e := range es {
		switch v := e.Value.(type) {
		case ShopProfile:
			out = append(out, "Profile:"+v.CustomerID)
		case ShopOrder:
			out = append(out, "Order:"+v.OrderID)
		case ShopAddress:
			out = append(out, "Address:"+v.AddressID)
		case nil:
			out = append(out, "unknown "+e.Type)
		default:
			t.Errorf("entity %q decoded as %T", e.Type, e.Value)
		}
	}
	return out
}

// TestCollectionPages: one Query per page returns the partition's items
// each decoded as its own model, the unknown coupon and the item without
// an entity type reported as raw, over mixed pages of three items joined
// by signed cursors.
func TestCollectionPages(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	ctx := t.Context()
	key := []byte("0123456789abcdef-collection-key")
	q := func() *query.CollectionQuery {
		return s.col.Query(ShopOrder{CustomerID: "c-1"}).PageSize(3).SignCursors(key)
	}
	var all []query.Entity
	cursor, pages := "", 0
	for {
		p, err := q().Page(ctx, cursor)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		if n := s.counter.requests("Query"); n != 1 {
			t.Errorf("page %d: %d Query requests, want 1", pages, n)
		}
		s.counter.take()
		all = append(all, p.Items...)
		if p.Next == "" {
			break
		}
		if !strings.Contains(p.Next, ".") {
			t.Errorf("page %d: cursor %q is not signed", pages, p.Next)
		}
		cursor = p.Next
	}
	want := []string{"Profile:c-1", "Address:a-0", "Address:a-1", "unknown Coupon", "unknown ",
		"Order:o-0", "Order:o-1", "Order:o-2", "Order:o-3", "Order:o-4"}
	if diff := cmp.Diff(want, describe(t, all)); diff != "" {
		t.Errorf("pages of 3 (-want +got):\n%s", diff)
	}
	if pages < 3 {
		t.Errorf("%d pages, want at least 3", pages)
	}
	for _, e := range all {
		if e.Known() != (e.Raw == nil) {
			t.Errorf("entity %q: Known() = %v with Raw %v", e.Type, e.Known(), e.Raw)
		}
		if e.Type == "Coupon" {
			if code, ok := e.Raw["code"].(*types.AttributeValueMemberS); !ok || code.Value != "WELCOME" {
				t.Errorf("unknown Coupon item: code %v, want WELCOME", e.Raw["code"])
			}
		}
	}
	orders := query.Entities[ShopOrder](all)
	if len(orders) != 5 || orders[4].Total != 50 {
		t.Errorf("Entities[ShopOrder] = %+v, want 5 orders, the last of total 50", orders)
	}

	// All reads the same items, one Query per page of 4 (4, 4 and 2
	// items, so the count does not depend on whether a full last page has
	// a LastEvaluatedKey).
	got, err := s.col.Query(ShopProfile{CustomerID: "c-1"}).PageSize(4).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, describe(t, got)); diff != "" {
		t.Errorf("Collect (-want +got):\n%s", diff)
	}
	if n := s.counter.requests("Query"); n != 3 {
		t.Errorf("Collect of 10 items in pages of 4: %d Query requests, want 3", n)
	}
	s.counter.take()

	// Descending, with a limit.
	got, err = s.col.Query(ShopProfile{CustomerID: "c-2"}).Descending().Limit(2).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Order:o-4", "Order:o-3"}, describe(t, got)); diff != "" {
		t.Errorf("Descending().Limit(2) (-want +got):\n%s", diff)
	}
}

// TestCollectionCursorRefused: a tampered, unsigned, other-query or
// Table-query cursor is refused with ErrBadCursor before any request.
func TestCollectionCursorRefused(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	ctx := t.Context()
	key := []byte("0123456789abcdef-collection-key")
	q := func(cust string) *query.CollectionQuery {
		return s.col.Query(ShopOrder{CustomerID: cust}).PageSize(3).SignCursors(key)
	}
	p, err := q("c-1").Page(ctx, "")
	if err != nil || p.Next == "" {
		t.Fatalf("first page: next %q, %v; want a cursor", p.Next, err)
	}
	body, sig, _ := strings.Cut(p.Next, ".")
	other, err := q("c-2").Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	tableCursor, err := s.orders.Query(ShopOrder{CustomerID: "c-1"}).PageSize(1).SignCursors(key).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	s.counter.take()
	flipped := []byte(sig)
	flipped[0] ^= 1
	if flipped[0] == '.' {
		flipped[0] ^= 3
	}
	for _, tt := range []struct{ name, cursor, partition string }{
		{"signature altered", body + "." + string(flipped), "c-1"},
		{"unsigned", body, "c-1"},
		{"another partition's", other.Next, "c-1"},
		{"a Table query's", tableCursor.Next, "c-1"},
		{"garbage", "!!", "c-1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := q(tt.partition).Page(ctx, tt.cursor)
			if !errors.Is(err, query.ErrBadCursor) {
				t.Errorf("Page(%s cursor) error = %v, want ErrBadCursor", tt.name, err)
			}
			if ops, _ := s.counter.take(); len(ops) != 0 {
				t.Errorf("Page(%s cursor) sent %v, want no request", tt.name, ops)
			}
		})
	}
	// The genuine cursor still works.
	if _, err := q("c-1").Page(ctx, p.Next); err != nil {
		t.Errorf("Page(genuine cursor) = %v", err)
	}
}

// TestCollectionRangeAndFilter: a range by example of one member renders
// through its template; a filter on one member keeps the others' items.
func TestCollectionRangeAndFilter(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	ctx := t.Context()

	// Orders from day+1 to day+3, inclusive, whatever their order_id.
	got, err := s.col.Query(ShopProfile{CustomerID: "c-1"}).
		Range(query.Between, ShopOrder{OrderedAt: s.day.AddDate(0, 0, 1)}, ShopOrder{OrderedAt: s.day.AddDate(0, 0, 3)}).
		Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Order:o-1", "Order:o-2", "Order:o-3"}, describe(t, got)); diff != "" {
		t.Errorf("Range(Between, orders of day+1 and day+3) (-want +got):\n%s", diff)
	}

	// A range and its pages: the cursor is bound to the range.
	p, err := s.col.Query(ShopProfile{CustomerID: "c-1"}).Range(query.BeginsWith, ShopOrder{}).PageSize(2).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Next == "" || len(p.Items) != 2 {
		t.Fatalf("first page of orders: %d items, next %q; want 2 and a cursor", len(p.Items), p.Next)
	}
	if _, err := s.col.Query(ShopProfile{CustomerID: "c-1"}).Range(query.BeginsWith, ShopAddress{}).PageSize(2).Page(ctx, p.Next); !errors.Is(err, query.ErrBadCursor) {
		t.Errorf("an orders-range cursor given to an addresses range: %v, want ErrBadCursor", err)
	}

	// A filter on orders keeps every other item, the unknown one included.
	s.counter.take()
	got, err = s.col.Query(ShopProfile{CustomerID: "c-1"}).
		Filter(s.orders, query.Name("total").GreaterThanEqual(query.Value(40))).
		Filter(s.addresses, query.Name("city").Equal(query.Value("city 1"))).
		Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Profile:c-1", "Address:a-1", "unknown Coupon", "unknown ", "Order:o-3", "Order:o-4"}
	if diff := cmp.Diff(want, describe(t, got)); diff != "" {
		t.Errorf("filters on orders and addresses (-want +got):\n%s", diff)
	}
	if n := s.counter.requests("Query"); n != 1 {
		t.Errorf("filtered query: %d Query requests, want 1", n)
	}

	// Only keeps the members named, dropping the unknown coupon.
	got, err = s.col.Query(ShopProfile{CustomerID: "c-1"}).Only(s.profiles, s.addresses).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Profile:c-1", "Address:a-0", "Address:a-1"}, describe(t, got)); diff != "" {
		t.Errorf("Only(profiles, addresses) (-want +got):\n%s", diff)
	}

	// Mistakes are reported before any request.
	s.counter.take()
	for _, tt := range []struct {
		name string
		q    *query.CollectionQuery
		want string
	}{
		{"filter on an attribute the member lacks",
			s.col.Query(ShopProfile{CustomerID: "c-1"}).Filter(s.addresses, query.Name("total").Equal(query.Value(1))), `"total"`},
		{"filter value of the wrong type",
			s.col.Query(ShopProfile{CustomerID: "c-1"}).Filter(s.orders, query.Name("total").Equal(query.Value("many"))), "total"},
		{"filter on a non-member", s.col.Query(ShopProfile{CustomerID: "c-1"}).Filter(s.coupons, query.Name("code").Equal(query.Value("X"))), "not a member"},
		{"only a non-member", s.col.Query(ShopProfile{CustomerID: "c-1"}).Only(s.coupons), "not a member"},
		{"range of two members", s.col.Query(ShopProfile{CustomerID: "c-1"}).Range(query.Between, ShopOrder{}, ShopAddress{}), "both of one member"},
		{"range of a non-member", s.col.Query(ShopProfile{CustomerID: "c-1"}).Range(query.Equal, "ORDER#"), "want an example of a member"},
		{"partition of a non-member", s.col.Query(ShopCoupon{CustomerID: "c-1"}), "want an example of a member"},
		{"empty partition", s.col.Query(ShopProfile{}), "partition attribute pk"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.q.Collect(ctx)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Collect() error = %v, want one containing %q", err, tt.want)
			}
			if ops, _ := s.counter.take(); len(ops) != 0 {
				t.Errorf("sent %v, want no request", ops)
			}
		})
	}
}

// Models that do not fit the shop collection.
type (
	ShopNoType struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"NOTE#{note_id}"`
		CustomerID string   `dynamo:"customer_id"`
		NoteID     string   `dynamo:"note_id"`
	}
	ShopOtherTable struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"NOTE#{note_id}"`
		_          struct{} `dynamo:"entity" template:"Note" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		NoteID     string   `dynamo:"note_id"`
	}
	ShopOtherShape struct {
		_          struct{} `dynamo:"pk,hash" template:"CUST#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"NOTE#{note_id}"`
		_          struct{} `dynamo:"entity" template:"Note" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		NoteID     string   `dynamo:"note_id"`
	}
	ShopIntPartition struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id:10}"`
		_          struct{} `dynamo:"sk,range" template:"NOTE#{note_id}"`
		_          struct{} `dynamo:"entity" template:"Note" dynamokit:"type"`
		CustomerID int      `dynamo:"customer_id"`
		NoteID     string   `dynamo:"note_id"`
	}
	ShopSameType struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"NOTE#{note_id}"`
		_          struct{} `dynamo:"entity" template:"Order" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		NoteID     string   `dynamo:"note_id"`
	}
	ShopOtherTypeAttr struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"NOTE#{note_id}"`
		_          struct{} `dynamo:"kind" template:"Note" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		NoteID     string   `dynamo:"note_id"`
	}
	ShopOtherSort struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"rk,range" template:"NOTE#{note_id}"`
		_          struct{} `dynamo:"entity" template:"Note" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		NoteID     string   `dynamo:"note_id"`
	}
)

func (ShopNoType) TableName() string        { return "shop" }
func (ShopOtherTable) TableName() string    { return "notes" }
func (ShopOtherShape) TableName() string    { return "shop" }
func (ShopIntPartition) TableName() string  { return "shop" }
func (ShopSameType) TableName() string      { return "shop" }
func (ShopOtherTypeAttr) TableName() string { return "shop" }
func (ShopOtherSort) TableName() string     { return "shop" }

// TestCollectionRefused: NewCollection refuses members that do not share
// a partition, naming the member and what differs.
func TestCollectionRefused(t *testing.T) {
	t.Parallel()
	db := graphClient(t)
	of := func(newTable func(*dynamokit.Client) (query.Member, error)) query.Member {
		t.Helper()
		m, err := newTable(db)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	profiles := of(func(c *dynamokit.Client) (query.Member, error) { return query.NewTable[ShopProfile](c) })
	orders := of(func(c *dynamokit.Client) (query.Member, error) { return query.NewTable[ShopOrder](c) })
	for _, tt := range []struct {
		name    string
		members []query.Member
		member  string // the type the error names; "" for none
		want    string
	}{
		{"one member", []query.Member{profiles}, "", "at least two"},
		{"nil member", []query.Member{profiles, (*query.Table[ShopOrder])(nil)}, "", "member 1 is nil"},
		{"no entity type", []query.Member{profiles, of(func(c *dynamokit.Client) (query.Member, error) { return query.NewTable[ShopNoType](c) })},
			"ShopNoType", "no entity-type attribute"},
		{"another table", []query.Member{profiles, of(func(c *dynamokit.Client) (query.Member, error) { return query.NewTable[ShopOtherTable](c) })},
			"ShopOtherTable", "table notes"},
		{"another partition shape", []query.Member{profiles, of(func(c *dynamokit.Client) (query.Member, error) { return query.NewTable[ShopOtherShape](c) })},
			"ShopOtherShape", `shape "CUST#"{string}`},
		{"another partition field type", []query.Member{profiles, of(func(c *dynamokit.Client) (query.Member, error) { return query.NewTable[ShopIntPartition](c) })},
			"ShopIntPartition", `{int:10}`},
		{"an entity type taken", []query.Member{profiles, orders, of(func(c *dynamokit.Client) (query.Member, error) { return query.NewTable[ShopSameType](c) })},
			"ShopSameType", `entity type "Order" is also`},
		{"the same member twice", []query.Member{profiles, orders, orders}, "ShopOrder", "declared twice"},
		{"another type attribute", []query.Member{profiles, of(func(c *dynamokit.Client) (query.Member, error) { return query.NewTable[ShopOtherTypeAttr](c) })},
			"ShopOtherTypeAttr", "entity-type attribute kind"},
		{"another sort key", []query.Member{profiles, of(func(c *dynamokit.Client) (query.Member, error) { return query.NewTable[ShopOtherSort](c) })},
			"ShopOtherSort", "sort key rk"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			col, err := query.NewCollection("customer", tt.members...)
			if !errors.Is(err, query.ErrInvalidCollection) {
				t.Fatalf("NewCollection() = %v, %v; want ErrInvalidCollection", col, err)
			}
			member := "member integration_test." + tt.member + ":"
			if tt.member == "" {
				member = "customer:"
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "query: invalid collection customer: ") || !strings.Contains(msg, member) || !strings.Contains(msg, tt.want) {
				t.Errorf("NewCollection() error = %q, want the collection, %q and %q named", msg, member, tt.want)
			}
		})
	}
}
