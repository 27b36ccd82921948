package integration_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/relations"
)

// refuseTx is an SDK HTTP client that, while refuse is set, answers every
// TransactWriteItems with a ValidationException without sending it.
type refuseTx struct {
	next   dynamodb.HTTPClient
	refuse atomic.Bool
}

// Do implements dynamodb.HTTPClient.
func (h *refuseTx) Do(r *http.Request) (*http.Response, error) {
	if h.refuse.Load() && operation(r) == "TransactWriteItems" {
		return dynamoError(r, http.StatusBadRequest, "ValidationException"), nil
	}
	return h.next.Do(r)
}

// TestAttackHasManyCrossCascade: a member of staff s is in department d
// and office o, both relations Cascade. The office's cascade marks o and
// stops before its first delete (its transaction is refused: a crash).
// Then DeleteParent(d), then DeleteParent(o) again, each must finish: the
// cascade of d deletes s with o's -1 although o is marked, where each
// cascade used to refuse the other's delete of s for ever.
func TestAttackHasManyCrossCascade(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, must[ComposeDept](t), must[ComposeOffice](t), must[ComposeStaff](t))
	h := &refuseTx{}
	broken := graphClient(t, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		h.next = o.HTTPClient
		o.HTTPClient = h
	}))
	db := graphClient(t)
	depts, offices, staff := tableOf[ComposeDept](t, e, db, nil), tableOf[ComposeOffice](t, e, db, nil), tableOf[ComposeStaff](t, e, db, nil)
	spec := func(index string) relations.Spec {
		return relations.Spec{Layout: relations.MultiTable, Index: index, OnDelete: relations.Cascade}
	}
	inDept, err := relations.Declare(depts, staff, spec("staff-by-dept"))
	ok(t, err)
	inOffice, err := relations.Declare(offices, staff, spec("staff-by-office"))
	ok(t, err)
	brokenStaff := tableOf[ComposeStaff](t, e, broken, nil)
	brokenOffice, err := relations.Declare(tableOf[ComposeOffice](t, e, broken, nil), brokenStaff, spec("staff-by-office"))
	ok(t, err)
	_, err = relations.Declare(tableOf[ComposeDept](t, e, broken, nil), brokenStaff, spec("staff-by-dept"))
	ok(t, err)
	ok(t, depts.Create(ctx, &ComposeDept{"d"}))
	ok(t, offices.Create(ctx, &ComposeOffice{"o"}))
	ok(t, staff.Create(ctx, &ComposeStaff{"s", "d", "o"}))

	h.refuse.Store(true)
	err = brokenOffice.DeleteParent(ctx, ComposeOffice{"o"}, nil)
	h.refuse.Store(false)
	t.Logf("DeleteParent(o), its transaction refused: %v", err)

	for try := 1; try <= 3; try++ {
		errD := inDept.DeleteParent(ctx, ComposeDept{"d"}, nil)
		errO := inOffice.DeleteParent(ctx, ComposeOffice{"o"}, nil)
		if errD == nil && errO == nil {
			return
		}
		t.Errorf("run %d: DeleteParent(d) = %v\nDeleteParent(o) = %v", try, errD, errO)
	}
}

// TestAttackHasManyStormCascade is TestAttackHasManyStorm with the
// office under Cascade too: two cascades of a member of staff's two
// parents run at once.
func TestAttackHasManyStormCascade(t *testing.T) {
	t.Parallel()
	testHasManyStorm(t, relations.Cascade)
}
