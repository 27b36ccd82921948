package model_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/dynamokit/dynamokit/model"
)

func TestOfReturnsOneHandle(t *testing.T) {
	m1, err := model.Of[Employee]()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := model.For(reflect.TypeFor[*Employee]())
	if err != nil {
		t.Fatal(err)
	}
	if m1 != m2 {
		t.Errorf("Of[Employee]() = %p, For(*Employee) = %p, want one handle", m1, m2)
	}
	if got, want := m1.Type(), reflect.TypeFor[Employee](); got != want {
		t.Errorf("Type() = %v, want %v", got, want)
	}
	if allocs := testing.AllocsPerRun(100, func() { _, _ = model.Of[Employee]() }); allocs != 0 {
		t.Errorf("a cached Of allocates %v times, want 0", allocs)
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		name string
		get  func() (*model.Model, error)
	}{
		{"no hash key", model.Of[Broken]},
		{"not a struct", model.Of[int]},
		{"nil type", func() (*model.Model, error) { return model.For(nil) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.get()
			var te *model.TagError
			if m != nil || !errors.As(err, &te) || !errors.Is(err, model.ErrInvalid) {
				t.Errorf("got %v, %v, want a *TagError matching ErrInvalid", m, err)
			}
		})
	}
	if err := model.Validate(Employee{}, Broken{}); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("Validate(Employee{}, Broken{}) = %v, want ErrInvalid", err)
	}
}

func TestZeroModel(t *testing.T) {
	var m model.Model
	if got := m.Type(); got != nil {
		t.Errorf("Type() = %v, want nil", got)
	}
	if got := m.TableName(model.Prefix("x-")); got != "" {
		t.Errorf("TableName() = %q, want \"\"", got)
	}
}
