package integration_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// Purchase's sort key starts with the time it was made.
type Purchase struct {
	_         struct{}  `dynamo:"pk,hash" template:"CUST#{customer}"`
	_         struct{}  `dynamo:"sk,range" template:"ORDER#{ordered_at}#{order_id}"`
	Customer  string    `dynamo:"customer"`
	OrderedAt time.Time `dynamo:"ordered_at"`
	OrderID   string    `dynamo:"order_id"`
}

func (Purchase) TableName() string { return "purchase" }

// TestTemplateTimeOrder: keys built from times in several zones and with
// fractions of several lengths sort by time, so newest first is right, and
// a range by example selects by time.
func TestTemplateTimeOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Purchase](t))
	ctx := t.Context()
	purchases := tableOf[Purchase](t, e, nil, nil)
	tokyo, nyc := time.FixedZone("JST", 9*3600), time.FixedZone("EST", -5*3600)
	base := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	times := []time.Time{
		base,                             // 10:00:00Z
		base.Add(500 * time.Millisecond), // 10:00:00.5Z, before 10:00:00Z as RFC 3339 text
		base.Add(time.Hour).In(time.FixedZone("CET", 3600)), // 11:00Z written +01:00... as 12:00+01:00
		base.Add(-time.Minute).In(tokyo),                    // 09:59Z written 18:59+09:00
		base.Add(30 * time.Minute).In(nyc),                  // 10:30Z written 05:30-05:00
		base.Add(123456789),                                 // 10:00:00.123456789Z
		base.AddDate(0, 0, 2),                               // two days later
		base.AddDate(0, 0, -2).Add(time.Nanosecond),
	}
	for i, at := range times {
		p := Purchase{Customer: "c", OrderedAt: at, OrderID: string(rune('a' + i))}
		if err := purchases.Create(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	byTime := slices.Clone(times)
	slices.SortFunc(byTime, func(a, b time.Time) int { return b.Compare(a) })

	got, err := purchases.Query(Purchase{Customer: "c"}).Descending().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(byTime) {
		t.Fatalf("Query(newest first) returned %d purchases, want %d", len(got), len(byTime))
	}
	for i := range got {
		if !got[i].OrderedAt.Equal(byTime[i]) {
			t.Errorf("newest first: purchase %d at %s, want %s", i, got[i].OrderedAt.UTC(), byTime[i].UTC())
		}
	}

	// Between by example: the day of base, in another zone, both ends included.
	from := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC).In(tokyo)
	to := time.Date(2026, 3, 3, 11, 0, 0, 0, time.UTC)
	got, err = purchases.Query(Purchase{Customer: "c"}).Range(query.Between, Purchase{OrderedAt: from}, Purchase{OrderedAt: to}).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []time.Time
	for _, at := range times {
		if !at.Before(from) && !at.After(to) {
			want = append(want, at)
		}
	}
	if len(got) != len(want) || len(want) != 6 {
		t.Errorf("Between(%s, %s) returned %d purchases, want %d of %d", from, to, len(got), len(want), 6)
	}
	for _, p := range got {
		if p.OrderedAt.Before(from) || p.OrderedAt.After(to) {
			t.Errorf("Between(%s, %s) returned a purchase at %s", from, to, p.OrderedAt)
		}
	}
	// Paged through cursors bound to the typed range.
	q := func() *query.Query[Purchase] {
		return purchases.Query(Purchase{Customer: "c"}).Range(query.GreaterThanEqual, Purchase{OrderedAt: base}).PageSize(2)
	}
	n, cursor := 0, ""
	for {
		page, err := q().Page(ctx, cursor)
		if err != nil {
			t.Fatalf("Page(%q): %v", cursor, err)
		}
		n += len(page.Items)
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if n != 6 {
		t.Errorf("GreaterThanEqual(base) paged = %d purchases, want 6", n)
	}

	// A zero time is an empty key.
	if err := purchases.Create(ctx, &Purchase{Customer: "c", OrderID: "z"}); !errors.Is(err, model.ErrEmptyKey) {
		t.Errorf("Create(zero time) = %v, want ErrEmptyKey", err)
	}
}

// Store has a hierarchical sort key.
type Store struct {
	_       struct{} `dynamo:"pk,hash" template:"COUNTRY#{country}"`
	_       struct{} `dynamo:"sk,range" template:"STATE#{state}#CITY#{city}#{id}"`
	Country string   `dynamo:"country"`
	State   string   `dynamo:"state"`
	City    string   `dynamo:"city"`
	ID      string   `dynamo:"id"`
}

func (Store) TableName() string { return "store" }

// TestTemplatePrefix: a prefix by example selects at each level of a
// composite sort key, and never a state or city that merely begins alike.
func TestTemplatePrefix(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Store](t))
	ctx := t.Context()
	stores := tableOf[Store](t, e, nil, nil)
	for _, s := range []Store{
		{State: "CA", City: "SF", ID: "1"}, {State: "CA", City: "SF", ID: "2"}, {State: "CA", City: "SFO", ID: "3"},
		{State: "CA", City: "LA", ID: "4"}, {State: "CAL", City: "SF", ID: "5"}, {State: "NY", City: "NYC", ID: "6"},
		{State: "C#A", City: "SF", ID: "7"},
		{State: "NY", City: "Newark", ID: "8"}, {State: "NY", City: "New York", ID: "9"}, {State: "NY", City: "New", ID: "10"},
	} {
		s.Country = "us"
		if err := stores.Create(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		op   query.Op
		v    Store
		want []string
	}{
		{"a state", query.BeginsWith, Store{State: "CA"}, []string{"4", "1", "2", "3"}},
		{"a city", query.BeginsWith, Store{State: "CA", City: "SF"}, []string{"1", "2"}},
		{"a city with Equal", query.Equal, Store{State: "CA", City: "SF"}, []string{"1", "2"}},
		{"a state with the separator", query.BeginsWith, Store{State: "C#A"}, []string{"7"}},
		{"one store", query.Equal, Store{State: "CA", City: "SF", ID: "2"}, []string{"2"}},
		// A city that extends another by a byte below the separator sorts
		// as its value: NYC, New, New York, Newark.
		{"cities in value order", query.BeginsWith, Store{State: "NY"}, []string{"6", "10", "9", "8"}},
		{"cities from a city on", query.GreaterThanEqual, Store{State: "NY", City: "New York"}, []string{"9", "8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := stores.Query(Store{Country: "us"}).Range(tt.op, tt.v).Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range got {
				ids = append(ids, s.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("Range(%d, %+v) = %v, want %v", tt.op, tt.v, ids, tt.want)
			}
		})
	}
}

