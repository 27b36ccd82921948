package query_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// Account is a model with optimistic locking, timestamps and a TTL.
type Account struct {
	ID      string    `dynamo:"id,hash"`
	Owner   string    `dynamo:"owner" index:"owner-index,hash"`
	Balance int       `dynamo:"balance"`
	Tags    []string  `dynamo:"tags,set,omitempty"`
	Expires time.Time `dynamo:"expires,omitempty" dynamokit:"ttl"`
	Version int       `dynamo:"version" dynamokit:"version"`
	Created time.Time `dynamo:"created" dynamokit:"created"`
	Updated time.Time `dynamo:"updated" dynamokit:"updated"`
}

func (Account) TableName() string { return "account" }

// Entry is one entry of an account's ledger: a partition per account,
// sorted by sequence number.
type Entry struct {
	AccountID string `dynamo:"account_id,hash"`
	Seq       int    `dynamo:"seq,range"`
	Amount    int    `dynamo:"amount"`
	Memo      string `dynamo:"memo,omitempty"`
}

func (Entry) TableName() string { return "entry" }

// The examples that need an engine use these tables, which TestMain makes
// and seeds (example_main_test.go) on the default engine.
var (
	ctx      = context.Background()
	client   *dynamokit.Client
	accounts *query.Table[Account]
	entries  *query.Table[Entry]
)

func ExampleNewTable() {
	// A client for the configured AWS account (connect.FromEnv, connect.Open
	// in programs); no request is made until a call does I/O.
	c := dynamokit.New(aws.Config{Region: "eu-west-1"}, dynamokit.WithNamer(model.Prefix("dev-")))
	accounts, err := query.NewTable[Account](c)
	if err != nil {
		log.Fatal(err) // T is not a valid model
	}
	fmt.Println(accounts.TableName())
	// Output: dev-account
}

func ExampleTable_Create() {
	a := Account{ID: "a-8", Owner: "Dee", Balance: 100}
	err := accounts.Create(ctx, &a)
	if errors.Is(err, dynamokit.ErrAlreadyExists) {
		fmt.Println("a-8 is taken") // a is unchanged
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Version, a.Created.Equal(a.Updated))
	// Output: 1 true
}

func ExampleTable_Get() {
	a, err := accounts.Consistent().Get(ctx, Account{ID: "a-1"})
	if errors.Is(err, dynamokit.ErrNotFound) {
		fmt.Println("no account a-1")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Owner, a.Balance)
	// Output: Ann 100
}

func ExampleTable_Get_emptyKey() {
	offline := dynamokit.New(aws.Config{Region: "us-east-1"}) // no request is made
	accounts, err := query.NewTable[Account](offline)
	if err != nil {
		log.Fatal(err)
	}
	_, err = accounts.Get(context.Background(), Account{})
	fmt.Println(errors.Is(err, model.ErrEmptyKey))
	fmt.Println(err)
	// Output:
	// true
	// dynamokit: GetItem account: query_test.Account: empty key attribute id
}

