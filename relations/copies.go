package relations

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/querylink"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

// Parent data copied into children (the series' "Method 2"). A relation
// may declare attributes of the child that hold a copy of an attribute of
// its parent ([Spec.Copies]), such as the department's name on each
// employee, so that reading a child answers without reading its parent.
//
// The copies are written by the transaction that links or moves the
// child ([HasMany.Link], [HasMany.Relink]), from the parent as read just
// before (a strongly consistent GetItem), and that transaction's action on
// the parent is conditional on the source attributes still holding the
// values copied: a parent renamed in between fails the transaction, which
// reads the parent again and retries. A child is therefore never linked
// with copies older than its parent's values at the moment of the link.
// After a change of a source attribute, [HasMany.SyncCopies] brings every
// copy up to date, one conditional UpdateItem per child (copies_fanout.go).

// copied is one declared copy: a child attribute holding the value of a
// parent attribute.
type copied struct {
	child  *mapping.Attribute
	parent *mapping.Attribute
}

// maxCopyReads bounds how often a link or relink reads its parent again
// because a copied attribute changed between its read and its transaction.
const maxCopyReads = 5

// declareCopies checks spec.Copies against the models and keeps them, in
// the order of the child's attributes. mismatch makes Declare's error.
func (h *HasMany[P, C]) declareCopies(pm, cm *mapping.Model, mismatch func(string, ...any) error) error {
	if len(h.spec.Copies) == 0 {
		return nil
	}
	if a := pm.Attribute(copiesStamp); a != nil {
		return mismatch("Spec.Copies: %s has an attribute %s (field %s), which UpdateParent writes as the stamp of the copies' fan-out: rename the field's attribute", pm.Type, copiesStamp, a.Field)
	}
	if a := cm.Attribute(copiesStamp); a != nil {
		return mismatch("Spec.Copies: %s has an attribute %s (field %s), which SyncCopies writes on each child as the stamp of the fan-out that wrote its copies: rename the field's attribute", cm.Type, copiesStamp, a.Field)
	}
	ids := identity(cm)
	for childName, parentName := range h.spec.Copies {
		ca, pa := cm.Attribute(childName), pm.Attribute(parentName)
		switch {
		case ca == nil:
			return mismatch("Spec.Copies: %s has no attribute %s to copy %s into", cm.Type, childName, parentName)
		case pa == nil:
			return mismatch("Spec.Copies: %s has no attribute %s to copy into %s", pm.Type, parentName, childName)
		case ca.Computed():
			return mismatch("Spec.Copies: %s of %s is computed from %q: a copy must be a field", childName, cm.Type, ca.Template.Source)
		case pa.Computed():
			return mismatch("Spec.Copies: %s of %s is computed from %q: copy the fields it is made of instead", parentName, pm.Type, pa.Template.Source)
		case slices.Contains(ids, ca) || slices.ContainsFunc(h.links, func(l link) bool { return l.child == ca }):
			return mismatch("Spec.Copies: %s of %s identifies the child or links it: it cannot also be a copy", childName, cm.Type)
		case ca.Role != mapping.NoRole:
			return mismatch("Spec.Copies: %s of %s has a dynamokit role (version, created, updated, ttl or type): it cannot be a copy", childName, cm.Type)
		case ca.GoType != pa.GoType:
			return mismatch("Spec.Copies: %s.%s is %s but %s.%s is %s", cm.Type, ca.Field, ca.GoType, pm.Type, pa.Field, pa.GoType)
		case pa.Name == h.spec.Counter:
			return mismatch("Spec.Copies: %s is the children counter", parentName)
		}
		h.copies = append(h.copies, copied{child: ca, parent: pa})
	}
	slices.SortFunc(h.copies, func(a, b copied) int {
		return slices.Index(cm.Attributes, a.child) - slices.Index(cm.Attributes, b.child)
	})
	return nil
}

// setCopies sets the copies in *c from src, the parent as read (nil: the
// relation copies nothing).
func (h *HasMany[P, C]) setCopies(c *C, src *P) error {
	if src == nil {
		return nil
	}
	cv, pv := valueOf(c), valueOf(src)
	for _, cp := range h.copies {
		if err := copyField(cv, cp.child, pv, cp.parent); err != nil {
			return err
		}
	}
	return nil
}

// setCopiesOf adds to upd the setting of every copy from src (nil: none),
// and of the child's stamp ("copies_stamp") to a new random value: a child whose
// copies a move rewrote is told from the child a fan-out read before
// (see copies_fanout.go), and is rewritten by the next fan-out.
func (h *HasMany[P, C]) setCopiesOf(upd *query.Update[C], src *P) (*query.Update[C], error) {
	if src == nil {
		return upd, nil
	}
	upd, err := h.copiesOf(upd, src)
	if err != nil {
		return nil, err
	}
	querylink.SetOther(upd, newStamp())
	return upd, nil
}

