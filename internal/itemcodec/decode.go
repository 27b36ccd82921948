package itemcodec

import (
	"fmt"
	"reflect"
	"strconv"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// decode sets the struct at base from item, following guregu/dynamo's
// decodeStruct: an attribute the item lacks zeroes its field, unless the
// field is a nil pointer or an empty slice.
func (p *plan) decode(base unsafe.Pointer, item map[string]types.AttributeValue) error {
	for i := range p.dec {
		s := &p.dec[i]
		if s.field == nil {
			at := s.alloc.addr(base)
			if at != nil && *(*unsafe.Pointer)(at) == nil {
				*(*unsafe.Pointer)(at) = reflect.New(s.elem).UnsafePointer()
			}
			continue
		}
		f := s.field
		at := f.path.addr(base)
		if at == nil {
			continue // behind a nil embedded pointer guregu cannot set
		}
		av := item[f.name]
		var err error
		switch {
		case f.fb != nil:
			err = f.fb.decode(at, av)
		case av == nil:
			if !f.node.nullish(at) {
				f.node.zero(at)
			}
		default:
			err = f.node.decode(at, av)
		}
		if err != nil {
			return wrapField(f, err)
		}
	}
	return nil
}

// nullish reports whether a missing attribute leaves the value at p alone:
// a nil pointer, or a nil or empty slice.
func (n *node) nullish(p unsafe.Pointer) bool {
	switch n.kind {
	case kPtr:
		return *(*unsafe.Pointer)(p) == nil
	case kBytes, kSlice:
		return (*sliceHeader)(p).len == 0
	}
	return false
}

// zero sets the value at p to its zero value.
func (n *node) zero(p unsafe.Pointer) {
	switch n.kind {
	case kString:
		*(*string)(p) = ""
	case kBool:
		*(*bool)(p) = false
	case kInt, kUint:
		storeInt(p, n.size, 0)
	case kFloat32:
		*(*float32)(p) = 0
	case kFloat64:
		*(*float64)(p) = 0
	case kTime:
		*(*time.Time)(p) = time.Time{}
	case kBytes, kSlice:
		*(*[]byte)(p) = nil // every slice header has the same layout
	case kPtr:
		*(*unsafe.Pointer)(p) = nil
	default:
		reflect.NewAt(n.typ, p).Elem().SetZero()
	}
}

// decode sets the value at p from av, as guregu/dynamo's decodeAttr does.
func (n *node) decode(p unsafe.Pointer, av types.AttributeValue) error {
	switch av := av.(type) {
	case *types.AttributeValueMemberNULL:
		n.zero(p)
		return nil
	case *types.AttributeValueMemberS:
		return n.decodeText(p, av, av.Value)
	case *types.AttributeValueMemberN:
		return n.decodeText(p, av, av.Value)
	case *types.AttributeValueMemberB:
		return n.decodeBinary(p, av.Value)
	}
	p = n.alloc(p)
	switch n.kind {
	case kPtr:
		return n.elem.decode(p, av)
	case kBool:
		if b, ok := av.(*types.AttributeValueMemberBOOL); ok {
			*(*bool)(p) = b.Value
			return nil
		}
	case kBytes, kSlice:
		return n.decodeSlice(p, av)
	case kStruct:
		if m, ok := av.(*types.AttributeValueMemberM); ok {
			return n.plan.decode(p, m.Value)
		}
	}
	return n.mismatch(av)
}

// alloc returns p, or for a pointer the address it points to, allocated
// when nil, as guregu/dynamo allocates a pointer before decoding into it.
func (n *node) alloc(p unsafe.Pointer) unsafe.Pointer {
	if n.kind != kPtr {
		return p
	}
	q := (*unsafe.Pointer)(p)
	if *q == nil {
		*q = reflect.New(n.elem.typ).UnsafePointer()
	}
	return *q
}

// decodeText sets the value at p from the text of an S or N value (av says
// which).
func (n *node) decodeText(p unsafe.Pointer, av types.AttributeValue, s string) error {
	_, isN := av.(*types.AttributeValueMemberN)
	if n.kind == kPtr {
		return n.elem.decodeText(n.alloc(p), av, s)
	}
	switch {
	case n.kind == kString && !isN:
		*(*string)(p) = s
		return nil
	case n.kind == kTime && !isN:
		return parseTime((*time.Time)(p), s, n.lay)
	case n.kind == kTime:
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		*(*time.Time)(p) = time.Unix(sec, 0).UTC()
		return nil
	case n.kind == kInt && isN:
		v, err := parseInt(s)
		if err != nil {
			return err
		}
		storeInt(p, n.size, uint64(v))
		return nil
	case n.kind == kUint && isN:
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return err
		}
		storeInt(p, n.size, v)
		return nil
	case n.kind == kFloat32 && isN, n.kind == kFloat64 && isN:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		if n.kind == kFloat32 {
			*(*float32)(p) = float32(v)
		} else {
			*(*float64)(p) = v
		}
		return nil
	}
	return n.mismatch(av)
}

