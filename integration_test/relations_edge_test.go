package integration_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	mig "github.com/dynamokit/dynamokit/migrate"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// The many-to-many relation between students and courses, in two
// layouts: tables of their own, and one table for all three models.

// Student is a From end with a table of its own.
type Student struct {
	StudentID string `dynamo:"student_id,hash"`
	Name      string `dynamo:"name"`
}

func (Student) TableName() string { return "student" }

// Course is a To end with a table of its own.
type Course struct {
	CourseID string `dynamo:"course_id,hash"`
	Title    string `dynamo:"title"`
}

func (Course) TableName() string { return "course" }

// Enrollment is the edge, in a table of its own: found from a student by
// the table's key, from a course by course-student-index.
type Enrollment struct {
	StudentID string `dynamo:"student_id,hash" index:"course-student-index,range"`
	CourseID  string `dynamo:"course_id,range" index:"course-student-index,hash"`
	Role      string `dynamo:"role"`
}

func (Enrollment) TableName() string { return "enrollment" }

// SchoolStudent, SchoolCourse and SchoolEnrollment share the table
// "school": an enrollment is in its student's partition (pk
// "STUDENT#s-1", sk "COURSE#c-1") and in its course's partition of gsi1.
type SchoolStudent struct {
	_         struct{} `dynamo:"pk,hash" template:"STUDENT#{student_id}"`
	_         struct{} `dynamo:"sk,range" template:"#META"`
	_         struct{} `dynamo:"entity" template:"Student" dynamokit:"type"`
	StudentID string   `dynamo:"student_id"`
	Name      string   `dynamo:"name"`
}

func (SchoolStudent) TableName() string { return "school" }

type SchoolCourse struct {
	_        struct{} `dynamo:"pk,hash" template:"COURSE#{course_id}"`
	_        struct{} `dynamo:"sk,range" template:"#META"`
	_        struct{} `dynamo:"entity" template:"Course" dynamokit:"type"`
	CourseID string   `dynamo:"course_id"`
	Title    string   `dynamo:"title"`
}

func (SchoolCourse) TableName() string { return "school" }

type SchoolEnrollment struct {
	_         struct{} `dynamo:"pk,hash" template:"STUDENT#{student_id}"`
	_         struct{} `dynamo:"sk,range" template:"COURSE#{course_id}"`
	_         struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"COURSE#{course_id}"`
	_         struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"STUDENT#{student_id}"`
	_         struct{} `dynamo:"entity" template:"Enrollment" dynamokit:"type"`
	StudentID string   `dynamo:"student_id"`
	CourseID  string   `dynamo:"course_id"`
	Role      string   `dynamo:"role"`
}

func (SchoolEnrollment) TableName() string { return "school" }

// edgeLayout builds and reads the values of one layout.
type edgeLayout[S, C, E any] struct {
	index   string
	student func(id, name string) S
	course  func(id, title string) C
	edge    func(role string) E
	pair    func(sid, cid, role string) E // an edge with its links set
	name    func(S) string
	title   func(C) string
	// ends returns an edge's student and course ids, and its role.
	ends func(E) (sid, cid, role string)
}

var ownTables = edgeLayout[Student, Course, Enrollment]{
	index:   "course-student-index",
	student: func(id, name string) Student { return Student{id, name} },
	course:  func(id, title string) Course { return Course{id, title} },
	edge:    func(role string) Enrollment { return Enrollment{Role: role} },
	pair:    func(sid, cid, role string) Enrollment { return Enrollment{sid, cid, role} },
	name:    func(s Student) string { return s.Name },
	title:   func(c Course) string { return c.Title },
	ends:    func(e Enrollment) (string, string, string) { return e.StudentID, e.CourseID, e.Role },
}

var oneTable = edgeLayout[SchoolStudent, SchoolCourse, SchoolEnrollment]{
	index:   "gsi1",
	student: func(id, name string) SchoolStudent { return SchoolStudent{StudentID: id, Name: name} },
	course:  func(id, title string) SchoolCourse { return SchoolCourse{CourseID: id, Title: title} },
	edge:    func(role string) SchoolEnrollment { return SchoolEnrollment{Role: role} },
	pair: func(sid, cid, role string) SchoolEnrollment {
		return SchoolEnrollment{StudentID: sid, CourseID: cid, Role: role}
	},
	name:  func(s SchoolStudent) string { return s.Name },
	title: func(c SchoolCourse) string { return c.Title },
	ends:  func(e SchoolEnrollment) (string, string, string) { return e.StudentID, e.CourseID, e.Role },
}

// eachEdgeLayout runs a test in both layouts.
func eachEdgeLayout(t *testing.T,
	own func(*testing.T, edgeLayout[Student, Course, Enrollment]),
	one func(*testing.T, edgeLayout[SchoolStudent, SchoolCourse, SchoolEnrollment])) {
	t.Run("own tables", func(t *testing.T) { own(t, ownTables) })
	t.Run("one table", func(t *testing.T) { one(t, oneTable) })
}

// edgeFix is one test's tables, over a client whose requests and write
// units are metered.
type edgeFix[S, C, E any] struct {
	edgeLayout[S, C, E]
	env      env
	meter    *meter
	students *query.Table[S]
	courses  *query.Table[C]
	edges    *query.Table[E]
}

func edgeSetup[S, C, E any](t *testing.T, l edgeLayout[S, C, E], db *dynamokit.Client) edgeFix[S, C, E] {
	t.Helper()
	f := edgeFix[S, C, E]{edgeLayout: l, env: newEnv(t, must[S](t), must[C](t), must[E](t)), meter: &meter{requests: map[string]int{}}}
	if db == nil {
		db = graphClient(t, dynamokit.WithHook(f.meter.hook))
	}
	f.students, f.courses, f.edges = tableOf[S](t, f.env, db, nil), tableOf[C](t, f.env, db, nil), tableOf[E](t, f.env, db, nil)
	return f
}