// TenantOrder's key joins two strings a caller chooses.
type TenantOrder struct {
	_        struct{} `dynamo:"pk,hash" template:"ORD#{customer}#{order}"`
	Customer string   `dynamo:"customer"`
	Order    string   `dynamo:"order"`
	Note     string   `dynamo:"note"`
}

func (TenantOrder) TableName() string { return "tenant_order" }

// TestTemplateNoCollision: customer acme#1's order 2 and customer acme's
// order 1#2 are two items; neither reads nor overwrites the other.
func TestTemplateNoCollision(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[TenantOrder](t))
	ctx := t.Context()
	orders := tableOf[TenantOrder](t, e, nil, nil)
	a := TenantOrder{Customer: "acme", Order: "1#2", Note: "acme's"}
	b := TenantOrder{Customer: "acme#1", Order: "2", Note: "acme#1's"}
	if err := orders.Create(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := orders.Create(ctx, &b); err != nil {
		t.Fatalf("Create(acme#1, 2) after Create(acme, 1#2) = %v, want a second item", err)
	}
	for _, want := range []TenantOrder{a, b} {
		got, err := orders.Get(ctx, TenantOrder{Customer: want.Customer, Order: want.Order})
		if err != nil || got.Note != want.Note || got.Customer != want.Customer {
			t.Errorf("Get(%s, %s) = %+v, %v; want %+v", want.Customer, want.Order, got, err, want)
		}
	}
}
