package query

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// Cond is a condition on an item, for [Query.Filter], [Scan.Filter],
// [Update.If], [Table.Delete], [Table.TxPut], [Table.TxDelete] and
// [Table.Check]. It is written as with the SDK's expression package, from
// attribute names ([Name], or [Path] for what the model does not declare)
// and values ([Value]):
//
//	query.Name("balance").GreaterThanEqual(query.Value(30))
//
// A Cond is checked and encoded by the model of the Table it is given to,
// before any request: every [Name] must be an attribute of the model, and
// every value is encoded by the attribute it is compared with, exactly as
// the item's field is (a unixtime time as a number, a set as a set, a
// custom marshaler through its own method). A value of a Go type the
// attribute cannot hold is an error naming the attribute, the type it
// holds and the type given. [Expr] takes a condition
// of the SDK's expression package as it is. The zero Cond is an error.
type Cond struct {
	kind  condKind
	attr  Attr       // the attribute on the left, or of a function
	size  bool       // the left is the size of attr
	right [2]Operand // the operands on the right of a comparison, between or in
	more  []Operand  // in: the operands after right
	arg   any        // contains: the value; begins_with: the prefix; attribute_type: the type
	conds []Cond     // and, or, not
	sdk   expression.ConditionBuilder
}

type condKind uint8

const (
	condNone condKind = iota
	condEqual
	condNotEqual
	condLess
	condLessEqual
	condGreater
	condGreaterEqual
	condBetween
	condIn
	condExists
	condNotExists
	condType
	condBeginsWith
	condContains
	condAnd
	condOr
	condNot
	condSDK
)

// Operand is one side of a comparison: an attribute ([Name], [Path]), a
// [Value], or the [Attr.Size] of an attribute.
type Operand interface {
	// build returns the SDK operand; a value is encoded by peer, the
	// attribute it is compared with (nil: by guregu/dynamo's rules).
	build(m *mapping.Model, peer *mapping.Attribute) (expression.OperandBuilder, error)
}

// Attr is an attribute in a condition, made with [Name] or [Path].
type Attr struct {
	name string
	path bool // Path: not checked, split at dots
}

// Name returns the attribute of the model called attr, for a condition.
// The name is checked against the model of the Table the condition is
// given to: a name the model lacks is an error before any request. It is
// never split at dots, so every attribute name a model may have works
// ("a.b", "#x", "first name"); like every name and value, it is sent as a
// placeholder.
func Name(attr string) Attr { return Attr{name: attr} }

// Path returns a document path such as "address.city" or "items[0].sku",
// split at dots like expression.Name: the escape hatch for nested
// attributes and attributes the model does not declare. A path is not
// checked against the model, and values compared with it are encoded by
// guregu/dynamo's rules for their Go type, not by a field's tag (a
// types.AttributeValue is used as it is).
func Path(path string) Attr { return Attr{name: path, path: true} }

// Val is a value in a condition, made with [Value].
type Val struct{ v any }

// Value returns the value v for a condition. It is encoded by the
// attribute it is compared with, as that attribute's field is encoded in
// an item, so v must be of the field's Go type (or convert to it without
// loss, as an untyped constant does).
func Value(v any) Val { return Val{v: v} }

// Size is the size of an attribute in a condition, made with [Attr.Size].
// Values compared with it are numbers.
type Size struct{ attr Attr }

// name returns the SDK name of a, checked against m unless a is a path,
// and the model attribute (nil for a path).
func (a Attr) resolve(m *mapping.Model) (expression.NameBuilder, *mapping.Attribute, error) {
	if a.name == "" {
		return expression.NameBuilder{}, nil, errors.New("empty attribute name")
	}
	if a.path {
		return expression.Name(a.name), nil, nil
	}
	at := m.Attribute(a.name)
	if at == nil {
		return expression.NameBuilder{}, nil, fmt.Errorf("%s has no attribute %q (use query.Path for one the model does not declare)", m.Type, a.name)
	}
	return expression.NameNoDotSplit(a.name), at, nil
}

func (a Attr) build(m *mapping.Model, _ *mapping.Attribute) (expression.OperandBuilder, error) {
	n, _, err := a.resolve(m)
	return n, err
}