// over returns f's tables over another client.
func (f edgeFix[S, C, E]) over(t *testing.T, db *dynamokit.Client) edgeFix[S, C, E] {
	t.Helper()
	f.students, f.courses, f.edges = tableOf[S](t, f.env, db, nil), tableOf[C](t, f.env, db, nil), tableOf[E](t, f.env, db, nil)
	return f
}

func (f edgeFix[S, C, E]) declare(t *testing.T, spec relations.EdgeSpec) *relations.ManyToMany[S, C, E] {
	t.Helper()
	spec.Index = f.index
	m, err := relations.DeclareEdge(f.students, f.courses, f.edges, spec)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f edgeFix[S, C, E]) create(t *testing.T, students []string, courses []string) {
	t.Helper()
	for _, id := range students {
		s := f.student(id, "Student "+id)
		if err := f.students.Create(t.Context(), &s); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range courses {
		c := f.course(id, "Course "+id)
		if err := f.courses.Create(t.Context(), &c); err != nil {
			t.Fatal(err)
		}
	}
}

// pairs returns every edge stored, as "student-course:role", sorted.
func (f edgeFix[S, C, E]) pairs(t *testing.T) []string {
	t.Helper()
	var out []string
	for e, err := range f.edges.Consistent().Scan().All(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		s, c, role := f.ends(e)
		out = append(out, s+"-"+c+":"+role)
	}
	slices.Sort(out)
	return out
}

// counts returns the edge counters of a student and a course.
func (f edgeFix[S, C, E]) counts(t *testing.T, m *relations.ManyToMany[S, C, E], sid, cid string) [2]int {
	t.Helper()
	ns, err := m.CountFrom(t.Context(), f.student(sid, ""))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := m.CountTo(t.Context(), f.course(cid, ""))
	if err != nil {
		t.Fatal(err)
	}
	return [2]int{ns, nc}
}

// TestEdgeLink links a student to a course, links them again with another
// role (refused with ErrAlreadyExists, nothing changes), updates the
// edge's role through its table, and refuses links to a missing end
// on either side, counting requests and write units.
func TestEdgeLink(t *testing.T) {
	t.Parallel()
	eachEdgeLayout(t, testEdgeLink, testEdgeLink)
}

func testEdgeLink[S, C, E any](t *testing.T, l edgeLayout[S, C, E]) {
	f := edgeSetup(t, l, nil)
	ctx := t.Context()
	m := f.declare(t, relations.EdgeSpec{})
	f.create(t, []string{"s-1"}, []string{"c-1"})
	s1, c1 := f.student("s-1", ""), f.course("c-1", "")
	f.meter.take()

	e := f.edge("lead")
	if err := m.Link(ctx, s1, c1, &e); err != nil {
		t.Fatalf("Link = %v", err)
	}
	if sid, cid, _ := f.ends(e); sid != "s-1" || cid != "c-1" {
		t.Errorf("Link set the edge's links to %s, %s, want s-1, c-1", sid, cid)
	}
	reqs, units := f.meter.take()
	if diff := cmp.Diff(map[string]int{"TransactWriteItems": 1}, reqs); diff != "" || units != 6 {
		t.Errorf("Link sent %v (%d write units), want 1 TransactWriteItems (6 write units)", reqs, units)
	}

	// Linking again is refused as HasMany.Link refuses a child that
	// exists: the stored edge, the counters and the caller's edge stay.
	again := f.edge("audit")
	err := m.Link(ctx, s1, c1, &again)
	if !errors.Is(err, dynamokit.ErrAlreadyExists) || errors.Is(err, relations.ErrEndNotFound) {
		t.Errorf("Link again = %v, want an error matching dynamokit.ErrAlreadyExists", err)
	} else if !strings.Contains(err.Error(), "Update through its table") {
		t.Errorf("Link again = %q, want it to name the way to change the edge (an Update through its table)", err)
	}
	if sid, cid, role := f.ends(again); sid != "" || cid != "" || role != "audit" {
		t.Errorf("Link again changed the caller's edge to %s, %s, %s; want it as passed", sid, cid, role)
	}
	reqs, _ = f.meter.take()
	if diff := cmp.Diff(map[string]int{"TransactWriteItems": 1}, reqs); diff != "" {
		t.Errorf("Link again sent %v, want 1 TransactWriteItems", reqs)
	}
	if got, want := f.pairs(t), []string{"s-1-c-1:lead"}; !slices.Equal(got, want) {
		t.Errorf("edges after linking twice = %v, want %v", got, want)
	}
	if got := f.counts(t, m, "s-1", "c-1"); got != [2]int{1, 1} {
		t.Errorf("counters after linking twice = %v, want [1 1]", got)
	}

	// The edge's own attributes change through its table: the relation's
	// rules let an Update through, and the counters do not move.
	f.meter.take()
	if err := f.edges.Update(f.pair("s-1", "c-1", "")).Set("role", "audit").If(f.edges.KeyExists()).Run(ctx); err != nil {
		t.Fatalf("Update of the edge's role = %v", err)
	}
	reqs, _ = f.meter.take()
	if diff := cmp.Diff(map[string]int{"UpdateItem": 1}, reqs); diff != "" {
		t.Errorf("Update of the edge sent %v, want 1 UpdateItem", reqs)
	}
	if got, want := f.pairs(t), []string{"s-1-c-1:audit"}; !slices.Equal(got, want) {
		t.Errorf("edges after the update = %v, want %v", got, want)
	}
	if got := f.counts(t, m, "s-1", "c-1"); got != [2]int{1, 1} {
		t.Errorf("counters after the update = %v, want [1 1]", got)
	}

	for _, tt := range []struct {
		name string
		s    S
		c    C
	}{
		{"missing course", s1, f.course("c-404", "")},
		{"missing student", f.student("s-404", ""), c1},
	} {
		err := m.Link(ctx, tt.s, tt.c, nil)
		if !errors.Is(err, relations.ErrEndNotFound) {
			t.Errorf("Link to a %s = %v, want ErrEndNotFound", tt.name, err)
		}
	}
	if got, want := f.pairs(t), []string{"s-1-c-1:audit"}; !slices.Equal(got, want) {
		t.Errorf("edges after refused links = %v, want %v", got, want)
	}
	if got := f.counts(t, m, "s-1", "c-1"); got != [2]int{1, 1} {
		t.Errorf("counters after refused links = %v, want [1 1]", got)
	}

	f.meter.take()
	for range 2 { // the second unlink finds nothing to do
		if err := m.Unlink(ctx, s1, c1); err != nil {
			t.Fatalf("Unlink = %v", err)
		}
	}
	reqs, units = f.meter.take()
	if diff := cmp.Diff(map[string]int{"TransactWriteItems": 2}, reqs); diff != "" || units != 12 {
		t.Errorf("two Unlinks sent %v (%d write units), want 2 TransactWriteItems (12 write units, the second cancelled)", reqs, units)
	}
	if got := f.pairs(t); len(got) != 0 {
		t.Errorf("edges after Unlink = %v, want none", got)
	}
	if got := f.counts(t, m, "s-1", "c-1"); got != [2]int{0, 0} {
		t.Errorf("counters after Unlink = %v, want [0 0]", got)
	}
}

// TestEdgeList lists a student's courses and a course's students, page by
// page with signed cursors, with the far ends read whole: one Query
// and one BatchGetItem per page.
func TestEdgeList(t *testing.T) {
	t.Parallel()
	eachEdgeLayout(t, testEdgeList, testEdgeList)
}

func testEdgeList[S, C, E any](t *testing.T, l edgeLayout[S, C, E]) {
	f := edgeSetup(t, l, nil)
	ctx := t.Context()
	m := f.declare(t, relations.EdgeSpec{CursorKey: []byte("edge-test-cursor-key")})
	f.create(t, []string{"s-1", "s-2"}, []string{"c-1", "c-2", "c-3"})
	link := func(sid, cid, role string) {
		e := f.edge(role)
		if err := m.Link(ctx, f.student(sid, ""), f.course(cid, ""), &e); err != nil {
			t.Fatal(err)
		}
	}
	link("s-1", "c-1", "lead")
	link("s-1", "c-2", "member")
	link("s-1", "c-3", "member")
	link("s-2", "c-1", "audit")
	f.meter.take()

	var got []string
	cursor, pages := "", 0
	for {
		p, err := m.LinkedFrom(ctx, f.student("s-1", ""), 2, cursor)
		if err != nil {
			t.Fatalf("LinkedFrom = %v", err)
		}
		pages++
		reqs, _ := f.meter.take()
		if diff := cmp.Diff(map[string]int{"Query": 1, "BatchGetItem": 1}, reqs); diff != "" && len(p.Items) > 0 {
			t.Errorf("LinkedFrom %d sent %v, want 1 Query and 1 BatchGetItem", pages, reqs)
		}
		for _, it := range p.Items {
			_, cid, role := f.ends(it.Edge)
			got = append(got, fmt.Sprintf("%s:%s:%s:%v", cid, role, f.title(it.Item), it.Missing))
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	want := []string{"c-1:lead:Course c-1:false", "c-2:member:Course c-2:false", "c-3:member:Course c-3:false"}
	if !slices.Equal(got, want) {
		t.Errorf("LinkedFrom over %d pages = %v, want %v", pages, got, want)
	}

	p, err := m.LinkedTo(ctx, f.course("c-1", ""), 10, "")
	if err != nil {
		t.Fatalf("LinkedTo = %v", err)
	}
	got = nil
	for _, it := range p.Items {
		sid, _, role := f.ends(it.Edge)
		got = append(got, sid+":"+role+":"+f.name(it.Item))
	}
	if want := []string{"s-1:lead:Student s-1", "s-2:audit:Student s-2"}; !slices.Equal(got, want) || p.Next != "" {
		t.Errorf("LinkedTo = %v (next %q), want %v and no next page", got, p.Next, want)
	}

	first, err := m.LinkedFrom(ctx, f.student("s-1", ""), 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.LinkedFrom(ctx, f.student("s-1", ""), 1, first.Next+"x"); !errors.Is(err, query.ErrBadCursor) {
		t.Errorf("LinkedFrom with a tampered cursor = %v, want ErrBadCursor", err)
	}
	if _, err := m.LinkedTo(ctx, f.course("c-1", ""), 1, first.Next); !errors.Is(err, query.ErrBadCursor) {
		t.Errorf("LinkedTo with LinkedFrom's cursor = %v, want ErrBadCursor", err)
	}

	// A course deleted around the relation (through a client it is not
	// declared on) is reported, not dropped.
	if err := f.over(t, graphClient(t)).courses.Delete(ctx, f.course("c-3", "")); err != nil {
		t.Fatal(err)
	}
	after, err := m.LinkedFrom(ctx, f.student("s-1", ""), 10, "")
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, it := range after.Items {
		_, cid, _ := f.ends(it.Edge)
		got = append(got, fmt.Sprintf("%s:%v", cid, it.Missing))
	}
	if want := []string{"c-1:false", "c-2:false", "c-3:true"}; !slices.Equal(got, want) {
		t.Errorf("LinkedFrom after deleting c-3 around the relation = %v, want %v", got, want)
	}
}

// TestEdgeDelete deletes ends under each policy: Restrict refuses an
// end with edges and deletes one without; Cascade and Detach delete
// the edges and the end, never the far ends, whose counters
// drop.
func TestEdgeDelete(t *testing.T) {
	t.Parallel()
	eachEdgeLayout(t, testEdgeDelete, testEdgeDelete)
}

func testEdgeDelete[S, C, E any](t *testing.T, l edgeLayout[S, C, E]) {
	f := edgeSetup(t, l, nil)
	ctx := t.Context()
	// Students restrict; courses cascade; a second declaration of the same
	// relation detaches students.
	m := f.declare(t, relations.EdgeSpec{OnDeleteFrom: relations.Restrict, OnDeleteTo: relations.Cascade})
	detach := f.declare(t, relations.EdgeSpec{OnDeleteFrom: relations.Detach})
	f.create(t, []string{"s-1", "s-2", "s-3"}, []string{"c-1", "c-2"})
	for _, p := range [][2]string{{"s-1", "c-1"}, {"s-2", "c-1"}, {"s-2", "c-2"}, {"s-3", "c-2"}} {
		if err := m.Link(ctx, f.student(p[0], ""), f.course(p[1], ""), nil); err != nil {
			t.Fatal(err)
		}
	}
	f.meter.take()

	// Restrict: s-1 has an edge.
	err := m.DeleteFrom(ctx, f.student("s-1", ""), nil)
	var he *relations.RestrictError
	if !errors.As(err, &he) || he.Count != 1 || !errors.Is(err, relations.ErrHasEdges) {
		t.Errorf("restrict DeleteFrom(s-1) = %v, want *RestrictError{1}", err)
	}
	reqs, _ := f.meter.take()
	if diff := cmp.Diff(map[string]int{"Query": 1, "GetItem": 1}, reqs); diff != "" {
		t.Errorf("refused restrict delete sent %v, want 1 Query (one edge, keys only) and 1 GetItem", reqs)
	}

	// Cascade: c-1 and its two edges go; s-1 and s-2 stay, with one edge
	// less each.
	if err := m.DeleteTo(ctx, f.course("c-1", ""), nil); err != nil {
		t.Fatalf("cascade DeleteTo(c-1) = %v", err)
	}
	reqs, units := f.meter.take()
	// The counted sweep: GetItem (the course's counter and log), Query,
	// BatchGetItem (the page again), UpdateItem (mark), UpdateItem (record
	// the page), 2 DeleteItem (the edges), BatchGetItem (the students, for
	// their lists of pages taken), 2 UpdateItem (each student's counter),
	// UpdateItem (subtract), DeleteItem (the course).
	if diff := cmp.Diff(map[string]int{"GetItem": 1, "Query": 1, "BatchGetItem": 2, "UpdateItem": 5, "DeleteItem": 3}, reqs); diff != "" || units != 8 {
		t.Errorf("cascade of 2 edges sent %v (%d write units), want 1 GetItem, 1 Query, 2 BatchGetItem, 5 UpdateItem, 3 DeleteItem (8 write units)", reqs, units)
	}
	if _, err := f.courses.Get(ctx, f.course("c-1", "")); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(c-1) after cascade = %v, want ErrNotFound", err)
	}
	for _, sid := range []string{"s-1", "s-2"} {
		if _, err := f.students.Get(ctx, f.student(sid, "")); err != nil {
			t.Errorf("Get(%s) after cascading c-1 = %v, want it kept", sid, err)
		}
	}
	if got, want := f.pairs(t), []string{"s-2-c-2:", "s-3-c-2:"}; !slices.Equal(got, want) {
		t.Errorf("edges after cascade = %v, want %v", got, want)
	}
	if got := f.counts(t, m, "s-1", "c-2"); got != [2]int{0, 2} {
		t.Errorf("counters of s-1, c-2 after cascade = %v, want [0 2]", got)
	}

	// Restrict again: s-1 has no edge left.
	f.meter.take()
	if err := m.DeleteFrom(ctx, f.student("s-1", ""), nil); err != nil {
		t.Errorf("restrict DeleteFrom(s-1) without edges = %v", err)
	}
	reqs, _ = f.meter.take()
	if diff := cmp.Diff(map[string]int{"Query": 1, "DeleteItem": 1}, reqs); diff != "" {
		t.Errorf("restrict delete without edges sent %v, want 1 Query and 1 DeleteItem", reqs)
	}

	// Detach: s-2 and its edge go; c-2 stays with one edge.
	if err := detach.DeleteFrom(ctx, f.student("s-2", ""), nil); err != nil {
		t.Fatalf("detach DeleteFrom(s-2) = %v", err)
	}
	if _, err := f.students.Get(ctx, f.student("s-2", "")); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(s-2) after detach = %v, want ErrNotFound", err)
	}
	if got, want := f.pairs(t), []string{"s-3-c-2:"}; !slices.Equal(got, want) {
		t.Errorf("edges after detach = %v, want %v", got, want)
	}
	if got := f.counts(t, m, "s-3", "c-2"); got != [2]int{1, 1} {
		t.Errorf("counters of s-3, c-2 after detach = %v, want [1 1]", got)
	}

	// A missing end is not an error.
	if err := m.DeleteFrom(ctx, f.student("s-404", ""), nil); err != nil {
		t.Errorf("DeleteFrom(missing) = %v, want nil", err)
	}
}

// edgeRaceRuns is how many times TestEdgeRestrictRace races, per layout.
// The race is forced on every run, so more runs repeat the same
// interleaving.
const edgeRaceRuns = 2

// edgeRaceWriters is how many goroutines link new students to the course
// being deleted.
const edgeRaceWriters = 16

// TestEdgeRestrictRace deletes a course under Restrict while 16 goroutines
// link students to it, edgeRaceRuns times in each layout, and counts the
// dangling edges each run leaves (edges whose course is gone): there must
// be none. The race is forced: the delete's DeleteItem is held back until
// a writer has linked a student, so a link always falls between anything
// the delete could have read and its write. The "count then delete"
// subtest runs the same race against a delete that counts the edges with
// a Query and then deletes unconditionally, and must find dangling edges
// on every run: the test can see the race it guards against.
func TestEdgeRestrictRace(t *testing.T) {
	t.Parallel()
	t.Run("counter", func(t *testing.T) {
		eachEdgeLayout(t, testEdgeRestrictRace[Student, Course, Enrollment](false), testEdgeRestrictRace[SchoolStudent, SchoolCourse, SchoolEnrollment](false))
	})
	t.Run("count then delete", func(t *testing.T) {
		eachEdgeLayout(t, testEdgeRestrictRace[Student, Course, Enrollment](true), testEdgeRestrictRace[SchoolStudent, SchoolCourse, SchoolEnrollment](true))
	})
}

func testEdgeRestrictRace[S, C, E any](naive bool) func(*testing.T, edgeLayout[S, C, E]) {
	return func(t *testing.T, l edgeLayout[S, C, E]) {
		hook := &interleaver{}
		f := edgeSetup(t, l, graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
			hook.next = o.HTTPClient
			o.HTTPClient = hook
		})))
		other := f.over(t, graphClient(t)) // the writers' connection, not held back
		// The count-then-delete control deletes through a client the
		// relation is not declared on (whose plain Delete would otherwise
		// be conditional on the counter), held back by the same hook.
		plain := f.over(t, graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
			hook.next = o.HTTPClient
			o.HTTPClient = hook
		})))
		ctx := t.Context()
		m := f.declare(t, relations.EdgeSpec{})
		om := other.declare(t, relations.EdgeSpec{})
		restrict := func(c C) error {
			if !naive {
				return m.DeleteTo(ctx, c, nil)
			}
			n, err := m.EdgesTo(c).Count(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				return &relations.RestrictError{Kind: relations.ErrHasEdges, Count: n}
			}
			return plain.courses.Delete(ctx, c)
		}
		students := make([]string, edgeRaceWriters)
		for i := range students {
			students[i] = fmt.Sprintf("s-%02d", i)
		}
		f.create(t, students, nil)
		dangling, deleted := 0, 0
		for run := range edgeRaceRuns {
			cid := fmt.Sprintf("c-%02d", run)
			f.create(t, nil, []string{cid})
			course := f.course(cid, "")
			var (
				wg       sync.WaitGroup
				start    = make(chan struct{})
				linked   = make(chan struct{})
				once     sync.Once
				refused  atomic.Int64
				finished atomic.Int64
				errs     = make(chan error, edgeRaceWriters)
			)
			for i := range edgeRaceWriters {
				wg.Go(func() {
					defer finished.Add(1)
					<-start
					for {
						err := om.Link(ctx, f.student(students[i], ""), course, nil)
						switch {
						case err == nil:
							once.Do(func() { close(linked) })
						case errors.Is(err, relations.ErrEndNotFound):
							refused.Add(1) // the course is gone: nothing was written
						case isTxConflict(err):
							continue
						default:
							errs <- err
						}
						return
					}
				})
			}
			hook.before("DeleteItem", func() {
				close(start)
				<-linked
			})
			err := restrict(course)
			if !hook.done() {
				close(start)
				wg.Wait()
				t.Fatalf("run %d: the restrict delete sent no DeleteItem: %v", run, err)
			}
			for errors.Is(err, relations.ErrHasEdges) && finished.Load() < edgeRaceWriters {
				time.Sleep(5 * time.Millisecond)
				err = restrict(course)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("run %d: writer: %v", run, err)
			}
			if err != nil && !errors.Is(err, relations.ErrHasEdges) {
				t.Fatalf("run %d: restrict delete: %v", run, err)
			}
			_, gerr := f.courses.Get(ctx, course)
			gone := errors.Is(gerr, dynamokit.ErrNotFound)
			if gone {
				deleted++
			}
			n := 0
			for _, p := range f.pairs(t) {
				if gone && len(p) > len(cid) && slices.Contains([]string{cid}, p[len("s-00-"):len("s-00-")+len(cid)]) {
					n++
				}
			}
			dangling += n
			if naive && n == 0 {
				t.Errorf("run %d: count-then-delete left no dangling edge (course deleted %v)", run, gone)
			}
			t.Logf("run %d: course deleted %v, %d links refused, %d dangling edges", run, gone, refused.Load(), n)
		}
		t.Logf("%d runs (count then delete: %v): %d courses deleted, %d dangling edges", edgeRaceRuns, naive, deleted, dangling)
		if !naive && dangling != 0 {
			t.Errorf("%d runs left %d dangling edges, want 0", edgeRaceRuns, dangling)
		}
	}
}

