package integration_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// copyStormRounds is how many seeds each layout of TestAttackCopiesStorm
// runs (STORM_ROUNDS, when set, says how many instead).
const copyStormRounds = 1

// copyStormFix is one layout of a relation whose children copy their
// parent's name, over the lossy client (the verbs) and over a clean one
// (the checks).
type copyStormFix interface {
	// create makes a parent named name with the children kids, through a
	// clean client, the counter recounted.
	create(t *testing.T, parent, name string, kids []string)
	link(ctx context.Context, kid, parent string) error
	// relink moves kid from one parent to another; rerun says whether an
	// earlier run may have moved it already.
	relink(ctx context.Context, kid, from, to string, rerun bool) error
	rename(ctx context.Context, parent, name string, o *relations.SyncOptions) (relations.Progress, error)
	sync(ctx context.Context, parent string, o *relations.SyncOptions) (relations.Progress, error)
	// at reports, through the clean client, whether kid exists under parent.
	at(t *testing.T, kid, parent string) bool
	// state reads, through the clean client, the name and counter of each
	// parent, and each child's parent and copy.
	state(t *testing.T, parents []string) (names map[string]string, counts map[string]int, kids map[string][2]string)
}

// TestAttackCopiesStorm renames 3 parents of about 30 children each twice
// (UpdateParent; one parent's two renames from two writers at once), while children are moved between them
// (Relink) and new ones linked (Link), all at once through a client that
// loses the answer to about one write in eight after the engine applied
// it. Each verb is run again until it returns nil, as a caller would;
// some renames are interrupted after their first page (a cancelled
// context, as by a crash) and finished with SyncCopies and the resume
// token, as the docs say. A Link run again that finds the child
// (ErrAlreadyExists), or a Relink run again that finds it gone from its
// old key (ErrChildNotFound, in an item collection), counts as done when a
// clean read finds the child under the parent it was sent to. Then, read through a clean client,
// every child's copy equals its parent's name, every child is where its
// last move put it, and every parent's counter counts its children.
// Several seeds, in the multi-table layout and in an item collection.
func TestAttackCopiesStorm(t *testing.T) {
	t.Parallel()
	rounds := uint64(copyStormRounds)
	if n, err := strconv.Atoi(os.Getenv("STORM_ROUNDS")); err == nil {
		rounds = uint64(n)
	}
	for _, layout := range []struct {
		name string
		fix  func(t *testing.T, h *stormHTTP) copyStormFix
	}{
		{"multi-table", newCopyStormTable},
		{"item collection", newCopyStormCollection},
	} {
		t.Run(layout.name, func(t *testing.T) {
			t.Parallel()
			h := &stormHTTP{}
			f := layout.fix(t, h)
			for seed := range rounds {
				t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { copyStormRound(t, f, h, seed) })
			}
		})
	}
}

