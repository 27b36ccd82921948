package mapping

import (
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/errtext"
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
	attrs := ks.Attributes()
	item := make(Item, len(attrs))
	for _, a := range attrs {
		av, err := m.value(a, rv)
		if err != nil {
			return nil, err
		}
		if emptyValue(av) {
			return nil, m.emptyKeyError(a, rv)
		}
		item[a.Name] = av
	}
	return item, nil
}

// emptyKeyError is the error, matching [ErrEmptyKey], of the key attribute a
// that rv leaves empty. For a computed one it names the fields its template
// refers to that rv leaves empty, since those are the ones to set.
func (m *Model) emptyKeyError(a *Attribute, rv reflect.Value) error {
	if a.Template == nil {
		return fmt.Errorf("model: %s: %w %s", m.Type, errtext.Quoted{Err: ErrEmptyKey}, a.Name)
	}
	var unset []string
	for i := range a.Template.Parts {
		p := &a.Template.Parts[i]
		if p.Ref == nil {
			continue
		}
		if _, empty, err := m.appendPart(nil, a.Template, p, rv); err == nil && empty {
			unset = append(unset, fmt.Sprintf("%s (%s)", p.Ref.Field, p.Ref.Name))
		}
	}
	return fmt.Errorf("model: %s: %w %s: %q needs %s set", m.Type, errtext.Quoted{Err: ErrEmptyKey}, a.Name, a.Template.Source, strings.Join(unset, ", "))
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
	return m.fieldValue(a, rv)
}

