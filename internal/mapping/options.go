package mapping

import "reflect"

// PublicOptions returns the options of t when t (or *t) implements package
// model's Optioner: the part mapping checks and uses (billing, projections)
// and, in Options.Settings, the model.Options value itself for package
// schema. ok is false when t does not implement it; err is a reason the
// options are invalid, reported as a *TagError of t.
//
// Package model sets it when it is initialised, which happens before any
// code that declares a model runs (such code imports model); it is never
// written again.
var PublicOptions func(t reflect.Type) (opts Options, ok bool, err error)

// options returns the options of b.t: from [Optioner] (the internal form,
// which tests use) or from package model's Optioner.
func (b *builder) options() (Options, bool, error) {
	if b.t.Implements(typeOptioner) || reflect.PointerTo(b.t).Implements(typeOptioner) {
		return reflect.New(b.t).Interface().(Optioner).TableOptions(), true, nil
	}
	if PublicOptions != nil {
		return PublicOptions(b.t)
	}
	return Options{}, false, nil
}
