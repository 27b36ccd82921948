package relations

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/workers"
	"github.com/dynamokit/dynamokit/query"
)

// Auditing a relation. The counters and links a relation keeps are exact
// against dynamokit's own writers; writers that do not use dynamokit (a
// Python service on the same table) can leave them wrong. An audit finds
// what they left: counters that disagree with the index they count, and
// children or edges that point at a parent or end that does not exist. It
// is built on the counted-end core (counted.go), the same for both
// relation kinds.

// AuditOptions adjusts [HasMany.Audit], [HasMany.AuditParent] and
// [ManyToMany.Audit]. A nil *AuditOptions reports and repairs nothing but
// what it finds, with [dynamokit.DefaultConcurrency].
type AuditOptions struct {
	// Repair sets each counter found wrong to the number counted, on
	// condition that it still holds the value read before counting. That
	// condition cannot see a link and an unlink that cancel out while the
	// count runs (the counter reads the same, the count is off by the
	// child that came or went), and the count reads an index that is
	// eventually consistent: repair only while no one, dynamokit's own
	// writers included, is writing the relation, or the counter can be
	// left wrong.
	Repair bool
	// RepairDangling applies the relation's OnDelete policy to the children
	// (or edges) whose parent (or end) is missing, as if the delete of that
	// parent had applied it: under [Cascade] they are deleted
	// ([HasMany.DeleteChild], [ManyToMany.Unlink]), under [Detach] a child
	// is unlinked ([HasMany.Unlink]) and an edge deleted. Under [Restrict]
	// they are only reported: the parent should not have been deleted,
	// and which of the two to restore is the owner's call.
	RepairDangling bool
	// Concurrency is how many parents (or ends) are checked at once; 0
	// means [dynamokit.DefaultConcurrency].
	Concurrency int
	// PageSize is how many items each Scan request reads: 0 means 100 for
	// parents and ends, 1,000 for children and edges.
	PageSize int
	// Progress, when set, is called after each page of the audit with the
	// report so far, whose Resume continues the audit after that page
	// ("" after the last). It is called from the goroutine that called
	// the audit, never concurrently, and may keep the report.
	Progress func(AuditReport)
	// Resume continues an audit from the token of an earlier one
	// ([AuditReport.Resume], as returned or as reported to Progress); ""
	// starts from the beginning. A token of another relation is refused.
	Resume string
}

// AuditReport is what an audit found, in the order found: in the end, or
// so far, as reported to [AuditOptions.Progress].
type AuditReport struct {
	// Checked is how many parents or ends had their counter compared with
	// the index.
	Checked int
	// Scanned is how many children or edges were checked for a missing
	// parent or end.
	Scanned int
	// Drift lists the counters that disagree with the index.
	Drift []Drift
	// Dangling lists the children or edges whose parent or end is missing.
	Dangling []Dangling
	// Resume is "" when the audit ran to the end. When it stopped early
	// (an error, a cancelled context), it is the token that continues it
	// after the last page it finished: pass it as [AuditOptions.Resume].
	Resume string
}

// Drift is a counter that disagrees with the index it counts.
type Drift struct {
	// Side is "parent" in a one-to-many relation, "from" or "to" in a
	// many-to-many.
	Side string
	// Item is the key of the parent or end, such as "department_id=d-1".
	Item string
	// Stored is the counter as read; HasCounter is false when the item has
	// none (written before the relation counted).
	Stored     int64
	HasCounter bool
	// Counted is how many children or edges the index lists.
	Counted int
	// Repaired reports that the counter was set to Counted
	// ([AuditOptions.Repair]).
	Repaired bool
}

// Dangling is a child (or edge) whose parent (or end) does not exist.
type Dangling struct {
	// Side is the missing item's side: "parent", "from" or "to".
	Side string
	// Item is the key of the child or edge.
	Item string
	// Missing is the key of the parent or end it points at.
	Missing string
	// Repaired reports that [AuditOptions.RepairDangling] applied the
	// policy to it.
	Repaired bool
}

// auditRun is one audit under way: its options and what it found.
type auditRun struct {
	kind string // "has many", "many to many": what its tokens belong to
	opts AuditOptions
	mu   sync.Mutex
	rep  AuditReport
}