func (s Size) build(m *mapping.Model, _ *mapping.Attribute) (expression.OperandBuilder, error) {
	n, _, err := s.attr.resolve(m)
	return n.Size(), err
}

func (v Val) build(_ *mapping.Model, peer *mapping.Attribute) (expression.OperandBuilder, error) {
	av, err := encodeOperand(peer, v.v)
	if err != nil {
		return nil, err
	}
	return expression.Value(av), nil
}

// encodeOperand encodes v as a value compared with attribute a, or by
// guregu/dynamo's rules when a is nil.
func encodeOperand(a *mapping.Attribute, v any) (types.AttributeValue, error) {
	if a == nil {
		return marshal(v)
	}
	fv, err := a.Convert(v)
	if err != nil {
		return nil, err
	}
	av, err := a.EncodeOperand(fv)
	if err != nil {
		return nil, err
	}
	if av == nil {
		return nil, fmt.Errorf("attribute %s: %#v is stored as no attribute: test for it with AttributeNotExists", a.Name, v)
	}
	return av, nil
}

func (a Attr) cmp(k condKind, right, upper Operand) Cond {
	return Cond{kind: k, attr: a, right: [2]Operand{right, upper}}
}

// Equal is the condition that the attribute equals right.
func (a Attr) Equal(right Operand) Cond { return a.cmp(condEqual, right, nil) }

// NotEqual is the condition that the attribute does not equal right.
func (a Attr) NotEqual(right Operand) Cond { return a.cmp(condNotEqual, right, nil) }

// LessThan is the condition that the attribute is less than right.
func (a Attr) LessThan(right Operand) Cond { return a.cmp(condLess, right, nil) }

// LessThanEqual is the condition that the attribute is at most right.
func (a Attr) LessThanEqual(right Operand) Cond { return a.cmp(condLessEqual, right, nil) }

// GreaterThan is the condition that the attribute is greater than right.
func (a Attr) GreaterThan(right Operand) Cond { return a.cmp(condGreater, right, nil) }

// GreaterThanEqual is the condition that the attribute is at least right.
func (a Attr) GreaterThanEqual(right Operand) Cond { return a.cmp(condGreaterEqual, right, nil) }

// Between is the condition that the attribute is between lower and upper,
// inclusive.
func (a Attr) Between(lower, upper Operand) Cond { return a.cmp(condBetween, lower, upper) }

// In is the condition that the attribute equals one of the operands.
func (a Attr) In(right Operand, other ...Operand) Cond {
	c := a.cmp(condIn, right, nil)
	if len(other) > 0 {
		c.right[1], c.more = other[0], other[1:]
	}
	return c
}

// AttributeExists is the condition that the item has the attribute.
func (a Attr) AttributeExists() Cond { return Cond{kind: condExists, attr: a} }

// AttributeNotExists is the condition that the item lacks the attribute.
func (a Attr) AttributeNotExists() Cond { return Cond{kind: condNotExists, attr: a} }

// AttributeType is the condition that the attribute has the DynamoDB type t.
func (a Attr) AttributeType(t expression.DynamoDBAttributeType) Cond {
	return Cond{kind: condType, attr: a, arg: t}
}

// BeginsWith is the condition that the attribute, a string, begins with
// prefix, compared with the stored string as it is.
func (a Attr) BeginsWith(prefix string) Cond {
	return Cond{kind: condBeginsWith, attr: a, arg: prefix}
}

// Contains is the condition that the attribute holds v: for a set or list
// attribute, v is an element, encoded as the attribute's elements are;
// for a string attribute, v is a substring.
func (a Attr) Contains(v any) Cond { return Cond{kind: condContains, attr: a, arg: v} }

// Size returns the size of the attribute, for a comparison with a number.
func (a Attr) Size() Size { return Size{attr: a} }

func (s Size) cmp(k condKind, right, upper Operand) Cond {
	c := s.attr.cmp(k, right, upper)
	c.size = true
	return c
}

// Equal is the condition that the size equals right.
func (s Size) Equal(right Operand) Cond { return s.cmp(condEqual, right, nil) }

// NotEqual is the condition that the size does not equal right.
func (s Size) NotEqual(right Operand) Cond { return s.cmp(condNotEqual, right, nil) }

