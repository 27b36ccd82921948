package integration_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// Customer has many orders.
type Customer struct {
	CustomerID string `dynamo:"customer_id,hash"`
	Name       string `dynamo:"name"`
}

func (Customer) TableName() string { return "customer" }

// Order belongs to a customer; the customer-orders index sorts a
// customer's orders by date (Unix seconds, so numerically).
type Order struct {
	OrderID    string    `dynamo:"order_id,hash"`
	CustomerID string    `dynamo:"customer_id,omitempty" index:"customer-orders,hash"`
	OrderedAt  time.Time `dynamo:"ordered_at,unixtime" index:"customer-orders,range"`
	TotalCents int       `dynamo:"total_cents"`
}

func (Order) TableName() string { return "order" }

// TestRelationsOrders relates a second, different pair: customers and
// their orders, newest first.
func TestRelationsOrders(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	orders, bought, ada, bob := shop[Order](t, relations.MultiTable)
	day := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		o := Order{OrderID: fmt.Sprintf("o-%d", i), CustomerID: "c-1", OrderedAt: day.AddDate(0, 0, i), TotalCents: 100 * (i + 1)}
		if err := bought.Link(ctx, &o, Customer{CustomerID: o.CustomerID}); err != nil {
			t.Fatalf("Create(%s): %v", o.OrderID, err)
		}
	}
	lost := Order{OrderID: "o-x", OrderedAt: day}
	if err := bought.Link(ctx, &lost, Customer{CustomerID: "c-404"}); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("Create(order of c-404) = %v, want ErrParentNotFound", err)
	}

	ids := func(os []Order) []string {
		out := make([]string, len(os))
		for i, o := range os {
			out[i] = o.OrderID
		}
		return out
	}
	newest, err := bought.Children(ada).Descending().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(newest), []string{"o-4", "o-3", "o-2", "o-1", "o-0"}; !slices.Equal(got, want) {
		t.Errorf("orders of Ada, newest first = %v, want %v", got, want)
	}
	latest, err := bought.Children(ada).Descending().Limit(2).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(latest), []string{"o-4", "o-3"}; !slices.Equal(got, want) {
		t.Errorf("Ada's two latest orders = %v, want %v", got, want)
	}
	since, err := bought.Children(ada).Range(query.GreaterThanEqual, day.AddDate(0, 0, 3)).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(since), []string{"o-3", "o-4"}; !slices.Equal(got, want) {
		t.Errorf("Ada's orders since March 4 = %v, want %v", got, want)
	}

	// Ada's orders newest first, two per page, as an API would serve them:
	// the client sends back the signed cursor of the last page it got.
	key := []byte("a secret of the server")
	var pages [][]string
	cursor := "" // "" asks for the first page
	for range 10 {
		page, err := bought.Children(ada).Descending().PageSize(2).SignCursors(key).Page(ctx, cursor)
		if errors.Is(err, query.ErrBadCursor) {
			t.Fatalf("Page(%q): %v", cursor, err) // a handler answers 400 Bad Request
		}
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, ids(page.Items))
		if page.Next == "" {
			break // the last page, which may be empty
		}
		cursor = page.Next
	}
	if diff := cmp.Diff([][]string{{"o-4", "o-3"}, {"o-2", "o-1"}, {"o-0"}}, pages); diff != "" {
		t.Errorf("pages of Ada's orders, newest first (-want +got):\n%s", diff)
	}
	// A page that is exactly full: DynamoDB gives a cursor and then an
	// empty last page; moto gives no cursor when nothing follows
	// (docs/testing.md). Either way the cursor is "" only when nothing is
	// left, and following it never repeats or loses an item.
	full, err := bought.Children(ada).PageSize(5).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Items) != 5 {
		t.Fatalf("Page(size 5) = %d items, want 5", len(full.Items))
	}
	if full.Next != "" {
		empty, err := bought.Children(ada).PageSize(5).Page(ctx, full.Next)
		if err != nil {
			t.Fatal(err)
		}
		if len(empty.Items) != 0 || empty.Next != "" {
			t.Errorf("page after a full one = %d items, Next %q, want none and \"\"", len(empty.Items), empty.Next)
		}
	}
	// A full page with more to come always has a cursor, on every engine.
	four, err := bought.Children(ada).PageSize(4).Page(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(four.Items) != 4 || four.Next == "" {
		t.Errorf("Page(size 4) of 5 = %d items, Next %q, want 4 items and a cursor", len(four.Items), four.Next)
	}

	// Hand the latest order over to Bob.
	if err := bought.Relink(ctx, Order{OrderID: "o-4"}, bob); err != nil {
		t.Fatal(err)
	}
	p, bobs, err := bought.ParentWithChildren(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Bob" || len(bobs) != 1 || bobs[0].OrderID != "o-4" || !bobs[0].OrderedAt.Equal(day.AddDate(0, 0, 4)) {
		t.Errorf("ParentWithChildren(Bob) = %v, %v, want Bob with o-4 of March 5", p, bobs)
	}

	if err := bought.DeleteParent(ctx, ada, nil); err != nil {
		t.Fatal(err)
	}
	left, err := orders.Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(left), []string{"o-4"}; !slices.Equal(got, want) {
		t.Errorf("orders after deleting Ada = %v, want %v", got, want)
	}
}

