package integration_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
)

// cascadeFault is an SDK HTTP client that fails chosen writes of a
// cascade: the UpdateItem that subtracts a page of deleted children from
// the counter (its expression ADDs), refused before it reaches the engine,
// which leaves the parent as a process that died between the deletes and
// the subtraction would; DeleteItem requests after a number of them,
// refused; and one DeleteItem applied with its answer lost, an unknown
// outcome.
type cascadeFault struct {
	next dynamodb.HTTPClient

	mu             sync.Mutex
	refuseSubtract int // subtractions still to refuse
	deletes        int // DeleteItem requests seen
	refuseAfter    int // refuse every DeleteItem after this many (0: none)
	loseAt         int // apply the DeleteItem with this number and lose its answer (0: none)
}

// set resets the DeleteItem count and sets which requests fail.
func (h *cascadeFault) set(refuseSubtract, refuseAfter, loseAt int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.refuseSubtract, h.deletes, h.refuseAfter, h.loseAt = refuseSubtract, 0, refuseAfter, loseAt
}

// refused is the answer to a request the engine never applied.
func refused(r *http.Request, why string) (*http.Response, error) {
	return jsonResponse(r, http.StatusBadRequest, map[string]any{
		"__type":  "com.amazonaws.dynamodb.v20120810#ValidationException",
		"message": "injected: " + why,
	})
}

// Do implements dynamodb.HTTPClient.
func (h *cascadeFault) Do(r *http.Request) (*http.Response, error) {
	switch operation(r) {
	case "UpdateItem":
		body, err := requestBody(r)
		if err != nil {
			return nil, err
		}
		h.mu.Lock()
		refuse := h.refuseSubtract > 0 && bytes.Contains(body, []byte("ADD "))
		if refuse {
			h.refuseSubtract--
		}
		h.mu.Unlock()
		if refuse {
			return refused(r, "the process died before subtracting the page")
		}
	case "DeleteItem":
		h.mu.Lock()
		h.deletes++
		n := h.deletes
		refuse, lose := h.refuseAfter > 0 && n > h.refuseAfter, n == h.loseAt
		h.mu.Unlock()
		if refuse {
			return refused(r, "the cascade is interrupted")
		}
		if lose {
			resp, err := h.next.Do(r)
			if err != nil {
				return nil, err
			}
			resp.Body.Close()
			return nil, errors.New("read tcp: connection reset by peer")
		}
	}
	return h.next.Do(r)
}

// cascadeResumeChildren is how many children d-1 has in
// TestRelationsCascadeResume: three pages.
const cascadeResumeChildren = 250

// TestRelationsCascadeResume interrupts a cascade three ways and runs it
// again each time, in each layout, checking the counter against a
// strongly consistent count of the children after every step:
//
//  1. the first page is deleted, but its subtraction never arrives (the
//     process died in between): the counter is left too high, never too
//     low;
//  2. a Recount meanwhile is refused while a recorded page is pending
//     (it would count the page's deleted children out, and the rerun
//     would subtract them again); run again, the cascade settles what the
//     first run left before anything else (the recorded page, or a
//     recount in an item collection), and is interrupted after 30 more
//     deletes, whose page it still subtracts: the counter is exact, so
//     the rerun counted nothing twice;
//  3. run again with one delete's answer lost (an unknown outcome): it
//     completes, the parent is gone, and the counter never read below the
//     children left (in the child-index layouts it is exact after every
//     page: the lost delete is read back; in an item collection the final
//     recount settles it).
//
// Another department's children and counter are left alone throughout.
func TestRelationsCascadeResume(t *testing.T) {
	t.Parallel()
	eachLayout(t, testCascadeResume, testCascadeResume, testCascadeResume)
}