// LessThan is the condition that the size is less than right.
func (s Size) LessThan(right Operand) Cond { return s.cmp(condLess, right, nil) }

// LessThanEqual is the condition that the size is at most right.
func (s Size) LessThanEqual(right Operand) Cond { return s.cmp(condLessEqual, right, nil) }

// GreaterThan is the condition that the size is greater than right.
func (s Size) GreaterThan(right Operand) Cond { return s.cmp(condGreater, right, nil) }

// GreaterThanEqual is the condition that the size is at least right.
func (s Size) GreaterThanEqual(right Operand) Cond { return s.cmp(condGreaterEqual, right, nil) }

// Between is the condition that the size is between lower and upper,
// inclusive.
func (s Size) Between(lower, upper Operand) Cond { return s.cmp(condBetween, lower, upper) }

// And is the condition that left, right and every other condition hold.
func And(left, right Cond, other ...Cond) Cond {
	return Cond{kind: condAnd, conds: append([]Cond{left, right}, other...)}
}

// Or is the condition that at least one of left, right and other holds.
func Or(left, right Cond, other ...Cond) Cond {
	return Cond{kind: condOr, conds: append([]Cond{left, right}, other...)}
}

// Not is the condition that c does not hold.
func Not(c Cond) Cond { return Cond{kind: condNot, conds: []Cond{c}} }

// And is [And] with c first.
func (c Cond) And(right Cond, other ...Cond) Cond { return And(c, right, other...) }

// Or is [Or] with c first.
func (c Cond) Or(right Cond, other ...Cond) Cond { return Or(c, right, other...) }

// Not is [Not] of c.
func (c Cond) Not() Cond { return Not(c) }

// Expr returns a condition built with the SDK's expression package,
// used as it is: its names are not checked against the model, and its
// values are encoded by the SDK's attributevalue package, whose rules
// differ from the model's (a time.Time is an RFC 3339 string even for a
// unixtime attribute). Prefer [Name] and [Value]; Expr is for what they
// cannot say.
func Expr(c expression.ConditionBuilder) Cond { return Cond{kind: condSDK, sdk: c} }

// errEmptyCond is the error of the zero Cond.
var errEmptyCond = errors.New("empty condition")

// bind checks c against m and encodes its values, returning the SDK
// condition.
func (c Cond) bind(m *mapping.Model) (expression.ConditionBuilder, error) {
	var zero expression.ConditionBuilder
	switch c.kind {
	case condNone:
		return zero, errEmptyCond
	case condSDK:
		if !c.sdk.IsSet() {
			return zero, errEmptyCond
		}
		return c.sdk, nil
	case condAnd, condOr, condNot:
		bs := make([]expression.ConditionBuilder, len(c.conds))
		for i, sub := range c.conds {
			b, err := sub.bind(m)
			if err != nil {
				return zero, err
			}
			bs[i] = b
		}
		switch c.kind {
		case condAnd:
			return expression.And(bs[0], bs[1], bs[2:]...), nil
		case condOr:
			return expression.Or(bs[0], bs[1], bs[2:]...), nil
		}
		return expression.Not(bs[0]), nil
	case condExists, condNotExists, condType, condBeginsWith, condContains:
		return c.bindFunc(m)
	}
	return c.bindCompare(m)
}