func newAudit(kind string, opts *AuditOptions) *auditRun {
	a := &auditRun{kind: kind}
	if opts != nil {
		a.opts = *opts
	}
	if a.opts.Concurrency <= 0 {
		a.opts.Concurrency = dynamokit.DefaultConcurrency
	}
	return a
}

// resume returns the phase and cursor of the audit's Resume token.
func (a *auditRun) resume(phases int) (int, string, error) {
	if a.opts.Resume == "" {
		return 0, "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(a.opts.Resume)
	kind, rest, ok1 := strings.Cut(string(raw), "\n")
	ph, cursor, ok2 := strings.Cut(rest, "\n")
	phase, perr := strconv.Atoi(ph)
	if err != nil || !ok1 || !ok2 || perr != nil || kind != a.kind || phase < 0 || phase >= phases {
		return 0, "", fmt.Errorf("relations: audit: the resume token is not one of a %s audit", a.kind)
	}
	return phase, cursor, nil
}

// token is the resume token of the page of phase that starts at cursor.
func (a *auditRun) token(phase int, cursor string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(a.kind + "\n" + strconv.Itoa(phase) + "\n" + cursor))
}

// soFar is the report so far, for [AuditOptions.Progress]: a copy whose
// lists later findings do not change (and whose appends do not change
// them). The caller holds a.mu, or the audit's workers are done.
func (a *auditRun) soFar() AuditReport {
	p := a.rep
	p.Drift, p.Dangling = slices.Clip(p.Drift), slices.Clip(p.Dangling)
	return p
}

// done records that the pages of phase before cursor are audited, and
// reports progress.
func (a *auditRun) done(phase int, cursor string) {
	a.mu.Lock()
	a.rep.Resume = a.token(phase, cursor)
	p := a.soFar()
	a.mu.Unlock()
	if a.opts.Progress != nil {
		a.opts.Progress(p)
	}
}

// finish returns the report and err; after a complete audit, the report
// has no resume token.
func (a *auditRun) finish(err error) (*AuditReport, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	rep := a.rep
	if err == nil {
		rep.Resume = ""
	}
	return &rep, err
}

func (a *auditRun) pageSize(def int) int {
	if a.opts.PageSize > 0 {
		return a.opts.PageSize
	}
	return def
}

// endPhase is the phase that audits the counter of every item of table
// (every parent, or every end of one side), a page of items at a time,
// checking up to Concurrency items at once.
func endPhase[X any](a *auditRun, side string, table *query.Table[X], end func(X) countedEnd) phaseFunc {
	return func(ctx context.Context, phase int, cursor string) error {
		return auditEnds(ctx, a, phase, cursor, side, table, end)
	}
}

// auditEnds runs endPhase from cursor.
func auditEnds[X any](ctx context.Context, a *auditRun, phase int, cursor, side string, table *query.Table[X], end func(X) countedEnd) error {
	scan := table.Scan().Project(keyAttrs(table)...).PageSize(a.pageSize(100))
	for {
		p, err := scan.Page(ctx, cursor)
		if err != nil {
			return err
		}
		err = workers.ForEach(ctx, len(p.Items), a.opts.Concurrency, func(ctx context.Context, i int) error {
			return checkEnd(ctx, a, side, table, p.Items[i], end(p.Items[i]), nil)
		})
		if err != nil {
			return err
		}
		if cursor = p.Next; cursor == "" {
			return nil
		}
		a.done(phase, cursor)
	}
}