// Optimistic locking: read, change, write back with the version read, and
// start again if someone else wrote in between.
func ExampleTable_Put() {
	for {
		a, err := accounts.Consistent().Get(ctx, Account{ID: "a-3"})
		if err != nil {
			log.Fatal(err)
		}
		a.Balance += 10
		err = accounts.Put(ctx, &a) // only if the stored version is a.Version
		if errors.Is(err, dynamokit.ErrVersionConflict) {
			continue // a is as it was before Put; read again
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(a.Balance, a.Version)
		break
	}
	// Output: 60 2
}

func ExampleTable_TxCreate() {
	from, to := Account{ID: "a-5"}, Account{ID: "a-6"}
	entry := Entry{AccountID: "a-5", Seq: 101, Amount: -30, Memo: "to a-6"}
	err := client.WriteTx(ctx, &dynamokit.TxOptions{Token: "transfer-101"},
		accounts.Update(from).Add("balance", -30).If(query.Name("balance").GreaterThanEqual(query.Value(30))),
		accounts.Update(to).Add("balance", 30),
		entries.TxCreate(&entry),
	)
	var te *dynamokit.TxError
	if errors.As(err, &te) {
		for i, r := range te.Reasons {
			if r.Failed() {
				fmt.Println(i, r.Action, r.Kind) // e.g. 0 update account dynamokit: condition failed
			}
		}
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	a5, _ := accounts.Consistent().Get(ctx, from)
	a6, _ := accounts.Consistent().Get(ctx, to)
	fmt.Println(a5.Balance, a6.Balance)
	// Output: 70 30
}

func ExampleTable_TxDelete_tooManyActions() {
	offline := dynamokit.New(aws.Config{Region: "us-east-1"}) // no request is made
	accounts, err := query.NewTable[Account](offline)
	if err != nil {
		log.Fatal(err)
	}
	var actions []dynamokit.TxAction
	for i := range dynamokit.MaxTxActions + 1 {
		actions = append(actions, accounts.TxDelete(Account{ID: fmt.Sprint(i)}))
	}
	err = offline.WriteTx(context.Background(), nil, actions...)
	fmt.Println(errors.Is(err, dynamokit.ErrTooManyActions))
	// Output: true
}

func ExampleTable_TxGet() {
	var a Account
	var e Entry
	err := client.ReadTx(ctx,
		accounts.TxGet(Account{ID: "a-1"}, &a),
		entries.TxGet(Entry{AccountID: "a-1", Seq: 101}, &e),
	)
	if errors.Is(err, dynamokit.ErrNotFound) {
		fmt.Println("one of them is missing") // the others are read
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Balance, e.Amount)
	// Output: 100 -30
}

func ExampleTable_Update() {
	a, err := accounts.Update(Account{ID: "a-4"}).
		Add("balance", -30).
		AddToSet("tags", "vip").
		Set("expires", time.Now().Add(90*24*time.Hour)).
		If(query.Name("balance").GreaterThanEqual(query.Value(30))).
		Value(ctx)
	switch {
	case errors.Is(err, dynamokit.ErrNotFound):
		fmt.Println("no account a-4")
	case errors.Is(err, dynamokit.ErrConditionFailed):
		fmt.Println("balance too low")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(a.Balance, a.Tags)
	}
	// Output: 70 [vip]
}

func ExampleUpdate_Value() {
	var written *query.WrittenError
	a, err := accounts.Update(Account{ID: "a-11", Version: 1}).Add("balance", 5).Value(ctx)
	switch {
	case errors.As(err, &written):
		// Written, with version 2, but not readable as an Account: do not
		// retry with version 1 (a conflict); fix the item or read written.Item.
		log.Printf("updated, but: %v", written.Err) // err names the key
	case err != nil:
		log.Fatal(err) // nothing was written
	default:
		fmt.Println(a.Balance, a.Version)
	}
	// Output: 105 2
}

func ExampleUpdate_Run() {
	offline := dynamokit.New(aws.Config{Region: "us-east-1"}) // no request is made
	accounts, err := query.NewTable[Account](offline)
	if err != nil {
		log.Fatal(err)
	}
	err = accounts.Update(Account{ID: "a-1"}).Set("balanse", 10).Run(context.Background())
	fmt.Println(err)
	err = accounts.Update(Account{ID: "a-1"}).Add("balance", "ten").Run(context.Background())
	fmt.Println(err)
	// Output:
	// dynamokit: UpdateItem account: set: query_test.Account has no attribute "balanse"
	// dynamokit: UpdateItem account: add: attribute balance of query_test.Account holds values of type int, not string
}

func ExampleTable_Delete() {
	// Deleting a missing item is not an error...
	if err := accounts.Delete(ctx, Account{ID: "a-2"}); err != nil {
		log.Fatal(err)
	}
	// ...unless a condition asks for the item.
	err := accounts.Delete(ctx, Account{ID: "a-2"}, accounts.KeyExists())
	fmt.Println(errors.Is(err, dynamokit.ErrNotFound))
	// Output: true
}

func ExampleTable_Query() {
	recent, err := entries.Query(Entry{AccountID: "a-1"}).
		Range(query.GreaterThanEqual, 100).
		Filter(query.Name("amount").LessThan(query.Value(0))).
		Descending().
		Limit(20).
		Collect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range recent {
		fmt.Println(e.Seq, e.Amount)
	}
	byOwner, err := accounts.Query(Account{Owner: "Ann"}).Index("owner-index").Collect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(byOwner))
	// Output:
	// 104 -1
	// 102 -5
	// 101 -30
	// 2
}

func ExampleQuery_All() {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	total := 0
	for e, err := range entries.Query(Entry{AccountID: "a-1"}).PageSize(500).All(ctx) {
		if err != nil {
			log.Fatal(err) // also when ctx ends: errors.Is(err, context.DeadlineExceeded)
		}
		total += e.Amount
		if total > 1_000_000 {
			break // no further request is made
		}
	}
	fmt.Println(total)
	// Output: 34
}

func ExampleQuery_Page() {
	key := []byte("a secret of the server") // cursors go to clients: sign them
	next := ""                              // from the client's request
	page, err := entries.Query(Entry{AccountID: "a-1"}).Limit(100).SignCursors(key).Page(ctx, next)
	if errors.Is(err, query.ErrBadCursor) {
		fmt.Println("400 Bad Request") // tampered with, or from another query
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), page.Next != "") // page.Next is "" after the last page
	// Output: 5 false
}

