package relations

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/querylink"
	"github.com/dynamokit/dynamokit/query"
)

// SyncOptions adjusts [HasMany.SyncCopies]. A nil *SyncOptions means the
// defaults.
type SyncOptions struct {
	// Concurrency is how many requests for single children (an
	// UpdateItem, or a GetItem after a failed write) are in flight at
	// once; [dynamokit.DefaultConcurrency] when 0 or less. A page of
	// children is 25 × Concurrency.
	Concurrency int
	// Progress, when set, is called after each page of children (25 ×
	// Concurrency of them) is done, with the counts so far of this call
	// and where to resume. It is called from the goroutine that called
	// SyncCopies, never concurrently.
	Progress func(Progress)
	// Resume is a [Progress.Resume] of an earlier call for the same
	// parent that was interrupted: the call starts after the children it
	// had done. A token is followed only while its fan-out is the parent's
	// current one: when the parent's copied attributes changed since, or
	// an [HasMany.UpdateParent] ran since (even one that set them back to
	// the token's values, whose fan-out in between may have rewritten the
	// children the token skips), the call starts from the first child, and
	// costs only the reads of the children the token would have skipped.
	// A token that is not one SyncCopies made is an error.
	Resume string
}

// syncPage is how many children a page of SyncCopies reads per unit of
// [SyncOptions.Concurrency]: 200 by default.
const syncPage = 25

// errSourceChanged reports that the parent's copied attributes changed
// during a pass of SyncCopies.
var errSourceChanged = errors.New("relations: the parent's copied attributes changed")

// SyncCopies brings the copies ([Spec.Copies]) of every child of parent
// (only its key fields need be set) up to date with the parent's values.
// Call it after changing a copied attribute of the parent through its
// query.Table (an Update that sets it, a Put), or to repair copies after
// an interrupted call. It returns the counts of the call; with no copies
// declared it does nothing.
//
// It reads the parent strongly consistent, then its children a page at a
// time (25 × Concurrency), and rewrites each child whose copies differ, or
// that another fan-out or a move wrote, with one conditional UpdateItem,
// Concurrency at once. The update also writes the parent's stamp
// ("copies_stamp") on the child, and is conditional on the child still
// pointing at parent and still holding the copies and the stamp read; before
// each page's writes the parent is read again, and its stamp and copied
// values must still be those being written. So a child moved away meanwhile
// is left alone (it got its new parent's values from its move), and when the
// parent changed again (its copied values, or its stamp by an
// [HasMany.UpdateParent]) the pass starts over with the new values (up to 10
// times): a slower call never writes older values over copies a newer call
// wrote or found current, nor keeps a page it did before a rename and a
// rename back. A child whose write fails is read again (a GetItem) and
// written again if it still needs it, after the parent is checked again; a
// write whose outcome is unknown is resolved the same way, never sent blindly
// twice. When it returns nil, the parent was read after its last write and
// still had the values written, no child of parent that it could read
// disagrees with the parent, and a child linked or moved to it since got the
// parent's values from its own transaction.
//
// An interrupted call (a cancelled context, a failed request) has written
// some children of its last page; call it again, with [SyncOptions.Resume]
// set to the last [Progress.Resume] reported, to skip the pages already
// done (the children of the unfinished page that were written are read,
// not written again). In the multi-table and inverted-index layouts the
// children are read from the child index, which is eventually consistent:
// a child linked an instant before the parent changed may be missed by a
// call made at once, and is caught by a later call.
//
// It calls GetItem, Query and UpdateItem: per page 1 Query, and 1 GetItem
// of the parent when the page has children to write; 1 UpdateItem (1
// write unit) per child rewritten; 1 GetItem to begin and 1 to end. A
// child whose write fails costs a GetItem more, and another UpdateItem
// if it still needs one.
func (h *HasMany[P, C]) SyncCopies(ctx context.Context, parent P, opts *SyncOptions) (_ Progress, err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.SyncCopies", h.parents.TableName())
	defer end(op, &err, h, h.parents.TableName())
	ctx = h.own(ctx) // its writes are the copies' own
	var o SyncOptions
	if opts != nil {
		o = *opts
	}
	if o.Concurrency <= 0 {
		o.Concurrency = dynamokit.DefaultConcurrency
	}
	var prog Progress
	if len(h.copies) == 0 {
		return prog, nil
	}
	linked, err := h.linkedTo(parent)
	if err != nil {
		return prog, fmt.Errorf("relations: sync copies: %w", err)
	}
	resume := o.Resume
	for range maxSweeps {
		src, stamp, found, err := h.readSource(ctx, parent)
		if err != nil {
			return prog, fmt.Errorf("relations: sync copies: %w", err)
		}
		if !found {
			return prog, fmt.Errorf("relations: sync copies: %w", ErrParentNotFound)
		}
		if stamp == "" {
			// A fan-out's token must name the parent's values it came from
			// and nothing else can: stamp a parent UpdateParent never
			// changed, on condition that it still holds what was read.
			stamp, err = h.stampParent(ctx, parent, &src)
			if errors.Is(err, errSourceChanged) {
				continue
			}
			if err != nil {
				return prog, fmt.Errorf("relations: sync copies: %w", err)
			}
		}
		fo, err := h.fanOutOf(&src, stamp)
		if err != nil {
			return prog, fmt.Errorf("relations: sync copies: %w", err)
		}
		cursor := ""
		if resume != "" {
			from, cur, err := decodeResume(resume)
			if err != nil {
				return prog, fmt.Errorf("relations: sync copies: resume: %w", err)
			}
			if from == fo {
				cursor = cur
			}
			resume = "" // a later pass starts over
		}
		err = h.syncPass(ctx, parent, &src, linked, fo, cursor, o, &prog)
		if errors.Is(err, errSourceChanged) {
			continue
		}
		if err != nil {
			return prog, fmt.Errorf("relations: sync copies: %w", err)
		}
		return prog, nil
	}
	return prog, fmt.Errorf("relations: sync copies: the parent's copied attributes kept changing over %d passes", maxSweeps)
}

