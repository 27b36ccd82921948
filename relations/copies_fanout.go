package relations

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/querylink"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/query"
)

// The writes of the copies' fan-out. Each child is rewritten by one
// conditional UpdateItem (1 write unit) that also sets the child's own
// stamp ("copies_stamp") to the stamp of the fan-out writing it. The parent
// cannot be checked in the same request, so the fan-out keeps this order for
// every child it writes:
//
//  1. read the child (the page's Query, or a GetItem after a failed
//     write): its link, its copies and its stamp;
//  2. read the parent (a strongly consistent GetItem): its stamp and
//     copied values must still be the fan-out's, or the pass starts over;
//  3. write the child on condition that it still points at the parent and
//     still holds the copies and the stamp read in 1.
//
// A newer fan-out begins with the parent's UpdateItem, which gives the
// parent a new stamp. If it began before 2, this fan-out sees the new
// stamp and starts over. If it began after 2, any child it has written
// carries its stamp, which differs from what 1 read, so 3 fails for that
// child and the re-read finds the new stamp on the parent. A child it has
// not written yet still holds what 1 read, so this fan-out's write may
// land first, and the newer fan-out then writes over it (a child holding
// another stamp is never current to it). A child the newer fan-out left
// alone as current already holds its stamp. So an older fan-out never
// writes over copies a newer one wrote or skipped, and no stamp is reused:
// every UpdateParent draws a new one.
//
// A move of the child (Relink in the multi-table and inverted-index
// layouts) sets a new random stamp on it, so a child that left and came
// back also fails 3. After its last page, the fan-out reads the parent once
// more; a change since makes the pass start over. Only the stamp of a child
// is written, never read by other code: a program that ignores it leaves
// it, and a child without one is rewritten by the next fan-out.

// syncChild is a child the fan-out must write, as read.
type syncChild[C any] struct {
	c C
	// read reports whether stamp and copies hold what was read of the
	// stored child; false: they are unknown, and the child is read again
	// (a GetItem) before it is written.
	read   bool
	stamp  *string                         // the child's copiesStamp; nil for none
	copies []types.AttributeValue          // the child's copies as stored, nil for none
	unsure bool                            // the last write's outcome is unknown
	item   map[string]types.AttributeValue // the child's key
}

// rawItems collects the items of the Query responses read with a context
// that carries it (see captureQueries).
type rawItems struct {
	mu    sync.Mutex
	seen  bool
	items []map[string]types.AttributeValue
}

func (r *rawItems) add(items []map[string]types.AttributeValue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = true
	r.items = append(r.items, items...)
}

// rawKey is the context key of a *rawItems.
type rawKey struct{}

// stampName is the placeholder of copiesStamp in the fan-out's projection.
const stampName = "#dynamokitCopiesStamp"

// captureQueries is an SDK option that hands the items of each Query
// response to the *rawItems of the request's context, if any, and adds
// copiesStamp to such a Query's projection: the model of the children
// does not decode the stamp, which the fan-out needs. Other requests pass
// untouched.
func captureQueries(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("dynamokitCopiesStamp",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				sink, _ := ctx.Value(rawKey{}).(*rawItems)
				qi, ok := in.Parameters.(*dynamodb.QueryInput)
				if sink == nil || !ok {
					return next.HandleInitialize(ctx, in)
				}
				if qi.ProjectionExpression != nil {
					// The caller's input is shared with retries and hooks:
					// change a copy.
					cp := *qi
					cp.ProjectionExpression = aws.String(*qi.ProjectionExpression + ", " + stampName)
					cp.ExpressionAttributeNames = maps.Clone(qi.ExpressionAttributeNames)
					if cp.ExpressionAttributeNames == nil {
						cp.ExpressionAttributeNames = map[string]string{}
					}
					cp.ExpressionAttributeNames[stampName] = copiesStamp
					in.Parameters = &cp
				}
				out, md, err := next.HandleInitialize(ctx, in)
				if qo, ok := out.Result.(*dynamodb.QueryOutput); ok && err == nil {
					sink.add(qo.Items)
				}
				return out, md, err
			}), middleware.After)
	})
}