func ExampleQuery_Count() {
	n, err := entries.Query(Entry{AccountID: "a-1"}).Range(query.Between, 1, 999).Count(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output: 5
}

func ExampleTable_Scan() {
	n := 0
	for a, err := range accounts.Scan().Segments(4).Filter(query.Name("balance").LessThan(query.Value(0))).All(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(a.ID) // segments interleave: no order
		n++
	}
	fmt.Println(n)
	// Output:
	// a-7
	// 1
}

func ExampleTable_BatchPut() {
	var ledger []Entry
	for i := range 500 {
		ledger = append(ledger, Entry{AccountID: "a-9", Seq: i, Amount: 1})
	}
	err := entries.BatchPut(ctx, ledger, &query.BatchOptions{Concurrency: 8})
	var be *query.BatchError[Entry]
	if errors.As(err, &be) {
		fmt.Println(len(be.Unprocessed), "not written:", be.Err) // retry them later
	} else if err != nil {
		log.Fatal(err)
	}
	n, err := entries.Query(Entry{AccountID: "a-9"}).Count(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output: 500
}

func ExampleName() {
	offline := dynamokit.New(aws.Config{Region: "us-east-1"}) // no request is made
	accounts, err := query.NewTable[Account](offline)
	if err != nil {
		log.Fatal(err)
	}
	// Names are checked against the model, values against their attribute,
	// before any request.
	_, err = accounts.Scan().Filter(query.Name("balanse").LessThan(query.Value(0))).Collect(ctx)
	fmt.Println(err)
	_, err = accounts.Scan().Filter(query.Name("expires").LessThan(query.Value("2030-01-01"))).Collect(ctx)
	fmt.Println(err)
	// Output:
	// dynamokit: Scan account: filter: query_test.Account has no attribute "balanse" (use query.Path for one the model does not declare)
	// dynamokit: Scan account: filter: attribute expires of query_test.Account holds values of type time.Time, not string
}

func ExamplePath() {
	// A nested attribute, or one the model does not declare: not checked,
	// and values are encoded by guregu/dynamo's rules for their Go type.
	cond := query.Path("address.city").Equal(query.Value("Paris"))
	found, err := accounts.Scan().Filter(cond).Collect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(found)) // no account has an address
	// Output: 0
}

func ExampleExpr() {
	// A condition of the SDK's expression package, used as it is.
	cond := expression.Name("owner").Equal(expression.Value("Ann"))
	ann, err := accounts.Scan().Filter(query.Expr(cond)).Collect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(ann))
	// Output: 2
}

// Order is a customer's order, sorted by the time it was placed.
type Order struct {
	_         struct{}  `dynamo:"pk,hash" template:"CUST#{customer}"`
	_         struct{}  `dynamo:"sk,range" template:"ORDER#{ordered_at}#{order_id}"`
	Customer  string    `dynamo:"customer"`
	OrderedAt time.Time `dynamo:"ordered_at"`
	OrderID   string    `dynamo:"order_id"`
}

func (Order) TableName() string { return "shop" }

// Store is a shop's store, under a sort key by state and city.
type Store struct {
	_       struct{} `dynamo:"pk,hash" template:"COUNTRY#{country}"`
	_       struct{} `dynamo:"sk,range" template:"STATE#{state}#CITY#{city}#{id}"`
	Country string   `dynamo:"country"`
	State   string   `dynamo:"state"`
	City    string   `dynamo:"city"`
	ID      string   `dynamo:"id"`
}

func (Store) TableName() string { return "shop" }

