package relations

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mkEmp finds its department through an index whose partition key is
// tenant and department: a multi-attribute key, sorted by name.
type mkEmp struct {
	EmpID    string `dynamo:"emp_id,hash"`
	TenantID string `dynamo:"tenant_id" index:"by-dept,hash"`
	DeptID   string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
	Name     string `dynamo:"name" index:"by-dept,range"`
}

func (mkEmp) TableName() string { return "tenant_emp" }

// mkEmpReversed declares the partition attributes the other way round.
type mkEmpReversed struct {
	EmpID    string `dynamo:"emp_id,hash"`
	DeptID   string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
	TenantID string `dynamo:"tenant_id" index:"by-dept,hash"`
}

func (mkEmpReversed) TableName() string { return "tenant_emp" }

// mkEmpExtra adds an attribute that is not part of the link.
type mkEmpExtra struct {
	EmpID    string `dynamo:"emp_id,hash"`
	TenantID string `dynamo:"tenant_id" index:"by-dept,hash"`
	DeptID   string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
	Region   string `dynamo:"region" index:"by-dept,hash"`
}

func (mkEmpExtra) TableName() string { return "tenant_emp" }

// mkEmpPartial keys the index on the tenant and a role, leaving the
// department out.
type mkEmpPartial struct {
	EmpID    string `dynamo:"emp_id,hash"`
	TenantID string `dynamo:"tenant_id" index:"by-dept,hash"`
	Role     string `dynamo:"role" index:"by-dept,hash"`
	DeptID   string `dynamo:"dept_id,omitempty"`
}

func (mkEmpPartial) TableName() string { return "tenant_emp" }

// mkEmpTenantKey has the tenant in its table key.
type mkEmpTenantKey struct {
	TenantID string `dynamo:"tenant_id,hash" index:"by-dept,hash"`
	EmpID    string `dynamo:"emp_id,range"`
	DeptID   string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
}

func (mkEmpTenantKey) TableName() string { return "tenant_emp" }

// mkEmpInts links with a department id of another type.
type mkEmpInts struct {
	EmpID    string `dynamo:"emp_id,hash"`
	TenantID string `dynamo:"tenant_id" index:"by-dept,hash"`
	DeptID   int    `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
}

func (mkEmpInts) TableName() string { return "tenant_emp" }

// tenantChildEmp is keyed by tenant and a department id of its own.
type tenantChildEmp struct {
	EmpID  string `dynamo:"emp_id,hash"`
	Tenant string `dynamo:"tenant" index:"by-dept,hash"`
	DeptID string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
	Name   string `dynamo:"name"`
}

func (tenantChildEmp) TableName() string { return "emp" }

// mtEmpSorted is found by its department alone, sorted by two attributes.
type mtEmpSorted struct {
	EmpID  string `dynamo:"emp_id,hash"`
	DeptID string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
	Role   string `dynamo:"role" index:"by-dept,range"`
	Name   string `dynamo:"name" index:"by-dept,range"`
}

func (mtEmpSorted) TableName() string { return "emp" }

// multiKeyMember is an edge whose reverse index has a multi-attribute key.
type multiKeyMember struct {
	EmpID  string `dynamo:"emp_id,hash" index:"by-proj,range"`
	ProjID string `dynamo:"proj_id,range" index:"by-proj,hash"`
	Tenant string `dynamo:"tenant" index:"by-proj,hash"`
}

func (multiKeyMember) TableName() string { return "member" }

// TestDeclareMultiKeyIndex: a one-to-many relation finds its children
// through an index whose partition attributes are exactly the link, in any
// order; any other multi-attribute index is refused with ErrMismatch
// naming the index and the attribute.
func TestDeclareMultiKeyIndex(t *testing.T) {
	mt := Spec{Layout: MultiTable, Index: "by-dept"}
	accepted := []struct {
		name string
		run  func(*testing.T, Spec) (derived, error)
		want derived
	}{
		{"tenant and department", derive[tenantDept, mkEmp], derived{MultiTable, "by-dept", []string{"tenant_id", "dept_id"}, false}},
		{"department and tenant", derive[tenantDept, mkEmpReversed], derived{MultiTable, "by-dept", []string{"tenant_id", "dept_id"}, false}},
		{"one link, several sort attributes", derive[mtDept, mtEmpSorted], derived{MultiTable, "by-dept", []string{"dept_id"}, false}},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.run(t, mt)
			if err != nil {
				t.Fatalf("Declare: %v", err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Declare (-got +want):\n%s", diff)
			}
		})
	}

	refused := []struct {
		name string
		run  func(*testing.T, Spec) (derived, error)
		spec Spec
		want string
	}{
		{"an attribute beyond the link", derive[tenantDept, mkEmpExtra], mt,
			"partition attribute region of index by-dept of relations.mkEmpExtra is not a link attribute: the index's partition attributes (tenant_id, dept_id, region) must be exactly the link (tenant_id, dept_id)"},
		{"a link attribute left out", derive[tenantDept, mkEmpPartial], mt,
			"partition attribute role of index by-dept of relations.mkEmpPartial is not a link attribute"},
		{"a parent keyed by one attribute", derive[mtDept, tenantChildEmp], mt,
			"partition attribute tenant of index by-dept of relations.tenantChildEmp is not a link attribute: the index's partition attributes (tenant, dept_id) must be exactly the link (dept_id)"},
		{"not the multi-table layout", derive[tenantDept, mkEmp], Spec{Layout: InvertedIndex, Index: "by-dept"},
			"index by-dept of relations.mkEmp has a partition key of several attributes (tenant_id, dept_id), which makes it multi-table, not inverted index"},
		{"a link attribute in the child's table key", derive[tenantDept, mkEmpTenantKey], mt,
			"link attribute tenant_id is part of the table key of relations.mkEmpTenantKey"},
		{"a link of another type", derive[tenantDept, mkEmpInts], mt,
			"relations.mkEmpInts.DeptID is int but relations.tenantDept.DeptID is string"},
		{"together", derive[tenantDept, mkEmp], Spec{Layout: MultiTable, Index: "by-dept", Together: true},
			"Together: index by-dept of relations.mkEmp has a multi-attribute key (tenant_id, dept_id, name)"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.run(t, tt.spec)
			if !errors.Is(err, ErrMismatch) || !strings.Contains(fmt.Sprint(err), tt.want) {
				t.Errorf("Declare = %v, want ErrMismatch saying %q", err, tt.want)
			}
		})
	}

	t.Run("many-to-many", func(t *testing.T) {
		err := declareEdge[egEmp, egProj, multiKeyMember](t, EdgeSpec{Index: "by-proj"})
		want := "index by-proj of relations.multiKeyMember has a multi-attribute key (proj_id, tenant, emp_id), which many-to-many relations do not use yet: edges are found"
		if !errors.Is(err, ErrMismatch) || !strings.Contains(fmt.Sprint(err), want) {
			t.Errorf("DeclareEdge = %v, want ErrMismatch saying %q", err, want)
		}
	})
}
