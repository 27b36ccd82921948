package mapping

import (
	"reflect"
	"sync"
)

// cache holds every parsed model: map[reflect.Type]*Model. Cached values
// never change, and the set of types in a program is bounded.
var cache sync.Map

// errCache holds the error of a type that failed to parse, so a bad model
// is reported consistently without being parsed again.
var errCache sync.Map // map[reflect.Type]error

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

// For returns the model of the struct type t (or pointer to it).
func For(t reflect.Type) (*Model, error) {
	if t == nil {
		return nil, &TagError{Reason: "nil type"}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if m, ok := cache.Load(t); ok {
		return m.(*Model), nil
	}
	if err, ok := errCache.Load(t); ok {
		return nil, err.(error)
	}
	m, err := build(t)
	if err != nil {
		errCache.LoadOrStore(t, err)
		return nil, err
	}
	actual, _ := cache.LoadOrStore(t, m)
	return actual.(*Model), nil
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

// Handle is what a *model.Model offers: the type of a model that [For]
// has accepted.
type Handle interface {
	Type() reflect.Type
}

// Must returns the mapping of h's type, which [For] has accepted already:
// h is a *model.Model, and one exists only for a valid model type. It is
// for the packages that take a *model.Model from a query.Table; a zero
// handle or a type For refuses is a bug in dynamokit, and Must panics.
func Must(h Handle) *Model {
	m, err := For(h.Type())
	if err != nil {
		panic(err)
	}
	return m
}