func ExampleQuery_Range() {
	orders, err := query.NewTable[Order](client)
	if err != nil {
		log.Fatal(err)
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 31, 23, 59, 59, 0, time.UTC)
	march, err := orders.Query(Order{Customer: "acme"}).
		Range(query.Between, Order{OrderedAt: from}, Order{OrderedAt: to}).
		Descending().
		Collect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(march))

	stores, err := query.NewTable[Store](client)
	if err != nil {
		log.Fatal(err)
	}
	california, err := stores.Query(Store{Country: "us"}).
		Range(query.BeginsWith, Store{State: "CA"}).
		Collect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	sanFrancisco, err := stores.Query(Store{Country: "us"}).
		Range(query.BeginsWith, Store{State: "CA", City: "San Francisco"}).
		Collect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(california), len(sanFrancisco))

	raw, err := orders.Query(Order{Customer: "acme"}).
		Range(query.BeginsWith, query.RawKey("ORDER#2026-03")).
		Collect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(raw))
	// Output:
	// 2
	// 3 2
	// 2
}

// A customer's profile, orders and addresses share the customer's
// partition of the table "customers", told apart by their "entity"
// attribute.
type (
	Profile struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"#PROFILE"`
		_          struct{} `dynamo:"entity" template:"Profile" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		Name       string   `dynamo:"name"`
	}
	Purchase struct {
		_          struct{}  `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{}  `dynamo:"sk,range" template:"ORDER#{ordered_at}#{order_id}"`
		_          struct{}  `dynamo:"entity" template:"Order" dynamokit:"type"`
		CustomerID string    `dynamo:"customer_id"`
		OrderedAt  time.Time `dynamo:"ordered_at"`
		OrderID    string    `dynamo:"order_id"`
		Total      int       `dynamo:"total"`
	}
	Address struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"ADDRESS#{address_id}"`
		_          struct{} `dynamo:"entity" template:"Address" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		AddressID  string   `dynamo:"address_id"`
		City       string   `dynamo:"city"`
	}
)

func (Profile) TableName() string  { return "customers" }
func (Purchase) TableName() string { return "customers" }
func (Address) TableName() string  { return "customers" }

func ExampleNewCollection() {
	profiles, err := query.NewTable[Profile](client)
	if err != nil {
		log.Fatal(err)
	}
	purchases, err := query.NewTable[Purchase](client)
	if err != nil {
		log.Fatal(err)
	}
	addresses, err := query.NewTable[Address](client)
	if err != nil {
		log.Fatal(err)
	}
	customer, err := query.NewCollection("customer", profiles, purchases, addresses)
	if err != nil {
		log.Fatal(err) // the members do not share a partition: query.ErrInvalidCollection
	}

	// One Query of the partition: each item decoded as its own type.
	for e, err := range customer.Query(Profile{CustomerID: "c-1"}).All(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		switch v := e.Value.(type) {
		case Profile:
			fmt.Println("profile", v.Name)
		case Purchase:
			fmt.Println("order", v.OrderID, v.Total)
		case Address:
			fmt.Println("address", v.City)
		default: // an entity type the collection does not declare
			fmt.Println("unknown", e.Type, e.Raw["sk"])
		}
	}

	// March's orders of 100 or more: the range, rendered through Purchase's
	// sort-key template, holds only orders; the filter applies to orders.
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 31, 23, 59, 59, 0, time.UTC)
	march, err := customer.Query(Profile{CustomerID: "c-1"}).
		Range(query.Between, Purchase{OrderedAt: from}, Purchase{OrderedAt: to}).
		Filter(purchases, query.Name("total").GreaterThanEqual(query.Value(100))).
		Collect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range query.Entities[Purchase](march) {
		fmt.Println(p.OrderID, p.OrderedAt.Format(time.DateOnly), p.Total)
	}
	// Output:
	// profile Ann
	// address Paris
	// order o-1 120
	// order o-2 80
	// order o-3 150
	// o-1 2026-03-05 120
}

func ExampleCollectionQuery_Page() {
	profiles, _ := query.NewTable[Profile](client)
	purchases, _ := query.NewTable[Purchase](client)
	customer, err := query.NewCollection("customer", profiles, purchases)
	if err != nil {
		log.Fatal(err)
	}
	key := []byte("a secret of the server")
	next := "" // from the client's request
	page, err := customer.Query(Profile{CustomerID: "c-1"}).PageSize(25).SignCursors(key).Page(ctx, next)
	if errors.Is(err, query.ErrBadCursor) {
		fmt.Println("400 Bad Request")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	profile := query.Entities[Profile](page.Items)
	orders := query.Entities[Purchase](page.Items)
	fmt.Println(len(profile), len(orders), page.Next != "")
	// Output: 1 3 false
}