// edgeCostEdges is how many edges TestEdgeCascadeCost's course has.
const edgeCostEdges = 100

// TestEdgeCascadeCost measures the requests and write units of deleting a
// course with 100 edges under Cascade: a DeleteItem per edge and an
// UpdateItem per student, 2.04 write units an edge.
func TestEdgeCascadeCost(t *testing.T) {
	t.Parallel()
	eachEdgeLayout(t, testEdgeCascadeCost, testEdgeCascadeCost)
}

func testEdgeCascadeCost[S, C, E any](t *testing.T, l edgeLayout[S, C, E]) {
	f := edgeSetup(t, l, nil)
	ctx := t.Context()
	m := f.declare(t, relations.EdgeSpec{OnDeleteTo: relations.Cascade})
	students := make([]S, edgeCostEdges)
	for i := range students {
		students[i] = f.student(fmt.Sprintf("s-%03d", i), "Student")
	}
	// A bulk load, through a client the relation is not declared on: a
	// BatchPut of ends is refused where it is.
	if err := f.over(t, graphClient(t)).students.BatchPut(ctx, students, nil); err != nil {
		t.Fatal(err)
	}
	f.create(t, nil, []string{"c-1"})
	course := f.course("c-1", "")
	for _, s := range students {
		if err := m.Link(ctx, s, course, nil); err != nil {
			t.Fatal(err)
		}
	}
	f.meter.take()
	var progress []relations.Progress
	if err := m.DeleteTo(ctx, course, &relations.DeleteOptions{Progress: func(p relations.Progress) { progress = append(progress, p) }}); err != nil {
		t.Fatalf("cascade DeleteTo = %v", err)
	}
	reqs, units := f.meter.take()
	// Per edge a DeleteItem and an UpdateItem of its student's counter;
	// per page of 100 an UpdateItem that records it, one that subtracts
	// it, a BatchGetItem that reads it again and one that reads its far
	// ends (for their lists of pages taken); the mark, and the course's
	// DeleteItem.
	want := map[string]int{"GetItem": 1, "Query": 1, "BatchGetItem": 2, "UpdateItem": edgeCostEdges + 3, "DeleteItem": edgeCostEdges + 1}
	wantUnits := 2*edgeCostEdges + 4
	if diff := cmp.Diff(want, reqs); diff != "" || units != wantUnits {
		t.Errorf("cascade of %d edges sent %v (%d write units), want %v (%d write units)", edgeCostEdges, reqs, units, want, wantUnits)
	}
	if per := float64(units) / edgeCostEdges; per > 2.05 {
		t.Errorf("cascade cost %.2f write units an edge, want at most 2.05", per)
	}
	if got, want := progress[len(progress)-1].Done, edgeCostEdges; got != want {
		t.Errorf("progress Done = %d, want %d", got, want)
	}
	if got := f.pairs(t); len(got) != 0 {
		t.Errorf("%d edges left after the cascade, want none", len(got))
	}
	n, err := m.CountFrom(ctx, students[0])
	if err != nil || n != 0 {
		t.Errorf("CountFrom(a student) after the cascade = %d, %v, want 0", n, err)
	}
	t.Logf("cascade of %d edges: %v, %d write units", edgeCostEdges, reqs, units)
}

