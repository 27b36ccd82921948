package relations

import (
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit/query"
)

func TestChangeOf(t *testing.T) {
	depts := tableOf[namedDept](t)
	h, err := Declare(depts, tableOf[copyEmp](t), Spec{Layout: MultiTable, Index: "by-dept", Copies: map[string]string{"dept_name": "name"}})
	if err != nil {
		t.Fatal(err)
	}
	other := tableOf[namedDept](t)
	d1 := namedDept{DeptID: "d-1"}
	tests := []struct {
		name   string
		change func(*query.Update[namedDept]) *query.Update[namedDept]
		refuse string // "" when accepted
	}{
		{"the update given", func(u *query.Update[namedDept]) *query.Update[namedDept] { return u.Set("name", "Ops") }, ""},
		{"the update given, unchanged", func(u *query.Update[namedDept]) *query.Update[namedDept] { return u }, ""},
		{"nil change", nil, "nil change"},
		{"nil update", func(*query.Update[namedDept]) *query.Update[namedDept] { return nil }, "nil update"},
		{"another parent", func(*query.Update[namedDept]) *query.Update[namedDept] {
			return depts.Update(namedDept{DeptID: "d-2"}).Set("name", "Ops")
		}, "the update it was given"},
		{"the same parent on another table", func(*query.Update[namedDept]) *query.Update[namedDept] {
			return other.Update(d1).Set("name", "Ops")
		}, "the update it was given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := h.changeOf(d1, tt.change)
			if tt.refuse == "" {
				if err != nil || u == nil {
					t.Errorf("changeOf = %v, %v; want the update", u, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.refuse) || u != nil {
				t.Errorf("changeOf = %v, %v; want a refusal saying %q", u, err, tt.refuse)
			}
		})
	}
}
