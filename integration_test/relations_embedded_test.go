package integration_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
)

// Models whose link or key fields sit in a struct embedded by pointer. The
// relation reaches those fields through the pointer: it allocates the
// pointer to write them and reads a nil one as empty.

// Meta holds the version and updated stamp of the children below, embedded
// by pointer.
type Meta struct {
	Version int   `dynamo:"version" dynamokit:"version"`
	Updated int64 `dynamo:"updated" dynamokit:"updated"`
}

// DeptRef is an employee's link to its department through the
// department-employee-index, embedded by pointer.
type DeptRef struct {
	DepartmentID string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
}

// DeptLink is an employee's link to its department, embedded by pointer,
// where computed keys refer to it.
type DeptLink struct {
	DepartmentID string `dynamo:"department_id,omitempty"`
}

// RefEmployee is an employee of the multi-table layout whose link is behind
// an embedded pointer.
type RefEmployee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	EmployeeName string `dynamo:"employee_name"`
	*DeptRef
	*Meta
}

func (RefEmployee) TableName() string { return "employee" }

// RefIdxEmployee is IdxEmployee with its link behind an embedded pointer.
type RefIdxEmployee struct {
	_ struct{} `dynamo:"pk,hash" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"sk,range" template:"#META"`
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	EmployeeName string `dynamo:"employee_name"`
	*DeptLink
	*Meta
}

func (RefIdxEmployee) TableName() string { return "company" }

// RefColEmployee is ColEmployee with its link, part of its key, behind an
// embedded pointer.
type RefColEmployee struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	EmployeeName string `dynamo:"employee_name"`
	*DeptLink
	*Meta
}

func (RefColEmployee) TableName() string { return "org" }

// DeptKey and EmpKey hold the key fields of the models below, embedded by
// pointer.
type DeptKey struct {
	DepartmentID string `dynamo:"department_id,hash"`
}

type EmpKey struct {
	EmployeeID string `dynamo:"employee_id,hash"`
}

// KeyDepartment and KeyEmployee are the multi-table layout with their key
// fields behind embedded pointers.
type KeyDepartment struct {
	*DeptKey
	DepartmentName string `dynamo:"department_name"`
}

func (KeyDepartment) TableName() string { return "department" }

type KeyEmployee struct {
	*EmpKey
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
}

func (KeyEmployee) TableName() string { return "employee" }

// DeptIdent and EmpIdent hold the attributes the computed keys below are
// built from, embedded by pointer.
type DeptIdent struct {
	DepartmentID string `dynamo:"department_id"`
}

type EmpIdent struct {
	EmployeeID string `dynamo:"employee_id"`
}

// KeyColDepartment and KeyColEmployee are the item-collection layout with
// the attributes of their keys behind embedded pointers.
type KeyColDepartment struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"entity" template:"Department" dynamokit:"type"`

	*DeptIdent
	DepartmentName string `dynamo:"department_name"`
}

func (KeyColDepartment) TableName() string { return "org" }

type KeyColEmployee struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	*EmpIdent
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id"`
}

func (KeyColEmployee) TableName() string { return "org" }

// str reads a string field through a pointer the caller may have left nil.
func str[T any](p *T, f func(*T) string) string {
	if p == nil {
		return ""
	}
	return f(p)
}