// TestEdgeRestrictWithoutCounter deletes, under Restrict, ends whose items
// have no edge counter: a student replaced by a plain Put (which drops the
// counter) that still has an edge is refused, counted by a Query; a course
// never linked is deleted.
func TestEdgeRestrictWithoutCounter(t *testing.T) {
	t.Parallel()
	eachEdgeLayout(t, testEdgeRestrictWithoutCounter, testEdgeRestrictWithoutCounter)
}

func testEdgeRestrictWithoutCounter[S, C, E any](t *testing.T, l edgeLayout[S, C, E]) {
	f := edgeSetup(t, l, nil)
	ctx := t.Context()
	m := f.declare(t, relations.EdgeSpec{})
	f.create(t, []string{"s-1"}, []string{"c-1", "c-2"})
	if err := m.Link(ctx, f.student("s-1", ""), f.course("c-1", ""), nil); err != nil {
		t.Fatal(err)
	}
	s := f.student("s-1", "Renamed")
	if err := f.students.Put(ctx, &s); err != nil {
		t.Fatal(err)
	}
	c := f.course("c-1", "Renamed")
	if err := f.courses.Put(ctx, &c); err != nil {
		t.Fatal(err)
	}
	err := m.DeleteFrom(ctx, f.student("s-1", ""), nil)
	var he *relations.RestrictError
	if !errors.As(err, &he) || he.Count != 1 {
		t.Errorf("restrict DeleteFrom(a student without counter, 1 edge) = %v, want *RestrictError{1}", err)
	}
	err = m.DeleteTo(ctx, f.course("c-1", ""), nil)
	if !errors.As(err, &he) || he.Count != 1 {
		t.Errorf("restrict DeleteTo(a course without counter, 1 edge) = %v, want *RestrictError{1}", err)
	}
	if got, want := f.pairs(t), []string{"s-1-c-1:"}; !slices.Equal(got, want) {
		t.Errorf("edges = %v, want %v", got, want)
	}
	if err := m.DeleteTo(ctx, f.course("c-2", ""), nil); err != nil {
		t.Errorf("restrict DeleteTo(a course never linked) = %v, want nil", err)
	}
	if _, err := f.courses.Get(ctx, f.course("c-2", "")); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(c-2) after its delete = %v, want ErrNotFound", err)
	}
}