func testCascadeResume[P, C any](t *testing.T, s shape[P, C]) {
	fault := &cascadeFault{}
	f := setup(t, s, graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		fault.next = o.HTTPClient
		o.HTTPClient = fault
	})))
	ctx := t.Context()
	d1, d2, left := seedCascade(t, f, cascadeResumeChildren)
	cascade := f.onDelete(t, relations.Cascade)

	// 1. The first page's subtraction never arrives.
	fault.set(1, 0, 0)
	if err := cascade.DeleteParent(ctx, d1, nil); err == nil {
		t.Fatal("Delete(d-1, Cascade) with its first subtraction refused = nil, want the failure")
	}
	n, l := f.count(t, d1), left()
	t.Logf("after a run that died before subtracting its first page: counter %d, children %d", n, l)
	if l != cascadeResumeChildren-100 || n < l {
		t.Errorf("after a run that died before subtracting: counter %d, %d children; want %d children and a counter not below", n, l, cascadeResumeChildren-100)
	}

	if s.layout != relations.ItemCollection {
		// The page is recorded as pending: a recount now would leave its
		// deleted children out, and the rerun would subtract them again.
		if _, err := f.staff.Recount(ctx, d1); err == nil || !strings.Contains(err.Error(), "DeleteParent") {
			t.Errorf("Recount(d-1) with a cascade's page pending = %v, want a refusal naming DeleteParent", err)
		}
		if got := f.count(t, d1); got != n {
			t.Errorf("counter after a refused Recount = %d, want %d unchanged", got, n)
		}
	}

	// 2. Run again, interrupted after 30 deletes.
	fault.set(0, 30, 0)
	if err := cascade.DeleteParent(ctx, d1, nil); err == nil {
		t.Fatal("Delete(d-1, Cascade) interrupted after 30 deletes = nil, want the failure")
	}
	n, l = f.count(t, d1), left()
	t.Logf("after a rerun interrupted after 30 deletes: counter %d, children %d", n, l)
	if l != cascadeResumeChildren-130 || n != l {
		t.Errorf("after a rerun interrupted after 30 deletes: counter %d, %d children; want %d and an exact counter", n, l, cascadeResumeChildren-130)
	}

	// 3. Run again, one delete's answer lost: it completes.
	fault.set(0, 0, 10)
	exact := s.layout != relations.ItemCollection
	pages := 0
	err := cascade.DeleteParent(ctx, d1, &relations.DeleteOptions{Progress: func(relations.Progress) {
		pages++
		n, l := f.count(t, d1), left()
		if n < l || exact && n != l {
			t.Errorf("after page %d of the last run: counter %d, %d children (exact: %v)", pages, n, l, exact)
		}
	}})
	if err != nil {
		t.Fatalf("Delete(d-1, Cascade) with a lost answer = %v, want nil", err)
	}
	if _, err := f.depts.Get(ctx, d1); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(d-1) after the cascade = %v, want ErrNotFound", err)
	}
	if l := left(); l != 0 {
		t.Errorf("d-1 has %d children after the cascade, want 0", l)
	}
	if got := f.children(t, "d-2"); len(got) != 3 {
		t.Errorf("Children(d-2) = %v, want its 3", got)
	}
	if n := f.count(t, d2); n != 3 {
		t.Errorf("CountChildren(d-2) = %d, want 3", n)
	}
}

// TestRelationsCascadeLinkRace links a new employee to d-1 just before the
// cascade's first DeleteItem, after the parent is marked: the link is
// either refused (the link rule on a marked parent) or counted, and then
// the cascade deletes the new child too before it deletes d-1. Either way
// no employee is left pointing at a deleted department.
func TestRelationsCascadeLinkRace(t *testing.T) {
	t.Parallel()
	eachLayout(t, testCascadeLinkRace, testCascadeLinkRace, testCascadeLinkRace)
}

func testCascadeLinkRace[P, C any](t *testing.T, s shape[P, C]) {
	f, other, hook := raceSetup(t, s)
	ctx := t.Context()
	d1 := f.dept(Department{DepartmentID: "d-1"})
	var linkErr error
	hook.before("DeleteItem", func() {
		late := f.emp(Employee{"late", "Newcomer", ""})
		linkErr = other.staff.Link(ctx, &late, d1)
	})
	if err := f.onDelete(t, relations.Cascade).DeleteParent(ctx, d1, nil); err != nil {
		t.Fatalf("Delete(d-1, Cascade): %v", err)
	}
	if !hook.done() {
		t.Fatal("the other writer never got its turn: the cascade sent no DeleteItem")
	}
	t.Logf("Link(late, d-1) during the cascade = %v", linkErr)
	if _, err := f.depts.Get(ctx, d1); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(d-1) after the cascade = %v, want ErrNotFound", err)
	}
	for id, d := range f.owners(t) {
		if d == "d-1" {
			t.Errorf("employee %s still points at d-1 after the cascade deleted it (link during the cascade: %v)", id, linkErr)
		}
	}
}

// cascadeLate is an SDK HTTP client that makes one child's DeleteItem of
// a cascade land late: the at-th DeleteItem of a child (counting from 1)
// cancels the cascade's context and fails as a request whose context
// ended on its way (an unknown outcome), and is sent to the engine only
// when land is called, after the cascade has given up on it, as a
// request that left before the context ended may be.
type cascadeLate struct {
	next   dynamodb.HTTPClient
	cancel context.CancelFunc
	at     int

	mu      sync.Mutex
	deletes int
	held    *http.Request
}