// fieldValue encodes the plain attribute a; nil means empty.
func (m *Model) fieldValue(a *Attribute, rv reflect.Value) (types.AttributeValue, error) {
	if a.viaItem {
		item, err := m.codec.Encode(rv, 0)
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
	var scratch [96]byte
	buf := scratch[:0]
	for i := range t.Parts {
		p := &t.Parts[i]
		if p.Ref == nil {
			buf = append(buf, p.Literal...)
			continue
		}
		var empty bool
		if buf, empty, err = m.appendPart(buf, t, p, rv); err != nil || empty {
			return "", false, err
		}
	}
	return string(buf), true, nil
}

// KeyPrefix renders the template of the named computed attribute from v,
// a value of the model's type (or a pointer to one), up to the last
// reference v sets, with the literal text that follows it: for
// "STATE#{state}#CITY#{city}#{id}" and a value that sets only the state,
// "STATE#CA#CITY#". Every key of a value with the same state begins with
// it, and no other key does. complete reports whether v sets every
// reference, when prefix is the whole key. A reference set after one that
// is not is an error, as is an attribute that is not computed.
func (m *Model) KeyPrefix(name string, v any) (prefix string, complete bool, err error) {
	a := m.byName[name]
	if a == nil || a.Template == nil {
		return "", false, fmt.Errorf("model: %s has no computed attribute %q", m.Type, name)
	}
	rv, err := m.structValue(v)
	if err != nil {
		return "", false, err
	}
	t := a.Template
	var scratch [96]byte
	buf := scratch[:0]
	var unset *TemplatePart // the first reference v leaves empty
	for i := range t.Parts {
		p := &t.Parts[i]
		if p.Ref == nil {
			if unset == nil {
				buf = append(buf, p.Literal...)
			}
			continue
		}
		n := len(buf)
		var empty bool
		if buf, empty, err = m.appendPart(buf, t, p, rv); err != nil {
			return "", false, err
		}
		switch {
		case empty && unset == nil:
			unset = p
		case !empty && unset != nil:
			return "", false, fmt.Errorf("model: %s: template %q: %s is set but %s, which comes before it, is not", m.Type, t.Source, p.Ref.Name, unset.Ref.Name)
		}
		if unset != nil {
			buf = buf[:n]
		}
	}
	return string(buf), unset == nil, nil
}

// lookupValue returns a's field in rv with pointers followed, and false
// when a nil pointer (embedded or the field's own) leaves it without one.
func lookupValue(a *Attribute, rv reflect.Value) (reflect.Value, bool, error) {
	fv, ok, err := a.field.Lookup(rv)
	if err != nil {
		return fv, false, fmt.Errorf("model: attribute %s: %w", a.Name, err)
	}
	for ok && fv.Kind() == reflect.Pointer {
		if ok = !fv.IsNil(); ok {
			fv = fv.Elem()
		}
	}
	return fv, ok, nil
}

// appendPart appends the rendering of reference p of template t, taken
// from rv, to buf. empty is true, and buf unchanged, when the attribute is
// empty: its zero value, nil, or missing.
func (m *Model) appendPart(buf []byte, t *Template, p *TemplatePart, rv reflect.Value) (_ []byte, empty bool, err error) {
	a := p.Ref
	fail := func(format string, args ...any) ([]byte, bool, error) {
		return buf, false, fmt.Errorf("model: %s: template %q: attribute %s: %s", m.Type, t.Source, a.Name, fmt.Sprintf(format, args...))
	}
	if p.kind == partTime {
		fv, ok, err := lookupValue(a, rv)
		if err != nil {
			return buf, false, err
		}
		if !ok {
			return buf, true, nil
		}
		var tm time.Time
		if fv.CanAddr() {
			tm = *(*time.Time)(fv.Addr().UnsafePointer())
		} else {
			tm = fv.Interface().(time.Time)
		}
		if tm.IsZero() {
			return buf, true, nil
		}
		tm = tm.UTC()
		if y := tm.Year(); y < 0 || y > 9999 {
			return fail("time %s is outside years 0 to 9999, which a key renders in order", tm)
		}
		return tm.AppendFormat(buf, timeLayout), false, nil
	}
	if p.plain {
		fv, ok, err := lookupValue(a, rv)
		if err != nil {
			return buf, false, err
		}
		if !ok || fv.IsZero() {
			return buf, true, nil
		}
		switch fv.Kind() {
		case reflect.String:
			return appendEscaped(buf, fv.String(), p.sep), false, nil
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n := fv.Int()
			if n < 0 {
				return fail("negative value %d: a key renders only integers from 0 in order", n)
			}
			return appendPadded(buf, strconv.FormatInt(n, 10), p, fail)
		default:
			return appendPadded(buf, strconv.FormatUint(fv.Uint(), 10), p, fail)
		}
	}
	av, err := m.fieldValue(a, rv) // a reference is never computed
	if err != nil || emptyValue(av) {
		return buf, err == nil, err
	}
	switch p.kind {
	case partInt:
		n, ok := av.(*types.AttributeValueMemberN)
		if !ok {
			return fail("an integer reference encodes to %T, not a number", av)
		}
		digits := n.Value
		if strings.HasPrefix(digits, "-") {
			return fail("negative value %s: a key renders only integers from 0 in order", digits)
		}
		digits = strings.TrimLeft(digits, "0")
		if digits == "" {
			return buf, true, nil // zero is empty
		}
		if strings.Trim(digits, "0123456789") != "" {
			return fail("%s is not an integer", n.Value)
		}
		return appendPadded(buf, digits, p, fail)
	case partString:
		x, ok := av.(*types.AttributeValueMemberS)
		if !ok {
			return fail("a string reference encodes to %T", av)
		}
		return appendEscaped(buf, x.Value, p.sep), false, nil
	case partBinary:
		x, ok := av.(*types.AttributeValueMemberB)
		if !ok {
			return fail("a binary reference encodes to %T", av)
		}
		return appendEscaped(buf, base64.RawURLEncoding.EncodeToString(x.Value), p.sep), false, nil
	}
	return fail("not a scalar")
}

// appendPadded appends digits, a positive integer without leading zeros,
// padded with zeros to p.Width; more digits than that are an error.
func appendPadded(buf []byte, digits string, p *TemplatePart, fail func(string, ...any) ([]byte, bool, error)) ([]byte, bool, error) {
	if len(digits) > p.Width {
		return fail("%s has more than the %d digits of {%s:%d}", digits, p.Width, p.refName, p.Width)
	}
	for range p.Width - len(digits) {
		buf = append(buf, '0')
	}
	return append(buf, digits...), false, nil
}

// appendEscaped appends s to buf with the separator and every byte up to
// the escape byte ('%': controls, space, !"#$%) written as "%XX", their hex
// code, so that a value never contains the separator that ends it: distinct
// values render apart, and the escape can be undone. It also keeps order:
// an escaped byte renders as '%' and two upper-case hex digits, which sort as
// the byte does and below every byte left as it is, and a separator below
// '%' (such as '#') sorts below both, so a value that extends another
// ("New York" after "New") renders after it. sep 0 is the last part of a
// template, which nothing follows, appended as it is.
func appendEscaped(buf []byte, s string, sep byte) []byte {
	if sep == 0 {
		return append(buf, s...)
	}
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= escapeByte || c == sep {
			buf = append(buf, escapeByte, hex[c>>4], hex[c&0xf])
			continue
		}
		buf = append(buf, c)
	}
	return buf
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
	item, err := m.codec.Encode(rv, m.computedCount())
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
				return m.emptyKeyError(a, rv)
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
	if err := m.codec.Decode(item, rv.Elem()); err != nil {
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