// syncQuery returns the fan-out's query of parent's children: the
// children's query, on a client whose Query responses captureQueries
// hands over.
func (h *HasMany[P, C]) syncQuery(parent P) (*query.Query[C], error) {
	t, err := query.NewTable[C](h.children.Client().With(dynamokit.WithSDKOptions(captureQueries)))
	if err != nil {
		return nil, err
	}
	c, err := h.childOf(&parent)
	if err != nil {
		return nil, err
	}
	if h.spec.Index == "" {
		t = t.Consistent()
	}
	q := t.Query(c)
	if h.spec.Index != "" {
		q = q.Index(h.spec.Index)
	}
	return q.Project(h.syncAttrs()...), nil
}

// byKey returns the children's items by the keyID of their key (the
// fan-out's projection holds what the key is made of, not always the key).
func (h *HasMany[P, C]) byKey(items []map[string]types.AttributeValue) (map[string]map[string]types.AttributeValue, error) {
	cm := mapping.Must(h.children.Model())
	out := make(map[string]map[string]types.AttributeValue, len(items))
	for _, it := range items {
		if !cm.IsEntity(it) {
			continue
		}
		var c C
		if err := cm.Decode(it, &c); err != nil {
			return nil, err
		}
		key, err := cm.KeyOf(&c)
		if err != nil {
			return nil, err
		}
		out[keyID(key)] = it
	}
	return out, nil
}

// stored sets what ch holds as stored, from item (the stored child, or
// the part of it the fan-out reads).
func (h *HasMany[P, C]) stored(ch *syncChild[C], item map[string]types.AttributeValue) {
	ch.read = true
	ch.stamp = nil
	if s, ok := item[copiesStamp].(*types.AttributeValueMemberS); ok {
		ch.stamp = &s.Value
	}
	ch.copies = make([]types.AttributeValue, len(h.copies))
	for i, cp := range h.copies {
		ch.copies[i] = item[cp.child.Name]
	}
}

// childStampIs is the condition that a child's stamp is stamp (nil: that
// it has none).
func childStampIs(stamp *string) query.Cond {
	if stamp == nil {
		return query.Path(copiesStamp).AttributeNotExists()
	}
	return query.Path(copiesStamp).Equal(query.Value(&types.AttributeValueMemberS{Value: *stamp}))
}

// writeChild rewrites ch's copies with src's values and ch's stamp with
// stamp, in one UpdateItem, on condition that the child still points at
// the parent (linked) and holds what was read of it.
func (h *HasMany[P, C]) writeChild(ctx context.Context, ch *syncChild[C], src *P, stamp string, linked query.Cond) error {
	u, err := h.copiesOf(h.children.Update(ch.c), src)
	if err != nil {
		return err
	}
	u = u.If(linked).If(childStampIs(ch.stamp))
	for i, cp := range h.copies {
		// As stored, not as the child's field would encode it again.
		n := expression.NameNoDotSplit(cp.child.Name)
		if ch.copies[i] == nil {
			u = u.If(query.Expr(expression.AttributeNotExists(n)))
		} else {
			u = u.If(query.Expr(n.Equal(expression.Value(ch.copies[i]))))
		}
	}
	// The conditions keep the copies themselves: the relation's write
	// checks step aside.
	querylink.SetOther(u, &txn.Other{Name: copiesStamp, Value: &types.AttributeValueMemberS{Value: stamp}})
	return u.Run(h.own(ctx))
}

// isLinked reports whether child points at parent.
func (h *HasMany[P, C]) isLinked(child *C, parent P) (bool, error) {
	want, err := h.childOf(&parent)
	if err != nil {
		return false, err
	}
	cm := mapping.Must(h.children.Model())
	for _, l := range h.links {
		a, err := cm.Value(l.name, child)
		if err != nil {
			return false, nil // a link that cannot be built points nowhere
		}
		b, err := cm.Value(l.name, &want)
		if err != nil {
			return false, err
		}
		if !reflect.DeepEqual(a, b) {
			return false, nil
		}
	}
	return true, nil
}

