package relations

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// tenantChildEmp finds its department through an index keyed by tenant and
// department: a multi-attribute key.
type tenantChildEmp struct {
	EmpID  string `dynamo:"emp_id,hash"`
	Tenant string `dynamo:"tenant" index:"by-dept,hash"`
	DeptID string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
	Name   string `dynamo:"name"`
}

func (tenantChildEmp) TableName() string { return "emp" }

// multiKeyMember is an edge whose reverse index has a multi-attribute key.
type multiKeyMember struct {
	EmpID  string `dynamo:"emp_id,hash" index:"by-proj,range"`
	ProjID string `dynamo:"proj_id,range" index:"by-proj,hash"`
	Tenant string `dynamo:"tenant" index:"by-proj,hash"`
}

func (multiKeyMember) TableName() string { return "member" }

// TestDeclareMultiKeyIndex: a relation whose index has a multi-attribute
// key is refused with ErrMismatch naming the index, rather than read
// through its first partition attribute alone.
func TestDeclareMultiKeyIndex(t *testing.T) {
	_, err := derive[mtDept, tenantChildEmp](t, Spec{Layout: MultiTable, Index: "by-dept"})
	want := "index by-dept of relations.tenantChildEmp has a multi-attribute key (tenant, dept_id), which relations do not use yet"
	if !errors.Is(err, ErrMismatch) || !strings.Contains(fmt.Sprint(err), want) {
		t.Errorf("Declare = %v, want ErrMismatch saying %q", err, want)
	}
	err = declareEdge[egEmp, egProj, multiKeyMember](t, EdgeSpec{Index: "by-proj"})
	want = "index by-proj of relations.multiKeyMember has a multi-attribute key (proj_id, tenant, emp_id), which relations do not use yet: edges are found"
	if !errors.Is(err, ErrMismatch) || !strings.Contains(fmt.Sprint(err), want) {
		t.Errorf("DeclareEdge = %v, want ErrMismatch saying %q", err, want)
	}
}