// copiesOf adds to upd the setting of every copy from src.
func (h *HasMany[P, C]) copiesOf(upd *query.Update[C], src *P) (*query.Update[C], error) {
	pv := valueOf(src)
	for _, cp := range h.copies {
		v, err := cp.parent.FieldOf(pv)
		if err != nil {
			return nil, err
		}
		upd = upd.Set(cp.child.Name, v.Interface())
	}
	return upd, nil
}

// sourcesAre is the condition, on the parent, that its copied attributes
// still hold src's values (nil: no condition): the values written into a
// child in the same transaction.
func (h *HasMany[P, C]) sourcesAre(src *P) ([]query.Cond, error) {
	if src == nil {
		return nil, nil
	}
	pv := valueOf(src)
	conds := make([]query.Cond, 0, len(h.copies))
	for _, cp := range h.copies {
		v, err := cp.parent.FieldOf(pv)
		if err != nil {
			return nil, err
		}
		av, err := cp.parent.Encode(v)
		if err != nil {
			return nil, err
		}
		if av == nil { // stored as no attribute
			conds = append(conds, query.Name(cp.parent.Name).AttributeNotExists())
			continue
		}
		conds = append(conds, query.Name(cp.parent.Name).Equal(query.Value(v.Interface())))
	}
	return conds, nil
}

// sources returns the encoded values of the copied attributes of a parent
// (as the parent's item holds them; nil for one it holds none of).
func (h *HasMany[P, C]) sources(p *P) ([]types.AttributeValue, error) {
	pv := valueOf(p)
	out := make([]types.AttributeValue, len(h.copies))
	for i, cp := range h.copies {
		v, err := cp.parent.FieldOf(pv)
		if err != nil {
			return nil, err
		}
		if out[i], err = cp.parent.Encode(v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// current reports whether child's copies equal src's values, as the child
// encodes them.
func (h *HasMany[P, C]) current(child *C, src *P) (bool, error) {
	cv, pv := valueOf(child), valueOf(src)
	for _, cp := range h.copies {
		have, err := cp.child.FieldOf(cv)
		if err != nil {
			return false, err
		}
		want, err := cp.parent.FieldOf(pv)
		if err != nil {
			return false, err
		}
		ha, err := cp.child.Encode(have)
		if err != nil {
			return false, err
		}
		wa, err := cp.child.Encode(want)
		if err != nil {
			return false, err
		}
		if !reflect.DeepEqual(ha, wa) {
			return false, nil
		}
	}
	return true, nil
}

// readParent reads parent strongly consistent, for its copied attributes.
// A parent that does not exist reads as found false and the zero value:
// the transaction that follows fails on it, unless it was created
// meanwhile with copied attributes all zero, which are then the right
// copies.
func (h *HasMany[P, C]) readParent(ctx context.Context, parent P) (P, bool, error) {
	p, err := h.parents.Consistent().Get(ctx, parent)
	if errors.Is(err, dynamokit.ErrNotFound) || errors.Is(err, model.ErrEmptyKey) {
		var zero P
		return zero, false, nil
	}
	return p, err == nil, err
}

// copying runs write, a link or a move of a child to parent, with the
// parent as read for its copies (nil when the relation copies nothing).
// The write's action on the parent is conditional on the copied values,
// and so fails, as [ErrParentNotFound], when the parent changed since it
// was read: then copying reads it again and retries, up to maxCopyReads
// times. It stops when the parent is missing, or unchanged (the write
// failed for another reason).
func (h *HasMany[P, C]) copying(ctx context.Context, op string, parent P, write func(src *P) error) error {
	if len(h.copies) == 0 {
		return write(nil)
	}
	var (
		used []types.AttributeValue // the copied values of the last attempt
		last error
	)
	for attempt := 0; ; attempt++ {
		src, found, err := h.readParent(ctx, parent)
		if err != nil {
			return fmt.Errorf("relations: %s: read the parent's copied attributes: %w", op, err)
		}
		now, err := h.sources(&src)
		if err != nil {
			return fmt.Errorf("relations: %s: %w", op, err)
		}
		if used != nil && (!found || reflect.DeepEqual(used, now)) {
			return last // failed for another reason
		}
		if attempt == maxCopyReads {
			return fmt.Errorf("relations: %s: the parent's copied attributes kept changing over %d attempts: %w", op, maxCopyReads, last)
		}
		last = write(&src)
		if !errors.Is(last, ErrParentNotFound) {
			return last
		}
		used = now
	}
}
