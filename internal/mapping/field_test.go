package mapping_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// Link and Key are embedded by pointer in linked.
type Link struct {
	ParentID string `dynamo:"parent_id" index:"parent-index,hash"`
}

type Key struct {
	N int `dynamo:"n,hash"`
}

type linked struct {
	*Key
	*Link
	_ struct{} `dynamo:"label" template:"P#{parent_id}"`
}

func (linked) TableName() string { return "linked" }

func TestFieldOf(t *testing.T) {
	m := mapping.MustOf[linked]()
	parent := m.Attribute("parent_id")
	tests := []struct {
		name string
		v    linked
		want string
	}{
		{"set", linked{Link: &Link{ParentID: "p-1"}}, "p-1"},
		{"nil embedded pointer", linked{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parent.FieldOf(reflect.ValueOf(&tt.v).Elem())
			if err != nil {
				t.Fatal(err)
			}
			if got := f.String(); got != tt.want {
				t.Errorf("FieldOf(parent_id) = %q, want %q", got, tt.want)
			}
		})
	}
	// As Encode leaves out a field behind a nil pointer, so does KeyOf:
	// an int key there is missing, not 0.
	if _, err := m.KeyOf(linked{}); !errors.Is(err, mapping.ErrEmptyKey) {
		t.Errorf("KeyOf(key behind a nil pointer) = %v, want ErrEmptyKey", err)
	}
	if _, err := m.Attribute("label").FieldOf(reflect.ValueOf(linked{})); err == nil {
		t.Error("FieldOf(a computed attribute) succeeded")
	}
	if _, err := parent.FieldOf(reflect.ValueOf(employee{})); err == nil || !strings.Contains(err.Error(), "parent_id") {
		t.Errorf("FieldOf(a value of another type) = %v, want an error naming parent_id", err)
	}
}

func TestSettableFieldOf(t *testing.T) {
	m := mapping.MustOf[linked]()
	parent := m.Attribute("parent_id")
	orig := linked{Key: &Key{N: 1}, Link: &Link{ParentID: "p-1"}}
	cp := orig // a shallow copy: shares Key and Link
	f, err := parent.SettableFieldOf(reflect.ValueOf(&cp).Elem())
	if err != nil {
		t.Fatal(err)
	}
	f.SetString("p-2")
	if orig.ParentID != "p-1" || cp.ParentID != "p-2" {
		t.Errorf("after setting the copy's parent_id: original %q, copy %q; want p-1, p-2", orig.ParentID, cp.ParentID)
	}

	var zero linked
	f, err = parent.SettableFieldOf(reflect.ValueOf(&zero).Elem())
	if err != nil {
		t.Fatal(err)
	}
	f.SetString("p-3")
	if zero.Link == nil || zero.ParentID != "p-3" {
		t.Errorf("setting parent_id of a zero value: Link = %+v, want p-3", zero.Link)
	}

	if _, err := parent.SettableFieldOf(reflect.ValueOf(orig)); err == nil {
		t.Error("SettableFieldOf(an unaddressable value) succeeded")
	}
	if _, err := m.Attribute("label").SettableFieldOf(reflect.ValueOf(&zero).Elem()); err == nil {
		t.Error("SettableFieldOf(a computed attribute) succeeded")
	}
}

// dashed has a field guregu/dynamo skips: its name is "-", options follow.
type dashed struct {
	ID   string `dynamo:"id,hash"`
	Dash string `dynamo:"-,omitempty"`
}

func (dashed) TableName() string { return "dashed" }

// TestDashedField: the model and the codec read one parse of the tags, so a
// field the codec skips is no attribute of the model either (the model used
// to refuse it, having read the tag its own way).
func TestDashedField(t *testing.T) {
	m, err := mapping.Of[dashed]()
	if err != nil {
		t.Fatalf("Of[dashed]() = %v, want no error", err)
	}
	var names []string
	for _, a := range m.Attributes {
		names = append(names, a.Name)
	}
	if want := []string{"id"}; !slices.Equal(names, want) {
		t.Errorf("attributes of dashed = %v, want %v", names, want)
	}
}