// bindCompare binds a comparison, between or in. Values are encoded by
// the attribute on the left (as numbers for its size), or, when that is
// a path, by guregu/dynamo's rules; an attribute on the right is checked.
func (c Cond) bindCompare(m *mapping.Model) (expression.ConditionBuilder, error) {
	var zero expression.ConditionBuilder
	n, peer, err := c.attr.resolve(m)
	if err != nil {
		return zero, err
	}
	if what := rangeWhat(c.kind); what != "" && !c.size {
		if err := c.orderedTimes(m, peer, what); err != nil {
			return zero, err
		}
	}
	var left expression.OperandBuilder = n
	if c.size {
		left, peer = n.Size(), nil
		for _, op := range c.right {
			if v, ok := op.(Val); ok && !isGoNumber(v.v) {
				return zero, fmt.Errorf("the size of %s is a number, not %T", c.attr.name, v.v)
			}
		}
	}
	var right [2]expression.OperandBuilder
	for i, op := range c.right {
		if op == nil {
			if i == 0 || c.kind == condBetween {
				return zero, errors.New("nil operand")
			}
			continue
		}
		if right[i], err = op.build(m, peer); err != nil {
			return zero, err
		}
	}
	switch c.kind {
	case condEqual:
		return expression.Equal(left, right[0]), nil
	case condNotEqual:
		return expression.NotEqual(left, right[0]), nil
	case condLess:
		return expression.LessThan(left, right[0]), nil
	case condLessEqual:
		return expression.LessThanEqual(left, right[0]), nil
	case condGreater:
		return expression.GreaterThan(left, right[0]), nil
	case condGreaterEqual:
		return expression.GreaterThanEqual(left, right[0]), nil
	case condBetween:
		return expression.Between(left, right[0], right[1]), nil
	}
	if right[1] == nil {
		return expression.In(left, right[0]), nil
	}
	other := make([]expression.OperandBuilder, 1, 1+len(c.more))
	other[0] = right[1]
	for _, op := range c.more {
		if op == nil {
			return zero, errors.New("nil operand")
		}
		b, err := op.build(m, peer)
		if err != nil {
			return zero, err
		}
		other = append(other, b)
	}
	return expression.In(left, right[0], other...), nil
}

// bindFunc binds a condition function on one attribute.
func (c Cond) bindFunc(m *mapping.Model) (expression.ConditionBuilder, error) {
	var zero expression.ConditionBuilder
	n, a, err := c.attr.resolve(m)
	if err != nil {
		return zero, err
	}
	switch c.kind {
	case condExists:
		return expression.AttributeExists(n), nil
	case condNotExists:
		return expression.AttributeNotExists(n), nil
	case condType:
		return expression.AttributeType(n, c.arg.(expression.DynamoDBAttributeType)), nil
	case condBeginsWith:
		if err := refuseUnordered(a, "begins_with", true); err != nil {
			return zero, err
		}
		if a != nil && a.Type == model.Number {
			return zero, fmt.Errorf("attribute %s holds %s values, which are numbers: begins_with works on strings", a.Name, a.GoType)
		}
		return expression.BeginsWith(n, c.arg.(string)), nil
	}
	av, err := containsOperand(a, c.arg)
	if err != nil {
		return zero, err
	}
	return expression.Contains(n, av), nil
}

// containsOperand encodes v for contains() on attribute a: an element of
// a set or list attribute, encoded as the attribute's elements are, or a
// substring of a string attribute.
func containsOperand(a *mapping.Attribute, v any) (types.AttributeValue, error) {
	if a == nil {
		return marshal(v)
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String && (a.GoType == nil || a.Type == model.String) {
		return &types.AttributeValueMemberS{Value: rv.String()}, nil
	}
	fv, err := a.Elements([]any{v})
	if err != nil {
		return nil, err
	}
	av, err := a.EncodeOperand(fv)
	if err != nil {
		return nil, err
	}
	switch x := av.(type) {
	case *types.AttributeValueMemberSS:
		if len(x.Value) == 1 {
			return &types.AttributeValueMemberS{Value: x.Value[0]}, nil
		}
	case *types.AttributeValueMemberNS:
		if len(x.Value) == 1 {
			return &types.AttributeValueMemberN{Value: x.Value[0]}, nil
		}
	case *types.AttributeValueMemberBS:
		if len(x.Value) == 1 {
			return &types.AttributeValueMemberB{Value: x.Value[0]}, nil
		}
	case *types.AttributeValueMemberL:
		if len(x.Value) == 1 {
			return x.Value[0], nil
		}
	}
	return nil, fmt.Errorf("attribute %s: %#v is no element it can contain", a.Name, v)
}

// bindConds binds conds against m, for the operation op.
func bindConds(m *mapping.Model, op string, conds []Cond) ([]expression.ConditionBuilder, error) {
	if len(conds) == 0 {
		return nil, nil
	}
	out := make([]expression.ConditionBuilder, len(conds))
	for i, c := range conds {
		b, err := c.bind(m)
		if err != nil {
			return nil, fmt.Errorf("query: %s: %w", op, err)
		}
		out[i] = b
	}
	return out, nil
}

// isGoNumber reports whether v is a Go number, or a pointer to one.
func isGoNumber(v any) bool {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}