// reread reads ch again (a strongly consistent GetItem). It reports
// whether ch still needs a write: false when the child is gone or points
// elsewhere (skipped), or already holds this fan-out's stamp and values
// (current; updated when the last write's outcome was unknown: it landed).
func (h *HasMany[P, C]) reread(ctx context.Context, ch *syncChild[C], parent P, src *P, fo fanOut, prog *Progress) (bool, error) {
	cm := mapping.Must(h.children.Model())
	item, err := rawread.Get(ctx, h.children.Client().Executor(), rawread.Read{Table: h.children.TableName(), Consistent: true}, ch.item)
	if err != nil {
		return false, err
	}
	if item == nil || !cm.IsEntity(item) {
		prog.Skipped++
		return false, nil
	}
	var cur C
	if err := cm.Decode(item, &cur); err != nil {
		return false, err
	}
	if ok, err := h.isLinked(&cur, parent); err != nil || !ok {
		if err == nil {
			prog.Skipped++
		}
		return false, err
	}
	h.stored(ch, item)
	ok, err := h.current(&cur, src)
	if err != nil {
		return false, err
	}
	if ok && ch.stamp != nil && *ch.stamp == fo.stamp {
		if ch.unsure {
			prog.Done++
		} else {
			prog.Current++
		}
		return false, nil
	}
	ch.unsure = false
	return true, nil
}

// errSyncRetries reports a child whose write kept failing although the
// parent did not change.
var errSyncRetries = errors.New("relations: sync copies: a child kept changing between its read and its write")

// syncChildren writes todo, the children of a page that need it, with
// src's values and fo's stamp, Concurrency at once: those not read yet
// are read again, the parent is checked, then each is written; those
// whose write failed are read again and the round repeats, up to
// maxCopyReads rounds. It returns errSourceChanged when the parent is no
// longer at fo.
func (h *HasMany[P, C]) syncChildren(ctx context.Context, parent P, src *P, fo fanOut, linked query.Cond, todo []*syncChild[C], o SyncOptions, prog *Progress) (err error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "copies", h.children.TableName())
	defer op.End(&err)
	for round := 0; len(todo) > 0; round++ {
		if round == maxCopyReads {
			return fmt.Errorf("%w: %d children still unwritten after %d attempts", errSyncRetries, len(todo), maxCopyReads)
		}
		// 1. Read again what is not known.
		var mu sync.Mutex
		var keep []*syncChild[C]
		err := forEach(ctx, todo, o.Concurrency, func(ch *syncChild[C]) error {
			if ch.read {
				mu.Lock()
				keep = append(keep, ch)
				mu.Unlock()
				return nil
			}
			var p Progress
			need, err := h.reread(ctx, ch, parent, src, fo, &p)
			mu.Lock()
			defer mu.Unlock()
			prog.Done, prog.Current, prog.Skipped = prog.Done+p.Done, prog.Current+p.Current, prog.Skipped+p.Skipped
			if need {
				keep = append(keep, ch)
			}
			return err
		})
		if err != nil {
			return err
		}
		if len(keep) == 0 {
			return nil
		}
		// 2. The parent is still at this fan-out.
		if err := h.checkFanOut(ctx, parent, fo); err != nil {
			return err
		}
		// 3. Write.
		var again []*syncChild[C]
		err = forEach(ctx, keep, o.Concurrency, func(ch *syncChild[C]) error {
			err := h.writeChild(ctx, ch, src, fo.stamp, linked)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				prog.Done++
				return nil
			case errors.Is(err, dynamokit.ErrUnknownOutcome):
				// Not sent again blindly: read, and written again only on
				// condition of what is read, which the first write, if it
				// landed, changed.
				ch.unsure = true
			case errors.Is(err, dynamokit.ErrConditionFailed), errors.Is(err, dynamokit.ErrNotFound), errors.Is(err, dynamokit.ErrVersionConflict):
			default:
				return err
			}
			ch.read = false
			again = append(again, ch)
			return nil
		})
		if err != nil {
			return err
		}
		todo = again
	}
	return nil
}

// checkFanOut reads parent (a strongly consistent GetItem) and returns
// errSourceChanged unless it is still at fo: same stamp, same copied
// values.
func (h *HasMany[P, C]) checkFanOut(ctx context.Context, parent P, fo fanOut) error {
	p, stamp, found, err := h.readSource(ctx, parent)
	if err != nil {
		return err
	}
	if !found {
		return errSourceChanged
	}
	now, err := h.fanOutOf(&p, stamp)
	if err != nil {
		return err
	}
	if now != fo {
		return errSourceChanged
	}
	return nil
}

// forEach calls f for each element of items, n at once, and returns the
// first error; after one, the calls not started yet are not made.
func forEach[T any](ctx context.Context, items []T, n int, f func(T) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, max(n, 1))
	for _, it := range items {
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop {
			break
		}
		if err := ctx.Err(); err != nil {
			mu.Lock()
			if first == nil {
				first = err
			}
			mu.Unlock()
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(it); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}
