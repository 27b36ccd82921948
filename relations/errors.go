package relations

import (
	"errors"
	"fmt"
)

var (
	// ErrParentNotFound is returned when an operation names a parent that
	// does not exist: by [HasMany.Move], [HasMany.Create], [HasMany.Parent]
	// and [HasMany.ParentWithChildren].
	ErrParentNotFound = errors.New("relations: parent not found")
	// ErrChildNotFound is returned by [HasMany.Move] and [HasMany.Detach]
	// when the child does not exist.
	ErrChildNotFound = errors.New("relations: child not found")
	// ErrNoRelation is returned by [New] when the two models cannot be
	// related: no link attribute, or no index or partition to find
	// children, or only an index that does not project every attribute of
	// the child (KEYS_ONLY, or INCLUDE without all of them).
	ErrNoRelation = errors.New("relations: models are not related")
	// ErrHasChildren is returned by [HasMany.Delete] with the [Restrict]
	// policy when the parent still has children. The error is a
	// *[HasChildrenError], which says how many.
	ErrHasChildren = errors.New("relations: parent has children")
	// ErrCannotDetach is returned by [HasMany.Detach], and by
	// [HasMany.Delete] with the [Detach] policy, in an item collection: there
	// the link is part of the child's key, so a child cannot lose its
	// parent, only be moved or deleted.
	ErrCannotDetach = errors.New("relations: cannot detach a child of an item collection: its link is part of its key")
)

// HasChildrenError is the error of [HasMany.Delete] refusing, under the
// [Restrict] policy, to delete a parent that has children. It matches
// [ErrHasChildren] with errors.Is and is always a pointer.
type HasChildrenError struct {
	// Children is how many children the parent had when they were counted.
	Children int
}

// Error implements the error interface.
func (e *HasChildrenError) Error() string {
	if e.Children == 1 {
		return "relations: parent has 1 child"
	}
	return fmt.Sprintf("relations: parent has %d children", e.Children)
}

// Unwrap returns [ErrHasChildren].
func (e *HasChildrenError) Unwrap() error { return ErrHasChildren }
