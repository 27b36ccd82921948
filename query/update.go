package query

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// Update is a typed UpdateItem request, made with [Table.Update]. Its methods
// record changes and return the Update so calls chain; the first error is
// kept and returned by [Update.Run], so a chain needs no error checks.
// Attribute names are the model's DynamoDB names; each value is encoded
// once, by its attribute's own field encoder, as the item's field is (a set
// attribute as a set, a unixtime or TTL time as a number, a custom
// marshaler through its method), and must be of the field's Go type, a
// pointer to it, or a value of a predeclared Go type of the same kind that
// converts without loss (an untyped constant's int for an int64 field, a
// string for a named string type); a computed attribute holds strings.
//
// An Update never creates an item: it is conditional on the item's
// existence and returns [dynamokit.ErrNotFound] when there is none. It may be run
// more than once, and used as a [dynamokit.Client.WriteTx] action.
type Update[T any] struct {
	r       *Table[T]
	scratch T // the key value, with the new values of plain fields applied
	ops     []updateOp
	conds   []expression.ConditionBuilder
	touched map[string]bool // attributes changed
	removed map[string]bool // attributes removed
	unknown map[string]bool // attributes whose new value is known only to DynamoDB
	sets    mapping.Item    // the values set, and NULL for those removed, for write checks
	err     error
}

// updateOp adds one action to an update expression. Actions are kept as
// functions and applied to a new expression.UpdateBuilder by each call of
// input, because UpdateBuilder's methods write into a map shared by copies.
type updateOp func(expression.UpdateBuilder) expression.UpdateBuilder

// Update starts an update of the item with key's key. For a versioned model
// and a key whose version is not 0, the update also requires that version
// (or returns [dynamokit.ErrVersionConflict]); a version attribute is always
// incremented, and an updated attribute set to now. Computed attributes
// that refer to a changed attribute (one set or removed, the updated
// stamp, the version) are recomputed in the same request from the values
// the item has afterwards: key's fields, the new values, now and the new
// version. So key must hold every field they refer to, and, for a
// template on the version, the item's current version.
//
// It calls UpdateItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
func (r *Table[T]) Update(key T) *Update[T] {
	return &Update[T]{r: r, scratch: key, touched: map[string]bool{}, removed: map[string]bool{}, unknown: map[string]bool{}}
}

// setValue records the value an update gives attr, for write checks.
func (u *Update[T]) setValue(attr string, av types.AttributeValue) {
	if u.sets == nil {
		u.sets = make(mapping.Item, 1)
	}
	u.sets[attr] = av
}

func (u *Update[T]) setErr(err error) {
	if u.err == nil {
		u.err = err
	}
}

func (u *Update[T]) fail(op, format string, args ...any) {
	u.setErr(fmt.Errorf("query: %s: %s", op, fmt.Sprintf(format, args...)))
}

// attr returns the model attribute n, checking that an update may change
// it (and only once); nil after recording an error.
func (u *Update[T]) attr(op, n string) *mapping.Attribute {
	m := u.r.m
	a := m.Attribute(n)
	switch {
	case a == nil:
		u.fail(op, "%s has no attribute %q", m.Type, n)
	case a == m.Key.Hash || a == m.Key.Range:
		u.fail(op, "%q is part of the key and cannot be updated", n)
	case a.Computed():
		u.fail(op, "%q is computed from other attributes", n)
	case inKey(m, a):
		u.fail(op, "%q is part of the computed key; changing it would move the item: delete and re-create it instead", n)
	case a == m.Version:
		u.fail(op, "%q is the version attribute, which every update increments", n)
	case u.touched[n]:
		u.fail(op, "%q is changed twice in one update", n)
	default:
		return a
	}
	return nil
}

// inKey reports whether a computed table key refers to a.
func inKey(m *mapping.Model, a *mapping.Attribute) bool {
	for _, k := range [2]*mapping.Attribute{m.Key.Hash, m.Key.Range} {
		if k == nil || !k.Computed() {
			continue
		}
		for _, ref := range k.Template.Refs() {
			if ref == a {
				return true
			}
		}
	}
	return false
}

