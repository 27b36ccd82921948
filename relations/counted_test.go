package relations

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
)

func TestKeyText(t *testing.T) {
	tests := []struct {
		name string
		key  mapping.Item
		want string
	}{
		{"one string", mapping.Item{"department_id": &types.AttributeValueMemberS{Value: "d-1"}}, "department_id=d-1"},
		{"sorted by name", mapping.Item{
			"sk": &types.AttributeValueMemberS{Value: "EMP#7"},
			"pk": &types.AttributeValueMemberS{Value: "DEPT#1"},
		}, "pk=DEPT#1, sk=EMP#7"},
		{"number and binary", mapping.Item{
			"n": &types.AttributeValueMemberN{Value: "42"},
			"b": &types.AttributeValueMemberB{Value: []byte{1, 2}},
		}, "b=AQI=, n=42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mapping.KeyText(tt.key); got != tt.want {
				t.Errorf("mapping.KeyText(%v) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestDriftErrors(t *testing.T) {
	drift := &driftError{Relation: "Dept has many Emp", Item: "department_id=d-2", Counter: "child_count", Stored: -1, Counted: -1, Repair: "HasMany.Recount"}
	tests := []struct {
		name    string
		err     error
		want    string
		matches []error
		drifted bool
	}{
		{"negative counter", drift,
			"relations: Dept has many Emp: counter child_count of department_id=d-2 is -1, below 0 (written around the relation): run HasMany.Recount, or Audit with Repair",
			[]error{ErrCounterDrift}, true},
		{"counted", &driftError{Relation: "r", Item: "k=v", Counter: "edge_count", Stored: 0, Counted: 3, Repair: "ManyToMany.RecountTo"},
			"relations: r: counter edge_count of k=v is 0, but the index lists 3 (written around the relation): run ManyToMany.RecountTo, or Audit with Repair",
			[]error{ErrCounterDrift}, true},
		{"children named", &RestrictError{Kind: ErrHasChildren, Count: 1, Example: "employee_id=e-9"},
			"relations: parent has 1 child (employee_id=e-9): unlink or delete the children first (HasMany.Unlink or DeleteChild)", []error{ErrHasChildren}, false},
		{"children with drift", &RestrictError{Kind: ErrHasChildren, Count: 2, Example: "employee_id=e-3", drift: drift},
			"relations: parent has 2 children (employee_id=e-3): unlink or delete the children first (HasMany.Unlink or DeleteChild); Dept has many Emp: counter child_count of department_id=d-2 is -1, below 0 (written around the relation): run HasMany.Recount, or Audit with Repair",
			[]error{ErrHasChildren, ErrCounterDrift}, true},
		{"edges with drift", &RestrictError{Kind: ErrHasEdges, Count: 1, Example: "course_id=c-1, student_id=s-2", drift: drift},
			"relations: end has 1 edge (course_id=c-1, student_id=s-2): unlink the edges first (ManyToMany.Unlink); Dept has many Emp: counter child_count of department_id=d-2 is -1, below 0 (written around the relation): run HasMany.Recount, or Audit with Repair",
			[]error{ErrHasEdges, ErrCounterDrift}, true},
		{"edges", &RestrictError{Kind: ErrHasEdges, Count: 3}, "relations: end has 3 edges: unlink the edges first (ManyToMany.Unlink)", []error{ErrHasEdges}, false},
		{"children of a named parent", &RestrictError{Kind: ErrHasChildren, Relation: "Dept has many Emp", Item: "department_id=d-2", Count: 2, Example: "employee_id=e-3", drift: drift},
			"relations: Dept has many Emp: parent department_id=d-2 has 2 children (employee_id=e-3): unlink or delete the children first (HasMany.Unlink or DeleteChild); counter child_count of department_id=d-2 is -1, below 0 (written around the relation): run HasMany.Recount, or Audit with Repair",
			[]error{ErrHasChildren, ErrCounterDrift}, true},
		{"edges of a named end", &RestrictError{Kind: ErrHasEdges, Relation: "Author and Book through Authorship", Item: "book_id=k-1", Count: 1, Example: "author_id=a-1, book_id=k-1"},
			"relations: Author and Book through Authorship: end book_id=k-1 has 1 edge (author_id=a-1, book_id=k-1): unlink the edges first (ManyToMany.Unlink)", []error{ErrHasEdges}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			for _, m := range tt.matches {
				if !errors.Is(tt.err, m) {
					t.Errorf("errors.Is(%v, %v) = false", tt.err, m)
				}
			}
			if got := errors.Is(tt.err, ErrCounterDrift); got != tt.drifted {
				t.Errorf("errors.Is(ErrCounterDrift) = %v, want %v", got, tt.drifted)
			}
		})
	}
}

func TestAuditResumeToken(t *testing.T) {
	a := newAudit("has many A has many B", nil)
	tok := a.token(1, "cursor-xyz")
	b := newAudit("has many A has many B", &AuditOptions{Resume: tok})
	phase, cursor, err := b.resume(2)
	if err != nil || phase != 1 || cursor != "cursor-xyz" {
		t.Errorf("resume(token(1, cursor-xyz)) = %d, %q, %v; want 1, cursor-xyz, nil", phase, cursor, err)
	}
	for _, tt := range []struct {
		name string
		a    *auditRun
	}{
		{"another relation", newAudit("has many C has many D", &AuditOptions{Resume: tok})},
		{"not a token", newAudit("has many A has many B", &AuditOptions{Resume: "!!"})},
		{"phase out of range", newAudit("has many A has many B", &AuditOptions{Resume: a.token(5, "")})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := tt.a.resume(2); err == nil {
				t.Errorf("resume = nil error, want a refusal")
			}
		})
	}
}