// copyStormRound runs one storm of seed on parents and children of its
// own, named "r<seed>-".
func copyStormRound(t *testing.T, f copyStormFix, h *stormHTTP, seed uint64) {
	ctx := t.Context()
	t0 := time.Now()
	rng := rand.New(rand.NewPCG(seed, 3))
	var parents []string
	kids := map[string]string{} // child: the parent it must end under
	for p := range 3 {
		id := fmt.Sprintf("r%d-p%d", seed, p)
		parents = append(parents, id)
		var mine []string
		for k := range 28 + rng.IntN(5) {
			kid := fmt.Sprintf("r%d-k%d-%02d", seed, p, k)
			mine = append(mine, kid)
			kids[kid] = id
		}
		f.create(t, id, id+"-v0", mine)
	}
	other := func(p string) string {
		for {
			if q := parents[rng.IntN(len(parents))]; q != p {
				return q
			}
		}
	}

	var (
		mu    sync.Mutex
		fails []string
		jobs  []func()
	)
	// rerun runs f until it returns nil, up to 20 times, and notes each
	// failed run.
	rerun := func(what string, f func(try int) error) {
		for try := 1; ; try++ {
			err := f(try)
			if err == nil {
				return
			}
			mu.Lock()
			fails = append(fails, fmt.Sprintf("%s run %d: %v", what, try, err))
			mu.Unlock()
			if try == 20 {
				return
			}
		}
	}
	// Renames: 2 of each parent; of one parent, from two writers at once.
	// Some renames are interrupted after their first page of 25 children,
	// as by a crash, and finished with SyncCopies and the resume token.
	var resumed, accepted atomic.Int32
	for i, p := range parents {
		type rename struct {
			name string
			stop bool // interrupted after its first page
		}
		var plan []rename
		for v := 1; v <= 2; v++ {
			plan = append(plan, rename{fmt.Sprintf("%s-v%d", p, v), rng.IntN(2) == 0})
		}
		renames := func(plan []rename) func() {
			return func() {
				for _, r := range plan {
					var prog relations.Progress
					rerun("rename "+p+" to "+r.name, func(try int) error {
						var err error
						if prog.Resume != "" {
							// The fan-out began: the parent has the new
							// name. Finish it, as the docs say.
							resumed.Add(1)
							prog, err = f.sync(ctx, p, &relations.SyncOptions{Concurrency: 1, Resume: prog.Resume})
							return err
						}
						o := &relations.SyncOptions{Concurrency: 4}
						cctx, cancel := context.WithCancel(ctx)
						defer cancel()
						if r.stop && try == 1 {
							o = &relations.SyncOptions{Concurrency: 1, Progress: func(relations.Progress) { cancel() }}
						}
						prog, err = f.rename(cctx, p, r.name, o)
						return err
					})
				}
			}
		}
		if i == 0 {
			jobs = append(jobs, renames(plan[:1]), renames(plan[1:]))
			continue
		}
		jobs = append(jobs, renames(plan))
	}
	// Moves: 4 movers, each of its own children, one or two moves each.
	var moved []string
	for kid := range kids {
		moved = append(moved, kid)
	}
	slices.Sort(moved)
	rng.Shuffle(len(moved), func(i, j int) { moved[i], moved[j] = moved[j], moved[i] })
	moved = moved[:len(moved)/5]
	for m := range 4 {
		type move struct{ kid, from, to string }
		var plan []move
		for _, kid := range moved[m*len(moved)/4 : (m+1)*len(moved)/4] {
			for range 1 + rng.IntN(2) {
				to := other(kids[kid])
				plan = append(plan, move{kid, kids[kid], to})
				kids[kid] = to
			}
		}
		jobs = append(jobs, func() {
			for _, mv := range plan {
				rerun(fmt.Sprintf("relink %s %s to %s", mv.kid, mv.from, mv.to), func(try int) error {
					err := f.relink(ctx, mv.kid, mv.from, mv.to, try > 1)
					if try > 1 && errors.Is(err, relations.ErrChildNotFound) && f.at(t, mv.kid, mv.to) {
						// An earlier run whose answer was lost moved it
						// (in an item collection the old key is gone).
						accepted.Add(1)
						return nil
					}
					return err
				})
			}
		})
	}
	// Links: 2 linkers of 4 new children each.
	for l := range 2 {
		type link struct{ kid, to string }
		var plan []link
		for k := range 4 {
			kid := fmt.Sprintf("r%d-new%d-%d", seed, l, k)
			to := parents[rng.IntN(len(parents))]
			plan = append(plan, link{kid, to})
			kids[kid] = to
		}
		jobs = append(jobs, func() {
			for _, ln := range plan {
				rerun(fmt.Sprintf("link %s to %s", ln.kid, ln.to), func(try int) error {
					err := f.link(ctx, ln.kid, ln.to)
					if try > 1 && errors.Is(err, dynamokit.ErrAlreadyExists) && f.at(t, ln.kid, ln.to) {
						// An earlier run whose answer was lost linked it.
						accepted.Add(1)
						return nil
					}
					return err
				})
			}
		})
	}

	t0 = time.Now()
	h.arm(seed, stormRate)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(j)
	}
	wg.Wait()
	log := h.disarm()
	lost := stormLost(log)
	t.Logf("%d parents, %d children, %d moved; in %v, %d requests, %d answers lost; %d runs failed and were run again, %d of them finished with SyncCopies and a token, %d found done (ErrAlreadyExists, ErrChildNotFound)",
		len(parents), len(kids), len(moved), time.Since(t0).Round(time.Millisecond), len(log), lost, len(fails), resumed.Load(), accepted.Load())
	for _, line := range fails {
		t.Log(line)
	}

	names, counts, got := f.state(t, parents)
	var bad []string
	n := map[string]int{}
	for kid, want := range kids {
		g, ok := got[kid]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s: missing (want under %s)", kid, want))
			continue
		case g[0] != want:
			bad = append(bad, fmt.Sprintf("%s: under %s, want %s", kid, g[0], want))
		}
		if g[1] != names[g[0]] {
			bad = append(bad, fmt.Sprintf("%s under %s: copy %q, parent %q", kid, g[0], g[1], names[g[0]]))
		}
		n[g[0]]++
	}
	for _, p := range parents {
		if counts[p] != n[p] {
			bad = append(bad, fmt.Sprintf("%s: counter %d, %d children", p, counts[p], n[p]))
		}
	}
	if len(bad) == 0 {
		return
	}
	slices.Sort(bad)
	t.Errorf("after the storm, %d wrong:\n%s", len(bad), strings.Join(bad, "\n"))
	for _, r := range log {
		t.Log(r)
	}
}