// record adds op as a change of attribute a.
func (u *Update[T]) record(a *mapping.Attribute, op updateOp) *Update[T] {
	u.touched[a.Name] = true
	u.ops = append(u.ops, op)
	return u
}

// Set sets an attribute to v, encoded by the attribute's field as in an
// item: v must be of the field's Go type (or convert to it without loss,
// as [Update] says), or the update fails, before any request, with an
// error naming the attribute and the type it holds. A value the item's
// encoding would omit (nil, "", an empty set, a zero value with omitempty)
// removes the attribute instead, as [Update.Remove]. A computed attribute that refers to attr is
// recomputed.
func (u *Update[T]) Set(attr string, v any) *Update[T] {
	a := u.attr("set", attr)
	if a == nil {
		return u
	}
	fv, err := a.Convert(v)
	if err != nil {
		u.setErr(fmt.Errorf("query: set: %w", err))
		return u
	}
	av, err := a.Encode(fv)
	if err != nil {
		u.setErr(fmt.Errorf("query: set: %w", err))
		return u
	}
	if av == nil {
		return u.Remove(attr)
	}
	u.assign(a, fv)
	u.setValue(attr, av)
	n := name(attr)
	return u.record(a, func(b expression.UpdateBuilder) expression.UpdateBuilder {
		return b.Set(n, expression.Value(av))
	})
}

// SetIfNotExists sets an attribute to v only if it has no value yet; v is
// checked and encoded as by [Update.Set], and must not be empty.
func (u *Update[T]) SetIfNotExists(attr string, v any) *Update[T] {
	a := u.attr("set", attr)
	if a == nil {
		return u
	}
	fv, err := a.Convert(v)
	if err != nil {
		u.setErr(fmt.Errorf("query: set: %w", err))
		return u
	}
	av, err := a.Encode(fv)
	if err == nil && av == nil {
		err = fmt.Errorf("%s: empty value", attr)
	}
	if err != nil {
		u.setErr(fmt.Errorf("query: set: %w", err))
		return u
	}
	u.unknown[attr] = true
	n := name(attr)
	return u.record(a, func(b expression.UpdateBuilder) expression.UpdateBuilder {
		return b.Set(n, n.IfNotExists(expression.Value(av)))
	})
}

// Remove deletes attributes from the item. Computed attributes that refer
// to one of them are removed too (so the item leaves a sparse index).
func (u *Update[T]) Remove(attrs ...string) *Update[T] {
	for _, attr := range attrs {
		a := u.attr("remove", attr)
		if a == nil {
			return u
		}
		u.removed[attr] = true
		f, err := a.SettableFieldOf(reflect.ValueOf(&u.scratch).Elem())
		if err != nil {
			u.setErr(fmt.Errorf("query: remove: %w", err))
			return u
		}
		f.SetZero()
		u.setValue(attr, &types.AttributeValueMemberNULL{Value: true})
		n := name(attr)
		u.record(a, func(b expression.UpdateBuilder) expression.UpdateBuilder { return b.Remove(n) })
	}
	return u
}

// Add adds the number v to a number attribute (a missing attribute counts
// as 0), or, for a set attribute, adds the elements of v as [Update.AddToSet]
// does. A number is encoded by the attribute's field, so it must fit the
// field's type: a negative number cannot be added to an unsigned field.
func (u *Update[T]) Add(attr string, v any) *Update[T] {
	a := u.attr("add", attr)
	if a == nil {
		return u
	}
	if a.Set {
		return u.setOp(a, "add", []any{v}, expression.UpdateBuilder.Add)
	}
	fv, err := a.Convert(v)
	if err != nil {
		u.setErr(fmt.Errorf("query: add: %w", err))
		return u
	}
	av, err := a.EncodeOperand(fv)
	if _, isNum := av.(*types.AttributeValueMemberN); err == nil && !isNum {
		err = fmt.Errorf("%s is stored as %s, not a number (only number and set attributes can be added to)", attr, typeName(av))
	}
	if err != nil {
		u.setErr(fmt.Errorf("query: add: %w", err))
		return u
	}
	u.unknown[attr] = true
	n := name(attr)
	return u.record(a, func(b expression.UpdateBuilder) expression.UpdateBuilder { return b.Add(n, expression.Value(av)) })
}

