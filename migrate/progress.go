package migrate

import (
	"fmt"
	"time"
)

// Progress is how far a run of one migration has come, as
// [Options.Progress] receives it and [Runner.Run] returns it.
type Progress struct {
	// Migration is the ID of the migration.
	Migration string
	// Scanned counts the items of the model read; Changed those
	// rewritten; Skipped those that needed no change (already migrated,
	// [ErrSkip], or deleted or moved by the application meanwhile);
	// Failed those left as they were with a reason in Failures. A re-keyed
	// item may be read again under its new key later in the scan, and is
	// then counted as scanned and skipped a second time.
	Scanned, Changed, Skipped, Failed int64
	// ReadUnits and WriteUnits are the capacity units the run consumed, as
	// DynamoDB reported them.
	ReadUnits, WriteUnits float64
	// Estimated reports that WriteUnits include estimates, from the size
	// of the items written, for writes DynamoDB reported no capacity for
	// (moto reports none for transactions); the write budget counts them
	// the same way.
	Estimated bool
	// Requests counts the requests the run sent (every attempt), not
	// those the client's write rules send themselves (a relation's read of
	// a child's stored link goes through the client it was declared on).
	Requests int64
	// Elapsed is the time since the run started; Remaining estimates the
	// time left, from the rate so far and the table's item count (0 when
	// it cannot tell, and once done).
	Elapsed, Remaining time.Duration
	// Total is the table's item count as DescribeTable reported it when
	// the run started (all models of the table, refreshed by DynamoDB
	// about every six hours; 0 when unknown).
	Total int64
	// Done reports the last report of a run.
	Done bool
	// Failures names the items that failed, and why (at most 20).
	Failures []Failure
}

// Failure is one item a migration could not rewrite.
type Failure struct {
	Key    string // the item's key, as attribute=value pairs
	Reason string
}

// String returns a one-line summary.
func (p Progress) String() string {
	s := fmt.Sprintf("%s: scanned %d, changed %d, skipped %d, failed %d; %.0f WCU, %.0f RCU, %d requests, %s",
		p.Migration, p.Scanned, p.Changed, p.Skipped, p.Failed, p.WriteUnits, p.ReadUnits, p.Requests, p.Elapsed.Round(time.Millisecond))
	if !p.Done && p.Remaining > 0 {
		unit := time.Second
		if p.Remaining < 10*time.Second {
			unit = 10 * time.Millisecond
		}
		s += fmt.Sprintf(", about %s left", p.Remaining.Round(unit))
	}
	if p.Done {
		s += ", done"
	}
	return s
}

// remaining estimates the time left to scan total items, scanned of them
// in elapsed: 0 when it cannot tell.
func remaining(scanned, total int64, elapsed time.Duration) time.Duration {
	if scanned <= 0 || total <= scanned || elapsed <= 0 {
		return 0
	}
	return time.Duration(float64(elapsed) * float64(total-scanned) / float64(scanned))
}
