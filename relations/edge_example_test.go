package relations_test

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// Student and Course are the ends of a many-to-many relation.
type Student struct {
	StudentID string `dynamo:"student_id,hash"`
	Name      string `dynamo:"name"`
}

func (Student) TableName() string { return "student" }

type Course struct {
	CourseID string `dynamo:"course_id,hash"`
	Title    string `dynamo:"title"`
}

func (Course) TableName() string { return "course" }

// Enrollment is the edge: its key is the pair it links, and
// course-student-index finds a course's enrollments.
type Enrollment struct {
	StudentID string `dynamo:"student_id,hash" index:"course-student-index,range"`
	CourseID  string `dynamo:"course_id,range" index:"course-student-index,hash"`
	Grade     string `dynamo:"grade"`
}

func (Enrollment) TableName() string { return "enrollment" }

// DeclareEdge states how the edges of a many-to-many relation are found
// from either end and what deleting an end does to them, and checks it
// against the models; no request is made.
func ExampleDeclareEdge() {
	db := dynamokit.New(aws.Config{Region: "us-east-1"}, dynamokit.WithRules(relations.NewGraph())) // not used until a call does I/O
	students, _ := query.NewTable[Student](db)
	courses, _ := query.NewTable[Course](db)
	enrollments, _ := query.NewTable[Enrollment](db)

	enrolled, err := relations.DeclareEdge(students, courses, enrollments, relations.EdgeSpec{
		Index:      "course-student-index",
		OnDeleteTo: relations.Cascade, // deleting a course deletes its enrollments
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(enrolled.Describe().Counter)

	// The reverse index must be named.
	_, err = relations.DeclareEdge(students, courses, enrollments, relations.EdgeSpec{})
	fmt.Println(err)
	// Output:
	// edge_count
	// relations: declaration does not match the models: relations_test.Enrollment links relations_test.Student to relations_test.Course: EdgeSpec.Index is empty: name the global index of relations_test.Enrollment keyed on course_id, which finds the edges of a relations_test.Course
}