// typeName is the DynamoDB type of av, for errors.
func typeName(av types.AttributeValue) string {
	switch av.(type) {
	case nil:
		return "no value"
	case *types.AttributeValueMemberS:
		return "a string"
	case *types.AttributeValueMemberB:
		return "a binary"
	case *types.AttributeValueMemberBOOL:
		return "a boolean"
	case *types.AttributeValueMemberL:
		return "a list"
	case *types.AttributeValueMemberM:
		return "a map"
	case *types.AttributeValueMemberNULL:
		return "NULL"
	}
	return "a set"
}

// AddToSet adds elements to a set attribute (one tagged with the set
// option), creating the set if needed. Each element is a value of the
// set's element type, or a value of the attribute's own type whose
// elements are all added; they are encoded by the attribute's field, as
// in an item. With no elements it changes nothing.
func (u *Update[T]) AddToSet(attr string, elems ...any) *Update[T] {
	a := u.attr("add", attr)
	if a == nil {
		return u
	}
	return u.setOp(a, "add", elems, expression.UpdateBuilder.Add)
}

// DeleteFromSet removes elements from a set attribute; elements are given
// as for [Update.AddToSet]. A set left empty is removed by DynamoDB. With
// no elements it changes nothing.
func (u *Update[T]) DeleteFromSet(attr string, elems ...any) *Update[T] {
	a := u.attr("delete", attr)
	if a == nil {
		return u
	}
	return u.setOp(a, "delete", elems, expression.UpdateBuilder.Delete)
}

func (u *Update[T]) setOp(a *mapping.Attribute, op string, elems []any, f func(expression.UpdateBuilder, expression.NameBuilder, expression.ValueBuilder) expression.UpdateBuilder) *Update[T] {
	attr := a.Name
	if !a.Set {
		u.fail(op, "%s is not a set attribute (a set has the set option: dynamo:\"%s,set\")", attr, attr)
		return u
	}
	av, err := u.elements(a, elems)
	if err != nil {
		u.setErr(fmt.Errorf("query: %s: %w", op, err))
		return u
	}
	if av == nil {
		return u
	}
	u.unknown[attr] = true
	n := name(attr)
	return u.record(a, func(b expression.UpdateBuilder) expression.UpdateBuilder {
		return f(b, n, expression.Value(uniqueSet(av)))
	})
}

// elements encodes elems as a value of attribute a (a set or a list),
// encoded by its field; nil for no elements.
func (u *Update[T]) elements(a *mapping.Attribute, elems []any) (types.AttributeValue, error) {
	fv, err := a.Elements(elems)
	if err != nil || fv.Len() == 0 {
		return nil, err
	}
	return a.EncodeOperand(fv)
}

// Append appends the elements of the list v (or v itself, when it is an
// element) to a list attribute, creating the list if needed. Elements are
// encoded by the attribute's field, as in an item.
func (u *Update[T]) Append(attr string, v any) *Update[T] {
	return u.listOp("append", attr, v, false)
}

// Prepend inserts the elements of the list v (or v itself, when it is an
// element) before those of a list attribute, creating the list if needed.
func (u *Update[T]) Prepend(attr string, v any) *Update[T] {
	return u.listOp("prepend", attr, v, true)
}

func (u *Update[T]) listOp(op, attr string, v any, before bool) *Update[T] {
	a := u.attr(op, attr)
	if a == nil {
		return u
	}
	if a.Set {
		u.fail(op, "%s is a set attribute, not a list", attr)
		return u
	}
	av, err := u.elements(a, []any{v})
	if err != nil {
		u.setErr(fmt.Errorf("query: %s: %w", op, err))
		return u
	}
	if av == nil {
		av = &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
	}
	if _, ok := av.(*types.AttributeValueMemberL); !ok {
		u.fail(op, "%s is stored as %s, not a list", attr, typeName(av))
		return u
	}
	u.unknown[attr] = true
	n := name(attr)
	return u.record(a, func(b expression.UpdateBuilder) expression.UpdateBuilder {
		old := n.IfNotExists(expression.Value(&types.AttributeValueMemberL{Value: []types.AttributeValue{}}))
		if before {
			return b.Set(n, expression.ListAppend(expression.Value(av), old))
		}
		return b.Set(n, expression.ListAppend(old, expression.Value(av)))
	})
}

