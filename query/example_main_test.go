package query_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/exampleengine"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// TestMain gives the examples the default engine (internal/exampleengine)
// and the tables they read, seeded with the items their outputs describe.
// Each example that writes writes items no other example reads.
func TestMain(m *testing.M) {
	os.Exit(exampleengine.Main(m, exampleengine.Setup{Name: "query", Models: exampleModels(), Seed: seedExamples}))
}

func exampleModels() []*model.Model {
	return []*model.Model{
		model.MustOf[Account](), model.MustOf[Entry](), model.MustOf[Order](), model.MustOf[Store](),
		model.MustOf[Profile](), model.MustOf[Purchase](), model.MustOf[Address](), model.MustOf[Case](),
	}
}

func seedExamples(ctx context.Context, c *dynamokit.Client) error {
	var err error
	client = c
	if accounts, err = query.NewTable[Account](c); err != nil {
		return err
	}
	if entries, err = query.NewTable[Entry](c); err != nil {
		return err
	}
	for _, a := range []Account{
		{ID: "a-1", Owner: "Ann", Balance: 100},  // read only
		{ID: "a-3", Owner: "Bob", Balance: 50},   // ExampleTable_Put
		{ID: "a-4", Owner: "Ann", Balance: 100},  // ExampleTable_Update
		{ID: "a-5", Owner: "Cy", Balance: 100},   // ExampleTable_TxCreate
		{ID: "a-6", Owner: "Cy"},                 // ExampleTable_TxCreate
		{ID: "a-7", Owner: "Cy", Balance: -20},   // ExampleTable_Scan
		{ID: "a-11", Owner: "Bob", Balance: 100}, // ExampleUpdate_Value
	} {
		if err := accounts.Create(ctx, &a); err != nil {
			return err
		}
	}
	for i, amount := range []int{50, -30, -5, 20, -1} {
		if err := entries.Create(ctx, &Entry{AccountID: "a-1", Seq: 100 + i, Amount: amount}); err != nil {
			return err
		}
	}
	orders, err := query.NewTable[Order](c)
	if err != nil {
		return err
	}
	for _, o := range []Order{
		{Customer: "acme", OrderID: "o-1", OrderedAt: time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)},
		{Customer: "acme", OrderID: "o-2", OrderedAt: time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC)},
		{Customer: "acme", OrderID: "o-3", OrderedAt: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)},
	} {
		if err := orders.Create(ctx, &o); err != nil {
			return err
		}
	}
	stores, err := query.NewTable[Store](c)
	if err != nil {
		return err
	}
	for _, s := range []Store{
		{Country: "us", State: "CA", City: "San Francisco", ID: "s-1"},
		{Country: "us", State: "CA", City: "San Francisco", ID: "s-2"},
		{Country: "us", State: "CA", City: "Los Angeles", ID: "s-3"},
		{Country: "us", State: "NY", City: "New York", ID: "s-4"},
	} {
		if err := stores.Create(ctx, &s); err != nil {
			return err
		}
	}
	profiles, err := query.NewTable[Profile](c)
	if err != nil {
		return err
	}
	if err := profiles.Create(ctx, &Profile{CustomerID: "c-1", Name: "Ann"}); err != nil {
		return err
	}
	purchases, err := query.NewTable[Purchase](c)
	if err != nil {
		return err
	}
	for _, p := range []Purchase{
		{CustomerID: "c-1", OrderID: "o-1", OrderedAt: time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC), Total: 120},
		{CustomerID: "c-1", OrderID: "o-2", OrderedAt: time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC), Total: 80},
		{CustomerID: "c-1", OrderID: "o-3", OrderedAt: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), Total: 150},
	} {
		if err := purchases.Create(ctx, &p); err != nil {
			return err
		}
	}
	addresses, err := query.NewTable[Address](c)
	if err != nil {
		return err
	}
	if err := addresses.Create(ctx, &Address{CustomerID: "c-1", AddressID: "home", City: "Paris"}); err != nil {
		return err
	}
	if cases, err = query.NewTable[Case](c); err != nil {
		return err
	}
	now := time.Now()
	for _, k := range []Case{
		{ID: "k-1", Tenant: "acme", ParentID: "p-1", Status: "open", Opened: now.AddDate(0, 0, -2), Title: "Printer jams"},
		{ID: "k-2", Tenant: "acme", ParentID: "p-1", Status: "open", Opened: now.AddDate(0, 0, -30), Title: "Old request"},
		{ID: "k-3", Tenant: "acme", ParentID: "p-1", Status: "closed", Opened: now.AddDate(0, 0, -1), Title: "Fixed already"},
		{ID: "k-4", Tenant: "acme", ParentID: "p-2", Status: "open", Opened: now.AddDate(0, 0, -1), Title: "Other parent"},
	} {
		if err := cases.Create(ctx, &k); err != nil {
			return err
		}
	}
	return nil
}
