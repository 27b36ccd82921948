package relations

import (
	"errors"
	"fmt"
)

var (
	// ErrParentNotFound is returned when an operation names a parent that
	// does not exist: by [HasMany.Link], [HasMany.Relink],
	// [HasMany.ParentOf], [HasMany.ParentWithChildren] and
	// [HasMany.Recount].
	ErrParentNotFound = errors.New("relations: parent not found")
	// ErrChildNotFound is returned by [HasMany.Relink] and [HasMany.Unlink]
	// when the child does not exist.
	ErrChildNotFound = errors.New("relations: child not found")
	// ErrStaleLink is returned by [HasMany.Relink] and [HasMany.Unlink]
	// when the child value's link is not the stored one: another writer
	// moved or unlinked the child since it was read. Read it again and
	// retry. (In an item collection the link is part of the key, so a stale
	// link reports [ErrChildNotFound].)
	ErrStaleLink = errors.New("relations: child's link changed since it was read")
	// ErrMismatch is returned by [Declare] when a [Spec] does not fit the
	// models: no link attribute, a layout other than the one the child's
	// index or key makes, an index that does not project every attribute
	// of the child, a Together the layout cannot serve, and so on. The
	// message names what is wrong.
	ErrMismatch = errors.New("relations: declaration does not match the models")
	// ErrHasChildren is returned by [HasMany.DeleteParent] under the
	// [Restrict] policy when the parent still has children. The error is a
	// *[HasChildrenError], which says how many.
	ErrHasChildren = errors.New("relations: parent has children")
	// ErrCannotDetach is returned by [HasMany.Unlink] in an item
	// collection, and by [Declare] for the [Detach] policy there: the link
	// is part of the child's key, so a child cannot lose its parent, only
	// be moved or deleted.
	ErrCannotDetach = errors.New("relations: cannot detach a child of an item collection: its link is part of its key")
	// ErrCounterDrift is returned by [HasMany.DeleteParent] when the
	// parent's children counter is negative: children linked before the
	// relation counted them were unlinked or deleted through it. Call
	// [HasMany.Recount] to count them again.
	ErrCounterDrift = errors.New("relations: children counter is negative; call Recount")
)

// HasChildrenError is the error of [HasMany.DeleteParent] refusing, under
// the [Restrict] policy, to delete a parent that has children. It matches
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
