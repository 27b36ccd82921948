package relations_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/dynamokit/dynamokit"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/guregu/dynamo/v2"
)

// Department and Employee share one table, "org": each department's
// employees are stored in its partition (an item collection).
type Department struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"#META"`
	_ struct{} `dynamo:"entity" template:"Department" dynamokit:"type"`

	DepartmentID   string `dynamo:"department_id"`
	DepartmentName string `dynamo:"department_name"`
}

func (Department) TableName() string { return "org" }

type Employee struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id"`
}

func (Employee) TableName() string { return "org" }

// Project is a department's project in a separate table, found through an
// index on its department_id.
type Project struct {
	ProjectID    string `dynamo:"project_id,hash"`
	DepartmentID string `dynamo:"department_id,omitempty" index:"department-index,hash"`
}

func (Project) TableName() string { return "project" }

// Declare states how children are stored and what deleting a parent does,
// and checks the statement against the models; no request is made. A
// declaration the models do not fit is refused, naming what is wrong.
func ExampleDeclare() {
	db := dynamokit.New(aws.Config{Region: "us-east-1"}, dynamokit.WithRules(relations.NewGraph())) // not used until a call does I/O
	depts, _ := query.NewTable[Department](db)
	emps, _ := query.NewTable[Employee](db)
	projects, _ := query.NewTable[Project](db)

	staff, err := relations.Declare(depts, emps, relations.Spec{
		Layout:   relations.ItemCollection,
		Together: true, // a department and its employees share a partition
		OnDelete: relations.Cascade,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("employees:", staff.Describe().Layout)

	// Both relations count a department's children: each needs a counter
	// of its own, or the graph refuses the second.
	_, err = relations.Declare(depts, projects, relations.Spec{Layout: relations.MultiTable, Index: "department-index"})
	fmt.Println(err)
	work, err := relations.Declare(depts, projects, relations.Spec{Layout: relations.MultiTable, Index: "department-index", Counter: "project_count"})
	if err != nil {
		log.Fatal(err)
	}
	d := work.Describe()
	fmt.Println("projects:", d.Layout, "through", d.Index)

	_, err = relations.Declare(depts, projects, relations.Spec{Layout: relations.MultiTable, Index: "department-index", Together: true})
	fmt.Println(err)
	// Output:
	// employees: item collection
	// relations: declaration does not match the models: relations_test.Department has many relations_test.Project and relations_test.Department has many relations_test.Employee would both keep the counter "child_count" on relations_test.Department: give one of them its own counter (Spec.Counter, EdgeSpec.Counter)
	// projects: multi-table through department-index
	// relations: declaration does not match the models: relations_test.Department has many relations_test.Project: Together: the parent does not share its children's partition: relations_test.Department is in table org and relations_test.Project in project
}

// orgStaff relates departments and employees on db, a client that
// enforces a relations.Graph (see TestMain).
func orgStaff(ctx context.Context) (*relations.HasMany[Department, Employee], error) {
	depts, err := query.NewTable[Department](db)
	if err != nil {
		return nil, err
	}
	emps, err := query.NewTable[Employee](db)
	if err != nil {
		return nil, err
	}
	return relations.Declare(depts, emps, relations.Spec{
		Layout:   relations.ItemCollection,
		Together: true,
		OnDelete: relations.Cascade,
	})
}

// ParentWithChildren reads a department and its employees with one Query,
// since they share a partition.
func ExampleHasMany_ParentWithChildren() {
	ctx := context.Background()
	staff, err := orgStaff(ctx)
	if err != nil {
		log.Fatal(err)
	}

	d, people, err := staff.ParentWithChildren(ctx, Department{DepartmentID: "d-1"})
	if errors.Is(err, relations.ErrParentNotFound) {
		fmt.Println("no department d-1")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.DepartmentName, len(people))
	// Output: Research 2
}

// DeleteParent under the declared Cascade removes a department's
// employees, then the department; run again after an interruption, it
// continues. Employees moved to another department while it runs are left
// alone.
func ExampleHasMany_DeleteParent() {
	ctx := context.Background()
	staff, err := orgStaff(ctx)
	if err != nil {
		log.Fatal(err)
	}

	var done relations.Progress
	err = staff.DeleteParent(ctx, Department{DepartmentID: "d-2"}, &relations.DeleteOptions{
		Progress: func(p relations.Progress) {
			done = p // also where to log: p.Done employees deleted, p.Skipped moved away meanwhile
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(done.Done, "employees deleted,", done.Skipped, "moved away meanwhile")
	depts, _ := query.NewTable[Department](db)
	_, err = depts.Get(ctx, Department{DepartmentID: "d-2"})
	fmt.Println(errors.Is(err, dynamokit.ErrNotFound))
	// Output:
	// 2 employees deleted, 0 moved away meanwhile
	// true
}

// Playlist keeps its tracks in a list attribute: a denormalised
// one-to-many relationship, stored in one item and read with one GetItem.
type Playlist struct {
	PlaylistID string  `dynamo:"playlist_id,hash"`
	Tracks     []Track `dynamo:"tracks"`
}

func (Playlist) TableName() string { return "playlist" }

// Track is an element of Playlist.Tracks, not a model of its own.
type Track struct {
	Title   string `dynamo:"title"`
	Seconds int    `dynamo:"seconds"`
}

// Few children that are always read and written with their parent need no
// relation: a list on the parent holds them in the parent's own item.
func Example_listOnTheParent() {
	if err := model.Validate(Playlist{}); err != nil {
		log.Fatal(err)
	}
	// dynamokit writes an item as guregu/dynamo does.
	item, err := dynamo.MarshalItem(Playlist{PlaylistID: "p-1", Tracks: []Track{{"Intro", 62}, {"Outro", 95}}})
	if err != nil {
		log.Fatal(err)
	}
	tracks := item["tracks"].(*types.AttributeValueMemberL)
	fmt.Println(len(item), "attributes,", len(tracks.Value), "tracks")
	// Output:
	// 2 attributes, 2 tracks
}
