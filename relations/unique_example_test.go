package relations_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema"
)

// Account has an email unique in its table, and a handle unique within
// its tenant.
type Account struct {
	AccountID string `dynamo:"account_id,hash"`
	TenantID  string `dynamo:"tenant_id"`
	Email     string `dynamo:"email,omitempty" unique:""`
	Handle    string `dynamo:"handle,omitempty" unique:"scope=tenant_id"`
}

func (Account) TableName() string { return "account" }

// Legacy is a model whose email was tagged unique after its table held
// data: LegacyV1, the same items before the tag, wrote them.
type Legacy struct {
	UserID string `dynamo:"user_id,hash"`
	Email  string `dynamo:"email" unique:""`
}

func (Legacy) TableName() string { return "legacy" }

// LegacyV1 is Legacy before its email was tagged unique.
type LegacyV1 struct {
	UserID string `dynamo:"user_id,hash"`
	Email  string `dynamo:"email"`
}

func (LegacyV1) TableName() string { return "legacy" }

// BadAccount names a scope attribute it does not have.
type BadAccount struct {
	AccountID string `dynamo:"account_id,hash"`
	Handle    string `dynamo:"handle" unique:"scope=team_id"`
}

func (BadAccount) TableName() string { return "account" }

// The unique tags are read with the model's other tags; package schema
// creates the table of the uniqueness records with the model's own. No
// request is made.
func Example_unique() {
	m := model.MustOf[Account]()
	for _, u := range m.Unique() {
		fmt.Printf("unique %s (scope %q)\n", u.Attr, u.Scope)
	}
	tables, err := schema.Definitions(nil, m)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range tables {
		fmt.Println("table", t.Name, "hash key", t.Hash)
	}

	_, err = model.Of[BadAccount]()
	fmt.Println(err)
	// Output:
	// unique email (scope "")
	// unique handle (scope "tenant_id")
	// table account hash key account_id S
	// table account_unique hash key id S
	// model: relations_test.BadAccount.Handle: tag `unique:"scope=team_id"`: unknown scope attribute team_id
}

// A client that enforces a Graph keeps the records of every write of a
// model with unique attributes, no relation declared; a value another
// item holds is a *NotUniqueError that names it.
func ExampleNotUniqueError() {
	ctx := context.Background()
	accounts, err := query.NewTable[Account](db) // db enforces a relations.Graph
	if err != nil {
		log.Fatal(err)
	}
	ann := Account{AccountID: "a-1", TenantID: "t-1", Email: "ann@example.com", Handle: "ann"}
	if err := accounts.Create(ctx, &ann); err != nil {
		log.Fatal(err)
	}
	other := Account{AccountID: "a-2", TenantID: "t-1", Email: "ann@example.com"}
	err = accounts.Create(ctx, &other)
	var taken *relations.NotUniqueError
	if errors.As(err, &taken) {
		fmt.Printf("%s %s is taken by %s\n", taken.Attr, taken.Value, taken.Owner)
	}
	fmt.Println(errors.Is(err, relations.ErrNotUnique))
	// Output:
	// email ann@example.com is taken by account_id=a-1
	// true
}

// Items stored before the attribute was tagged unique get their records
// from BackfillUnique, which reports the duplicates it finds instead of
// stopping at them.
func ExampleBackfillUnique() {
	ctx := context.Background()
	rep, err := relations.BackfillUnique(ctx, db, model.MustOf[Legacy]())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d items, %d records claimed\n", rep.Items, rep.Claimed)
	for _, d := range rep.Duplicates { // d.Owner and d.Item name the two items
		fmt.Printf("duplicate %s %q\n", d.Attr, d.Value)
	}
	// Output:
	// 3 items, 2 records claimed
	// duplicate email "bo@example.com"
}
