package relations_test

import (
	"context"
	"fmt"
	"log"

	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// Dept and Staffer are a multi-table relation in which each staffer keeps
// a copy of its department's name, so a list of staff shows it without
// reading the departments.
type Dept struct {
	DepartmentID   string `dynamo:"department_id,hash"`
	DepartmentName string `dynamo:"department_name"`
}

func (Dept) TableName() string { return "department" }

type Staffer struct {
	EmployeeID     string `dynamo:"employee_id,hash"`
	DepartmentID   string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
	DepartmentName string `dynamo:"department_name"` // a copy of the department's
}

func (Staffer) TableName() string { return "employee" }

// A relation may copy parent attributes into its children: Link and
// Relink write the copies with the link, and UpdateParent changes the
// parent and brings them up to date (SyncCopies alone resumes a fan-out).
// db is a client that enforces a relations.Graph (see TestMain).
func ExampleHasMany_SyncCopies() {
	ctx := context.Background()
	depts, _ := query.NewTable[Dept](db)
	staffers, _ := query.NewTable[Staffer](db)
	staff, err := relations.Declare(depts, staffers, relations.Spec{
		Layout: relations.MultiTable,
		Index:  "department-employee-index",
		// child attribute: parent attribute
		Copies: map[string]string{"department_name": "department_name"},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Link reads the department and writes its name into the staffer.
	ada := Staffer{EmployeeID: "e-1"}
	if err := staff.Link(ctx, &ada, Dept{DepartmentID: "d-1"}); err != nil {
		log.Fatal(err)
	}

	// Rename the department and fan the new name out to its staff (a
	// plain Update of department_name is refused: it would leave the
	// copies stale).
	d1 := Dept{DepartmentID: "d-1"}
	rename := func(u *query.Update[Dept]) *query.Update[Dept] { return u.Set("department_name", "People") }
	progress := &relations.SyncOptions{
		Concurrency: 4,
		Progress: func(p relations.Progress) {
			saveToken(d1, p.Resume) // where to resume if the process stops
		},
	}
	prog, err := staff.UpdateParent(ctx, d1, rename, progress)
	if err != nil {
		// The name may be changed with the fan-out unfinished: finish it,
		// skipping what is done.
		progress.Resume = loadToken(d1)
		if prog, err = staff.SyncCopies(ctx, d1, progress); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("%d staffers renamed, %d already current, %d moved away meanwhile\n", prog.Done, prog.Current, prog.Skipped)
	ada, _ = staffers.Get(ctx, ada)
	fmt.Println(ada.DepartmentName)
	// Output:
	// 1 staffers renamed, 0 already current, 0 moved away meanwhile
	// People
}

// loadToken and saveToken stand for the program's own storage of a
// fan-out's resume token.
func loadToken(Dept) string  { return "" }
func saveToken(Dept, string) {}
