package relations

import "errors"

var (
	// ErrParentNotFound is returned when an operation names a parent that
	// does not exist.
	ErrParentNotFound = errors.New("relations: parent not found")
	// ErrChildNotFound is returned when an operation names a child that does
	// not exist.
	ErrChildNotFound = errors.New("relations: child not found")
	// ErrNoRelation is returned by [New] when the two models cannot be
	// related: no link attribute, or no index or partition to find children.
	ErrNoRelation = errors.New("relations: models are not related")
)
