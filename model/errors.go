package model

import (
	"errors"
	"fmt"
	"reflect"
)

// ErrInvalid is matched by every *[TagError], so callers can test for an
// invalid model with errors.Is(err, model.ErrInvalid).
var ErrInvalid = errors.New("model: invalid model")

// ErrEmptyKey is returned by [Model.KeyOf], [Model.IndexKeyOf] and
// [Model.Encode] when a key attribute of the given value is empty: missing,
// an empty string or binary, NULL, or computed from an attribute that is.
// DynamoDB rejects empty key values.
var ErrEmptyKey = errors.New("model: empty key attribute")

// TagError describes a model that cannot be mapped onto a table: a missing
// or duplicate key, a bad tag, an unsupported key type. It is always returned
// as a pointer and matches [ErrInvalid] with errors.Is.
type TagError struct {
	Type   reflect.Type // the model type
	Field  string       // the Go field name, or "" for an error about the whole type
	Tag    string       // the offending struct tag, if any
	Reason string       // what is wrong
}

// Error implements the error interface.
func (e *TagError) Error() string {
	name := "<nil>"
	if e.Type != nil {
		name = e.Type.String()
	}
	switch {
	case e.Field == "":
		return fmt.Sprintf("model: %s: %s", name, e.Reason)
	case e.Tag == "":
		return fmt.Sprintf("model: %s.%s: %s", name, e.Field, e.Reason)
	default:
		return fmt.Sprintf("model: %s.%s: tag `%s`: %s", name, e.Field, e.Tag, e.Reason)
	}
}

// Is reports whether target is [ErrInvalid].
func (e *TagError) Is(target error) bool { return target == ErrInvalid }