var (
	refMultiTable = shape[Department, RefEmployee]{
		layout: relations.MultiTable, index: "department-employee-index",
		dept: func(d Department) Department { return d },
		emp: func(e Employee) RefEmployee {
			return RefEmployee{EmployeeID: e.EmployeeID, EmployeeName: e.EmployeeName, DeptRef: &DeptRef{e.DepartmentID}}
		},
		plainDept: func(d Department) Department { return d },
		plainEmp: func(e RefEmployee) Employee {
			return Employee{e.EmployeeID, e.EmployeeName, str(e.DeptRef, func(r *DeptRef) string { return r.DepartmentID })}
		},
	}
	refInvertedIndex = shape[IdxDepartment, RefIdxEmployee]{
		layout: relations.InvertedIndex, index: "gsi1", together: true,
		dept:      invertedIndex.dept,
		plainDept: invertedIndex.plainDept,
		emp: func(e Employee) RefIdxEmployee {
			return RefIdxEmployee{EmployeeID: e.EmployeeID, EmployeeName: e.EmployeeName, DeptLink: &DeptLink{e.DepartmentID}}
		},
		plainEmp: func(e RefIdxEmployee) Employee {
			return Employee{e.EmployeeID, e.EmployeeName, str(e.DeptLink, func(l *DeptLink) string { return l.DepartmentID })}
		},
	}
	refItemCollection = shape[ColDepartment, RefColEmployee]{
		layout: relations.ItemCollection, together: true,
		dept:      itemCollection.dept,
		plainDept: itemCollection.plainDept,
		emp: func(e Employee) RefColEmployee {
			return RefColEmployee{EmployeeID: e.EmployeeID, EmployeeName: e.EmployeeName, DeptLink: &DeptLink{e.DepartmentID}}
		},
		plainEmp: func(e RefColEmployee) Employee {
			return Employee{e.EmployeeID, e.EmployeeName, str(e.DeptLink, func(l *DeptLink) string { return l.DepartmentID })}
		},
	}
	keyMultiTable = shape[KeyDepartment, KeyEmployee]{
		layout: relations.MultiTable, index: "department-employee-index",
		dept: func(d Department) KeyDepartment {
			return KeyDepartment{DeptKey: &DeptKey{d.DepartmentID}, DepartmentName: d.DepartmentName}
		},
		emp: func(e Employee) KeyEmployee {
			return KeyEmployee{EmpKey: &EmpKey{e.EmployeeID}, EmployeeName: e.EmployeeName, DepartmentID: e.DepartmentID}
		},
		plainDept: func(d KeyDepartment) Department {
			return Department{str(d.DeptKey, func(k *DeptKey) string { return k.DepartmentID }), d.DepartmentName}
		},
		plainEmp: func(e KeyEmployee) Employee {
			return Employee{str(e.EmpKey, func(k *EmpKey) string { return k.EmployeeID }), e.EmployeeName, e.DepartmentID}
		},
	}
	keyItemCollection = shape[KeyColDepartment, KeyColEmployee]{
		layout: relations.ItemCollection, together: true,
		dept: func(d Department) KeyColDepartment {
			return KeyColDepartment{DeptIdent: &DeptIdent{d.DepartmentID}, DepartmentName: d.DepartmentName}
		},
		emp: func(e Employee) KeyColEmployee {
			return KeyColEmployee{EmpIdent: &EmpIdent{e.EmployeeID}, EmployeeName: e.EmployeeName, DepartmentID: e.DepartmentID}
		},
		plainDept: func(d KeyColDepartment) Department {
			return Department{str(d.DeptIdent, func(i *DeptIdent) string { return i.DepartmentID }), d.DepartmentName}
		},
		plainEmp: func(e KeyColEmployee) Employee {
			return Employee{str(e.EmpIdent, func(i *EmpIdent) string { return i.EmployeeID }), e.EmployeeName, e.DepartmentID}
		},
	}
)

// TestRelationsEmbeddedPointers runs every relation operation with the
// link fields, and separately the key fields, behind embedded pointers:
// the seed scenario (Create, Move, Children, Parent, ParentWithChildren,
// ChildrenOf, Detach) and Delete with each policy.
func TestRelationsEmbeddedPointers(t *testing.T) {
	t.Parallel()
	t.Run("link/multi-table", func(t *testing.T) { testEmbedded(t, refMultiTable) })
	t.Run("link/inverted index", func(t *testing.T) { testEmbedded(t, refInvertedIndex) })
	t.Run("link/item collection", func(t *testing.T) { testEmbedded(t, refItemCollection) })
	t.Run("keys/multi-table", func(t *testing.T) { testEmbedded(t, keyMultiTable) })
	t.Run("keys/item collection", func(t *testing.T) { testEmbedded(t, keyItemCollection) })
}

