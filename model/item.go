package model

import (
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/guregu/dynamo/v2"
)

// Item is a DynamoDB item, as the SDK represents it.
type Item = map[string]types.AttributeValue

// structValue returns the struct behind v (a T or *T of the model's type).
func (m *Model) structValue(v any) (reflect.Value, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return reflect.Value{}, fmt.Errorf("model: %s: nil value", m.Type)
		}
		rv = rv.Elem()
	}
	if rv.Type() != m.Type {
		return reflect.Value{}, fmt.Errorf("model: value of type %s is not a %s", rv.Type(), m.Type)
	}
	return rv, nil
}

// KeyOf returns the primary key of v, a value of the model's type (or a
// pointer to one) with at least its key fields set. An empty key attribute
// returns an error matching [ErrEmptyKey].
func (m *Model) KeyOf(v any) (Item, error) {
	rv, err := m.structValue(v)
	if err != nil {
		return nil, err
	}
	return m.keyOf(rv, m.Key)
}

// IndexKeyOf returns the key of v in the named secondary index.
func (m *Model) IndexKeyOf(index string, v any) (Item, error) {
	idx := m.indexes[index]
	if idx == nil {
		return nil, fmt.Errorf("model: %s has no index %q", m.Type, index)
	}
	rv, err := m.structValue(v)
	if err != nil {
		return nil, err
	}
	return m.keyOf(rv, idx.Key)
}

func (m *Model) keyOf(rv reflect.Value, ks KeySchema) (Item, error) {
	item := make(Item, 2)
	for _, a := range [2]*Attribute{ks.Hash, ks.Range} {
		if a == nil {
			continue
		}
		av, err := m.value(a, rv)
		if err != nil {
			return nil, err
		}
		if emptyValue(av) {
			return nil, fmt.Errorf("model: %s: key attribute %s: %w", m.Type, a.Name, ErrEmptyKey)
		}
		item[a.Name] = av
	}
	return item, nil
}

// Value returns the DynamoDB value of the named attribute of v, computed
// attributes included. It returns nil, nil when the attribute is empty.
func (m *Model) Value(name string, v any) (types.AttributeValue, error) {
	a := m.byName[name]
	if a == nil {
		return nil, fmt.Errorf("model: %s has no attribute %q", m.Type, name)
	}
	rv, err := m.structValue(v)
	if err != nil {
		return nil, err
	}
	return m.value(a, rv)
}

// value encodes one attribute; nil means empty.
func (m *Model) value(a *Attribute, rv reflect.Value) (types.AttributeValue, error) {
	if a.Template != nil {
		s, ok, err := m.render(a.Template, rv)
		if err != nil || !ok {
			return nil, err
		}
		return &types.AttributeValueMemberS{Value: s}, nil
	}
	if a.viaItem {
		c, err := itemcodec.For(m.Type)
		if err != nil {
			return nil, fmt.Errorf("model: %s.%s: %w", m.Type, a.Field, err)
		}
		item, err := c.Encode(rv, 0)
		if err != nil {
			return nil, fmt.Errorf("model: %s.%s: %w", m.Type, a.Field, err)
		}
		return item[a.Name], nil
	}
	fv, ok, err := a.field.Lookup(rv)
	if err != nil {
		return nil, fmt.Errorf("model: attribute %s: %w", a.Name, err)
	}
	if !ok {
		return nil, nil // behind a nil embedded pointer: as Encode, no attribute
	}
	if a.OmitEmpty && fv.IsZero() {
		return nil, nil // as Encode: guregu/dynamo leaves the attribute out
	}
	for fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			return nil, nil
		}
		fv = fv.Elem()
	}
	if a.UnixTime && fv.Type() == typeTime {
		t := fv.Interface().(time.Time)
		if t.IsZero() {
			return nil, nil
		}
		return &types.AttributeValueMemberN{Value: fmt.Sprint(t.Unix())}, nil
	}
	av, err := dynamo.Marshal(fv.Interface())
	if err != nil {
		return nil, fmt.Errorf("model: %s.%s: %w", m.Type, a.Field, err)
	}
	return av, nil
}

