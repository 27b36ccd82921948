package migrate

import (
	"errors"
	"fmt"
	"time"
)

// ErrLeaseHeld is matched by the error of [Runner.Run] when another
// runner holds the lease of a migration it would run: a *[LeaseError].
var ErrLeaseHeld = errors.New("migrate: another runner holds the migration's lease")

// ErrLeaseLost is matched by the error of [Runner.Run] when a runner's
// lease expired and another runner took it (the runner was stalled for
// longer than [Options.Lease]): the run stops without writing more.
var ErrLeaseLost = errors.New("migrate: the migration's lease was lost to another runner")

// ErrIncomplete is matched by the error of [Runner.Run] when a migration
// left items as they were (an *[IncompleteError]): the migration is not
// marked done, and a run retries them.
var ErrIncomplete = errors.New("migrate: items were left unmigrated")

// LeaseError is the error of a migration whose lease another runner
// holds. It is always a pointer, and matches [ErrLeaseHeld].
type LeaseError struct {
	Migration string
	Owner     string    // the runner that holds it ([Options.Owner])
	Until     time.Time // when its lease expires unless renewed
}

// Error implements the error interface.
func (e *LeaseError) Error() string {
	return fmt.Sprintf("migrate: %s: runner %s holds the lease until %s (it expires unless renewed)", e.Migration, e.Owner, e.Until.UTC().Format(time.RFC3339))
}

// Unwrap returns [ErrLeaseHeld].
func (e *LeaseError) Unwrap() error { return ErrLeaseHeld }

// IncompleteError is the error of a migration that left items as they
// were. It is always a pointer, and matches [ErrIncomplete].
type IncompleteError struct {
	Migration string
	Failed    int64
	Failures  []Failure // at most 20
}

// Error implements the error interface.
func (e *IncompleteError) Error() string {
	s := fmt.Sprintf("migrate: %s: %d items left as they were", e.Migration, e.Failed)
	if len(e.Failures) > 0 {
		s += fmt.Sprintf(", such as %s: %s", e.Failures[0].Key, e.Failures[0].Reason)
	}
	return s + "; run it again to retry them"
}

// Unwrap returns [ErrIncomplete].
func (e *IncompleteError) Unwrap() error { return ErrIncomplete }

// Sentinels of the runner's own conditions, as the Kind of a failed write.
var (
	errChanged      = errors.New("migrate: the item changed since it was read")
	errTargetExists = errors.New("migrate: an item with the new key exists")
)
