package model_test

// The models of docs/tags.md. The document quotes this file; TestDocModels
// keeps every model valid.

import (
	"fmt"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
)

// Product shows the options of the dynamo tag.
type Product struct {
	SKU      string    `dynamo:"sku,hash"` // the partition key
	Name     string    // no tag: the attribute is called "Name"
	Tags     []string  `dynamo:"tags,set"`          // a string set (SS) rather than a list (L)
	Price    int       `dynamo:"price,omitempty"`   // left out of the item when zero
	Launched time.Time `dynamo:"launched,unixtime"` // Unix seconds (N) rather than RFC 3339 (S)
	Draft    string    `dynamo:"-"`                 // never stored
	cache    string    // unexported: never stored
}

func (Product) TableName() string { return "product" }

// Timestamps is embedded in several models: its fields become theirs.
type Timestamps struct {
	Created time.Time `dynamo:"created" dynamokit:"created"`
	Updated time.Time `dynamo:"updated" dynamokit:"updated"`
}

// Address is embedded by pointer: when nil, its attributes are not written.
type Address struct {
	City string `dynamo:"city,omitempty"`
}

type Customer struct {
	Timestamps
	*Address
	CustomerID string `dynamo:"customer_id,hash"`
	Name       string `dynamo:"name"`
}

func (Customer) TableName() string { return "customer" }

// Order has a composite primary key, global and local secondary indexes,
// and table options.
type Order struct {
	CustomerID string    `dynamo:"customer_id,hash"`
	OrderID    string    `dynamo:"order_id,range"`
	Status     string    `dynamo:"status" index:"status-date-index,partition" index:"status-total-index,hash"`
	Date       time.Time `dynamo:"date,unixtime" index:"status-date-index,sort" localIndex:"customer-date-index,range"`
	Total      int64     `dynamo:"total" index:"status-total-index,range"`
	Warehouse  string    `dynamo:"warehouse,omitempty" index:"warehouse-index,hash"`
}

func (Order) TableName() string { return "order" }

// TableOptions sets what tags cannot say: billing and index projections.
func (Order) TableOptions() model.Options {
	return model.Options{
		Billing: model.Provisioned(10, 5), // omit for on-demand
		Projections: map[string]model.Projection{
			"status-date-index": model.Include("total", "warehouse"),
			"warehouse-index":   model.KeysOnly,
			// indexes not listed project model.All
		},
	}
}

// Session shows the roles of the dynamokit tag.
type Session struct {
	Token   string    `dynamo:"token,hash"`
	User    string    `dynamo:"user"`
	Expires time.Time `dynamo:"expires,unixtime" dynamokit:"ttl"` // DynamoDB deletes the item after this time
	Version int       `dynamo:"version" dynamokit:"version"`      // optimistic locking in package query
	Created time.Time `dynamo:"created" dynamokit:"created"`      // set when the item is created
	Updated time.Time `dynamo:"updated" dynamokit:"updated"`      // set whenever the item is written
}

func (Session) TableName() string { return "session" }

// CompanyDepartment and CompanyEmployee share the table "company": a
// single-table design with computed keys.
type CompanyDepartment struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"DEPT"`
	_ struct{} `dynamo:"entity" template:"Department" dynamokit:"type"`

	DepartmentID string `dynamo:"department_id"`
	Name         string `dynamo:"name"`
}

func (CompanyDepartment) TableName() string { return "company" }

type CompanyEmployee struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"gsi1pk" template:"EMP#{employee_id}" index:"gsi1,hash"`
	_ struct{} `dynamo:"gsi1sk" template:"EMP" index:"gsi1,range"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	DepartmentID string `dynamo:"department_id"`
	Name         string `dynamo:"name"`
}

func (CompanyEmployee) TableName() string { return "company" }

// TestDocModels is the test docs/tags.md recommends for every project:
// fail fast when a model is invalid.
func TestDocModels(t *testing.T) {
	if err := model.Validate(Product{}, Customer{}, Order{}, Session{}, CompanyDepartment{}, CompanyEmployee{}); err != nil {
		t.Fatal(err)
	}
}

// Example_tags prints the tables that the models of docs/tags.md ask for.
func Example_tags() {
	tables, err := schema.Definitions(nil, model.MustOf[Order](), model.MustOf[Session](), model.MustOf[CompanyEmployee]())
	if err != nil {
		panic(err)
	}
	for _, t := range tables {
		fmt.Println("table", t.Name, "key:", t.Hash, t.Range, "ttl:", t.TTL, "billing:", t.Billing.ReadUnits, t.Billing.WriteUnits)
		for _, idx := range t.GSIs {
			fmt.Println("  global", idx.Name, idx.Hash, idx.Range, idx.Projection.Type, idx.Projection.NonKey)
		}
		for _, idx := range t.LSIs {
			fmt.Println("  local", idx.Name, idx.Hash, idx.Range, idx.Projection.Type, idx.Projection.NonKey)
		}
	}
	// Output:
	// table order key: customer_id S order_id S ttl:  billing: 10 5
	//   global status-date-index status S date N INCLUDE [total warehouse]
	//   global status-total-index status S total N ALL []
	//   global warehouse-index warehouse S  KEYS_ONLY []
	//   local customer-date-index customer_id S date N ALL []
	// table session key: token S  ttl: expires billing: 0 0
	// table company key: pk S sk S ttl:  billing: 0 0
	//   global gsi1 gsi1pk S gsi1sk S ALL []
}

// ExampleNamer gives one model a table per environment.
func ExampleNamer() {
	m := model.MustOf[Order]()
	fmt.Println(m.TableName(nil))
	fmt.Println(m.TableName(model.Prefix("staging-")))
	perTenant := func(tenant string) model.Namer {
		return func(base string) string { return tenant + "." + base }
	}
	fmt.Println(m.TableName(perTenant("acme")))
	// Output:
	// order
	// staging-order
	// acme.order
}