// shop sets up customers Ada (c-1) and Bob (c-2) and the relation from
// customers to orders of type O, checking its layout.
func shop[O any](t *testing.T, layout relations.Layout) (orders *query.Table[O], bought *relations.HasMany[Customer, O], ada, bob Customer) {
	t.Helper()
	e := newEnv(t, must[Customer](t), must[O](t))
	customers, err := query.NewTable[Customer](e.db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	orders, err = query.NewTable[O](e.db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	spec := relations.Spec{Layout: layout, OnDelete: relations.Cascade}
	if layout == relations.MultiTable {
		spec.Index = "customer-orders"
	}
	bought, err = relations.Declare(customers, orders, spec)
	if err != nil {
		t.Fatal(err)
	}
	if got := bought.Describe().Layout; got != layout {
		t.Errorf("Layout() = %v, want %v", got, layout)
	}
	ada, bob = Customer{"c-1", "Ada"}, Customer{"c-2", "Bob"}
	for _, c := range []Customer{ada, bob} {
		if err := customers.Create(t.Context(), &c); err != nil {
			t.Fatal(err)
		}
	}
	return orders, bought, ada, bob
}

// CustomerOrder is an order in a table of its own, keyed by its link: a
// customer's orders are one partition, sorted by date.
type CustomerOrder struct {
	CustomerID string    `dynamo:"customer_id,hash"`
	OrderedAt  time.Time `dynamo:"ordered_at,range,unixtime"`
	OrderID    string    `dynamo:"order_id"`
}

func (CustomerOrder) TableName() string { return "customer_order" }

// TestRelationsChildTableKeyedByLink relates customers to orders whose
// table is keyed by customer_id: no index, strongly consistent reads
// possible, and a move re-keys the order.
func TestRelationsChildTableKeyedByLink(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	orders, bought, ada, bob := shop[CustomerOrder](t, relations.ItemCollection)
	day := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 4 {
		o := CustomerOrder{CustomerID: "c-1", OrderedAt: day.AddDate(0, 0, i), OrderID: fmt.Sprintf("o-%d", i)}
		if err := bought.Link(ctx, &o, Customer{CustomerID: o.CustomerID}); err != nil {
			t.Fatalf("Create(%s): %v", o.OrderID, err)
		}
	}
	if err := bought.Link(ctx, &CustomerOrder{OrderedAt: day, OrderID: "o-x"}, Customer{CustomerID: "c-404"}); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("Create(order of c-404) = %v, want ErrParentNotFound", err)
	}
	ids := func(os []CustomerOrder) []string {
		out := make([]string, len(os))
		for i, o := range os {
			out[i] = o.OrderID
		}
		return out
	}
	since, err := bought.Children(ada).Range(query.GreaterThanEqual, day.AddDate(0, 0, 2)).Descending().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(since), []string{"o-3", "o-2"}; !slices.Equal(got, want) {
		t.Errorf("Ada's orders since March 3, newest first = %v, want %v", got, want)
	}

	latest := CustomerOrder{CustomerID: "c-1", OrderedAt: day.AddDate(0, 0, 3)}
	if err := bought.Relink(ctx, latest, bob); err != nil {
		t.Fatalf("Move(o-3, Bob) = %v", err)
	}
	if err := bought.Relink(ctx, latest, bob); !errors.Is(err, relations.ErrChildNotFound) {
		t.Errorf("Move(o-3 again from Ada) = %v, want ErrChildNotFound", err)
	}
	if err := bought.Relink(ctx, CustomerOrder{CustomerID: "c-1", OrderedAt: day}, Customer{CustomerID: "c-404"}); !errors.Is(err, relations.ErrParentNotFound) {
		t.Errorf("Move(o-0, c-404) = %v, want ErrParentNotFound", err)
	}
	p, bobs, err := bought.ParentWithChildren(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Bob" || !slices.Equal(ids(bobs), []string{"o-3"}) {
		t.Errorf("ParentWithChildren(Bob) = %v, %v, want Bob with o-3", p, ids(bobs))
	}
	if err := bought.Unlink(ctx, bobs[0]); !errors.Is(err, relations.ErrCannotDetach) {
		t.Errorf("Detach = %v, want ErrCannotDetach (the link is the key)", err)
	}
	if err := bought.DeleteParent(ctx, ada, nil); err != nil {
		t.Fatal(err)
	}
	left, err := orders.Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(left), []string{"o-3"}; !slices.Equal(got, want) {
		t.Errorf("orders after deleting Ada = %v, want %v", got, want)
	}
}