// TestEdgeLinkManyInOneTx links one student to two courses in one
// WriteTx of the edges' TxCreate: the rules fold both +1s of the student
// into one counter change, and a missing end or a pair already linked
// cancels every link of the transaction.
func TestEdgeLinkManyInOneTx(t *testing.T) {
	t.Parallel()
	eachEdgeLayout(t, testEdgeLinkManyInOneTx, testEdgeLinkManyInOneTx)
}

func testEdgeLinkManyInOneTx[S, C, E any](t *testing.T, l edgeLayout[S, C, E]) {
	f := edgeSetup(t, l, nil)
	ctx := t.Context()
	m := f.declare(t, relations.EdgeSpec{})
	f.create(t, []string{"s-1", "s-2"}, []string{"c-1", "c-2"})
	tx := func(pairs ...[2]string) error {
		var actions []dynamokit.TxAction
		for _, p := range pairs {
			e := f.pair(p[0], p[1], "")
			actions = append(actions, f.edges.TxCreate(&e))
		}
		return f.edges.Client().WriteTx(ctx, nil, actions...)
	}
	if err := tx([2]string{"s-1", "c-1"}, [2]string{"s-1", "c-2"}); err != nil {
		t.Fatalf("WriteTx(two links of s-1) = %v", err)
	}
	if got := f.counts(t, m, "s-1", "c-1"); got != [2]int{2, 1} {
		t.Errorf("counters of s-1, c-1 = %v, want [2 1]", got)
	}
	if got := f.counts(t, m, "s-2", "c-2"); got != [2]int{0, 1} {
		t.Errorf("counters of s-2, c-2 = %v, want [0 1]", got)
	}
	// The error names the missing end, as Link's does: the caller gave
	// two courses and must tell which one is missing.
	if err := tx([2]string{"s-2", "c-1"}, [2]string{"s-2", "c-404"}); !errors.Is(err, relations.ErrEndNotFound) || !strings.Contains(err.Error(), "c-404") {
		t.Errorf("WriteTx(a link to a missing course) = %v, want ErrEndNotFound naming c-404", err)
	}
	if err := tx([2]string{"s-2", "c-2"}, [2]string{"s-1", "c-1"}); !errors.Is(err, dynamokit.ErrAlreadyExists) {
		t.Errorf("WriteTx(a pair already linked) = %v, want ErrAlreadyExists", err)
	}
	if got := f.counts(t, m, "s-2", "c-2"); got != [2]int{0, 1} {
		t.Errorf("counters of s-2, c-2 after the cancelled transactions = %v, want [0 1]", got)
	}
	if got := len(f.pairs(t)); got != 2 {
		t.Errorf("%d edges, want the 2 of the first transaction", got)
	}
}