// copyStormTable is the multi-table layout: departments and employees.
type copyStormTable struct {
	depts, cdepts *query.Table[Department]
	bare          *query.Table[CopyEmployee] // no relation declared: bulk loads
	cemps         *query.Table[CopyEmployee]
	staff, cstaff *relations.HasMany[Department, CopyEmployee]
}

func newCopyStormTable(t *testing.T, h *stormHTTP) copyStormFix {
	e := newEnv(t, must[Department](t), must[CopyEmployee](t))
	spec := relations.Spec{
		Layout: relations.MultiTable,
		Index:  "department-employee-index",
		Copies: map[string]string{"department_name": "department_name"},
	}
	f := &copyStormTable{}
	db, clean := h.lossy(t), graphClient(t)
	var err error
	f.depts = tableOf[Department](t, e, db, nil)
	if f.staff, err = relations.Declare(f.depts, tableOf[CopyEmployee](t, e, db, nil), spec); err != nil {
		t.Fatal(err)
	}
	f.cdepts, f.cemps = tableOf[Department](t, e, clean, nil), tableOf[CopyEmployee](t, e, clean, nil)
	if f.cstaff, err = relations.Declare(f.cdepts, f.cemps, spec); err != nil {
		t.Fatal(err)
	}
	f.bare = tableOf[CopyEmployee](t, e, graphClient(t), nil)
	return f
}

