package model

import (
	"reflect"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// Model is a validated model type: a handle that package schema, query and
// relations take, and that reads the one compiled mapping of its type (tags,
// keys, indexes, encoders) from a cache shared with them. It is immutable,
// and the same *Model is returned for a type every time. The zero Model
// stands for no type: [Model.Type] returns nil, and the packages that take
// it return an error.
type Model struct {
	m *mapping.Model
}

// Of returns the model of T, a struct type or a pointer to one. The type is
// parsed and validated once; later calls return the cached *Model and do not
// allocate. A type that cannot be a model returns a *[TagError].
func Of[T any]() (*Model, error) {
	return For(reflect.TypeFor[T]())
}

// MustOf is like [Of] but panics on error. It is meant for package-level
// variables initialised from model types known at compile time, like
// regexp.MustCompile.
func MustOf[T any]() *Model {
	m, err := Of[T]()
	if err != nil {
		panic(err)
	}
	return m
}

// For returns the model of the struct type t (or pointer to it), as [Of]
// does.
func For(t reflect.Type) (*Model, error) {
	mm, err := mapping.For(t)
	if err != nil {
		return nil, err
	}
	if h := mm.Handle(); h != nil {
		return h.(*Model), nil
	}
	return mm.SetHandle(&Model{m: mm}).(*Model), nil
}

// Validate reports whether each value's type is a valid model, returning the
// first error (a *[TagError], which names the type). It is handy in tests:
// model.Validate(Department{}, Employee{}).
func Validate(values ...any) error {
	for _, v := range values {
		if _, err := For(reflect.TypeOf(v)); err != nil {
			return err
		}
	}
	return nil
}

// Type returns the model's struct type (never a pointer type), or nil for
// the zero Model.
func (m *Model) Type() reflect.Type {
	if m == nil || m.m == nil {
		return nil
	}
	return m.m.Type
}

// TableName returns the name of the model's table: the name its TableName
// method returns, with n applied; a nil Namer leaves it unchanged. It
// returns "" for the zero Model.
func (m *Model) TableName(n Namer) string {
	if m == nil || m.m == nil {
		return ""
	}
	return m.m.TableName(n)
}

// Unique is an attribute tagged unique: no two items of the model's table
// hold the same value of Attr, within one value of Scope when Scope is set
// (unique:"scope=tenant_id"). A client that enforces a relations.Graph
// keeps the uniqueness records of every write; see docs/unique.md.
type Unique struct {
	Attr  string // the unique attribute's name
	Scope string // the scope attribute's name ("": the whole table)
}

// Unique returns the model's unique attributes in field order (nil when
// it has none, and for the zero Model).
func (m *Model) Unique() []Unique {
	if m == nil || m.m == nil || len(m.m.Unique) == 0 {
		return nil
	}
	out := make([]Unique, len(m.m.Unique))
	for i, u := range m.m.Unique {
		out[i].Attr = u.Attr.Name
		if u.Scope != nil {
			out[i].Scope = u.Scope.Name
		}
	}
	return out
}
