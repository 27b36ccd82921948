package query

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
)

// Update is a typed UpdateItem request, made with [Repo.Update]. Its methods
// record changes and return the Update so calls chain; the first error is
// kept and returned by [Update.Run], so a chain needs no error checks.
//
// An Update never creates an item: it is conditional on the item's
// existence and returns [ErrNotFound] when there is none.
type Update[T any] struct {
	r       *Repo[T]
	scratch T // the key value, with the new values of plain fields applied
	upd     expression.UpdateBuilder
	any     bool
	conds   []expression.ConditionBuilder
	touched map[string]bool // attributes changed
	removed map[string]bool
	err     error
}

// Update starts an update of the item with key's key. For a versioned model
// and a key whose version is not 0, the update also requires that version
// (or returns [ErrVersionConflict]); a version attribute is always
// incremented, and an updated attribute set to now.
//
// It calls UpdateItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
func (r *Repo[T]) Update(key T) *Update[T] {
	return &Update[T]{r: r, scratch: key, touched: map[string]bool{}, removed: map[string]bool{}}
}

func (u *Update[T]) setErr(err error) {
	if u.err == nil {
		u.err = err
	}
}

// attr checks that name is a non-key attribute of the model.
func (u *Update[T]) attr(op, n string) *model.Attribute {
	a := u.r.m.Attribute(n)
	switch {
	case a == nil:
		u.setErr(fmt.Errorf("query: %s %s: %s has no attribute %q", op, u.r.table, u.r.m.Type, n))
	case a == u.r.m.Key.Hash || a == u.r.m.Key.Range:
		u.setErr(fmt.Errorf("query: %s %s: %q is part of the key and cannot be updated", op, u.r.table, n))
		return nil
	case a.Computed():
		u.setErr(fmt.Errorf("query: %s %s: %q is computed from other attributes", op, u.r.table, n))
		return nil
	}
	return a
}

func (u *Update[T]) value(v any) expression.ValueBuilder {
	av, err := marshal(v)
	if err != nil {
		u.setErr(fmt.Errorf("query: update %s: %w", u.r.table, err))
	}
	return expression.Value(av)
}

func (u *Update[T]) change(n string, f func(expression.NameBuilder)) *Update[T] {
	u.touched[n] = true
	u.any = true
	f(name(n))
	return u
}

// Set sets an attribute to v. Setting an attribute that a computed attribute
// refers to also recomputes that attribute.
func (u *Update[T]) Set(attr string, v any) *Update[T] {
	a := u.attr("set", attr)
	if a == nil {
		return u
	}
	u.assign(a, v)
	return u.change(attr, func(n expression.NameBuilder) { u.upd = u.upd.Set(n, u.value(v)) })
}

// assign mirrors a new value into the scratch copy used to recompute
// computed attributes.
func (u *Update[T]) assign(a *model.Attribute, v any) {
	if a.Index == nil {
		return
	}
	f := reflect.ValueOf(&u.scratch).Elem().FieldByIndex(a.Index)
	rv := reflect.ValueOf(v)
	if rv.IsValid() && rv.Type().AssignableTo(f.Type()) {
		f.Set(rv)
	} else if rv.IsValid() && rv.Type().ConvertibleTo(f.Type()) && rv.Kind() == f.Kind() {
		f.Set(rv.Convert(f.Type()))
	}
}

// SetIfNotExists sets an attribute to v only if it has no value yet.
func (u *Update[T]) SetIfNotExists(attr string, v any) *Update[T] {
	if u.attr("set", attr) == nil {
		return u
	}
	return u.change(attr, func(n expression.NameBuilder) { u.upd = u.upd.Set(n, n.IfNotExists(u.value(v))) })
}

// Remove deletes attributes from the item.
func (u *Update[T]) Remove(attrs ...string) *Update[T] {
	for _, attr := range attrs {
		a := u.attr("remove", attr)
		if a == nil {
			return u
		}
		u.removed[attr] = true
		if a.Index != nil {
			f := reflect.ValueOf(&u.scratch).Elem().FieldByIndex(a.Index)
			f.SetZero()
		}
		u.change(attr, func(n expression.NameBuilder) { u.upd = u.upd.Remove(n) })
	}
	return u
}

// Add adds v to a number attribute, or adds the elements of the set v to a
// set attribute.
func (u *Update[T]) Add(attr string, v any) *Update[T] {
	if u.attr("add", attr) == nil {
		return u
	}
	return u.change(attr, func(n expression.NameBuilder) { u.upd = u.upd.Add(n, u.value(v)) })
}

// DeleteFromSet removes the elements of the set v from a set attribute.
func (u *Update[T]) DeleteFromSet(attr string, v any) *Update[T] {
	if u.attr("delete", attr) == nil {
		return u
	}
	return u.change(attr, func(n expression.NameBuilder) { u.upd = u.upd.Delete(n, u.value(v)) })
}

// Append appends the elements of the list v to a list attribute.
func (u *Update[T]) Append(attr string, v any) *Update[T] {
	if u.attr("append", attr) == nil {
		return u
	}
	return u.change(attr, func(n expression.NameBuilder) {
		u.upd = u.upd.Set(n, expression.ListAppend(n.IfNotExists(expression.Value(&types.AttributeValueMemberL{})), u.value(v)))
	})
}