func testEmbedded[P, C any](t *testing.T, s shape[P, C]) {
	t.Run("seed", func(t *testing.T) { testSeed(t, s) })
	t.Run("delete", func(t *testing.T) { testDeletePolicies(t, s) })
}

// testDeletePolicies deletes departments of the seed with each policy.
func testDeletePolicies[P, C any](t *testing.T, s shape[P, C]) {
	f := setup(t, s, nil)
	ctx := t.Context()
	f.seed(t) // d-1: e-1, e-2; d-2: e-3, e-4, e-5
	d1, d2 := f.dept(Department{DepartmentID: "d-1"}), f.dept(Department{DepartmentID: "d-2"})

	var hc *relations.RestrictError
	if err := f.staff.DeleteParent(ctx, d1, nil); !errors.As(err, &hc) || hc.Count != 2 {
		t.Errorf("Delete(d-1, Restrict) = %v, want a RestrictError with 2 children", err)
	}
	if _, err := f.depts.Get(ctx, d1); err != nil {
		t.Errorf("Get(d-1) after a refused delete: %v", err)
	}

	if s.layout == relations.ItemCollection {
		if _, err := relations.Declare(f.depts, f.emps, s.spec(relations.Detach)); !errors.Is(err, relations.ErrCannotDetach) {
			t.Errorf("Declare(OnDelete: Detach) in an item collection = %v, want ErrCannotDetach", err)
		}
	} else {
		if err := f.onDelete(t, relations.Detach).DeleteParent(ctx, d2, nil); err != nil {
			t.Fatalf("Delete(d-2, Detach) = %v", err)
		}
		if _, err := f.depts.Get(ctx, d2); !errors.Is(err, dynamokit.ErrNotFound) {
			t.Errorf("Get(d-2) after Delete(Detach) = %v, want ErrNotFound", err)
		}
		for _, id := range []string{"e-3", "e-4", "e-5"} {
			c, err := f.emps.Get(ctx, f.key(id, ""))
			if err != nil {
				t.Fatalf("Get(%s) after Delete(d-2, Detach): %v", id, err)
			}
			if got := f.plainEmp(c).DepartmentID; got != "" {
				t.Errorf("%s belongs to %q after Delete(d-2, Detach), want no department", id, got)
			}
		}
	}

	if err := f.onDelete(t, relations.Cascade).DeleteParent(ctx, d1, nil); err != nil {
		t.Fatalf("Delete(d-1, Cascade) = %v", err)
	}
	if _, err := f.depts.Get(ctx, d1); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(d-1) after Delete(Cascade) = %v, want ErrNotFound", err)
	}
	all, err := f.emps.Consistent().Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.ids(all), []string{"e-3", "e-4", "e-5"}; !slices.Equal(got, want) {
		t.Errorf("employees after Delete(d-1, Cascade) = %v, want %v", got, want)
	}

	if s.layout == relations.ItemCollection {
		if err := f.staff.DeleteParent(ctx, d2, nil); !errors.Is(err, relations.ErrHasChildren) {
			t.Errorf("Delete(d-2, Restrict) = %v, want ErrHasChildren", err)
		}
		return
	}
	// d-2's employees were detached: nothing restricts deleting it again.
	if err := f.staff.DeleteParent(ctx, d2, nil); err != nil {
		t.Errorf("Delete(d-2 without children, Restrict) = %v", err)
	}
}

// VerColEmployee is an employee of an item collection whose version and
// updated stamp are in a struct embedded by pointer.
type VerColEmployee struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id"`
	*Meta
}

func (VerColEmployee) TableName() string { return "org" }

