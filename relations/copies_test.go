package relations

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

// Models with copied parent data.

type namedDept struct {
	DeptID  string    `dynamo:"dept_id,hash"`
	Name    string    `dynamo:"name"`
	Floor   int       `dynamo:"floor,omitempty"`
	Founded time.Time `dynamo:"founded"`
}

func (namedDept) TableName() string { return "dept" }

type copyEmp struct {
	_        struct{} `dynamo:"by_name" index:"by-dept-name,hash" template:"{dept_name}#{emp_id}"`
	EmpID    string   `dynamo:"emp_id,hash"`
	DeptID   string   `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
	DeptName string   `dynamo:"dept_name"`
	Floor    int      `dynamo:"floor,omitempty"`
	Floor64  int64    `dynamo:"floor64"`
	Version  int      `dynamo:"version" dynamokit:"version"`
	Title    string   `dynamo:"title"`
}

func (copyEmp) TableName() string { return "emp" }

func TestDeclareCopies(t *testing.T) {
	tests := []struct {
		name   string
		copies map[string]string
		want   []string // child<-parent, in the child's attribute order
	}{
		{"none", nil, nil},
		{"one", map[string]string{"dept_name": "name"}, []string{"dept_name<-name"}},
		{"two, in field order", map[string]string{"floor": "floor", "dept_name": "name"}, []string{"dept_name<-name", "floor<-floor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Declare(tableOf[namedDept](t), tableOf[copyEmp](t), Spec{Layout: MultiTable, Index: "by-dept", Copies: tt.copies})
			if err != nil {
				t.Fatalf("Declare: %v", err)
			}
			var got []string
			for _, c := range h.copies {
				got = append(got, c.child.Name+"<-"+c.parent.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("copies (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeclareCopiesMismatch(t *testing.T) {
	tests := []struct {
		name   string
		copies map[string]string
		want   string
	}{
		{"no such child attribute", map[string]string{"nope": "name"}, "relations.copyEmp has no attribute nope to copy name into"},
		{"no such parent attribute", map[string]string{"dept_name": "nope"}, "relations.namedDept has no attribute nope to copy into dept_name"},
		{"types differ", map[string]string{"floor64": "floor"}, "relations.copyEmp.Floor64 is int64 but relations.namedDept.Floor is int"},
		{"time into a string", map[string]string{"title": "founded"}, "relations.copyEmp.Title is string but relations.namedDept.Founded is time.Time"},
		{"computed copy", map[string]string{"by_name": "name"}, `by_name of relations.copyEmp is computed from "{dept_name}#{emp_id}"`},
		{"the link", map[string]string{"dept_id": "dept_id"}, "dept_id of relations.copyEmp identifies the child or links it"},
		{"the child's key", map[string]string{"emp_id": "dept_id"}, "emp_id of relations.copyEmp identifies the child or links it"},
		{"a role", map[string]string{"version": "floor"}, "version of relations.copyEmp has a dynamokit role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Declare(tableOf[namedDept](t), tableOf[copyEmp](t), Spec{Layout: MultiTable, Index: "by-dept", Copies: tt.copies})
			if !errors.Is(err, ErrMismatch) || !strings.Contains(fmt.Sprint(err), tt.want) {
				t.Errorf("Declare = %v, want ErrMismatch saying %q", err, tt.want)
			}
		})
	}
}

func TestSyncAttrs(t *testing.T) {
	h, err := Declare(tableOf[namedDept](t), tableOf[copyEmp](t), Spec{Layout: MultiTable, Index: "by-dept", Copies: map[string]string{"dept_name": "name", "floor": "floor"}})
	if err != nil {
		t.Fatal(err)
	}
	// by_name is computed from dept_name and emp_id: both are read, so
	// the update can recompute it.
	want := []string{"emp_id", "dept_id", "dept_name", "floor"}
	if diff := cmp.Diff(want, h.syncAttrs()); diff != "" {
		t.Errorf("syncAttrs (-want +got):\n%s", diff)
	}
}

func TestSourcesAndCurrent(t *testing.T) {
	h, err := Declare(tableOf[namedDept](t), tableOf[copyEmp](t), Spec{Layout: MultiTable, Index: "by-dept", Copies: map[string]string{"dept_name": "name", "floor": "floor"}})
	if err != nil {
		t.Fatal(err)
	}
	d := namedDept{DeptID: "d-1", Name: "HR"} // floor 0: omitted
	conds, err := h.sourcesAre(&d)
	if err != nil || len(conds) != 2 {
		t.Fatalf("sourcesAre = %v, %v, want two conditions", conds, err)
	}
	tests := []struct {
		name string
		emp  copyEmp
		want bool
	}{
		{"up to date", copyEmp{EmpID: "e", DeptName: "HR"}, true},
		{"old name", copyEmp{EmpID: "e", DeptName: "Personnel"}, false},
		{"other floor", copyEmp{EmpID: "e", DeptName: "HR", Floor: 3}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.current(&tt.emp, &d)
			if err != nil || got != tt.want {
				t.Errorf("current(%+v) = %v, %v, want %v", tt.emp, got, err, tt.want)
			}
		})
	}
	var e copyEmp
	if err := h.setCopies(&e, &namedDept{Name: "IT", Floor: 2}); err != nil || e.DeptName != "IT" || e.Floor != 2 {
		t.Errorf("setCopies = %+v, %v, want IT on floor 2", e, err)
	}
}

func TestFanOutAndResume(t *testing.T) {
	h, err := Declare(tableOf[namedDept](t), tableOf[copyEmp](t), Spec{Layout: MultiTable, Index: "by-dept", Copies: map[string]string{"dept_name": "name"}})
	if err != nil {
		t.Fatal(err)
	}
	of := func(d namedDept, stamp string) fanOut {
		t.Helper()
		fo, err := h.fanOutOf(&d, stamp)
		if err != nil {
			t.Fatal(err)
		}
		return fo
	}
	a := of(namedDept{Name: "HR"}, "s1")
	b := of(namedDept{Name: "HR", Floor: 4}, "s1") // floor is not copied
	c := of(namedDept{Name: "IT"}, "s1")
	d := of(namedDept{Name: "HR"}, "s2") // the same values, a later UpdateParent
	if a != b || a == c || a == d {
		t.Errorf("fan-outs HR, HR (floor 4), IT, HR (stamp s2) = %v, %v, %v, %v, want only the first two equal", a, b, c, d)
	}
	for _, fo := range []fanOut{a, c, d, of(namedDept{Name: "HR"}, "")} {
		tok := encodeResume(fo, "cursor-of-page-2")
		got, cur, err := decodeResume(tok)
		if err != nil || got != fo || cur != "cursor-of-page-2" {
			t.Errorf("decodeResume(encodeResume(%v, cursor-of-page-2)) = %v, %q, %v", fo, got, cur, err)
		}
	}
	// A token of the earlier form (a hash and a cursor) is refused as
	// malformed rather than read as another fan-out.
	old := base64.RawURLEncoding.EncodeToString(append(binary.BigEndian.AppendUint64(nil, 42), "cursor"...))
	for _, bad := range []string{"!!", "", "AAAA", old, encodeResume(a, "")} {
		if _, _, err := decodeResume(bad); err == nil {
			t.Errorf("decodeResume(%q) = nil error, want one", bad)
		}
	}
}

// stampedEmp has an attribute named as the stamp the fan-out writes on
// each child.
type stampedEmp struct {
	EmpID    string `dynamo:"emp_id,hash"`
	DeptID   string `dynamo:"dept_id,omitempty" index:"by-dept,hash"`
	DeptName string `dynamo:"dept_name"`
	Stamp    string `dynamo:"copies_stamp"`
}

func (stampedEmp) TableName() string { return "emp" }

// TestDeclareCopiesChildStamp: SyncCopies writes copiesStamp on each child
// outside its model, so a child model of its own with that attribute is
// refused, naming it.
func TestDeclareCopiesChildStamp(t *testing.T) {
	_, err := Declare(tableOf[namedDept](t), tableOf[stampedEmp](t), Spec{Layout: MultiTable, Index: "by-dept", Copies: map[string]string{"dept_name": "name"}})
	if !errors.Is(err, ErrMismatch) || !strings.Contains(fmt.Sprint(err), "copies_stamp (field Stamp)") {
		t.Errorf("Declare of a child model with copies_stamp = %v, want ErrMismatch naming it", err)
	}
	// Without copies, the attribute is the model's own business.
	if _, err := Declare(tableOf[namedDept](t), tableOf[stampedEmp](t), Spec{Layout: MultiTable, Index: "by-dept"}); err != nil {
		t.Errorf("Declare without copies = %v, want nil", err)
	}
}

// TestSyncByKey: the fan-out matches the items of its Query, which hold
// what the key is made of, with the decoded children by key, and stored
// reads their stamp and copies as stored.
func TestSyncByKey(t *testing.T) {
	h, err := Declare(tableOf[namedDept](t), tableOf[copyEmp](t), Spec{Layout: MultiTable, Index: "by-dept", Copies: map[string]string{"dept_name": "name"}})
	if err != nil {
		t.Fatal(err)
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	items := []map[string]types.AttributeValue{
		{"emp_id": s("e-1"), "dept_id": s("d-1"), "dept_name": s("HR"), copiesStamp: s("st")},
		{"emp_id": s("e-2"), "dept_id": s("d-1")},
	}
	got, err := h.byKey(items)
	if err != nil || len(got) != 2 {
		t.Fatalf("byKey = %v, %v; want 2 items", got, err)
	}
	key := map[string]types.AttributeValue{"emp_id": s("e-1")}
	var ch syncChild[copyEmp]
	h.stored(&ch, got[keyID(key)])
	if !ch.read || ch.stamp == nil || *ch.stamp != "st" || len(ch.copies) != 1 || !cmp.Equal(ch.copies[0], s("HR"), cmp.AllowUnexported(types.AttributeValueMemberS{})) {
		t.Errorf("stored(e-1) = %+v, want stamp st and copy HR", ch)
	}
	h.stored(&ch, got[keyID(map[string]types.AttributeValue{"emp_id": s("e-2")})])
	if ch.stamp != nil || ch.copies[0] != nil {
		t.Errorf("stored(e-2) = %+v, want no stamp and no copy", ch)
	}
}
