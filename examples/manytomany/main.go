// Command manytomany is the Employee↔Project walk-through: an employee
// works on many projects, a project has many employees, and each
// assignment is an item of its own with a role. Assignments are found
// from an employee through their table's key and from a project through a
// reverse index; linking checks that both ends exist, and deleting an end
// applies a declared policy to its assignments.
//
// Run it from the repository root:
//
//	go run ./examples/manytomany
//
// It connects with connect.Open: to DYNAMODB_ENDPOINT when that is set,
// with -aws to real DynamoDB through the normal AWS configuration
// (credentials, region, AWS_ENDPOINT_URL_DYNAMODB), and otherwise to a
// private moto server, installed into the user cache on first use (it needs
// Python 3). The tables it creates are prefixed (-prefix) and dropped at
// the end unless -keep is given.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema"
)

// Employee is one end of the relation.
type Employee struct {
	EmployeeID string `dynamo:"employee_id,hash"`
	Name       string `dynamo:"name"`
}

// TableName is the employee table's base name.
func (Employee) TableName() string { return "m2m_employee" }

// Project is the other end.
type Project struct {
	ProjectID string `dynamo:"project_id,hash"`
	Title     string `dynamo:"title"`
}

// TableName is the project table's base name.
func (Project) TableName() string { return "m2m_project" }

// Assignment is the edge: the key is the pair it links (an employee's
// assignments are one partition), project-index finds a project's
// assignments, and Role is the edge's own attribute.
type Assignment struct {
	EmployeeID string `dynamo:"employee_id,hash" index:"project-index,range"`
	ProjectID  string `dynamo:"project_id,range" index:"project-index,hash"`
	Role       string `dynamo:"role"`
}

// TableName is the assignment table's base name.
func (Assignment) TableName() string { return "m2m_assignment" }

func main() {
	prefix := flag.String("prefix", "dynamokit-example-", "prefix for the table names")
	keep := flag.Bool("keep", false, "keep the tables at the end")
	useAWS := flag.Bool("aws", false, "use real DynamoDB through the normal AWS configuration instead of a private moto server")
	flag.Parse()

	if err := run(context.Background(), os.Stdout, *useAWS, *prefix, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "manytomany:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, useAWS bool, prefix string, keep bool) error {
	db, eng, err := connect.Open(ctx, &connect.Options{AWS: useAWS, Log: os.Stderr}, dynamokit.WithNamer(model.Prefix(prefix)), dynamokit.WithRules(relations.NewGraph()))
	if err != nil {
		return err
	}
	defer eng.Close() // stops the moto server, if Open started one
	// Not before: the first run installs moto, which can take minutes.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var models []*model.Model
	for _, of := range []func() (*model.Model, error){model.Of[Employee], model.Of[Project], model.Of[Assignment]} {
		m, err := of()
		if err != nil {
			return err
		}
		models = append(models, m)
	}
	if err := schema.Create(ctx, db, nil, models...); err != nil {
		return err
	}
	if !keep {
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := schema.Drop(ctx, db, nil, models...); err != nil {
				fmt.Fprintln(os.Stderr, "manytomany: drop tables:", err)
			}
		}()
	}
	return walkThrough(ctx, w, db)
}