// Do implements dynamodb.HTTPClient.
func (h *cascadeLate) Do(r *http.Request) (*http.Response, error) {
	if operation(r) != "DeleteItem" {
		return h.next.Do(r)
	}
	body, err := requestBody(r)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(body, []byte("child_count")) {
		return h.next.Do(r) // the parent's delete, conditional on its counter
	}
	h.mu.Lock()
	h.deletes++
	hit := h.deletes == h.at
	if hit {
		h.held = r.Clone(context.WithoutCancel(r.Context()))
		h.held.Body = io.NopCloser(bytes.NewReader(body))
	}
	h.mu.Unlock()
	if !hit {
		return h.next.Do(r)
	}
	h.cancel()
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// land sends the held DeleteItem to the engine.
func (h *cascadeLate) land(t *testing.T) {
	t.Helper()
	h.mu.Lock()
	r := h.held
	h.mu.Unlock()
	if r == nil {
		t.Fatal("the cascade sent no DeleteItem to hold")
	}
	resp, err := h.next.Do(r)
	if err != nil {
		t.Fatalf("the held DeleteItem: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the held DeleteItem: HTTP %d", resp.StatusCode)
	}
}

// TestRelationsCascadeLateDelete cancels a cascade's context with child
// deletes in flight, in each layout, one of which reaches the engine only
// after the cascade returned (a request already on its way when the
// context ended). The cascade does not know that child is gone: in the
// child-index layouts it keeps its recorded page for the next run's
// settle, which reads the page's children again, instead of subtracting
// only the deletes it saw applied (which would leave the counter one too
// high for good, and the rerun unable to delete the parent); in an item
// collection the rerun recounts. Either way the counter is never below
// the children left, and the rerun deletes the parent, with every
// counter exact.
func TestRelationsCascadeLateDelete(t *testing.T) {
	t.Parallel()
	eachLayout(t, testCascadeLateDelete, testCascadeLateDelete, testCascadeLateDelete)
}

// lateChildren is how many children d-1 has in
// TestRelationsCascadeLateDelete: two pages.
const lateChildren = 120

func testCascadeLateDelete[P, C any](t *testing.T, s shape[P, C]) {
	rctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	late := &cascadeLate{cancel: cancel, at: 10}
	f := setup(t, s, graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		late.next = o.HTTPClient
		o.HTTPClient = late
	})))
	ctx := t.Context()
	d1, d2, left := seedCascade(t, f, lateChildren)
	cascade := f.onDelete(t, relations.Cascade)

	err := cascade.DeleteParent(rctx, d1, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Delete(d-1, Cascade) with its context cancelled = %v, want context.Canceled", err)
	}
	late.land(t)
	n, l := f.count(t, d1), left()
	t.Logf("after a cancelled run whose held delete landed late: counter %d, children %d", n, l)
	if n < l {
		t.Errorf("after the cancelled run: counter %d below its %d children", n, l)
	}

	if err := cascade.DeleteParent(ctx, d1, nil); err != nil {
		t.Fatalf("Delete(d-1, Cascade) run again = %v, want nil", err)
	}
	if _, err := f.depts.Get(ctx, d1); !errors.Is(err, dynamokit.ErrNotFound) {
		t.Errorf("Get(d-1) after the rerun = %v, want ErrNotFound", err)
	}
	if l := left(); l != 0 {
		t.Errorf("d-1 has %d children after the rerun, want 0", l)
	}
	if n := f.count(t, d2); n != 3 {
		t.Errorf("CountChildren(d-2) = %d, want 3", n)
	}
}

// seedCascade creates departments d-1, with n children, and d-2, with 3,
// loaded in bulk around the relation and then recounted, and returns both
// and a count of d-1's children by a strongly consistent scan.
func seedCascade[P, C any](t *testing.T, f fixture[P, C], n int) (d1, d2 P, left func() int) {
	t.Helper()
	ctx := t.Context()
	d1, d2 = f.dept(Department{"d-1", "One"}), f.dept(Department{"d-2", "Two"})
	for _, d := range []*P{&d1, &d2} {
		if err := f.depts.Create(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	var kids []C
	for i := range n {
		kids = append(kids, f.emp(Employee{fmt.Sprintf("c-%04d", i), "Worker", "d-1"}))
	}
	for i := range 3 {
		kids = append(kids, f.emp(Employee{fmt.Sprintf("o-%d", i), "Other", "d-2"}))
	}
	_, bulk := f.unchecked(t) // a bulk load: not checked, counted by Recount
	if err := bulk.BatchPut(ctx, kids, nil); err != nil {
		t.Fatal(err)
	}
	for _, d := range []P{d1, d2} {
		if _, err := f.staff.Recount(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	left = func() int {
		n := 0
		for _, d := range f.owners(t) {
			if d == "d-1" {
				n++
			}
		}
		return n
	}
	return d1, d2, left
}