// checkEnd compares x's counter with the index, and repairs it when asked.
// A counter that differs from the count is read again after it: one that
// changed meanwhile (a write through the relation) is counted again, up to
// maxRecounts times, so only a counter that stays wrong is reported.
// read, when not nil, is the counter as its caller just read it, used
// for the first count instead of reading it again.
func checkEnd[X any](ctx context.Context, a *auditRun, side string, table *query.Table[X], x X, e countedEnd, read *counted) error {
	for range maxRecounts {
		var c counted
		var err error
		if read != nil {
			c, read = *read, nil
		} else if c, err = readCount(ctx, table, x, e.counter); err != nil {
			return err
		}
		if !c.exists {
			return nil // deleted since it was listed
		}
		n, err := e.count(ctx)
		if err != nil {
			return err
		}
		if c.n == int64(n) && (c.has || n == 0) {
			a.mu.Lock()
			a.rep.Checked++
			a.mu.Unlock()
			return nil
		}
		again, err := readCount(ctx, table, x, e.counter)
		if err != nil {
			return err
		}
		if again != c {
			continue // written through the relation while counted
		}
		d := Drift{Side: side, Item: keyTextOf(table, x), Stored: c.n, HasCounter: c.has, Counted: n}
		if a.opts.Repair {
			unchanged := query.Path(e.counter).AttributeNotExists()
			if c.has {
				unchanged = query.Path(e.counter).Equal(query.Value(c.n))
			}
			err := table.Client().WriteTx(ctx, nil, table.TxAdd(x, e.counter, int64(n)-c.n, unchanged))
			if errors.Is(err, dynamokit.ErrConditionFailed) {
				continue // changed since: count again
			}
			if err != nil {
				return err
			}
			d.Repaired = true
		}
		a.mu.Lock()
		a.rep.Checked++
		a.rep.Drift = append(a.rep.Drift, d)
		a.mu.Unlock()
		return nil
	}
	return fmt.Errorf("the counter %s of %s kept changing over %d attempts", e.counter, keyTextOf(table, x), maxRecounts)
}

// farEnd finds, among a page of children or edges, those whose parent or
// end on one side is missing.
type farEnd[I any] struct {
	side string
	// missing returns, for each item, the key of its missing parent or end
	// ("" when it exists, or the item links to none).
	missing func(ctx context.Context, items []I) ([]string, error)
	// repair applies the policy to an item whose end is missing; nil:
	// report only.
	repair func(ctx context.Context, item I) error
}

// missingEnds is the farEnd of the items of table X that items of type I
// link to through links: one strongly consistent BatchGetItem per 100
// distinct ends of a page.
func missingEnds[I, X any](side string, table *query.Table[X], links []link, repair func(context.Context, I) error) farEnd[I] {
	xm := mapping.Must(table.Model())
	return farEnd[I]{side: side, repair: repair, missing: func(ctx context.Context, items []I) ([]string, error) {
		ids := make([]string, len(items))
		var keys []X
		seen := make(map[string]bool)
		for i := range items {
			x, err := endOf[X](&items[i], links)
			if err != nil {
				return nil, err
			}
			k, err := xm.KeyOf(&x)
			if err != nil {
				continue // no link: an unlinked child
			}
			ids[i] = mapping.KeyText(k)
			if !seen[ids[i]] {
				seen[ids[i]] = true
				keys = append(keys, x)
			}
		}
		found, err := table.Consistent().BatchGet(ctx, keys, nil)
		if err != nil {
			return nil, err
		}
		present := make(map[string]bool, len(found))
		for i := range found {
			if k, err := xm.KeyOf(&found[i]); err == nil {
				present[mapping.KeyText(k)] = true
			}
		}
		out := make([]string, len(items))
		for i, id := range ids {
			if id != "" && !present[id] {
				out[i] = id
			}
		}
		return out, nil
	}}
}

// repairUnder is how an audit repairs a dangling child or edge under
// policy: under [Cascade] with cascade, under [Detach] with detach; under
// [Restrict] it only reports (nil).
func repairUnder[I any](policy Policy, cascade, detach func(context.Context, I) error) func(context.Context, I) error {
	switch policy {
	case Cascade:
		return cascade
	case Detach:
		return detach
	}
	return nil
}

// dangling is the report of item, of table, whose parent or end on far's
// side, missing, does not exist, after far's repair when the audit
// repairs dangling items.
func dangling[I any](ctx context.Context, a *auditRun, far farEnd[I], table *query.Table[I], item I, missing string) (Dangling, error) {
	d := Dangling{Side: far.side, Item: keyTextOf(table, item), Missing: missing}
	if a.opts.RepairDangling && far.repair != nil {
		if err := far.repair(ctx, item); err != nil {
			return d, err
		}
		d.Repaired = true
	}
	return d, nil
}

