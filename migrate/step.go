package migrate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
)

// Item is a DynamoDB item, as the SDK represents it: what a raw [Step]
// reads and returns.
type Item = map[string]types.AttributeValue

// Step is what a [Migration] does to one item: it takes the item as it is
// stored and returns it as it should be. Make one with [Func] (raw
// attribute maps), [Typed] (a function on the model type), or a ready-made
// step: [RenderKeys], [Rename], [Copy], [Drop], [Fill], [Also]; [Chain]
// runs several in order. The zero Step leaves items as they are.
//
// A step must be a pure function of the item (and of what it reads): the
// runner calls it again when the item changed since it was read, and on
// every run, where an item it already migrated must come out unchanged
// (that is how a rerun skips it).
type Step struct {
	name  string
	apply func(ctx context.Context, item Item) (Item, error)
	// model is the type a typed step decodes into (nil: any).
	model reflect.Type
	// also returns the extra actions of an item's write ([Also]).
	also []func(ctx context.Context, item Item) ([]dynamokit.TxAction, error)
	// err is a mistake in how the step was made, returned by Register and
	// Apply.
	err error
}

// ErrSkip, returned by a step, leaves the item as it is: the runner counts
// it as skipped.
var ErrSkip = errors.New("migrate: skip this item")

// Func returns a step on raw items. fn receives a copy of the item it may
// change and return (or return a new map).
//
//	migrate.Func("lowercase email", func(ctx context.Context, it migrate.Item) (migrate.Item, error) {
//		if s, ok := it["email"].(*types.AttributeValueMemberS); ok {
//			it["email"] = &types.AttributeValueMemberS{Value: strings.ToLower(s.Value)}
//		}
//		return it, nil
//	})
func Func(name string, fn func(ctx context.Context, item Item) (Item, error)) Step {
	return Step{name: name, apply: fn}
}

// Typed returns a step on the model type T: the item is decoded into a T
// (attributes T does not declare are ignored, and missing ones left
// zero), fn changes it, and it is encoded again by the current model, so
// its computed keys, index attributes and templates are rendered anew.
// Attributes of the stored item that T does not declare (such as a
// relation's children counter) are kept. A nil fn only re-renders: see
// [RenderKeys].
//
// The runner checks that T is the model it migrates.
func Typed[T any](fn func(ctx context.Context, v *T) error) Step {
	name := "typed " + reflect.TypeFor[T]().String()
	return Step{name: name, model: reflect.TypeFor[T](), apply: func(ctx context.Context, item Item) (Item, error) {
		m, err := mapping.Of[T]()
		if err != nil {
			return nil, err
		}
		var v T
		if err := m.Decode(item, &v); err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		if fn != nil {
			if err := fn(ctx, &v); err != nil {
				return nil, err
			}
		}
		out, err := m.Encode(&v)
		if err != nil {
			return nil, fmt.Errorf("encode: %w", err)
		}
		for name, av := range item {
			if m.Attribute(name) == nil {
				if _, set := out[name]; !set {
					out[name] = av
				}
			}
		}
		return out, nil
	}}
}

// RenderKeys is the step that re-renders an item's keys, index key
// attributes and templates from the current model T (after a change of a
// key template, or a new computed index attribute), leaving its data as
// it is.
func RenderKeys[T any]() Step {
	s := Typed[T](nil)
	s.name = "render keys of " + reflect.TypeFor[T]().String()
	return s
}

// Rename moves attribute from to attribute to: an item that has from gets
// to with its value (replacing any), and loses from. An item without from
// is left as it is.
func Rename(from, to string) Step {
	return Step{name: "rename " + from + " to " + to, apply: func(_ context.Context, item Item) (Item, error) {
		av, ok := item[from]
		if !ok || from == to {
			return item, nil
		}
		item[to] = av
		delete(item, from)
		return item, nil
	}}
}

// Copy copies attribute from to attribute to, where to is missing. An
// item without from, or that has to already, is left as it is.
func Copy(from, to string) Step {
	return Step{name: "copy " + from + " to " + to, apply: func(_ context.Context, item Item) (Item, error) {
		av, ok := item[from]
		if _, has := item[to]; ok && !has {
			item[to] = av
		}
		return item, nil
	}}
}

