// Command collections stores a customer's profile, orders and addresses
// in the customer's partition of one table, declares them as a
// collection, and reads them back with one Query per page, each item
// decoded into its own type: all of it, the orders of a date range, a
// filter on orders only, and pages joined by signed cursors. An item of a
// type the collection does not declare is reported, not dropped.
//
// Run it from the repository root:
//
//	go run ./examples/collections
//
// It connects with connect.Open: to DYNAMODB_ENDPOINT when that is set,
// with -aws to real DynamoDB through the normal AWS configuration
// (credentials, region, AWS_ENDPOINT_URL_DYNAMODB), and otherwise to a
// private moto server, installed into the user cache on first use (it needs
// Python 3). The table it creates is prefixed (-prefix) and dropped at
// the end unless -keep is given.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/schema"
)

// Profile is the customer's own item: pk "CUSTOMER#c-1", sk "#PROFILE".
type Profile struct {
	_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
	_          struct{} `dynamo:"sk,range" template:"#PROFILE"`
	_          struct{} `dynamo:"entity" template:"Profile" dynamokit:"type"`
	CustomerID string   `dynamo:"customer_id"`
	Name       string   `dynamo:"name"`
}

// Order is one of the customer's orders, sorted by date:
// sk "ORDER#2026-03-02T…#o-2".
type Order struct {
	_          struct{}  `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
	_          struct{}  `dynamo:"sk,range" template:"ORDER#{ordered_at}#{order_id}"`
	_          struct{}  `dynamo:"entity" template:"Order" dynamokit:"type"`
	CustomerID string    `dynamo:"customer_id"`
	OrderedAt  time.Time `dynamo:"ordered_at"`
	OrderID    string    `dynamo:"order_id"`
	Total      int       `dynamo:"total"`
}

// Address is one of the customer's addresses: sk "ADDRESS#home".
type Address struct {
	_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
	_          struct{} `dynamo:"sk,range" template:"ADDRESS#{address_id}"`
	_          struct{} `dynamo:"entity" template:"Address" dynamokit:"type"`
	CustomerID string   `dynamo:"customer_id"`
	AddressID  string   `dynamo:"address_id"`
	City       string   `dynamo:"city"`
}

// Coupon is stored in the partition too, by another part of the service;
// the collection below does not declare it.
type Coupon struct {
	_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
	_          struct{} `dynamo:"sk,range" template:"COUPON#{code}"`
	_          struct{} `dynamo:"entity" template:"Coupon" dynamokit:"type"`
	CustomerID string   `dynamo:"customer_id"`
	Code       string   `dynamo:"code"`
}

// Note is filed under another partition key template: it cannot join
// the collection.
type Note struct {
	_          struct{} `dynamo:"pk,hash" template:"CUST#{customer_id}"`
	_          struct{} `dynamo:"sk,range" template:"NOTE#{note_id}"`
	_          struct{} `dynamo:"entity" template:"Note" dynamokit:"type"`
	CustomerID string   `dynamo:"customer_id"`
	NoteID     string   `dynamo:"note_id"`
}

// TableName is the shared table's base name.
func (Note) TableName() string { return "shop" }

// TableName is the shared table's base name.
func (Profile) TableName() string { return "shop" }

// TableName is the shared table's base name.
func (Order) TableName() string { return "shop" }

// TableName is the shared table's base name.
func (Address) TableName() string { return "shop" }

// TableName is the shared table's base name.
func (Coupon) TableName() string { return "shop" }

func main() {
	prefix := flag.String("prefix", "dynamokit-example-", "prefix for the table name")
	keep := flag.Bool("keep", false, "keep the table at the end")
	useAWS := flag.Bool("aws", false, "use real DynamoDB through the normal AWS configuration instead of a private moto server")
	flag.Parse()

	if err := run(context.Background(), os.Stdout, *useAWS, *prefix, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "collections:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, useAWS bool, prefix string, keep bool) error {
	// The hook counts the Query requests, to show one per page.
	var queries atomic.Int64
	count := func(_ context.Context, r *dynamokit.Request) {
		if r.Op == "Query" && r.Attempt == 1 {
			queries.Add(1)
		}
	}
	db, eng, err := connect.Open(ctx, &connect.Options{AWS: useAWS, Log: os.Stderr}, dynamokit.WithNamer(model.Prefix(prefix)), dynamokit.WithHook(count))
	if err != nil {
		return err
	}
	defer eng.Close() // stops the moto server, if Open started one
	// Not before: the first run installs moto, which can take minutes.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	var models []*model.Model
	for _, of := range []func() (*model.Model, error){model.Of[Profile], model.Of[Order], model.Of[Address], model.Of[Coupon]} {
		m, err := of()
		if err != nil {
			return err
		}
		models = append(models, m)
	}
	if err := schema.Create(ctx, db, nil, models...); err != nil {
		return err
	}
	if !keep {
		defer func() {
			// Use a fresh context: ctx may be what failed.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := schema.Drop(ctx, db, nil, models...); err != nil {
				fmt.Fprintln(os.Stderr, "collections: drop table:", err)
			}
		}()
	}
	return walkThrough(ctx, w, db, &queries)
}

func walkThrough(ctx context.Context, w io.Writer, db *dynamokit.Client, queries *atomic.Int64) error {
	profiles, err := query.NewTable[Profile](db)
	if err != nil {
		return err
	}
	orders, err := query.NewTable[Order](db)
	if err != nil {
		return err
	}
	addresses, err := query.NewTable[Address](db)
	if err != nil {
		return err
	}
	coupons, err := query.NewTable[Coupon](db)
	if err != nil {
		return err
	}

	// The declaration is checked: a model of another partition shape is
	// refused, naming it.
	notes, err := query.NewTable[Note](db)
	if err != nil {
		return err
	}
	_, err = query.NewCollection("customer", profiles, orders, notes)
	fmt.Fprintf(w, "declare Profile, Order and Note: %v\n", err)
	customer, err := query.NewCollection("customer", profiles, orders, addresses)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "collection %s in table %s: Profile, Order, Address\n", customer.Name(), customer.TableName())

	if err := profiles.Put(ctx, &Profile{CustomerID: "c-1", Name: "Alice"}); err != nil {
		return err
	}
	day := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i, total := range []int{30, 120, 75, 210, 15} {
		o := Order{CustomerID: "c-1", OrderedAt: day.AddDate(0, 0, i), OrderID: fmt.Sprintf("o-%d", i+1), Total: total}
		if err := orders.Put(ctx, &o); err != nil {
			return err
		}
	}
	for _, a := range []Address{{CustomerID: "c-1", AddressID: "home", City: "Lyon"}, {CustomerID: "c-1", AddressID: "work", City: "Paris"}} {
		if err := addresses.Put(ctx, &a); err != nil {
			return err
		}
	}
	if err := coupons.Put(ctx, &Coupon{CustomerID: "c-1", Code: "WELCOME"}); err != nil {
		return err
	}
	fmt.Fprintln(w, "stored for c-1: 1 profile, 5 orders, 2 addresses, 1 coupon")

	show := func(title string, q *query.CollectionQuery) error {
		queries.Store(0)
		fmt.Fprintf(w, "--- %s ---\n", title)
		for e, err := range q.All(ctx) {
			if err != nil {
				return err
			}
			fmt.Fprintln(w, describe(e))
		}
		fmt.Fprintf(w, "(%d Query request(s))\n", queries.Load())
		return nil
	}
	all := func() *query.CollectionQuery { return customer.Query(Profile{CustomerID: "c-1"}) }
	if err := show("everything in c-1's partition", all()); err != nil {
		return err
	}
	if err := show("orders from March 2 to March 4 (a range by example of Order)",
		all().Range(query.Between, Order{OrderedAt: day.AddDate(0, 0, 1)}, Order{OrderedAt: day.AddDate(0, 0, 3)})); err != nil {
		return err
	}
	if err := show("orders of 100 or more; the other entity types untouched by that filter",
		all().Filter(orders, query.Name("total").GreaterThanEqual(query.Value(100)))); err != nil {
		return err
	}
	if err := show("only the profile and the addresses", all().Only(profiles, addresses)); err != nil {
		return err
	}

	// Pages of 4 items of any type, joined by signed cursors.
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	fmt.Fprintln(w, "--- pages of 4, newest first, signed cursors ---")
	queries.Store(0)
	cursor, first := "", ""
	for n := 1; ; n++ {
		page, err := all().Descending().PageSize(4).SignCursors(key).Page(ctx, cursor)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "page %d: %d profile(s), %d order(s), %d address(es), %d other\n", n,
			len(query.Entities[Profile](page.Items)), len(query.Entities[Order](page.Items)),
			len(query.Entities[Address](page.Items)), unknown(page.Items))
		if page.Next == "" {
			break
		}
		if first == "" {
			first = page.Next
		}
		cursor = page.Next
	}
	fmt.Fprintf(w, "(%d Query request(s), one per page)\n", queries.Load())

	// A cursor is bound to its query and signed: altered, it is refused
	// before any request.
	tampered := []byte(first)
	tampered[10] ^= 1 // a bit of the position
	_, err = all().Descending().PageSize(4).SignCursors(key).Page(ctx, string(tampered))
	fmt.Fprintf(w, "a tampered cursor: %v\n", err)
	_, err = all().PageSize(4).SignCursors(key).Page(ctx, first)
	fmt.Fprintf(w, "the cursor of the newest-first query given to an oldest-first one: %v\n", err)
	return nil
}

// describe renders one item of the collection.
func describe(e query.Entity) string {
	switch v := e.Value.(type) {
	case Profile:
		return fmt.Sprintf("Profile  %s", v.Name)
	case Order:
		return fmt.Sprintf("Order    %s on %s, total %d", v.OrderID, v.OrderedAt.Format(time.DateOnly), v.Total)
	case Address:
		return fmt.Sprintf("Address  %s in %s", v.AddressID, v.City)
	}
	return fmt.Sprintf("unknown entity type %q, reported as a raw item of %d attributes", e.Type, len(e.Raw))
}

// unknown counts the items of entity types the collection does not declare.
func unknown(es []query.Entity) int {
	n := 0
	for _, e := range es {
		if !e.Known() {
			n++
		}
	}
	return n
}