// Prepend inserts the elements of the list v before a list attribute's.
func (u *Update[T]) Prepend(attr string, v any) *Update[T] {
	if u.attr("prepend", attr) == nil {
		return u
	}
	return u.change(attr, func(n expression.NameBuilder) {
		u.upd = u.upd.Set(n, expression.ListAppend(u.value(v), n.IfNotExists(expression.Value(&types.AttributeValueMemberL{}))))
	})
}

// If adds a condition that must hold for the update to happen; otherwise
// Run returns [ErrConditionFailed]. Several conditions are joined with AND.
func (u *Update[T]) If(cond expression.ConditionBuilder) *Update[T] {
	u.conds = append(u.conds, cond)
	return u
}

// Run performs the update.
func (u *Update[T]) Run(ctx context.Context) error {
	_, err := u.run(ctx, types.ReturnValueNone)
	return err
}

// Value performs the update and returns the item as it is afterwards.
func (u *Update[T]) Value(ctx context.Context) (T, error) {
	var zero T
	out, err := u.run(ctx, types.ReturnValueAllNew)
	if err != nil {
		return zero, err
	}
	v, err := u.r.decode(out.Attributes)
	if err != nil {
		return zero, wrap("update", u.r.table, err, nil)
	}
	return v, nil
}

func (u *Update[T]) run(ctx context.Context, rv types.ReturnValue) (*dynamodb.UpdateItemOutput, error) {
	in, err := u.input()
	if err != nil {
		return nil, wrap("update", u.r.table, err, nil)
	}
	in.ReturnValues = rv
	out, err := u.r.db.Client().UpdateItem(ctx, in)
	if err != nil {
		return nil, u.classify(err)
	}
	return out, nil
}

// classify tells a missing item, a stale version and a failed condition
// apart, using the item DynamoDB returns with the failure.
func (u *Update[T]) classify(err error) error {
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return wrap("update", u.r.table, err, nil)
	}
	return &OpError{Op: "update", Table: u.r.table, Kind: u.failureKind(ccf.Item), Err: err}
}

func (u *Update[T]) failureKind(old map[string]types.AttributeValue) error {
	if old == nil {
		return ErrNotFound
	}
	if v := u.r.m.Version; v != nil {
		want := u.r.version(reflect.ValueOf(&u.scratch).Elem())
		if n, ok := old[v.Name].(*types.AttributeValueMemberN); want != 0 && (!ok || n.Value != itoa(want)) {
			return ErrVersionConflict
		}
	}
	return ErrConditionFailed
}

// input builds the UpdateItem request without I/O.
func (u *Update[T]) input() (*dynamodb.UpdateItemInput, error) {
	if u.err != nil {
		return nil, u.err
	}
	r := u.r
	key, err := r.m.KeyOf(&u.scratch)
	if err != nil {
		return nil, err
	}
	upd := u.upd
	conds := append([]expression.ConditionBuilder{r.keyExists()}, u.conds...)
	if err := u.recompute(&upd); err != nil {
		return nil, err
	}
	if a := r.m.Updated; a != nil && !u.touched[a.Name] {
		av, err := marshal(r.now())
		if err != nil {
			return nil, err
		}
		if a.UnixTime || a.Type == "N" {
			av = &types.AttributeValueMemberN{Value: itoa(r.now().Unix())}
		}
		upd = upd.Set(name(a.Name), expression.Value(av))
	}
	if a := r.m.Version; a != nil {
		if v := r.version(reflect.ValueOf(&u.scratch).Elem()); v != 0 {
			conds = append(conds, name(a.Name).Equal(expression.Value(&types.AttributeValueMemberN{Value: itoa(v)})))
		}
		upd = upd.Add(name(a.Name), expression.Value(&types.AttributeValueMemberN{Value: "1"}))
	}
	if !u.any && r.m.Version == nil && r.m.Updated == nil {
		return nil, fmt.Errorf("query: update %s: nothing to update", r.table)
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(and(conds)).Build()
	if err != nil {
		return nil, err
	}
	return &dynamodb.UpdateItemInput{
		TableName:                           aws.String(r.table),
		Key:                                 key,
		UpdateExpression:                    expr.Update(),
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}, nil
}

// recompute sets (or removes) every computed non-key attribute that refers
// to a changed attribute, so single-table index keys follow their fields.
func (u *Update[T]) recompute(upd *expression.UpdateBuilder) error {
	m := u.r.m
	for _, a := range m.Attributes {
		if !a.Computed() || a == m.Key.Hash || a == m.Key.Range {
			continue
		}
		changed, removed := false, false
		for _, ref := range a.Template.Refs() {
			changed = changed || u.touched[ref.Name]
			removed = removed || u.removed[ref.Name]
		}
		if !changed {
			continue
		}
		if removed {
			*upd = upd.Remove(name(a.Name))
			continue
		}
		av, err := m.Value(a.Name, &u.scratch)
		if err != nil {
			return err
		}
		if av == nil {
			return fmt.Errorf("query: update %s: computing %s needs every attribute of %q in the key value", u.r.table, a.Name, a.Template.Source)
		}
		*upd = upd.Set(name(a.Name), expression.Value(av))
	}
	return nil
}