// TestEdgeCheckedWrites writes edges through the edges' query.Table of the
// declared relation's client: a Create counts the edge on both ends, or is refused for a
// missing end; an Update passes; a Put replaces an edge that exists and
// fails with ErrNotAnEdge for a new one; a Delete and the batch writes are
// refused; Link and Unlink are not counted twice.
func TestEdgeCheckedWrites(t *testing.T) {
	t.Parallel()
	eachEdgeLayout(t, testEdgeCheckedWrites, testEdgeCheckedWrites)
}

func testEdgeCheckedWrites[S, C, E any](t *testing.T, l edgeLayout[S, C, E]) {
	f := edgeSetup(t, l, nil)
	ctx := t.Context()
	m := f.declare(t, relations.EdgeSpec{})
	f.create(t, []string{"s-1", "s-2"}, []string{"c-1"})
	f.meter.take()

	e := f.pair("s-1", "c-1", "lead")
	if err := f.edges.Create(ctx, &e); err != nil {
		t.Fatalf("Create(edge) = %v", err)
	}
	reqs, _ := f.meter.take()
	if diff := cmp.Diff(map[string]int{"TransactWriteItems": 1}, reqs); diff != "" {
		t.Errorf("checked Create sent %v, want 1 TransactWriteItems", reqs)
	}
	if got := f.counts(t, m, "s-1", "c-1"); got != [2]int{1, 1} {
		t.Errorf("counters after a checked Create = %v, want [1 1]", got)
	}
	missing := f.pair("s-2", "c-404", "x")
	if err := f.edges.Create(ctx, &missing); !errors.Is(err, relations.ErrEndNotFound) {
		t.Errorf("Create(edge to a missing course) = %v, want ErrEndNotFound", err)
	}

	upd := f.edges.Update(e).Set("role", "owner")
	if err := upd.Run(ctx); err != nil {
		t.Errorf("Update(edge role) = %v, want nil", err)
	}
	if err := f.edges.Put(ctx, &e); err != nil {
		t.Errorf("Put(an edge that exists) = %v, want nil", err)
	}
	if got := f.counts(t, m, "s-1", "c-1"); got != [2]int{1, 1} {
		t.Errorf("counters after a Put that replaced the edge = %v, want [1 1]", got)
	}
	fresh := f.pair("s-2", "c-1", "x")
	if err := f.edges.Put(ctx, &fresh); !errors.Is(err, relations.ErrNotAnEdge) {
		t.Errorf("Put(a new edge) = %v, want ErrNotAnEdge", err)
	}
	// A batch put is refused as every batch write that needs a condition
	// is (the Put rule's, which keeps the ends), naming Table.Put.
	if err := f.edges.BatchPut(ctx, []E{e}, nil); err == nil || !strings.Contains(err.Error(), "Table.Put") {
		t.Errorf("BatchPut(edge) = %v, want it refused, naming Table.Put", err)
	}
	for _, w := range []struct {
		name  string
		write func() error
	}{
		{"Delete", func() error { return f.edges.Delete(ctx, e) }},
		{"BatchDelete", func() error { return f.edges.BatchDelete(ctx, []E{e}, nil) }},
		{"TxDelete", func() error { return f.edges.Client().WriteTx(ctx, nil, f.edges.TxDelete(e)) }},
	} {
		// Refused as every write the relation cannot keep whole is: an
		// ErrNeedsRelation naming the verbs to use.
		if err := w.write(); !errors.Is(err, relations.ErrNeedsRelation) || !strings.Contains(err.Error(), "ManyToMany.Link or Unlink") {
			t.Errorf("%s(edge) = %v, want ErrNeedsRelation naming ManyToMany.Link or Unlink", w.name, err)
		}
	}
	if got, want := len(f.pairs(t)), 1; got != want {
		t.Errorf("%d edges after the refused writes, want %d", got, want)
	}

	// The relation's own writes are not counted twice.
	if err := m.Link(ctx, f.student("s-2", ""), f.course("c-1", ""), nil); err != nil {
		t.Fatalf("Link = %v", err)
	}
	if got := f.counts(t, m, "s-2", "c-1"); got != [2]int{1, 2} {
		t.Errorf("counters after Link = %v, want [1 2]", got)
	}
	if err := m.Unlink(ctx, f.student("s-2", ""), f.course("c-1", "")); err != nil {
		t.Fatalf("Unlink = %v", err)
	}
	if got := f.counts(t, m, "s-2", "c-1"); got != [2]int{0, 1} {
		t.Errorf("counters after Unlink = %v, want [0 1]", got)
	}
}

