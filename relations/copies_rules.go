package relations

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/querylink"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/query"
)

// errSourcesMoved is what a plain Put of a parent reports when a copied
// attribute of the stored parent changed between the check's read and the
// write.
var errSourcesMoved = fmt.Errorf("%w: a copied attribute of the parent changed meanwhile", dynamokit.ErrConditionFailed)

// checkSources keeps plain writes of a parent from leaving its children's
// copies stale ([Spec.Copies]): an Update that sets a copied attribute is
// refused, naming [HasMany.UpdateParent]; a Put reads the stored parent
// (one GetItem) and is refused when it changes a copied attribute, and
// otherwise made conditional on the copied attributes still holding the
// values read, so that a rename made meanwhile is not undone.
func (h *HasMany[P, C]) checkSources(ctx context.Context, w *txn.Write) error {
	switch w.Op {
	case txn.OpUpdate, txn.OpAdd:
		for _, cp := range h.copies {
			if _, ok := w.Attrs[cp.parent.Name]; ok || slices.Contains(w.Unknown, cp.parent.Name) {
				return h.refuseSource(cp.parent.Name)
			}
		}
		return nil
	case txn.OpPut:
	default:
		return nil
	}
	stored, err := rawread.Get(ctx, h.parents.Client().Executor(), rawread.Read{Table: w.Table, Consistent: true}, w.Key)
	if err != nil {
		return err
	}
	if stored == nil {
		// A new parent has no children to copy to; one created
		// meanwhile might.
		w.RuleConds = append(w.RuleConds, equalCond(mapping.Must(h.parents.Model()).Key.Hash.Name, nil, errSourcesMoved))
		return nil
	}
	for _, cp := range h.copies {
		name := cp.parent.Name
		v, had := stored[name]
		if !reflect.DeepEqual(v, w.Item[name]) {
			return h.refuseSource(name)
		}
		if !had {
			v = nil
		}
		w.RuleConds = append(w.RuleConds, equalCond(name, v, errSourcesMoved))
	}
	return nil
}

func (h *HasMany[P, C]) refuseSource(attr string) error {
	return fmt.Errorf("%w: %s: a plain write that changes %s, which children copy, would leave their copies stale: change it with HasMany.UpdateParent", ErrNeedsRelation, h.describe(), attr)
}

// UpdateParent changes parent (only its key fields need be set) with the
// update change builds on the parent table's [query.Table.Update], then
// brings the children's copies up to date with [HasMany.SyncCopies] and
// opts, returning its progress. It is how a copied attribute of a parent
// is changed: a plain Update that sets one is refused. The update is one
// UpdateItem, which also sets the parent's stamp ("copies_stamp") to a new
// value; when the copies' fan-out is interrupted, the parent keeps its new
// values and SyncCopies, called again (with [SyncOptions.Resume] set to the
// returned progress's Resume), finishes it. A token of an earlier
// UpdateParent's fan-out no longer skips anything: SyncCopies starts from the
// first child.
func (h *HasMany[P, C]) UpdateParent(ctx context.Context, parent P, change func(*query.Update[P]) *query.Update[P], opts *SyncOptions) (_ Progress, err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.UpdateParent", h.parents.TableName())
	defer end(op, &err, h, h.parents.TableName())
	u, err := h.changeOf(parent, change)
	if err != nil {
		return Progress{}, err
	}
	// A new stamp voids the resume tokens of earlier fan-outs.
	querylink.SetOther(u, newStamp())
	if err := u.Run(h.own(ctx)); err != nil {
		return Progress{}, fmt.Errorf("relations: update parent: %w", err)
	}
	return h.SyncCopies(ctx, parent, opts)
}