// stampParent gives parent, read as src without a stamp, a new
// stamp ("copies_stamp") in one UpdateItem, on condition that it still has no
// stamp and holds src's copied values; errSourceChanged when it does not.
func (h *HasMany[P, C]) stampParent(ctx context.Context, parent P, src *P) (string, error) {
	same, err := h.sourcesAre(src)
	if err != nil {
		return "", err
	}
	st := newStamp()
	u := h.parents.Update(parent).If(stampIs(""))
	for _, c := range same {
		u = u.If(c)
	}
	querylink.SetOther(u, st)
	err = u.Run(h.own(ctx))
	if errors.Is(err, dynamokit.ErrConditionFailed) || errors.Is(err, dynamokit.ErrNotFound) {
		return "", errSourceChanged
	}
	if err != nil {
		return "", err
	}
	return st.Value.(*types.AttributeValueMemberS).Value, nil
}

// syncPass brings the children of parent up to date with src, from
// cursor on, a page of syncPage × Concurrency children at a time, with the
// writes of copies_fanout.go.
func (h *HasMany[P, C]) syncPass(ctx context.Context, parent P, src *P, linked query.Cond, fo fanOut, cursor string, o SyncOptions, prog *Progress) error {
	cm := mapping.Must(h.children.Model())
	q, err := h.syncQuery(parent)
	if err != nil {
		return err
	}
	q = q.PageSize(syncPage * o.Concurrency)
	wrote := false // a write landed since the parent was last checked
	for {
		sink := &rawItems{}
		page, err := q.Page(context.WithValue(ctx, rawKey{}, sink), cursor)
		if err != nil {
			return err
		}
		raw, err := h.byKey(sink.items)
		if err != nil {
			return err
		}
		var todo []*syncChild[C]
		for _, c := range page.Items {
			key, err := cm.KeyOf(&c)
			if err != nil {
				return err
			}
			ch := &syncChild[C]{c: c, item: key}
			// Without the stored item (an API that runs no SDK
			// middleware), the child is read again before its write.
			if it, ok := raw[keyID(key)]; ok {
				h.stored(ch, it)
				cur, err := h.current(&c, src)
				if err != nil {
					return err
				}
				if cur && ch.stamp != nil && *ch.stamp == fo.stamp {
					prog.Current++
					continue
				}
			}
			// The conditions guard the child; a version check would only
			// fail on unrelated changes.
			setZero(&ch.c, cm.Version)
			todo = append(todo, ch)
		}
		before := prog.Done
		if err := h.syncChildren(ctx, parent, src, fo, linked, todo, o, prog); err != nil {
			return err
		}
		wrote = wrote || prog.Done > before
		cursor = page.Next
		if cursor == "" && wrote {
			// A write of the last round may have landed after a newer
			// fan-out passed its child (see copies_fanout.go): the pass ends
			// only with the parent still at this fan-out.
			if err := h.checkFanOut(ctx, parent, fo); err != nil {
				return err
			}
		}
		prog.Resume = ""
		if cursor != "" {
			prog.Resume = encodeResume(fo, cursor)
		}
		if o.Progress != nil {
			o.Progress(*prog)
		}
		if cursor == "" {
			return nil
		}
	}
}

// syncAttrs are the attributes SyncCopies reads of each child: its
// identity, its link, its copies, and what the computed attributes built
// from a copy are made of, which the update recomputes.
func (h *HasMany[P, C]) syncAttrs() []string {
	names := h.sweepAttrs()
	add := func(a *mapping.Attribute) {
		if !slices.Contains(names, a.Name) {
			names = append(names, a.Name)
		}
	}
	cm := mapping.Must(h.children.Model())
	for _, cp := range h.copies {
		add(cp.child)
		for _, a := range cm.Attributes {
			if a.Computed() && slices.Contains(a.Template.Refs(), cp.child) {
				for _, ref := range a.Template.Refs() {
					add(ref)
				}
			}
		}
	}
	return names
}

// writeAV writes a canonical form of av to w.
func writeAV(w interface{ Write([]byte) (int, error) }, av types.AttributeValue) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	switch v := av.(type) {
	case nil:
		p("-")
	case *types.AttributeValueMemberS:
		p("S%q", v.Value)
	case *types.AttributeValueMemberN:
		p("N%q", v.Value)
	case *types.AttributeValueMemberB:
		p("B%x", v.Value)
	case *types.AttributeValueMemberBOOL:
		p("BOOL%t", v.Value)
	case *types.AttributeValueMemberNULL:
		p("NULL")
	case *types.AttributeValueMemberSS:
		p("SS%q", v.Value)
	case *types.AttributeValueMemberNS:
		p("NS%q", v.Value)
	case *types.AttributeValueMemberBS:
		p("BS%x", v.Value)
	case *types.AttributeValueMemberL:
		p("L[")
		for _, e := range v.Value {
			writeAV(w, e)
			p(",")
		}
		p("]")
	case *types.AttributeValueMemberM:
		keys := make([]string, 0, len(v.Value))
		for k := range v.Value {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		p("M{")
		for _, k := range keys {
			p("%q:", k)
			writeAV(w, v.Value[k])
			p(",")
		}
		p("}")
	default:
		p("%T", av)
	}
}
