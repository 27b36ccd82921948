package relations

import (
	"errors"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit/model"
)

// Models of many-to-many relations, and edges that do not fit them.

type egEmp struct {
	EmpID string `dynamo:"emp_id,hash"`
	Name  string `dynamo:"name"`
}

func (egEmp) TableName() string { return "emp" }

type egProj struct {
	ProjID string `dynamo:"proj_id,hash"`
}

func (egProj) TableName() string { return "proj" }

// egMember is an edge in a table of its own.
type egMember struct {
	EmpID  string `dynamo:"emp_id,hash" index:"by-proj,range"`
	ProjID string `dynamo:"proj_id,range" index:"by-proj,hash"`
	Role   string `dynamo:"role"`
}

func (egMember) TableName() string { return "member" }

type egKeysOnly struct {
	EmpID  string `dynamo:"emp_id,hash"`
	ProjID string `dynamo:"proj_id,range" index:"by-proj,hash"`
	Role   string `dynamo:"role"`
}

func (egKeysOnly) TableName() string { return "member" }
func (egKeysOnly) TableOptions() model.Options {
	return model.Options{Projections: map[string]model.Projection{"by-proj": model.KeysOnly}}
}

type egReversed struct {
	EmpID  string `dynamo:"emp_id,range" index:"by-emp,hash"`
	ProjID string `dynamo:"proj_id,hash"`
}

func (egReversed) TableName() string { return "member" }

type egNoRange struct {
	EmpID  string `dynamo:"emp_id,hash"`
	ProjID string `dynamo:"proj_id" index:"by-proj,hash"`
}

func (egNoRange) TableName() string { return "member" }

type egNoProj struct {
	EmpID string `dynamo:"emp_id,hash"`
	Other string `dynamo:"other,range" index:"by-proj,hash"`
}

func (egNoProj) TableName() string { return "member" }

type egIntProj struct {
	EmpID  string `dynamo:"emp_id,hash"`
	ProjID int    `dynamo:"proj_id,range" index:"by-proj,hash"`
}

func (egIntProj) TableName() string { return "member" }

type egCounted struct {
	EmpID string `dynamo:"emp_id,hash"`
	Count int    `dynamo:"edge_count"`
}

func (egCounted) TableName() string { return "emp" }

// Single table: both ends and the edges share "app".

type egSTEmp struct {
	_     struct{} `dynamo:"pk,hash" template:"EMP#{emp_id}"`
	_     struct{} `dynamo:"sk,range" template:"#META"`
	_     struct{} `dynamo:"entity" template:"Emp" dynamokit:"type"`
	EmpID string   `dynamo:"emp_id"`
}

func (egSTEmp) TableName() string { return "app" }

type egSTProj struct {
	_      struct{} `dynamo:"pk,hash" template:"PROJ#{proj_id}"`
	_      struct{} `dynamo:"sk,range" template:"#META"`
	_      struct{} `dynamo:"entity" template:"Proj" dynamokit:"type"`
	ProjID string   `dynamo:"proj_id"`
}

func (egSTProj) TableName() string { return "app" }

type egSTMember struct {
	_      struct{} `dynamo:"pk,hash" template:"EMP#{emp_id}"`
	_      struct{} `dynamo:"sk,range" template:"PROJ#{proj_id}"`
	_      struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"PROJ#{proj_id}"`
	_      struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"EMP#{emp_id}"`
	_      struct{} `dynamo:"entity" template:"Member" dynamokit:"type"`
	EmpID  string   `dynamo:"emp_id"`
	ProjID string   `dynamo:"proj_id"`
	Role   string   `dynamo:"role"`
}

func (egSTMember) TableName() string { return "app" }

// egSTUntyped is egSTMember without an entity type.
type egSTUntyped struct {
	_      struct{} `dynamo:"pk,hash" template:"EMP#{emp_id}"`
	_      struct{} `dynamo:"sk,range" template:"PROJ#{proj_id}"`
	_      struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"PROJ#{proj_id}"`
	EmpID  string   `dynamo:"emp_id"`
	ProjID string   `dynamo:"proj_id"`
}

func (egSTUntyped) TableName() string { return "app" }

func declareEdge[F, T, E any](t *testing.T, spec EdgeSpec) error {
	t.Helper()
	_, err := DeclareEdge(tableOf[F](t), tableOf[T](t), tableOf[E](t), spec)
	return err
}

func TestDeclareEdge(t *testing.T) {
	byProj := EdgeSpec{Index: "by-proj"}
	tests := []struct {
		name    string
		declare func(*testing.T) error
		want    string // "" when Declare accepts
	}{
		{"own table", func(t *testing.T) error { return declareEdge[egEmp, egProj, egMember](t, byProj) }, ""},
		{"single table", func(t *testing.T) error {
			return declareEdge[egSTEmp, egSTProj, egSTMember](t, EdgeSpec{Index: "gsi1", OnDeleteFrom: Cascade, OnDeleteTo: Detach})
		}, ""},
		{"no link to the To end", func(t *testing.T) error { return declareEdge[egEmp, egProj, egNoProj](t, byProj) },
			"egNoProj has no attribute proj_id to link to relations.egProj"},
		{"link of another Go type", func(t *testing.T) error { return declareEdge[egEmp, egProj, egIntProj](t, byProj) },
			"egIntProj.ProjID is int but relations.egProj.ProjID is string"},
		{"both ends identified by the same name", func(t *testing.T) error { return declareEdge[egEmp, egEmp, egMember](t, byProj) },
			"both identified by emp_id"},
		{"hash key from the To end", func(t *testing.T) error {
			return declareEdge[egEmp, egProj, egReversed](t, EdgeSpec{Index: "by-emp"})
		}, "the hash key proj_id of relations.egReversed is the plain attribute proj_id, not built from relations.egEmp's emp_id alone"},
		{"no range key", func(t *testing.T) error { return declareEdge[egEmp, egProj, egNoRange](t, byProj) },
			"the range key of relations.egNoRange is not declared"},
		{"no index", func(t *testing.T) error { return declareEdge[egEmp, egProj, egMember](t, EdgeSpec{}) },
			"EdgeSpec.Index is empty"},
		{"unknown index", func(t *testing.T) error { return declareEdge[egEmp, egProj, egMember](t, EdgeSpec{Index: "nope"}) },
			"has no global index nope"},
		{"keys-only index", func(t *testing.T) error { return declareEdge[egEmp, egProj, egKeysOnly](t, byProj) },
			"projects KEYS_ONLY, which leaves out role"},
		{"single table without entity type", func(t *testing.T) error {
			return declareEdge[egSTEmp, egSTProj, egSTUntyped](t, EdgeSpec{Index: "gsi1"})
		}, "declares no entity type"},
		{"counter is a field", func(t *testing.T) error { return declareEdge[egCounted, egProj, egMember](t, byProj) },
			"the edge counter edge_count is an attribute of relations.egCounted (field Count)"},
		{"unknown policy", func(t *testing.T) error {
			return declareEdge[egEmp, egProj, egMember](t, EdgeSpec{Index: "by-proj", OnDeleteTo: 7})
		}, "OnDeleteTo: unknown policy Policy(7)"},
		{"short cursor key", func(t *testing.T) error {
			return declareEdge[egEmp, egProj, egMember](t, EdgeSpec{Index: "by-proj", CursorKey: []byte("short")})
		}, "EdgeSpec.CursorKey has 5 bytes, want at least 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.declare(t)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("DeclareEdge() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("DeclareEdge() = %v, want ErrMismatch saying %q", err, tt.want)
			}
		})
	}
}