// linkPhase is the phase that scans the children or edges of table (their
// attributes proj), a page at a time, for those whose parent or end is
// missing on any of fars.
func linkPhase[I any](a *auditRun, table *query.Table[I], proj []string, fars ...farEnd[I]) phaseFunc {
	return func(ctx context.Context, phase int, cursor string) error {
		return auditLinks(ctx, a, phase, cursor, table, proj, fars)
	}
}

// auditLinks runs linkPhase from cursor.
func auditLinks[I any](ctx context.Context, a *auditRun, phase int, cursor string, table *query.Table[I], proj []string, fars []farEnd[I]) error {
	scan := table.Scan().Project(proj...).PageSize(a.pageSize(1000))
	for {
		p, err := scan.Page(ctx, cursor)
		if err != nil {
			return err
		}
		var found []Dangling
		for _, far := range fars {
			missing, err := far.missing(ctx, p.Items)
			if err != nil {
				return err
			}
			for i, k := range missing {
				if k == "" {
					continue
				}
				d, err := dangling(ctx, a, far, table, p.Items[i], k)
				if err != nil {
					return err
				}
				found = append(found, d)
			}
		}
		a.mu.Lock()
		a.rep.Scanned += len(p.Items)
		a.rep.Dangling = append(a.rep.Dangling, found...)
		a.mu.Unlock()
		if cursor = p.Next; cursor == "" {
			return nil
		}
		a.done(phase, cursor)
	}
}

// phaseFunc is one phase of an audit, the phase-th, run from cursor.
type phaseFunc func(ctx context.Context, phase int, cursor string) error

// runAudit runs phases in order from the audit's resume token, reporting
// progress at the end of each.
func runAudit(ctx context.Context, a *auditRun, phases ...phaseFunc) (*AuditReport, error) {
	start, cursor, err := a.resume(len(phases))
	if err != nil {
		return a.finish(err)
	}
	a.rep.Resume = a.opts.Resume
	for i := start; i < len(phases); i++ {
		if err := phases[i](ctx, i, cursor); err != nil {
			return a.finish(fmt.Errorf("relations: audit: %w", err))
		}
		cursor = ""
		if i+1 < len(phases) {
			a.done(i+1, "")
		}
	}
	if a.opts.Progress != nil {
		p := a.soFar()
		p.Resume = "" // the audit is complete
		a.opts.Progress(p)
	}
	return a.finish(nil)
}

// Audit checks the whole relation against its indexes, and repairs what
// opts asks for: it compares every parent's children counter with the
// children the child index lists, and finds every child whose parent does
// not exist (a dangling link). Writes through dynamokit keep both right;
// an audit finds what writers outside it left (see docs/relations.md,
// "Tables shared with other writers").
//
// It runs in two phases, each resumable after any page
// ([AuditOptions.Resume]): a Scan of the parents (keys only, 100 a page),
// whose counters are checked up to Concurrency at once, each with a
// strongly consistent GetItem of the counter and a Query that counts the
// children (a third request, a GetItem, when they differ, to tell drift
// from a write in between); then a Scan of the children (keys and links,
// 1,000 a page), with one strongly consistent BatchGetItem per 100
// distinct parents of a page. A report is returned with any error, and
// its Resume token continues the audit.
//
// It calls Scan, GetItem, Query, BatchGetItem, and to repair
// TransactWriteItems.
func (h *HasMany[P, C]) Audit(ctx context.Context, opts *AuditOptions) (_ *AuditReport, err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.Audit", h.children.TableName())
	defer end(op, &err, h, h.children.TableName())
	ctx = h.own(ctx)
	a := newAudit("has many "+h.describe(), opts)
	return runAudit(ctx, a,
		endPhase(a, "parent", h.parents, h.end),
		linkPhase(a, h.children, h.sweepAttrs(), h.danglingParents()))
}

// danglingParents is the farEnd of the children's parents, repaired under
// the relation's policy: a child deleted ([Cascade]) or unlinked
// ([Detach]).
func (h *HasMany[P, C]) danglingParents() farEnd[C] {
	return missingEnds("parent", h.parents, h.links, repairUnder(h.spec.OnDelete, h.DeleteChild, h.Unlink))
}