func (f *copyStormTable) create(t *testing.T, parent, name string, kids []string) {
	ctx := t.Context()
	if err := f.cdepts.Create(ctx, &Department{parent, name}); err != nil {
		t.Fatal(err)
	}
	var es []CopyEmployee
	for _, k := range kids {
		es = append(es, CopyEmployee{k, parent, name})
	}
	if err := f.bare.BatchPut(ctx, es, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cstaff.Recount(ctx, Department{DepartmentID: parent}); err != nil {
		t.Fatal(err)
	}
}

func (f *copyStormTable) link(ctx context.Context, kid, parent string) error {
	return f.staff.Link(ctx, &CopyEmployee{EmployeeID: kid}, Department{DepartmentID: parent})
}

func (f *copyStormTable) relink(ctx context.Context, kid, from, to string, rerun bool) error {
	c := CopyEmployee{EmployeeID: kid, DepartmentID: from}
	if rerun {
		// The first run may have moved it: an empty link makes Relink
		// read the stored one.
		c.DepartmentID = ""
	}
	return f.staff.Relink(ctx, c, Department{DepartmentID: to})
}

func (f *copyStormTable) rename(ctx context.Context, parent, name string, o *relations.SyncOptions) (relations.Progress, error) {
	return f.staff.UpdateParent(ctx, Department{DepartmentID: parent}, func(u *query.Update[Department]) *query.Update[Department] {
		return u.Set("department_name", name)
	}, o)
}

func (f *copyStormTable) sync(ctx context.Context, parent string, o *relations.SyncOptions) (relations.Progress, error) {
	return f.staff.SyncCopies(ctx, Department{DepartmentID: parent}, o)
}

func (f *copyStormTable) at(t *testing.T, kid, parent string) bool {
	c, err := f.cemps.Consistent().Get(t.Context(), CopyEmployee{EmployeeID: kid})
	return err == nil && c.DepartmentID == parent
}

func (f *copyStormTable) state(t *testing.T, parents []string) (map[string]string, map[string]int, map[string][2]string) {
	ctx := t.Context()
	names, counts := map[string]string{}, map[string]int{}
	for _, p := range parents {
		d, err := f.cdepts.Consistent().Get(ctx, Department{DepartmentID: p})
		if err != nil {
			t.Fatal(err)
		}
		names[p] = d.DepartmentName
		if counts[p], err = f.cstaff.CountChildren(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	es, err := f.cemps.Consistent().Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kids := map[string][2]string{}
	for _, e := range es {
		kids[e.EmployeeID] = [2]string{e.DepartmentID, e.DepartmentName}
	}
	return names, counts, kids
}

// copyStormCollection is an item collection: units and their members, a
// move re-creating the member under its new unit's key.
type copyStormCollection struct {
	units, cunits *query.Table[CopyUnit]
	bare          *query.Table[CopyMember] // no relation declared: bulk loads
	cmembers      *query.Table[CopyMember]
	crew, ccrew   *relations.HasMany[CopyUnit, CopyMember]
}

func newCopyStormCollection(t *testing.T, h *stormHTTP) copyStormFix {
	e := newEnv(t, must[CopyUnit](t), must[CopyMember](t))
	spec := relations.Spec{Layout: relations.ItemCollection, Together: true, Copies: map[string]string{"unit_name": "unit_name"}}
	f := &copyStormCollection{}
	db, clean := h.lossy(t), graphClient(t)
	var err error
	f.units = tableOf[CopyUnit](t, e, db, nil)
	if f.crew, err = relations.Declare(f.units, tableOf[CopyMember](t, e, db, nil), spec); err != nil {
		t.Fatal(err)
	}
	f.cunits, f.cmembers = tableOf[CopyUnit](t, e, clean, nil), tableOf[CopyMember](t, e, clean, nil)
	if f.ccrew, err = relations.Declare(f.cunits, f.cmembers, spec); err != nil {
		t.Fatal(err)
	}
	f.bare = tableOf[CopyMember](t, e, graphClient(t), nil)
	return f
}

func (f *copyStormCollection) create(t *testing.T, parent, name string, kids []string) {
	ctx := t.Context()
	if err := f.cunits.Create(ctx, &CopyUnit{UnitID: parent, UnitName: name}); err != nil {
		t.Fatal(err)
	}
	var ms []CopyMember
	for _, k := range kids {
		ms = append(ms, CopyMember{MemberID: k, UnitID: parent, UnitName: name})
	}
	if err := f.bare.BatchPut(ctx, ms, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ccrew.Recount(ctx, CopyUnit{UnitID: parent}); err != nil {
		t.Fatal(err)
	}
}

func (f *copyStormCollection) link(ctx context.Context, kid, parent string) error {
	return f.crew.Link(ctx, &CopyMember{MemberID: kid}, CopyUnit{UnitID: parent})
}

func (f *copyStormCollection) relink(ctx context.Context, kid, from, to string, _ bool) error {
	return f.crew.Relink(ctx, CopyMember{MemberID: kid, UnitID: from}, CopyUnit{UnitID: to})
}

func (f *copyStormCollection) rename(ctx context.Context, parent, name string, o *relations.SyncOptions) (relations.Progress, error) {
	return f.crew.UpdateParent(ctx, CopyUnit{UnitID: parent}, func(u *query.Update[CopyUnit]) *query.Update[CopyUnit] {
		return u.Set("unit_name", name)
	}, o)
}

func (f *copyStormCollection) sync(ctx context.Context, parent string, o *relations.SyncOptions) (relations.Progress, error) {
	return f.crew.SyncCopies(ctx, CopyUnit{UnitID: parent}, o)
}

func (f *copyStormCollection) at(t *testing.T, kid, parent string) bool {
	_, err := f.cmembers.Consistent().Get(t.Context(), CopyMember{MemberID: kid, UnitID: parent})
	return err == nil
}

func (f *copyStormCollection) state(t *testing.T, parents []string) (map[string]string, map[string]int, map[string][2]string) {
	ctx := t.Context()
	names, counts := map[string]string{}, map[string]int{}
	for _, p := range parents {
		u, err := f.cunits.Consistent().Get(ctx, CopyUnit{UnitID: p})
		if err != nil {
			t.Fatal(err)
		}
		names[p] = u.UnitName
		if counts[p], err = f.ccrew.CountChildren(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := f.cmembers.Consistent().Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kids := map[string][2]string{}
	for _, m := range ms {
		if prev, ok := kids[m.MemberID]; ok {
			t.Errorf("member %s is under both %s and %s", m.MemberID, prev[0], m.UnitID)
		}
		kids[m.MemberID] = [2]string{m.UnitID, m.UnitName}
	}
	return names, counts, kids
}
