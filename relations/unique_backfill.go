package relations

import (
	"context"
	"fmt"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/internal/uniquerec"
	"github.com/dynamokit/dynamokit/model"
)

// UniqueReport is what [BackfillUnique] did.
type UniqueReport struct {
	// Items is how many items of the model were looked at.
	Items int
	// Claimed is how many records were written or found to be the
	// item's already.
	Claimed int
	// Changed is how many claims were skipped because the item changed
	// since it was read: the write that changed it keeps its records.
	Changed int
	// Duplicates are the values held by two items, in the order found:
	// Item could not claim the value Owner's record holds (two stored
	// items share it: they were written around the rules, or before the
	// attribute was tagged unique).
	Duplicates []*NotUniqueError
}

// BackfillUnique writes the uniqueness records of the items already stored
// in the table of m (the table c names for m): the backfill of the records
// of data written before the attribute was tagged unique, or around the
// rules. It scans the table with strongly consistent reads, reading only
// the key, the unique attributes, their scopes and the entity type; items
// of another model sharing the table (another entity type) are skipped.
// To claim the items a migration reads, one at a time, use the step
// migrate.ClaimUnique instead.
//
// For each unique value of each item it sends one TransactWriteItems
// request: a check that the item still holds the value, and a put of the
// record on condition that it does not exist or is the item's already.
// A value another item's record holds is not an error: it is reported in
// UniqueReport.Duplicates (resolve it by changing or deleting one of the
// two items: a write through a client without the rules, since a write
// that releases a record another item holds is refused). An item changed
// meanwhile is counted in Changed and left to the write that changed it.
// Running it again is harmless.
//
// It calls Scan, and TransactWriteItems through c's raw method (no write
// rules):
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
func BackfillUnique(ctx context.Context, c *dynamokit.Client, m *model.Model) (UniqueReport, error) {
	var rep uniquerec.Report
	mm, table, err := uniquerec.Model(c, m)
	if err != nil {
		return UniqueReport{}, err
	}
	attrs := uniqueAttrs(mm, mm.Key.Hash, mm.Key.Range, mm.EntityType)
	var claimErr error
	err = rawread.ScanEach(ctx, c.Executor(), rawread.Scan{Read: rawread.Read{Table: table, Consistent: true, Attrs: attrs}}, func(item rawread.Item) error {
		claimErr = uniquerec.ClaimStored(ctx, c, mm, table, item, &rep)
		return claimErr
	})
	switch {
	case claimErr != nil:
		err = claimErr
	case err != nil:
		err = fmt.Errorf("relations: backfill unique records of %s: %w", table, err)
	}
	out := UniqueReport{Items: rep.Items, Claimed: rep.Claimed, Changed: rep.Changed}
	for _, d := range rep.Duplicates {
		out.Duplicates = append(out.Duplicates, &NotUniqueError{Table: d.Table, Attr: d.Attr, Value: d.Value, Scope: d.Scope, Owner: d.Owner, Item: d.Item})
	}
	return out, err
}
