package relations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/query"
)

// SyncOptions adjusts [HasMany.SyncCopies]. A nil *SyncOptions means the
// defaults.
type SyncOptions struct {
	// Concurrency is how many transactions of up to 99 children are in
	// flight at once; 4 when 0 or less.
	Concurrency int
	// Progress, when set, is called after each page of children (99 ×
	// Concurrency of them) is done, with the counts so far of this call
	// and where to resume. It is called from the goroutine that called
	// SyncCopies, never concurrently.
	Progress func(SyncProgress)
	// Resume is a [SyncProgress.Resume] of an earlier call for the same
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

// SyncProgress is how far a [HasMany.SyncCopies] has come.
type SyncProgress struct {
	// Updated is how many children the call rewrote.
	Updated int
	// Current is how many children it read whose copies were already up
	// to date, and left alone.
	Current int
	// Skipped is how many children it read but did not write because,
	// when their write came, another writer had moved, unlinked or deleted
	// them; a child moved to the parent meanwhile got the parent's values
	// from its own link.
	Skipped int
	// Resume is a token for [SyncOptions.Resume] that continues after the
	// children done so far; "" when every child is done.
	Resume string
}

// defaultSyncConcurrency is [SyncOptions.Concurrency] when not set.
const defaultSyncConcurrency = 4

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
// time, and rewrites those whose copies differ in transactions of up to
// 99 children, Concurrency at once. Each transaction checks that the
// parent's copied attributes still hold the values being written, and
// each child's update that the child still points at parent: a child moved
// away meanwhile is left alone (it got its new parent's values from its
// move), and when the parent changed again (its copied values, or its
// [CopiesStamp] by an [HasMany.UpdateParent]) the pass starts over with
// the new values (up to 10 times), so a slower call never writes older
// values over newer ones, nor keeps a page it did before a rename and a
// rename back. When it returns nil, no child of parent that it could
// read disagrees with the parent, and a child linked or moved to it since
// got the parent's values from its own transaction.
//
// An interrupted call (a cancelled context, a failed request) has written
// whole transactions only; call it again, with [SyncOptions.Resume] set
// to the last [SyncProgress.Resume] reported to skip the pages already
// done. In the multi-table and inverted-index layouts the children are
// read from the child index, which is eventually consistent: a child
// linked an instant before the parent changed may be missed by a call
// made at once, and is caught by a later call.
//
// It calls GetItem, Query and TransactWriteItems: 1 GetItem, 1 Query per
// page, and per child rewritten 2 write units (a transactional update)
// plus 2 per transaction for the parent's check.
func (h *HasMany[P, C]) SyncCopies(ctx context.Context, parent P, opts *SyncOptions) (SyncProgress, error) {
	ctx = h.own(ctx) // its writes are the copies' own
	var o SyncOptions
	if opts != nil {
		o = *opts
	}
	if o.Concurrency <= 0 {
		o.Concurrency = defaultSyncConcurrency
	}
	var prog SyncProgress
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
// [CopiesStamp] in one UpdateItem, on condition that it still has no stamp
// and holds src's copied values; errSourceChanged when it does not.
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
	err = u.SetOther(st).Run(h.own(ctx))
	if errors.Is(err, dynamokit.ErrConditionFailed) || errors.Is(err, query.ErrNotFound) {
		return "", errSourceChanged
	}
	if err != nil {
		return "", err
	}
	return st.Value.(*types.AttributeValueMemberS).Value, nil
}

// syncPass brings the children of parent up to date with src, from
// cursor on.
func (h *HasMany[P, C]) syncPass(ctx context.Context, parent P, src *P, linked query.Cond, fo fanOut, cursor string, o SyncOptions, prog *SyncProgress) error {
	same, err := h.sourcesAre(src)
	if err != nil {
		return err
	}
	// The parent's check also holds its stamp: after an UpdateParent the
	// pass starts over, even when the values are back to those it writes,
	// since the fan-out in between may have rewritten the children it
	// has done.
	check := h.parents.Check(parent, append(same, stampIs(fo.stamp))...)
	upd := func(c C) (dynamokit.TxAction, error) {
		u, err := h.setCopiesOf(h.children.Update(c), src)
		if err != nil {
			return nil, err
		}
		return u.If(linked), nil
	}
	version := mapping.Must(h.children.Model()).Version
	q := h.strongQuery(parent).Project(h.syncAttrs()...).PageSize(chunk * o.Concurrency)
	for {
		page, err := q.Page(ctx, cursor)
		if err != nil {
			return err
		}
		var stale []C
		for _, c := range page.Items {
			ok, err := h.current(&c, src)
			if err != nil {
				return err
			}
			if ok {
				prog.Current++
				continue
			}
			// The link condition guards the child; a version check would
			// only fail on unrelated changes.
			setZero(&c, version)
			stale = append(stale, c)
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			first   error
			updated int
			skipped int
		)
		sem := make(chan struct{}, o.Concurrency)
		for batch := range slices.Chunk(stale, chunk) {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				n, s, err := h.syncBatch(ctx, batch, upd, check)
				mu.Lock()
				defer mu.Unlock()
				updated, skipped = updated+n, skipped+s
				if err != nil && first == nil {
					first = err
				}
			}()
		}
		wg.Wait()
		prog.Updated += updated
		prog.Skipped += skipped
		if first != nil {
			return first
		}
		cursor = page.Next
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

// syncBatch rewrites the copies of batch in one transaction with check,
// the parent's check, and again without the children whose link condition
// failed. It returns how many it wrote and how many it skipped, and
// errSourceChanged when the parent's check failed.
func (h *HasMany[P, C]) syncBatch(ctx context.Context, batch []C, upd func(C) (dynamokit.TxAction, error), check dynamokit.TxAction) (updated, skipped int, err error) {
	batch = slices.Clone(batch)
	for len(batch) > 0 {
		actions := make([]dynamokit.TxAction, 0, len(batch)+1)
		for _, c := range batch {
			a, err := upd(c)
			if err != nil {
				return updated, skipped, err
			}
			actions = append(actions, a)
		}
		actions = append(actions, check)
		// The actions keep the copies themselves (each child's link as
		// read, the parent's check): the relation's write checks step aside.
		err := h.children.Client().WriteTx(h.own(ctx), nil, actions...)
		if err == nil {
			return updated + len(batch), skipped, nil
		}
		var te *dynamokit.TxError
		if !errors.As(err, &te) || len(te.Reasons) != len(actions) {
			return updated, skipped, err
		}
		if te.Reasons[len(batch)].Failed() {
			return updated, skipped, errSourceChanged
		}
		kept := batch[:0]
		for i, c := range batch {
			if te.Reasons[i].Failed() {
				skipped++
			} else {
				kept = append(kept, c)
			}
		}
		if len(kept) == len(batch) {
			return updated, skipped, err // cancelled for another reason, such as a conflict
		}
		batch = kept
	}
	return updated, skipped, nil
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