// Drop removes the named attributes from every item.
func Drop(attrs ...string) Step {
	return Step{name: fmt.Sprintf("drop %v", attrs), apply: func(_ context.Context, item Item) (Item, error) {
		for _, a := range attrs {
			delete(item, a)
		}
		return item, nil
	}}
}

// Fill sets attribute attr, where an item lacks it, to what value returns
// for the item (nil: leave it missing): the backfill of a new attribute,
// such as the key of a new index. A computed index attribute (a template)
// is filled by [RenderKeys] instead.
func Fill(attr string, value func(item Item) (types.AttributeValue, error)) Step {
	return Step{name: "fill " + attr, apply: func(_ context.Context, item Item) (Item, error) {
		if _, ok := item[attr]; ok {
			return item, nil
		}
		av, err := value(item)
		if err != nil {
			return nil, err
		}
		if av != nil {
			item[attr] = av
		}
		return item, nil
	}}
}

// Also is a step that leaves the item as it is and adds the actions fn
// returns (for the item as the steps before it left it) to the
// transaction that writes the item, or, for an item the migration does not
// change, to a transaction with a check that it is still as read: the way
// to backfill items that live beside the migrated ones, such as
// uniqueness records. The actions must be idempotent (a rerun sends them
// again for every item); one whose condition fails makes the item count
// as failed, with the action's error recorded, and the run go on. An
// item written only for its actions counts as skipped.
func Also(name string, fn func(ctx context.Context, item Item) ([]dynamokit.TxAction, error)) Step {
	return Step{name: name, also: []func(context.Context, Item) ([]dynamokit.TxAction, error){fn}}
}

// Chain returns a step that runs steps in order, each on what the one
// before returned.
func Chain(steps ...Step) Step {
	out := Step{name: "chain"}
	for _, s := range steps {
		if s.err != nil && out.err == nil {
			out.err = s.err
		}
		if s.model != nil {
			if out.model != nil && out.model != s.model && out.err == nil {
				out.err = fmt.Errorf("migrate: a chain of steps typed on %s and on %s", out.model, s.model)
			}
			out.model = s.model
		}
		out.also = append(out.also, s.also...)
	}
	out.apply = func(ctx context.Context, item Item) (Item, error) {
		for _, s := range steps {
			var err error
			if item, err = s.run(ctx, item); err != nil {
				return nil, err
			}
		}
		return item, nil
	}
	return out
}

// String returns the step's name.
func (s Step) String() string {
	if s.name == "" {
		return "no change"
	}
	return s.name
}

// Apply applies the step to a copy of item and returns the result; item
// itself is not changed. It is also the read-time upgrade of an item read
// in the old shape while a migration runs: see [Upgrade].
func (s Step) Apply(ctx context.Context, item Item) (Item, error) {
	return s.run(ctx, maps.Clone(item))
}

// run applies the step to item, which it may change.
func (s Step) run(ctx context.Context, item Item) (Item, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.apply == nil {
		return item, nil
	}
	out, err := s.apply(ctx, item)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("migrate: step %s returned no item (return ErrSkip to leave an item as it is)", s)
	}
	return out, nil
}

// actions returns the extra actions of the item's write.
func (s Step) actions(ctx context.Context, item Item) ([]dynamokit.TxAction, error) {
	var out []dynamokit.TxAction
	for _, fn := range s.also {
		a, err := fn(ctx, item)
		if err != nil {
			return nil, err
		}
		out = append(out, a...)
	}
	return out, nil
}

// Upgrade applies step to an item read in either shape (old or new) and
// decodes the result into a T: the read-time upgrade that lets an
// application read items while a migration rewrites them. A step that is
// idempotent, as a migration's must be, leaves an item already in the new
// shape as it is.
//
//	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: oldKey})
//	emp, err := migrate.Upgrade[Employee](ctx, out.Item, addTenant.Step)
func Upgrade[T any](ctx context.Context, item Item, step Step) (T, error) {
	var v T
	m, err := mapping.Of[T]()
	if err != nil {
		return v, err
	}
	if step.model != nil && step.model != m.Type {
		return v, fmt.Errorf("migrate: upgrade: step %s is typed on %s, not %s", step, step.model, m.Type)
	}
	out, err := step.Apply(ctx, item)
	if err != nil {
		return v, fmt.Errorf("migrate: upgrade: %w", err)
	}
	if err := m.Decode(out, &v); err != nil {
		return v, fmt.Errorf("migrate: upgrade: %w", err)
	}
	return v, nil
}