// opNames is a Tracer that records the names of the top-level operations.
type opNames struct {
	mu    sync.Mutex
	names []string
}

func (o *opNames) StartOperation(ctx context.Context, op *dynamokit.Operation) context.Context {
	return ctx
}

func (o *opNames) EndOperation(_ context.Context, op *dynamokit.Operation) {
	if op.Parent != nil {
		return
	}
	o.mu.Lock()
	o.names = append(o.names, op.Name)
	o.mu.Unlock()
}

func (o *opNames) Request(context.Context, *dynamokit.Request) {}

func (o *opNames) take() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.names
	o.names = nil
	return n
}

// TestEdgeOperationNames checks that each many-to-many verb is one
// operation for a Tracer, named as the method the caller called.
func TestEdgeOperationNames(t *testing.T) {
	t.Parallel()
	tr := &opNames{}
	f := edgeSetup(t, ownTables, graphClient(t, dynamokit.WithTracer(tr)))
	ctx := t.Context()
	m := f.declare(t, relations.EdgeSpec{OnDeleteFrom: relations.Cascade, OnDeleteTo: relations.Cascade})
	f.create(t, []string{"s-1"}, []string{"c-1"})
	s1, c1 := Student{StudentID: "s-1"}, Course{CourseID: "c-1"}
	tr.take()
	for _, tt := range []struct {
		want string
		call func() error
	}{
		{"ManyToMany.Link", func() error { return m.Link(ctx, s1, c1, nil) }},
		{"ManyToMany.Edge", func() error { _, err := m.Edge(ctx, s1, c1); return err }},
		{"ManyToMany.LinkedFrom", func() error { _, err := m.LinkedFrom(ctx, s1, 10, ""); return err }},
		{"ManyToMany.LinkedTo", func() error { _, err := m.LinkedTo(ctx, c1, 10, ""); return err }},
		{"ManyToMany.CountFrom", func() error { _, err := m.CountFrom(ctx, s1); return err }},
		{"ManyToMany.CountTo", func() error { _, err := m.CountTo(ctx, c1); return err }},
		{"ManyToMany.RecountFrom", func() error { _, err := m.RecountFrom(ctx, s1); return err }},
		{"ManyToMany.RecountTo", func() error { _, err := m.RecountTo(ctx, c1); return err }},
		{"ManyToMany.Unlink", func() error { return m.Unlink(ctx, s1, c1) }},
		{"ManyToMany.DeleteFrom", func() error { return m.DeleteFrom(ctx, s1, nil) }},
		{"ManyToMany.DeleteTo", func() error { return m.DeleteTo(ctx, c1, nil) }},
	} {
		if err := tt.call(); err != nil {
			t.Errorf("%s = %v", tt.want, err)
		}
		if got := tr.take(); !slices.Equal(got, []string{tt.want}) {
			t.Errorf("%s: top-level operations %v, want [%s]", tt.want, got, tt.want)
		}
	}
}