// TestRelationsMoveKeepsConcurrentUpdate updates an employee between the
// read and the transaction of its move to another partition. The version
// is in an embedded pointer struct, which the moved copy must not share
// with the item read: the move fails with a version conflict and the
// concurrent update survives.
func TestRelationsMoveKeepsConcurrentUpdate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[ColDepartment](t), must[VerColEmployee](t))
	ctx := t.Context()
	hook := &interleaver{}
	hooked := graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) { hook.next = o.HTTPClient; o.HTTPClient = hook }))
	depts := tableOf[ColDepartment](t, e, hooked, nil)
	emps := tableOf[VerColEmployee](t, e, hooked, nil)
	other := tableOf[VerColEmployee](t, e, nil, nil) // the concurrent writer, not hooked
	staff, err := relations.Declare(depts, emps, relations.Spec{Layout: relations.ItemCollection})
	if err != nil {
		t.Fatal(err)
	}
	if got := staff.Describe().Layout; got != relations.ItemCollection {
		t.Fatalf("Layout() = %v, want %v", got, relations.ItemCollection)
	}
	for _, id := range []string{"d-1", "d-2"} {
		if err := depts.Create(ctx, &ColDepartment{DepartmentID: id}); err != nil {
			t.Fatal(err)
		}
	}
	alice := VerColEmployee{EmployeeID: "e-1", EmployeeName: "Alice", DepartmentID: "d-1"}
	if err := staff.Link(ctx, &alice, ColDepartment{DepartmentID: "d-1"}); err != nil {
		t.Fatal(err)
	}
	if alice.Meta == nil || alice.Version != 1 {
		t.Fatalf("Create set Meta to %+v, want version 1", alice.Meta)
	}
	key := VerColEmployee{EmployeeID: "e-1", DepartmentID: "d-1"}

	var concurrent error
	hook.before("TransactWriteItems", func() {
		concurrent = other.Update(key).Set("employee_name", "Alicia").Run(ctx)
	})
	err = staff.Relink(ctx, key, ColDepartment{DepartmentID: "d-2"})
	ran, ops := hook.done(), hook.forwarded()
	if !ran || concurrent != nil {
		t.Fatalf("concurrent update: ran %v, %v; want it to run and succeed", ran, concurrent)
	}
	if want := []string{"GetItem", "TransactWriteItems"}; !slices.Equal(ops, want) {
		t.Fatalf("Move sent %v, want %v with the update between them", ops, want)
	}
	if !errors.Is(err, dynamokit.ErrVersionConflict) {
		t.Errorf("Move after a concurrent update = %v, want ErrVersionConflict", err)
	}
	got, err := other.Consistent().Get(ctx, key)
	if err != nil {
		t.Fatalf("Get(e-1 in d-1) after the refused move: %v", err)
	}
	if got.EmployeeName != "Alicia" || got.Meta == nil || got.Version != 2 {
		t.Errorf("e-1 in d-1 = %+v, %+v; want the concurrent update: Alicia, version 2", got, got.Meta)
	}
	if _, err := other.Consistent().Get(ctx, VerColEmployee{EmployeeID: "e-1", DepartmentID: "d-2"}); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(e-1 in d-2) after the refused move = %v, want ErrNotFound", err)
	}

	// Without interference the move goes through, carrying the update.
	if err := staff.Relink(ctx, key, ColDepartment{DepartmentID: "d-2"}); err != nil {
		t.Fatalf("Move(e-1, d-2) again: %v", err)
	}
	moved, err := other.Consistent().Get(ctx, VerColEmployee{EmployeeID: "e-1", DepartmentID: "d-2"})
	if err != nil {
		t.Fatal(err)
	}
	if moved.EmployeeName != "Alicia" || moved.Meta == nil || moved.Version != 1 {
		t.Errorf("e-1 in d-2 = %+v, %+v; want Alicia, version 1 (a moved item starts again)", moved, moved.Meta)
	}
}