// If adds a condition that must hold for the update to happen; otherwise
// Run returns [dynamokit.ErrConditionFailed]. Several conditions are joined with AND.
// The condition is checked against the model and its values encoded by
// their attributes (see [Cond]); a mistake is returned by Run.
func (u *Update[T]) If(cond Cond) *Update[T] {
	c, err := cond.bind(u.r.m)
	if err != nil {
		u.setErr(fmt.Errorf("query: if: %w", err))
		return u
	}
	u.conds = append(u.conds, c)
	return u
}

// Run performs the update. It returns [dynamokit.ErrNotFound] when the item does not
// exist, [dynamokit.ErrVersionConflict] when its version is not key's, and
// [dynamokit.ErrConditionFailed] when a condition given with [Update.If] does not
// hold; any error means nothing was written. It asks DynamoDB for no item
// back, so unlike [Update.Value] it never decodes one.
func (u *Update[T]) Run(ctx context.Context) (err error) {
	ctx, op := clientlink.Start(ctx, u.r.c, "Update.Run", u.r.table)
	defer op.End(&err)
	_, _, err = u.run(ctx, types.ReturnValueNone)
	return err
}

// Value performs the update like [Update.Run] and returns the item as it
// is afterwards, read from the same UpdateItem response.
//
// The update is written before the returned item is decoded, and the item
// may hold attributes the update did not set (another program may have
// stored a value the model's field cannot hold), so decoding can fail only
// after the write. Value then returns the zero value and a
// *[dynamokit.Error] naming the key, holding a *[WrittenError] with the item
// as written: the write happened once, and a
// retry must use the new version (in WrittenError.Item), not the one the
// key value held. Any other error means nothing was written.
func (u *Update[T]) Value(ctx context.Context) (_ T, err error) {
	ctx, op := clientlink.Start(ctx, u.r.c, "Update.Value", u.r.table)
	defer op.End(&err)
	var zero T
	key, out, err := u.run(ctx, types.ReturnValueAllNew)
	if err != nil {
		return zero, err
	}
	v, err := u.r.decode(out)
	if err != nil {
		return zero, &dynamokit.Error{Op: "UpdateItem", Table: u.r.table, Key: key, Err: &WrittenError{Item: out, Err: err}}
	}
	return v, nil
}

// run sends the update and returns the key it was sent for with the item
// the response holds (with rv).
func (u *Update[T]) run(ctx context.Context, rv types.ReturnValue) (mapping.Item, map[string]types.AttributeValue, error) {
	w, err := u.write()
	if err != nil {
		return nil, nil, wrap("UpdateItem", u.r.table, err, nil)
	}
	noTx := ""
	if rv != types.ReturnValueNone {
		noTx = "the write rules add transaction items to this update, and a transaction returns no item: use Update.Run, then Table.Get"
	}
	out, err := u.r.send(ctx, w, rv, noTx)
	return w.Key, out, err
}

func (u *Update[T]) failureKind(old map[string]types.AttributeValue) error {
	return u.r.conditionKind(old, u.r.version(reflect.ValueOf(&u.scratch).Elem()))
}