// render fills a template from rv. ok is false when a referenced attribute
// is empty.
func (m *Model) render(t *Template, rv reflect.Value) (s string, ok bool, err error) {
	if t.Constant() {
		return t.Source, true, nil
	}
	var sb strings.Builder
	for _, p := range t.Parts {
		if p.Ref == nil {
			sb.WriteString(p.Literal)
			continue
		}
		av, err := m.value(p.Ref, rv)
		if err != nil || emptyValue(av) {
			return "", false, err
		}
		switch x := av.(type) {
		case *types.AttributeValueMemberS:
			sb.WriteString(x.Value)
		case *types.AttributeValueMemberN:
			sb.WriteString(x.Value)
		case *types.AttributeValueMemberB:
			sb.WriteString(base64.RawURLEncoding.EncodeToString(x.Value))
		default:
			return "", false, fmt.Errorf("model: %s: template %q: attribute %s is not a scalar", m.Type, t.Source, p.Ref.Name)
		}
	}
	return sb.String(), true, nil
}

// emptyValue reports whether av is no value for a key: missing, NULL, or
// an empty string or binary, which options such as allowempty and null let
// an item hold. DynamoDB refuses such a key.
func emptyValue(av types.AttributeValue) bool {
	switch x := av.(type) {
	case nil, *types.AttributeValueMemberNULL:
		return true
	case *types.AttributeValueMemberS:
		return x.Value == ""
	case *types.AttributeValueMemberB:
		return len(x.Value) == 0
	}
	return false
}

// Encode returns v as a DynamoDB item: its fields encoded as
// github.com/guregu/dynamo/v2 encodes them, plus every computed attribute.
// A computed key of the table that cannot be rendered returns an error
// matching [ErrEmptyKey]; a computed index key that cannot be rendered is
// left out, so the item stays out of that (sparse) index.
func (m *Model) Encode(v any) (Item, error) {
	rv, err := m.structValue(v)
	if err != nil {
		return nil, err
	}
	c, err := itemcodec.For(m.Type)
	if err != nil {
		return nil, fmt.Errorf("model: encode %s: %w", m.Type, err)
	}
	item, err := c.Encode(rv, m.computedCount())
	if err != nil {
		return nil, fmt.Errorf("model: encode %s: %w", m.Type, err)
	}
	if err := m.addComputed(item, rv); err != nil {
		return nil, err
	}
	return item, nil
}

// computedCount returns the number of computed attributes, which Encode
// adds to the codec's item.
func (m *Model) computedCount() int {
	n := 0
	for _, a := range m.Attributes {
		if a.Template != nil {
			n++
		}
	}
	return n
}

func (m *Model) addComputed(item Item, rv reflect.Value) error {
	for _, a := range m.Attributes {
		if a.Template == nil {
			continue
		}
		av, err := m.value(a, rv)
		if err != nil {
			return err
		}
		if av == nil {
			if a == m.Key.Hash || a == m.Key.Range {
				return fmt.Errorf("model: %s: key attribute %s: %w", m.Type, a.Name, ErrEmptyKey)
			}
			continue
		}
		item[a.Name] = av
	}
	return nil
}

// Decode sets *out (a pointer to the model's type) from item. Computed
// attributes are ignored: the plain fields are the source of truth.
func (m *Model) Decode(item Item, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Type() != m.Type {
		return fmt.Errorf("model: decode: want *%s, got %T", m.Type, out)
	}
	c, err := itemcodec.For(m.Type)
	if err == nil {
		err = c.Decode(item, rv.Elem())
	}
	if err != nil {
		var de *itemcodec.DecodeError
		if errors.As(err, &de) {
			return m.decodeError(item, de)
		}
		return fmt.Errorf("model: decode %s: %w", m.Type, err)
	}
	return nil
}

// decodeError is the *DecodeError of item for the codec's error de.
func (m *Model) decodeError(item Item, de *itemcodec.DecodeError) *DecodeError {
	e := &DecodeError{Type: m.Type, Field: de.Field, Attribute: de.Attribute, Err: de.Err, keyNames: m.Key.Names()}
	for _, name := range e.keyNames {
		if av, ok := item[name]; ok {
			if e.Key == nil {
				e.Key = make(Item, 2)
			}
			e.Key[name] = av
		}
	}
	return e
}

// IsEntity reports whether item holds this model's entity type. A model
// without a type attribute accepts every item.
func (m *Model) IsEntity(item Item) bool {
	if m.EntityType == nil {
		return true
	}
	s, ok := item[m.EntityType.Name].(*types.AttributeValueMemberS)
	return ok && s.Value == m.Entity
}
