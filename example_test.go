package dynamokit_test

import (
	"context"
	"errors"
	"expvar"
	"fmt"
	"log"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// Account is a model with optimistic locking.
type Account struct {
	ID      string `dynamo:"id,hash"`
	Version int    `dynamo:"version" dynamokit:"version"`
}

func (Account) TableName() string { return "account" }

// Entry is one entry of an account's ledger.
type Entry struct {
	AccountID string `dynamo:"account_id,hash"`
	Seq       int    `dynamo:"seq,range"`
	Amount    int    `dynamo:"amount"`
}

func (Entry) TableName() string { return "entry" }

// The examples that need an engine use these, made by TestMain
// (example_main_test.go) on the default engine.
var (
	ctx     = context.Background()
	entries *query.Table[Entry]
)

func Example() {
	// One client for the program: the namer, clock, retry policy and hooks
	// are given once, and every table, schema call and relation uses them.
	c, err := connect.FromEnv(ctx,
		dynamokit.WithNamer(model.Prefix("prod-")),
		dynamokit.WithRetry(dynamokit.DefaultRetry),
		dynamokit.WithHook(func(ctx context.Context, r *dynamokit.Request) {
			slog.DebugContext(ctx, "dynamodb", "op", r.Op, "table", r.Table, "attempt", r.Attempt,
				"duration", r.Duration, "units", r.Units(), "err", r.Err)
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	accounts, err := query.NewTable[Account](c)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(accounts.TableName())
	// Output: prod-account
}

func ExampleNew() {
	offline := dynamokit.New(aws.Config{Region: "us-east-1"}, dynamokit.WithNamer(model.Prefix("dev-")))
	accounts, err := query.NewTable[Account](offline)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(accounts.TableName())
	// Output: dev-account
}

func ExampleWithCapacity() {
	var used dynamokit.Capacity
	cctx := dynamokit.WithCapacity(ctx, &used)
	for _, err := range entries.Query(Entry{AccountID: "a-1"}).All(cctx) {
		if err != nil {
			log.Fatal(err)
		}
	}
	// Summed over every page of the query.
	fmt.Println(used.Total().Read > 0, len(used.Tables()))
	// Output: true 1
}

func ExampleRetryPolicy() {
	c := dynamokit.New(aws.Config{Region: "us-east-1"}, dynamokit.WithRetry(dynamokit.RetryPolicy{
		MaxAttempts: 4,
		Backoff:     func(n int) time.Duration { return time.Duration(n) * 50 * time.Millisecond },
	}))
	_ = c
}

// A hook that feeds metrics: requests, errors and consumed units by
// operation, published with expvar. The ledger is read twice through a
// client with the hook; an item that is not there is an answer, not an
// error of the request.
func ExampleWithHook() {
	requests := expvar.NewMap("dynamodb_requests")
	units := expvar.NewMap("dynamodb_units")
	hooked := entries.Client().With(dynamokit.WithHook(func(ctx context.Context, r *dynamokit.Request) {
		requests.Add(r.Op, 1)
		if r.Err != nil {
			requests.Add(r.Op+" error", 1)
		}
		units.AddFloat(r.Op, r.Units())
	}))
	ledger, err := query.NewTable[Entry](hooked)
	if err != nil {
		log.Fatal(err)
	}
	e, err := ledger.Get(ctx, Entry{AccountID: "a-1", Seq: 0})
	fmt.Println(e.Amount, err)
	_, err = ledger.Get(ctx, Entry{AccountID: "a-9", Seq: 0})
	fmt.Println(errors.Is(err, dynamokit.ErrNotFound))
	fmt.Println(requests)
	// Output:
	// 100 <nil>
	// true
	// {"GetItem": 2}
}