// decodeBinary sets the value at p from a B value. Like guregu/dynamo, a
// []byte field shares the item's bytes.
func (n *node) decodeBinary(p unsafe.Pointer, b []byte) error {
	switch n.kind {
	case kPtr:
		return n.elem.decodeBinary(n.alloc(p), b)
	case kBytes:
		*(*[]byte)(p) = b
		return nil
	}
	return n.mismatch(&types.AttributeValueMemberB{})
}

// decodeSlice replaces the slice at p with the elements of an L, SS, NS or
// BS value, decoding each with the element's decoder. A NULL element
// stays the zero value.
func (n *node) decodeSlice(p unsafe.Pointer, av types.AttributeValue) error {
	var size int
	switch av := av.(type) {
	case *types.AttributeValueMemberL:
		size = len(av.Value)
	case *types.AttributeValueMemberSS:
		if n.elem.kind == kString {
			*(*[]string)(p) = append(make([]string, 0, len(av.Value)), av.Value...)
			return nil
		}
		size = len(av.Value)
	case *types.AttributeValueMemberNS:
		size = len(av.Value)
	case *types.AttributeValueMemberBS:
		size = len(av.Value)
	default:
		return n.mismatch(av)
	}
	data := reflect.MakeSlice(n.typ, size, size)
	reflect.NewAt(n.typ, p).Elem().Set(data)
	base := (*sliceHeader)(p).data
	elem := func(i int) unsafe.Pointer { return unsafe.Add(base, uintptr(i)*n.size) }
	var err error
	switch av := av.(type) {
	case *types.AttributeValueMemberL:
		for i, v := range av.Value {
			if _, null := v.(*types.AttributeValueMemberNULL); null || v == nil {
				continue
			}
			if err = n.elem.decode(elem(i), v); err != nil {
				break
			}
		}
	case *types.AttributeValueMemberSS:
		for i, s := range av.Value {
			if err = n.elem.decodeText(elem(i), &types.AttributeValueMemberS{}, s); err != nil {
				break
			}
		}
	case *types.AttributeValueMemberNS:
		for i, s := range av.Value {
			if err = n.elem.decodeText(elem(i), &types.AttributeValueMemberN{}, s); err != nil {
				break
			}
		}
	case *types.AttributeValueMemberBS:
		for i, b := range av.Value {
			if err = n.elem.decodeBinary(elem(i), b); err != nil {
				break
			}
		}
	}
	return err
}

// fieldError says which field an error is about: its attribute path and
// its Go field path, nested names joined with dots.
type fieldError struct {
	path   string // the attribute
	goPath string // the Go field
	err    error
}

func (e *fieldError) Error() string { return "attribute " + e.path + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

func wrapField(f *field, err error) error {
	if fe, ok := err.(*fieldError); ok {
		return &fieldError{path: f.name + "." + fe.path, goPath: f.acc.goName + "." + fe.goPath, err: fe.err}
	}
	return &fieldError{path: f.name, goPath: f.acc.goName, err: err}
}

// DecodeError is returned by [Codec.Decode] when an attribute of the item
// cannot be decoded into its field: a value of the wrong DynamoDB type, a
// number out of range, a time in no layout it reads. It is always a
// pointer, and unwraps to the cause.
type DecodeError struct {
	Type      reflect.Type // the struct type decoded
	Field     string       // the Go field, dotted through nested structs: "Address.Since"
	Attribute string       // the attribute, dotted through nested maps: "address.since"
	Err       error        // the cause
}

// Error implements the error interface.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("itemcodec: decode %s.%s (attribute %s): %v", e.Type, e.Field, e.Attribute, e.Err)
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// mismatch is the error for a value of the wrong DynamoDB type.
func (n *node) mismatch(av types.AttributeValue) error {
	return fmt.Errorf("cannot decode %s into %s", typeName(av), n.typ)
}

// typeName names the DynamoDB type of av.
func typeName(av types.AttributeValue) string {
	switch av.(type) {
	case *types.AttributeValueMemberB:
		return "B"
	case *types.AttributeValueMemberBS:
		return "BS"
	case *types.AttributeValueMemberBOOL:
		return "BOOL"
	case *types.AttributeValueMemberL:
		return "L"
	case *types.AttributeValueMemberM:
		return "M"
	case *types.AttributeValueMemberN:
		return "N"
	case *types.AttributeValueMemberNS:
		return "NS"
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberS:
		return "S"
	case *types.AttributeValueMemberSS:
		return "SS"
	}
	return fmt.Sprintf("%T", av)
}

// storeInt writes the low size bytes of v, truncating like reflect's SetInt.
func storeInt(p unsafe.Pointer, size uintptr, v uint64) {
	switch size {
	case 1:
		*(*uint8)(p) = uint8(v)
	case 2:
		*(*uint16)(p) = uint16(v)
	case 4:
		*(*uint32)(p) = uint32(v)
	default:
		*(*uint64)(p) = v
	}
}

// parseInt is strconv.ParseInt(s, 10, 64) with strconv.Atoi's fast path:
// most numbers stored are short, and Atoi parses those without the general
// loop. The error is ParseInt's either way.
func parseInt(s string) (int64, error) {
	if strconv.IntSize == 64 && len(s) > 0 && len(s) < 19 {
		if v, err := strconv.Atoi(s); err == nil {
			return int64(v), nil
		}
	}
	return strconv.ParseInt(s, 10, 64)
}