// write builds the draft of the update, without I/O.
func (u *Update[T]) write() (*txn.Write, error) {
	if u.err != nil {
		return nil, u.err
	}
	r := u.r
	key, err := r.m.KeyOf(&u.scratch)
	if err != nil {
		return nil, err
	}
	var upd expression.UpdateBuilder
	for _, op := range u.ops {
		upd = op(upd)
	}
	changes := len(u.ops)
	// final is the item's values after the update, as far as they are
	// known: the key value with the new values of Set and Remove, the new
	// updated stamp and the new version. A copy of the scratch value, it is
	// written through SettableFieldOf, which leaves the scratch value alone.
	final := u.scratch
	fv := reflect.ValueOf(&final).Elem()
	now := clientlink.Now(r.c)
	stamp := r.m.Updated != nil && !u.touched[r.m.Updated.Name]
	if stamp {
		if err := setStamp(fv, r.m.Updated, now); err != nil {
			return nil, err
		}
	}
	version := r.version(fv)
	if r.m.Version != nil && version != 0 {
		if err := r.setVersion(fv, version+1); err != nil {
			return nil, err
		}
	}
	n, err := u.recompute(&upd, &final, version != 0)
	if err != nil {
		return nil, err
	}
	changes += n
	conds := append([]expression.ConditionBuilder{r.keyExists()}, r.isEntity()...)
	conds = append(conds, u.conds...)
	if stamp {
		av, err := stampValue(r.m.Updated, now)
		if err != nil {
			return nil, err
		}
		upd = upd.Set(name(r.m.Updated.Name), expression.Value(av))
		changes++
	}
	if a := r.m.Version; a != nil {
		if version != 0 {
			conds = append(conds, name(a.Name).Equal(expression.Value(&types.AttributeValueMemberN{Value: itoa(version)})))
		}
		upd = upd.Add(name(a.Name), expression.Value(&types.AttributeValueMemberN{Value: "1"}))
		changes++
	}
	if changes == 0 {
		return nil, errors.New("query: nothing to update")
	}
	w := r.draft("update", key)
	w.Update, w.Conds, w.Fail = &upd, conds, u.failureKind
	w.Attrs, w.Unknown = u.sets, slices.Sorted(maps.Keys(u.unknown))
	return w, nil
}

// recompute sets (or removes) every computed non-key attribute that refers
// to an attribute the update changes (one it sets or removes, the updated
// stamp, the version), rendered from final, the item's values after the
// update, so that index keys follow their fields. versionKnown says
// whether final holds the new version (the key value held the current
// one). It returns how many it changed.
func (u *Update[T]) recompute(upd *expression.UpdateBuilder, final *T, versionKnown bool) (int, error) {
	m := u.r.m
	n := 0
	for _, a := range m.Attributes {
		if !a.Computed() || a == m.Key.Hash || a == m.Key.Range || a == m.EntityType {
			continue
		}
		changed, removed := false, false
		for _, ref := range a.Template.Refs() {
			switch {
			case u.unknown[ref.Name]:
				return 0, fmt.Errorf("query: %s is computed from %s, so %s must be changed with Set or Remove", a.Name, ref.Name, ref.Name)
			case ref == m.Version && !versionKnown:
				return 0, fmt.Errorf("query: %s is computed from the version %s, which the update increments: the key value must hold the item's current version", a.Name, ref.Name)
			}
			changed = changed || u.touched[ref.Name] || ref == m.Updated || ref == m.Version
			removed = removed || u.removed[ref.Name]
		}
		if !changed {
			continue
		}
		n++
		if removed {
			*upd = upd.Remove(name(a.Name))
			continue
		}
		av, err := m.Value(a.Name, final)
		if err != nil {
			return 0, err
		}
		if av == nil {
			return 0, fmt.Errorf("query: computing %s needs every attribute of %q in the key value", a.Name, a.Template.Source)
		}
		*upd = upd.Set(name(a.Name), expression.Value(av))
	}
	return n, nil
}

// assign mirrors a new value, fv from [mapping.Attribute.Convert], into
// the scratch copy used to recompute computed attributes. The scratch
// copy shares nothing it writes with the caller's key value:
// SettableFieldOf replaces the embedded pointers on the way.
func (u *Update[T]) assign(a *mapping.Attribute, fv reflect.Value) {
	f, err := a.SettableFieldOf(reflect.ValueOf(&u.scratch).Elem())
	if err != nil {
		u.setErr(fmt.Errorf("query: set: %w", err))
		return
	}
	f.Set(fv)
}