// TestMigrateEdgesInPlace runs a migration over the edges through the
// client on which their relation is declared: a rewrite that keeps each
// edge's ends is a Put that replaces the edge, so it runs, and the
// counters stay as they were.
func TestMigrateEdgesInPlace(t *testing.T) {
	t.Parallel()
	eachEdgeLayout(t, testMigrateEdgesInPlace, testMigrateEdgesInPlace)
}

func testMigrateEdgesInPlace[S, C, E any](t *testing.T, l edgeLayout[S, C, E]) {
	f := edgeSetup(t, l, nil)
	ctx := t.Context()
	m := f.declare(t, relations.EdgeSpec{})
	f.create(t, []string{"s-1", "s-2"}, []string{"c-1"})
	for _, sid := range []string{"s-1", "s-2"} {
		e := f.edge("member")
		if err := m.Link(ctx, f.student(sid, ""), f.course("c-1", ""), &e); err != nil {
			t.Fatal(err)
		}
	}
	upper := mig.Func("upper-case roles", func(_ context.Context, it mig.Item) (mig.Item, error) {
		it["role"] = &types.AttributeValueMemberS{Value: strings.ToUpper(sOf(it["role"]))}
		return it, nil
	})
	r := newRunner[E](t, f.edges.Client(), nil, mig.Migration{ID: "upper-roles", Step: upper})
	got, err := r.Run(ctx)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got[0].Changed != 2 || got[0].Failed != 0 {
		t.Errorf("Run = %+v, want 2 changed", got)
	}
	if diff := cmp.Diff([]string{"s-1-c-1:MEMBER", "s-2-c-1:MEMBER"}, f.pairs(t)); diff != "" {
		t.Errorf("edges after the migration (-want +got):\n%s", diff)
	}
	if got := f.counts(t, m, "s-1", "c-1"); got != [2]int{1, 2} {
		t.Errorf("counters after the migration = %v, want [1 2]", got)
	}
}
