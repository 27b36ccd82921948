package schema

import (
	"time"

	"github.com/dynamokit/dynamokit/model"
)

// The models of the internal tests.

type employee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
}

func (employee) TableName() string { return "employee" }

// order has a range key, two global and one local index, provisioned
// billing, projections and TTL.
type order struct {
	CustomerID string    `dynamo:"customer_id,hash"`
	OrderID    string    `dynamo:"order_id,range"`
	Status     string    `dynamo:"status" index:"by-status,hash"`
	Date       time.Time `dynamo:"date" index:"by-status,range" localIndex:"by-date,range"`
	Total      int64     `dynamo:"total" index:"by-total,hash"`
	Expires    int64     `dynamo:"expires" dynamokit:"ttl"`
}

func (order) TableName() string { return "order" }

func (order) TableOptions() model.Options {
	return model.Options{
		Billing: model.Provisioned(5, 2),
		Projections: map[string]model.Projection{
			"by-status": model.Include("total", "customer_id"),
			"by-total":  model.KeysOnly,
		},
	}
}

// Single-table design: two entity types in table "app".

type deptItem struct {
	_    struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_    struct{} `dynamo:"sk,range" template:"DEPT"`
	ID   string   `dynamo:"department_id"`
	Name string   `dynamo:"name"`
}

func (deptItem) TableName() string { return "app" }

type empItem struct {
	_      struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_      struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_      struct{} `dynamo:"gsi1pk" template:"EMP#{employee_id}" index:"gsi1,hash"`
	_      struct{} `dynamo:"gsi1sk" template:"EMP" index:"gsi1,range"`
	ID     string   `dynamo:"employee_id"`
	DeptID string   `dynamo:"department_id"`
	Exp    int64    `dynamo:"exp" dynamokit:"ttl"`
}

func (empItem) TableName() string { return "app" }

// Models that cannot share a table with empItem.

type appOtherKey struct {
	ID string `dynamo:"pk,hash"`
}

func (appOtherKey) TableName() string { return "app" }

type appProvisioned struct {
	_  struct{} `dynamo:"pk,hash" template:"X#{id}"`
	_  struct{} `dynamo:"sk,range" template:"X"`
	ID string   `dynamo:"id"`
}

func (appProvisioned) TableName() string { return "app" }
func (appProvisioned) TableOptions() model.Options {
	return model.Options{Billing: model.Provisioned(1, 1)}
}

type appOtherTTL struct {
	_   struct{} `dynamo:"pk,hash" template:"X#{id}"`
	_   struct{} `dynamo:"sk,range" template:"X"`
	ID  string   `dynamo:"id"`
	TTL int64    `dynamo:"other_ttl" dynamokit:"ttl"`
}

func (appOtherTTL) TableName() string { return "app" }

type appOtherGSI struct {
	_  struct{} `dynamo:"pk,hash" template:"X#{id}"`
	_  struct{} `dynamo:"sk,range" template:"X"`
	ID string   `dynamo:"id" index:"gsi1,hash"`
}

func (appOtherGSI) TableName() string { return "app" }

type appLocalGSI1 struct {
	_    struct{} `dynamo:"pk,hash" template:"X#{id}"`
	_    struct{} `dynamo:"sk,range" template:"X"`
	ID   string   `dynamo:"id"`
	Date string   `dynamo:"date" localIndex:"gsi1,range"`
}

func (appLocalGSI1) TableName() string { return "app" }

type appNumberGSIKey struct {
	_  struct{} `dynamo:"pk,hash" template:"X#{id}"`
	_  struct{} `dynamo:"sk,range" template:"X"`
	ID string   `dynamo:"id"`
	N  int      `dynamo:"gsi1pk" index:"gsi2,hash"`
}

func (appNumberGSIKey) TableName() string { return "app" }
