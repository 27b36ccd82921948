package relations

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Models of each layout, and some that cannot be related.

type mtDept struct {
	DeptID string `dynamo:"dept_id,hash"`
}

func (mtDept) TableName() string { return "dept" }

type mtEmp struct {
	EmpID  string `dynamo:"emp_id,hash"`
	DeptID string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
}

func (mtEmp) TableName() string { return "emp" }

type iiDept struct {
	_      struct{} `dynamo:"pk,hash" template:"DEPT#{dept_id}"`
	_      struct{} `dynamo:"sk,range" template:"#META"`
	_      struct{} `dynamo:"entity" template:"Dept" dynamokit:"type"`
	DeptID string   `dynamo:"dept_id"`
}

func (iiDept) TableName() string { return "app" }

// iiDeptIndexed is also in the children's index partition.
type iiDeptIndexed struct {
	_      struct{} `dynamo:"pk,hash" template:"DEPT#{dept_id}"`
	_      struct{} `dynamo:"sk,range" template:"#META"`
	_      struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{dept_id}"`
	_      struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"#META"`
	_      struct{} `dynamo:"entity" template:"Dept" dynamokit:"type"`
	DeptID string   `dynamo:"dept_id"`
}

func (iiDeptIndexed) TableName() string { return "app" }

type iiEmp struct {
	_      struct{} `dynamo:"pk,hash" template:"EMP#{emp_id}"`
	_      struct{} `dynamo:"sk,range" template:"#META"`
	_      struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{dept_id}"`
	_      struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"EMP#{emp_id}"`
	_      struct{} `dynamo:"entity" template:"Emp" dynamokit:"type"`
	EmpID  string   `dynamo:"emp_id"`
	DeptID string   `dynamo:"dept_id,omitempty"`
}

func (iiEmp) TableName() string { return "app" }

// icDeptMeta is the head of its item collection under a constant sort key.
type icDeptMeta struct {
	_      struct{} `dynamo:"pk,hash" template:"DEPT#{dept_id}"`
	_      struct{} `dynamo:"sk,range" template:"#META"`
	_      struct{} `dynamo:"entity" template:"Dept" dynamokit:"type"`
	DeptID string   `dynamo:"dept_id"`
}

func (icDeptMeta) TableName() string { return "app" }

// icDeptSelf repeats its id in its sort key, so it refers to dept_id twice.
type icDeptSelf struct {
	_      struct{} `dynamo:"pk,hash" template:"DEPT#{dept_id}"`
	_      struct{} `dynamo:"sk,range" template:"DEPT#{dept_id}"`
	_      struct{} `dynamo:"entity" template:"Dept" dynamokit:"type"`
	DeptID string   `dynamo:"dept_id"`
}

func (icDeptSelf) TableName() string { return "app" }

// icDeptApart lives in another partition than its children.
type icDeptApart struct {
	_      struct{} `dynamo:"pk,hash" template:"DEPTINFO#{dept_id}"`
	_      struct{} `dynamo:"sk,range" template:"#META"`
	DeptID string   `dynamo:"dept_id"`
}

func (icDeptApart) TableName() string { return "app" }

type icEmp struct {
	_      struct{} `dynamo:"pk,hash" template:"DEPT#{dept_id}"`
	_      struct{} `dynamo:"sk,range" template:"EMP#{emp_id}"`
	_      struct{} `dynamo:"entity" template:"Emp" dynamokit:"type"`
	EmpID  string   `dynamo:"emp_id"`
	DeptID string   `dynamo:"dept_id"`
}

func (icEmp) TableName() string { return "app" }

// A parent identified by two attributes.
type tenantDept struct {
	TenantID string `dynamo:"tenant_id,hash"`
	DeptID   string `dynamo:"dept_id,range"`
}

func (tenantDept) TableName() string { return "tenant_dept" }

type tenantEmp struct {
	_        struct{} `dynamo:"by_dept" index:"by-dept,hash" template:"{tenant_id}#{dept_id}"`
	EmpID    string   `dynamo:"emp_id,hash"`
	TenantID string   `dynamo:"tenant_id"`
	DeptID   string   `dynamo:"dept_id"`
}

func (tenantEmp) TableName() string { return "tenant_emp" }

// Children that cannot be related to mtDept.
type noLinkEmp struct {
	EmpID string `dynamo:"emp_id,hash"`
}

func (noLinkEmp) TableName() string { return "emp" }

type otherTypeEmp struct {
	EmpID  string `dynamo:"emp_id,hash"`
	DeptID int    `dynamo:"dept_id" index:"by-dept,hash"`
}

func (otherTypeEmp) TableName() string { return "emp" }

type noIndexEmp struct {
	EmpID  string `dynamo:"emp_id,hash"`
	DeptID string `dynamo:"dept_id"`
}

func (noIndexEmp) TableName() string { return "emp" }

// offline holds a client per test (and subtest), not used until a call does
// I/O: each test declares its relations in a graph of its own.
var offline sync.Map

func offlineClient(t *testing.T) *dynamokit.Client {
	c, _ := offline.LoadOrStore(t.Name(), dynamokit.New(aws.Config{Region: "us-east-1"}, dynamokit.WithRules(NewGraph())))
	return c.(*dynamokit.Client)
}

func tableOf[T any](t *testing.T) *query.Table[T] {
	t.Helper()
	r, err := query.NewTable[T](offlineClient(t))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// derived is what Declare accepted, for comparison.
type derived struct {
	Layout   Layout
	Index    string
	Links    []string
	Together bool
}

func derive[P, C any](t *testing.T, spec Spec) (derived, error) {
	t.Helper()
	h, err := Declare(tableOf[P](t), tableOf[C](t), spec)
	if err != nil {
		return derived{}, err
	}
	d := derived{Layout: h.spec.Layout, Index: h.spec.Index, Together: h.spec.Together}
	for _, l := range h.links {
		d.Links = append(d.Links, l.name)
	}
	return d, nil
}

func TestDeclare(t *testing.T) {
	mt := Spec{Layout: MultiTable, Index: "by-dept"}
	ii := Spec{Layout: InvertedIndex, Index: "gsi1"}
	iiTogether := Spec{Layout: InvertedIndex, Index: "gsi1", Together: true}
	ic := Spec{Layout: ItemCollection}
	icTogether := Spec{Layout: ItemCollection, Together: true}
	tests := []struct {
		name string
		run  func(*testing.T, Spec) (derived, error)
		spec Spec
		want derived
	}{
		{"multi-table", derive[mtDept, mtEmp], mt, derived{MultiTable, "by-dept", []string{"dept_id"}, false}},
		{"inverted index", derive[iiDept, iiEmp], ii, derived{InvertedIndex, "gsi1", []string{"dept_id"}, false}},
		{"inverted index, parent in the index", derive[iiDeptIndexed, iiEmp], iiTogether, derived{InvertedIndex, "gsi1", []string{"dept_id"}, true}},
		{"inverted index, parent in the index, not declared together", derive[iiDeptIndexed, iiEmp], ii, derived{InvertedIndex, "gsi1", []string{"dept_id"}, false}},
		{"item collection, constant parent sort key", derive[icDeptMeta, icEmp], icTogether, derived{ItemCollection, "", []string{"dept_id"}, true}},
		{"item collection, parent id twice in its key", derive[icDeptSelf, icEmp], icTogether, derived{ItemCollection, "", []string{"dept_id"}, true}},
		{"item collection, parent in another partition", derive[icDeptApart, icEmp], ic, derived{ItemCollection, "", []string{"dept_id"}, false}},
		{"two links", derive[tenantDept, tenantEmp], Spec{Layout: InvertedIndex, Index: "by-dept"}, derived{InvertedIndex, "by-dept", []string{"tenant_id", "dept_id"}, false}},
		{"item collection in the children's own table", derive[mtDept, icEmp], ic, derived{ItemCollection, "", []string{"dept_id"}, false}},
		{"include of every field", derive[mtDept, namedEmp], mt, derived{MultiTable, "by-dept", []string{"dept_id"}, false}},
		{"a whole index beside a keys-only one", derive[mtDept, twoIndexEmp], mt, derived{MultiTable, "by-dept", []string{"dept_id"}, false}},
		{"inverted index with the parent's fields included", derive[iiDeptIndexed, iiEmpIncl], iiTogether, derived{InvertedIndex, "gsi1", []string{"dept_id"}, true}},
		{"inverted index without the parent's name", derive[iiDeptNamed, iiEmpIncl], ii, derived{InvertedIndex, "gsi1", []string{"dept_id"}, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.run(t, tt.spec)
			if err != nil {
				t.Fatalf("Declare: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Declare (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeclareMismatch checks that a declaration the models do not fit is
// refused with ErrMismatch and a message naming what is wrong.
func TestDeclareMismatch(t *testing.T) {
	tests := []struct {
		name string
		run  func(*testing.T, Spec) (derived, error)
		spec Spec
		want string
	}{
		{"no link attribute", derive[mtDept, noLinkEmp], Spec{Layout: MultiTable, Index: "by-dept"}, "has no attribute dept_id to link to"},
		{"link of another type", derive[mtDept, otherTypeEmp], Spec{Layout: MultiTable, Index: "by-dept"}, "otherTypeEmp.DeptID is int"},
		{"no layout", derive[mtDept, mtEmp], Spec{Index: "by-dept"}, "Spec.Layout is not set"},
		{"no index", derive[mtDept, noIndexEmp], Spec{Layout: MultiTable}, "needs Spec.Index"},
		{"unknown index", derive[mtDept, mtEmp], Spec{Layout: MultiTable, Index: "nope"}, "has no global index nope"},
		{"index not keyed on the link", derive[mtDept, tenantEmp], Spec{Layout: MultiTable, Index: "by-dept"}, "index by-dept of relations.tenantEmp is keyed on"},
		{"multi-table declared, inverted index found", derive[iiDept, iiEmp], Spec{Layout: MultiTable, Index: "gsi1"}, `computed from "DEPT#{dept_id}", which makes it inverted index, not multi-table`},
		{"inverted index declared, multi-table found", derive[mtDept, mtEmp], Spec{Layout: InvertedIndex, Index: "by-dept"}, "the plain attribute dept_id, which makes it multi-table, not inverted index"},
		{"item collection with an index", derive[icDeptMeta, icEmp], Spec{Layout: ItemCollection, Index: "gsi1"}, "Spec.Index must be empty"},
		{"item collection not keyed on the link", derive[mtDept, mtEmp], Spec{Layout: ItemCollection}, "the hash key emp_id of relations.mtEmp is not built from the link dept_id"},
		{"together, parent in another partition", derive[icDeptApart, icEmp], Spec{Layout: ItemCollection, Together: true}, "Together: the parent does not share its children's partition"},
		{"together, parent in another table", derive[mtDept, mtEmp], Spec{Layout: MultiTable, Index: "by-dept", Together: true}, "relations.mtDept is in table dept and relations.mtEmp in emp"},
		{"together, parent not in the index", derive[iiDept, iiEmp], Spec{Layout: InvertedIndex, Index: "gsi1", Together: true}, "relations.iiDept does not declare index gsi1"},
		{"together, index without the parent's name", derive[iiDeptNamed, iiEmpIncl], Spec{Layout: InvertedIndex, Index: "gsi1", Together: true}, "index gsi1 leaves out name of relations.iiDeptNamed"},
		{"detach in an item collection", derive[icDeptMeta, icEmp], Spec{Layout: ItemCollection, OnDelete: Detach}, "OnDelete: cannot detach"},
		{"unknown policy", derive[mtDept, mtEmp], Spec{Layout: MultiTable, Index: "by-dept", OnDelete: 9}, "unknown OnDelete policy Policy(9)"},
		{"counter is a field of the parent", derive[mtDept, mtEmp], Spec{Layout: MultiTable, Index: "by-dept", Counter: "dept_id"}, "the children counter dept_id is an attribute of relations.mtDept"},
		{"keys only", derive[mtDept, keysOnlyEmp], Spec{Layout: MultiTable, Index: "by-dept"}, "index by-dept of relations.keysOnlyEmp projects KEYS_ONLY, which leaves out name: "},
		{"include without a field", derive[mtDept, titledEmp], Spec{Layout: MultiTable, Index: "by-dept"}, "index by-dept of relations.titledEmp projects INCLUDE [title], which leaves out name: "},
		{"keys-only index asked for", derive[mtDept, twoIndexEmp], Spec{Layout: MultiTable, Index: "by-dept-keys"}, "index by-dept-keys of relations.twoIndexEmp projects KEYS_ONLY, which leaves out name: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.run(t, tt.spec)
			if !errors.Is(err, ErrMismatch) || !strings.Contains(fmt.Sprint(err), tt.want) {
				t.Errorf("Declare = %v, want ErrMismatch saying %q", err, tt.want)
			}
		})
	}
}

func TestPartitionInput(t *testing.T) {
	h, err := Declare(tableOf[icDeptMeta](t), tableOf[icEmp](t), Spec{Layout: ItemCollection, Together: true})
	if err != nil {
		t.Fatal(err)
	}
	pt, err := h.partition(icDeptMeta{DeptID: "d-1"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := pt.input()
	if err != nil {
		t.Fatal(err)
	}
	want := &dynamodb.QueryInput{
		TableName:                aws.String("app"),
		KeyConditionExpression:   aws.String("#1 = :2"),
		FilterExpression:         aws.String("#0 IN (:0, :1)"),
		ExpressionAttributeNames: map[string]string{"#0": "entity", "#1": "pk"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":0": &types.AttributeValueMemberS{Value: "Dept"},
			":1": &types.AttributeValueMemberS{Value: "Emp"},
			":2": &types.AttributeValueMemberS{Value: "DEPT#d-1"},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(dynamodb.QueryInput{}, types.AttributeValueMemberS{})); diff != "" {
		t.Errorf("input() (-want +got):\n%s", diff)
	}

	hi, err := Declare(tableOf[iiDeptIndexed](t), tableOf[iiEmp](t), Spec{Layout: InvertedIndex, Index: "gsi1", Together: true})
	if err != nil {
		t.Fatal(err)
	}
	pt, err = hi.partition(iiDeptIndexed{DeptID: "d-1"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := pt.input(); err != nil || aws.ToString(got.IndexName) != "gsi1" || got.ExpressionAttributeNames["#1"] != "gsi1pk" {
		t.Errorf("input() of the inverted index = %+v, %v, want a query of gsi1pk in gsi1", got, err)
	}
	if _, err := hi.partition(iiDeptIndexed{}); !errors.Is(err, model.ErrEmptyKey) {
		t.Errorf("partition of an empty key = %v, want ErrEmptyKey", err)
	}
}

func TestIsChild(t *testing.T) {
	h, err := Declare(tableOf[icDeptMeta](t), tableOf[icEmp](t), Spec{Layout: ItemCollection, Together: true})
	if err != nil {
		t.Fatal(err)
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	tests := []struct {
		name string
		item map[string]types.AttributeValue
		want bool
	}{
		{"child", map[string]types.AttributeValue{"pk": s("DEPT#d"), "sk": s("EMP#e"), "entity": s("Emp")}, true},
		{"parent", map[string]types.AttributeValue{"pk": s("DEPT#d"), "sk": s("#META"), "entity": s("Dept")}, false},
		{"other entity", map[string]types.AttributeValue{"pk": s("DEPT#d"), "sk": s("PROJ#p"), "entity": s("Project")}, false},
		{"child type, other sort key", map[string]types.AttributeValue{"pk": s("DEPT#d"), "sk": s("X#e"), "entity": s("Emp")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.isChild(tt.item); got != tt.want {
				t.Errorf("isChild(%v) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

// ctCustomer and ctOrder are two tables; an order's hash key is its link.
type ctCustomer struct {
	CustomerID string `dynamo:"customer_id,hash"`
}

func (ctCustomer) TableName() string { return "customer" }

type ctOrder struct {
	CustomerID string `dynamo:"customer_id,hash"`
	OrderedAt  int64  `dynamo:"ordered_at,range"`
}

func (ctOrder) TableName() string { return "customer_order" }

// Children whose index copies only part of them, and some that project
// enough.

type keysOnlyEmp struct {
	EmpID  string `dynamo:"emp_id,hash"`
	Name   string `dynamo:"name"`
	DeptID string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
}

func (keysOnlyEmp) TableName() string { return "emp" }
func (keysOnlyEmp) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{"by-dept": model.KeysOnly}}
}

type titledEmp struct {
	EmpID  string `dynamo:"emp_id,hash"`
	Name   string `dynamo:"name"`
	Title  string `dynamo:"title"`
	DeptID string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
}

func (titledEmp) TableName() string { return "emp" }
func (titledEmp) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{"by-dept": model.Include("title")}}
}

type namedEmp struct {
	EmpID  string `dynamo:"emp_id,hash"`
	Name   string `dynamo:"name"`
	DeptID string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
}

func (namedEmp) TableName() string { return "emp" }
func (namedEmp) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{"by-dept": model.Include("name")}}
}

// twoIndexEmp has a keys-only index and a whole one on the link.
type twoIndexEmp struct {
	EmpID  string `dynamo:"emp_id,hash"`
	Name   string `dynamo:"name"`
	DeptID string `dynamo:"dept_id,omitempty" index:"by-dept-keys,hash" index:"by-dept,hash"`
}

func (twoIndexEmp) TableName() string { return "emp" }
func (twoIndexEmp) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{"by-dept-keys": model.KeysOnly}}
}

// iiEmpIncl copies into gsi1 every attribute of itself and of
// iiDeptIndexed, but not iiDeptNamed's name.
type iiEmpIncl struct {
	_      struct{} `dynamo:"pk,hash" template:"EMP#{emp_id}"`
	_      struct{} `dynamo:"sk,range" template:"#META"`
	_      struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{dept_id}"`
	_      struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"EMP#{emp_id}"`
	_      struct{} `dynamo:"entity" template:"Emp" dynamokit:"type"`
	EmpID  string   `dynamo:"emp_id"`
	DeptID string   `dynamo:"dept_id,omitempty"`
}

func (iiEmpIncl) TableName() string { return "app" }
func (iiEmpIncl) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{"gsi1": model.Include("entity", "emp_id", "dept_id")}}
}

type iiDeptNamed struct {
	_      struct{} `dynamo:"pk,hash" template:"DEPT#{dept_id}"`
	_      struct{} `dynamo:"sk,range" template:"#META"`
	_      struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{dept_id}"`
	_      struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"#META"`
	_      struct{} `dynamo:"entity" template:"Dept" dynamokit:"type"`
	DeptID string   `dynamo:"dept_id"`
	Name   string   `dynamo:"name"`
}

func (iiDeptNamed) TableName() string { return "app" }
func (iiDeptNamed) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{"gsi1": model.Include("entity", "emp_id", "dept_id")}}
}