// AuditParent audits one parent (only its key fields need be set), as
// [HasMany.Audit] does the whole relation: it compares the parent's
// counter with its children in the child index (a GetItem and a counting
// Query), and when the parent does not exist, lists its children as
// dangling (a Query). Concurrency, PageSize and Resume do not apply.
func (h *HasMany[P, C]) AuditParent(ctx context.Context, parent P, opts *AuditOptions) (_ *AuditReport, err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.AuditParent", h.parents.TableName())
	defer end(op, &err, h, h.parents.TableName())
	ctx = h.own(ctx)
	a := newAudit("has many "+h.describe(), opts)
	if _, err := mapping.Must(h.parents.Model()).KeyOf(&parent); err != nil {
		return a.finish(fmt.Errorf("relations: audit parent: %w", err))
	}
	c, err := readCount(ctx, h.parents, parent, h.spec.Counter)
	if err != nil {
		return a.finish(fmt.Errorf("relations: audit parent: %w", err))
	}
	if c.exists {
		err = checkEnd(ctx, a, "parent", h.parents, parent, h.end(parent), &c)
	} else {
		far := h.danglingParents()
		missing := keyTextOf(h.parents, parent)
		for child, qerr := range h.strongQuery(parent).Project(h.sweepAttrs()...).All(ctx) {
			if err = qerr; err != nil {
				break
			}
			var d Dangling
			if d, err = dangling(ctx, a, far, h.children, child, missing); err != nil {
				break
			}
			a.rep.Scanned++
			a.rep.Dangling = append(a.rep.Dangling, d)
		}
	}
	if err != nil {
		return a.finish(fmt.Errorf("relations: audit parent: %w", err))
	}
	return a.finish(nil)
}

// Audit checks the whole relation against its indexes, as [HasMany.Audit]
// does, and repairs what opts asks for: it compares every From end's edge
// counter with its edges (a strongly consistent Query of the edge table),
// every To end's with its edges in the reverse index, and finds every edge
// whose From or To end does not exist (a dangling edge). Under
// [AuditOptions.RepairDangling], an edge whose missing end is declared
// [Cascade] or [Detach] is deleted ([ManyToMany.Unlink]); under [Restrict]
// it is reported only.
//
// It runs in three phases, each resumable after any page: a Scan of the
// From ends, a Scan of the To ends (a GetItem and a counting Query per
// end, up to Concurrency at once), and a Scan of the edges (keys only) with
// one strongly consistent BatchGetItem per 100 distinct ends of each side
// on a page.
func (m *ManyToMany[F, T, E]) Audit(ctx context.Context, opts *AuditOptions) (_ *AuditReport, err error) {
	ctx, op := clientlink.Start(ctx, m.edges.Client(), "ManyToMany.Audit", m.edges.TableName())
	defer end(op, &err, m, m.edges.TableName())
	ctx = m.own(ctx)
	a := newAudit("many to many "+m.describe(), opts)
	return runAudit(ctx, a,
		endPhase(a, "from", m.from, m.fromEnd),
		endPhase(a, "to", m.to, m.toEnd),
		linkPhase(a, m.edges, keyAttrs(m.edges),
			// An edge cannot outlive an end: Cascade and Detach delete it.
			missingEnds("from", m.from, m.fromLinks, repairUnder(m.spec.OnDeleteFrom, m.unlinkEdge, m.unlinkEdge)),
			missingEnds("to", m.to, m.toLinks, repairUnder(m.spec.OnDeleteTo, m.unlinkEdge, m.unlinkEdge))))
}

// unlinkEdge deletes edge e with [ManyToMany.Unlink] of its two ends.
func (m *ManyToMany[F, T, E]) unlinkEdge(ctx context.Context, e E) error {
	f, err := endOf[F](&e, m.fromLinks)
	if err != nil {
		return err
	}
	t, err := endOf[T](&e, m.toLinks)
	if err != nil {
		return err
	}
	return m.Unlink(ctx, f, t)
}
