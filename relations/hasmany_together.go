package relations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/model"
)

// ParentWithChildren returns parent's item and all its children; parent
// needs only its key fields set. It returns [ErrParentNotFound] when the
// parent does not exist, whether or not children still point at it.
//
// When the relation declares [Spec.Together] (which [Declare] accepts only
// when the parent's item shares its children's partition), it is a single
// Query request (one per 1 MB of the partition): in an item collection
// whose parent and children have the same computed hash key (pk =
// "DEPT#{department_id}" on both), or in an inverted index that the parent
// also belongs to and that projects every attribute of the parent. Items
// of other entity types in that partition are left out (with a filter on
// the entity type when both models declare one), but DynamoDB still counts
// them as read. Otherwise it is a GetItem and a Query request, sent
// concurrently.
//
// It calls Query and GetItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
func (h *HasMany[P, C]) ParentWithChildren(ctx context.Context, parent P) (_ P, _ []C, rerr error) {
	ctx, op := clientlink.Start(ctx, h.parents.Client(), "HasMany.ParentWithChildren", h.parents.TableName())
	defer end(op, &rerr, h, h.parents.TableName())
	var (
		p    P
		kids []C
		err  error
	)
	if h.spec.Together {
		p, kids, err = h.readPartition(ctx, parent)
	} else {
		p, kids, err = h.readApart(ctx, parent)
	}
	if err != nil {
		var zero P
		return zero, nil, fmt.Errorf("relations: parent with children: %w", err)
	}
	return p, kids, nil
}

// readApart reads the parent and its children with two concurrent requests.
func (h *HasMany[P, C]) readApart(ctx context.Context, parent P) (P, []C, error) {
	var (
		wg      sync.WaitGroup
		kids    []C
		kidsErr error
	)
	wg.Go(func() { kids, kidsErr = h.query(parent).Collect(ctx) })
	p, err := h.parents.Get(ctx, parent)
	wg.Wait()
	if errors.Is(err, dynamokit.ErrNotFound) {
		err = fmt.Errorf("%w: %w", ErrParentNotFound, err)
	}
	if err = errors.Join(err, kidsErr); err != nil {
		var zero P
		return zero, nil, err
	}
	return p, kids, nil
}

// readPartition reads the parent and its children with one Query of the
// partition they share.
func (h *HasMany[P, C]) readPartition(ctx context.Context, parent P) (P, []C, error) {
	var (
		zero  P
		out   P
		found bool
		kids  []C
	)
	pm, cm := mapping.Must(h.parents.Model()), mapping.Must(h.children.Model())
	key, err := pm.KeyOf(&parent)
	if err != nil {
		return zero, nil, err
	}
	pt, err := h.partition(parent)
	if err != nil {
		return zero, nil, err
	}
	err = pt.each(ctx, h.children.Client(), func(item mapping.Item) error {
		switch {
		case !found && hasKey(item, key) && pm.IsEntity(item):
			found = true
			return pm.Decode(item, &out)
		case h.isChild(item):
			var c C
			if err := cm.Decode(item, &c); err != nil {
				return err
			}
			kids = append(kids, c)
		}
		return nil
	})
	if err != nil {
		return zero, nil, err
	}
	if !found {
		return zero, nil, ErrParentNotFound
	}
	return out, kids, nil
}

// partition returns the query of the partition parent shares with its
// children.
func (h *HasMany[P, C]) partition(parent P) (*partition, error) {
	pm, cm := mapping.Must(h.parents.Model()), mapping.Must(h.children.Model())
	ks := h.childKey()
	v, err := pm.Value(ks.Hash.Name, &parent)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("relations: partition attribute %s: %w", ks.Hash.Name, model.ErrEmptyKey)
	}
	pt := &partition{table: h.children.TableName(), index: h.spec.Index, attr: ks.Hash.Name, value: v}
	if pm.EntityType != nil && cm.EntityType != nil && pm.EntityType.Name == cm.EntityType.Name {
		pt.typeAttr, pt.entities = cm.EntityType.Name, []string{pm.Entity, cm.Entity}
	}
	return pt, nil
}

// childKey returns the key the children are found by: the child index's,
// or the table's in an item collection.
func (h *HasMany[P, C]) childKey() mapping.KeySchema {
	cm := mapping.Must(h.children.Model())
	if h.spec.Index == "" {
		return cm.Key
	}
	return cm.Index(h.spec.Index).Key
}

// isChild reports whether an item of the shared partition is a child: of
// the child's entity type and, when the child's sort key is computed with a
// literal prefix ("EMP#{employee_id}"), with a sort key that starts with it.
func (h *HasMany[P, C]) isChild(item mapping.Item) bool {
	if !mapping.Must(h.children.Model()).IsEntity(item) {
		return false
	}
	r := h.childKey().Range
	if r == nil || !r.Computed() || r.Template.Prefix() == "" {
		return true
	}
	s, ok := item[r.Name].(*types.AttributeValueMemberS)
	return ok && strings.HasPrefix(s.Value, r.Template.Prefix())
}

// hasKey reports whether item has the primary key key.
func hasKey(item, key mapping.Item) bool {
	for name, want := range key {
		if !itemcodec.EqualValues(item[name], want) {
			return false
		}
	}
	return true
}

// partition is a Query of one whole partition of a table or index, every
// entity type in it: a parent and its children together.
type partition struct {
	table, index string
	attr         string               // the hash key attribute
	value        types.AttributeValue // its value
	typeAttr     string               // the entity-type attribute, "" for no filter
	entities     []string             // the entity types to keep
}

// query is the Query request of the partition.
func (pt *partition) query() rawread.Query {
	q := rawread.Query{Read: rawread.Read{Table: pt.table, Index: pt.index}, Key: expression.Key(pt.attr).Equal(expression.Value(pt.value))}
	if pt.typeAttr != "" && len(pt.entities) > 0 {
		vals := make([]expression.OperandBuilder, len(pt.entities))
		for i, e := range pt.entities {
			vals[i] = expression.Value(e)
		}
		q.Filter = expression.NameNoDotSplit(pt.typeAttr).In(vals[0], vals[1:]...)
	}
	return q
}

// input builds the Query request without I/O.
func (pt *partition) input() (*dynamodb.QueryInput, error) { return rawread.QueryInput(pt.query()) }

// each calls fn with every item of the partition, page after page, each
// page a request through the client's executor.
func (pt *partition) each(ctx context.Context, c *dynamokit.Client, fn func(mapping.Item) error) error {
	return rawread.QueryEach(ctx, c.Executor(), pt.query(), fn)
}
