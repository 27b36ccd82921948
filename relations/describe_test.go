package relations_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

type describeDept struct {
	DeptID string `dynamo:"dept_id,hash"`
	Name   string `dynamo:"name"`
}

func (describeDept) TableName() string { return "dept" }

type describeEmp struct {
	EmpID  string `dynamo:"emp_id,hash"`
	DeptID string `dynamo:"dept_id" index:"by-dept,hash"`
	Name   string `dynamo:"name"`
}

func (describeEmp) TableName() string { return "emp" }

func TestDescribe(t *testing.T) {
	db := dynamokit.New(aws.Config{Region: "us-east-1"}, dynamokit.WithRules(relations.NewGraph()))
	depts, _ := query.NewTable[describeDept](db)
	emps, _ := query.NewTable[describeEmp](db)
	students, _ := query.NewTable[Student](db)
	courses, _ := query.NewTable[Course](db)
	enrollments, _ := query.NewTable[Enrollment](db)
	staff, err := relations.Declare(depts, emps, relations.Spec{
		Layout: relations.MultiTable, Index: "by-dept", OnDelete: relations.Detach,
		Copies: map[string]string{"name": "name"},
	})
	if err != nil {
		t.Fatal(err)
	}
	enrolled, err := relations.DeclareEdge(students, courses, enrollments, relations.EdgeSpec{
		Index: "course-student-index", OnDeleteTo: relations.Cascade, Counter: "enrolled",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		r    relations.Describer
		want relations.Description
	}{
		{"one-to-many", staff, relations.Description{
			From: model.MustOf[describeDept](), To: model.MustOf[describeEmp](),
			Layout: relations.MultiTable, Index: "by-dept", OnDeleteFrom: relations.Detach,
			Counter: "child_count", Links: []string{"dept_id"}, Copies: map[string]string{"name": "name"},
		}},
		{"many-to-many", enrolled, relations.Description{
			From: model.MustOf[Student](), To: model.MustOf[Course](), Edge: model.MustOf[Enrollment](),
			Index: "course-student-index", OnDeleteTo: relations.Cascade, Counter: "enrolled",
			Links: []string{"student_id"}, ToLinks: []string{"course_id"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.r.Describe()
			if diff := cmp.Diff(got, tc.want, cmp.Comparer(func(a, b *model.Model) bool { return a == b })); diff != "" {
				t.Errorf("Describe() differs (-got +want):\n%s", diff)
			}
		})
	}
	// The description is a copy.
	d := staff.Describe()
	d.Copies["name"] = "other"
	if got := staff.Describe().Copies["name"]; got != "name" {
		t.Errorf("changing a Description changed the relation: Describe().Copies[name] = %q", got)
	}
}

// TestLayoutString: a many-to-many's Description prints its zero Layout as
// none, not as an unknown layout, and a value that names no layout says
// which.
func TestLayoutString(t *testing.T) {
	for _, tc := range []struct {
		l    relations.Layout
		want string
	}{
		{0, "none"},
		{relations.MultiTable, "multi-table"},
		{relations.InvertedIndex, "inverted index"},
		{relations.ItemCollection, "item collection"},
		{7, "Layout(7)"},
	} {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("Layout(%d).String() = %q, want %q", int(tc.l), got, tc.want)
		}
	}
}