func walkThrough(ctx context.Context, w io.Writer, db *dynamokit.Client) error {
	emps, err := query.NewTable[Employee](db)
	if err != nil {
		return err
	}
	projs, err := query.NewTable[Project](db)
	if err != nil {
		return err
	}
	assigns, err := query.NewTable[Assignment](db)
	if err != nil {
		return err
	}
	// Deleting an employee who still has assignments is refused;
	// deleting a project deletes its assignments (never the employees).
	work, err := relations.DeclareEdge(emps, projs, assigns, relations.EdgeSpec{
		Index:        "project-index",
		OnDeleteFrom: relations.Restrict,
		OnDeleteTo:   relations.Cascade,
	})
	if err != nil {
		return err
	}

	for _, e := range []Employee{{"e-1", "Alice"}, {"e-2", "Bob"}, {"e-3", "Cathy"}} {
		if err := emps.Create(ctx, &e); err != nil && !errors.Is(err, dynamokit.ErrAlreadyExists) {
			return err
		}
	}
	for _, p := range []Project{{"p-1", "Billing"}, {"p-2", "Search"}} {
		if err := projs.Create(ctx, &p); err != nil && !errors.Is(err, dynamokit.ErrAlreadyExists) {
			return err
		}
	}

	// Link: one transaction creates the assignment and counts it on both
	// ends, on condition that both exist.
	for _, a := range []Assignment{
		{"e-1", "p-1", "lead"}, {"e-1", "p-2", "reviewer"},
		{"e-2", "p-1", "developer"}, {"e-3", "p-2", "developer"},
	} {
		if err := work.Link(ctx, Employee{EmployeeID: a.EmployeeID}, Project{ProjectID: a.ProjectID}, &a); err != nil {
			return err
		}
		fmt.Fprintf(w, "linked %s to %s as %s\n", a.EmployeeID, a.ProjectID, a.Role)
	}
	// Linking a pair already linked is refused with ErrAlreadyExists and
	// changes nothing. An assignment's own attributes are updated through
	// its table, which the relation lets through.
	again := Assignment{Role: "intern"}
	err = work.Link(ctx, Employee{EmployeeID: "e-1"}, Project{ProjectID: "p-1"}, &again)
	fmt.Fprintf(w, "link e-1 to p-1 again as intern: already linked: %v\n", errors.Is(err, dynamokit.ErrAlreadyExists))
	err = assigns.Update(Assignment{EmployeeID: "e-1", ProjectID: "p-1"}).
		Set("role", "architect").If(assigns.KeyExists()).Run(ctx)
	if err != nil {
		return err
	}
	kept, err := work.Edge(ctx, Employee{EmployeeID: "e-1"}, Project{ProjectID: "p-1"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "updated e-1 on p-1: still one assignment, role %s\n", kept.Role)

	// A link to a missing end is refused, and nothing is written.
	err = work.Link(ctx, Employee{EmployeeID: "e-1"}, Project{ProjectID: "p-9"}, nil)
	fmt.Fprintf(w, "link e-1 to the missing p-9: %v (refused: %v)\n", err, errors.Is(err, relations.ErrEndNotFound))

	// List both ways: one Query of the edges and one BatchGetItem of the
	// items at their far end per page.
	page, err := work.LinkedFrom(ctx, Employee{EmployeeID: "e-1"}, 10, "")
	if err != nil {
		return err
	}
	for _, it := range page.Items {
		fmt.Fprintf(w, "e-1 works on %s (%s) as %s\n", it.Item.ProjectID, it.Item.Title, it.Edge.Role)
	}
	back, err := work.LinkedTo(ctx, Project{ProjectID: "p-1"}, 10, "")
	if err != nil {
		return err
	}
	for _, it := range back.Items {
		fmt.Fprintf(w, "p-1 has %s (%s) as %s\n", it.Item.EmployeeID, it.Item.Name, it.Edge.Role)
	}

	// Restrict: e-2 still works on p-1.
	err = work.DeleteFrom(ctx, Employee{EmployeeID: "e-2"}, nil)
	fmt.Fprintf(w, "delete e-2 (restrict): %v\n", err)

	// Cascade: p-1 goes with its assignments; e-1 and e-2 stay.
	if err := work.DeleteTo(ctx, Project{ProjectID: "p-1"}, nil); err != nil {
		return err
	}
	n, err := work.CountFrom(ctx, Employee{EmployeeID: "e-1"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "deleted p-1 (cascade): e-1 keeps %d assignment\n", n)

	// Now e-2 has no assignment left, and Restrict lets it go.
	if err := work.DeleteFrom(ctx, Employee{EmployeeID: "e-2"}, nil); err != nil {
		return err
	}
	fmt.Fprintln(w, "deleted e-2 (restrict): it had no assignment left")

	// Detach: for an edge it is the same as Cascade. An assignment cannot
	// point at nothing, since its ends are its key; detaching e-3 deletes
	// its assignments and keeps p-2.
	detach, err := relations.DeclareEdge(emps, projs, assigns, relations.EdgeSpec{
		Index:        "project-index",
		OnDeleteFrom: relations.Detach,
	})
	if err != nil {
		return err
	}
	if err := detach.DeleteFrom(ctx, Employee{EmployeeID: "e-3"}, nil); err != nil {
		return err
	}
	rest, err := work.LinkedTo(ctx, Project{ProjectID: "p-2"}, 10, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "deleted e-3 (detach): p-2 keeps %d assignment:", len(rest.Items))
	for _, it := range rest.Items {
		fmt.Fprintf(w, " %s as %s", it.Item.Name, it.Edge.Role)
	}
	fmt.Fprintln(w)
	return nil
}
