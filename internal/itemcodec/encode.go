package itemcodec

import (
	"fmt"
	"strconv"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// sliceHeader is the memory layout of every slice.
type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}

// slab hands out the S and N values of one struct from two allocations
// instead of one per attribute; when it runs out, values are allocated one
// by one.
type slab struct {
	s []types.AttributeValueMemberS
	n []types.AttributeValueMemberN
}

func (sl *slab) str(v string) *types.AttributeValueMemberS {
	if len(sl.s) == 0 {
		return &types.AttributeValueMemberS{Value: v}
	}
	av := &sl.s[0]
	sl.s = sl.s[1:]
	av.Value = v
	return av
}

func (sl *slab) num(v string) *types.AttributeValueMemberN {
	if len(sl.n) == 0 {
		return &types.AttributeValueMemberN{Value: v}
	}
	av := &sl.n[0]
	sl.n = sl.n[1:]
	av.Value = v
	return av
}

// encode returns the item of the struct at base, extra entries larger.
func (p *plan) encode(base unsafe.Pointer, extra int) (map[string]types.AttributeValue, error) {
	item := make(map[string]types.AttributeValue, len(p.enc)+extra)
	var sl slab
	if p.strs > 1 {
		sl.s = make([]types.AttributeValueMemberS, p.strs)
	}
	if p.nums > 1 {
		sl.n = make([]types.AttributeValueMemberN, p.nums)
	}
	for _, f := range p.enc {
		at := f.path.addr(base)
		if at == nil {
			continue // behind a nil embedded pointer
		}
		var av types.AttributeValue
		var err error
		if f.fb != nil {
			av, err = f.fb.encode(at)
		} else {
			if f.flags&flagOmitEmpty != 0 && f.node.isZero(at) {
				continue
			}
			av, err = f.node.encode(at, &sl)
			if av == nil && f.flags&flagNull != 0 {
				av = &types.AttributeValueMemberNULL{Value: true}
			}
		}
		if err != nil {
			return nil, wrapField(f, err)
		}
		if av != nil {
			item[f.name] = av
		}
	}
	return item, nil
}

// isZero reports whether the struct at base is empty for omitempty: every
// field guregu/dynamo encodes is empty.
func (p *plan) isZero(base unsafe.Pointer) bool {
	for _, f := range p.enc {
		if at := f.path.addr(base); at != nil && !f.node.isZero(at) {
			return false
		}
	}
	return true
}

// isZero reports whether the value at p is empty for omitempty, as
// guregu/dynamo's isZeroFunc decides from its type.
func (n *node) isZero(p unsafe.Pointer) bool {
	switch n.kind {
	case kString:
		return *(*string)(p) == ""
	case kBool:
		return !*(*bool)(p)
	case kInt:
		return loadInt(p, n.size) == 0
	case kUint:
		return loadUint(p, n.size) == 0
	case kFloat32:
		return *(*float32)(p) == 0
	case kFloat64:
		return *(*float64)(p) == 0
	case kTime:
		return (*time.Time)(p).IsZero()
	case kBytes, kSlice:
		return (*sliceHeader)(p).data == nil
	case kPtr:
		q := *(*unsafe.Pointer)(p)
		// *time.Time has IsZero, which guregu calls on the pointee.
		return q == nil || n.elem.kind == kTime && (*time.Time)(q).IsZero()
	case kStruct:
		return n.plan.isZero(p)
	}
	return false
}

// encode returns the value at p, or nil for no attribute.
func (n *node) encode(p unsafe.Pointer, sl *slab) (types.AttributeValue, error) {
	switch n.kind {
	case kString:
		s := *(*string)(p)
		if s == "" {
			return n.empty(&types.AttributeValueMemberS{}), nil
		}
		return sl.str(s), nil
	case kBool:
		return &types.AttributeValueMemberBOOL{Value: *(*bool)(p)}, nil
	case kInt, kUint, kFloat32, kFloat64:
		return sl.num(n.number(p)), nil
	case kTime:
		t := (*time.Time)(p)
		if n.unix {
			if t.IsZero() {
				return nil, nil
			}
			return sl.num(strconv.FormatInt(t.Unix(), 10)), nil
		}
		var buf [len(time.RFC3339Nano) + 10]byte
		b, err := appendTime(buf[:0], *t, n.lay)
		if err != nil {
			return nil, err
		}
		return sl.str(string(b)), nil
	case kBytes:
		b := *(*[]byte)(p)
		switch {
		case b == nil:
			if n.flags&flagNull != 0 {
				return &types.AttributeValueMemberNULL{Value: true}, nil
			}
			return nil, nil
		case len(b) == 0:
			if n.flags&flagAllowEmpty != 0 {
				return &types.AttributeValueMemberB{Value: []byte{}}, nil
			}
			return nil, nil
		}
		return &types.AttributeValueMemberB{Value: b}, nil
	case kSlice:
		if n.set {
			return n.encodeSet(p), nil
		}
		return n.encodeList(p, sl)
	case kPtr:
		q := *(*unsafe.Pointer)(p)
		if q == nil {
			if n.flags&flagNull != 0 {
				return &types.AttributeValueMemberNULL{Value: true}, nil
			}
			return nil, nil
		}
		return n.elem.encode(q, sl)
	case kStruct:
		item, err := n.plan.encode(p, 0)
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberM{Value: item}, nil
	}
	return nil, fmt.Errorf("no encoder for %s", n.typ)
}

// empty returns what guregu/dynamo writes for an empty string: av (the
// empty value) with allowempty, NULL with null, else nothing.
func (n *node) empty(av types.AttributeValue) types.AttributeValue {
	switch {
	case n.flags&flagAllowEmpty != 0:
		return av
	case n.flags&flagNull != 0:
		return &types.AttributeValueMemberNULL{Value: true}
	}
	return nil
}

// number formats the number at p as guregu/dynamo does: integers in base
// 10, floats (float32 widened first) in the shortest 'f' form.
func (n *node) number(p unsafe.Pointer) string {
	switch n.kind {
	case kInt:
		return strconv.FormatInt(loadInt(p, n.size), 10)
	case kUint:
		return strconv.FormatUint(loadUint(p, n.size), 10)
	case kFloat32:
		return strconv.FormatFloat(float64(*(*float32)(p)), 'f', -1, 64)
	}
	return strconv.FormatFloat(*(*float64)(p), 'f', -1, 64)
}

// encodeList encodes a slice as L: an empty element becomes NULL, or is
// dropped with omitemptyelem; an empty list is dropped only with omitempty.
func (n *node) encodeList(p unsafe.Pointer, sl *slab) (types.AttributeValue, error) {
	h := (*sliceHeader)(p)
	avs := make([]types.AttributeValue, 0, h.len)
	for i := range h.len {
		av, err := n.elem.encode(unsafe.Add(h.data, uintptr(i)*n.size), sl)
		if err != nil {
			return nil, err
		}
		if av == nil {
			if n.flags&flagOmitEmptyElem != 0 {
				continue
			}
			av = &types.AttributeValueMemberNULL{Value: true}
		}
		avs = append(avs, av)
	}
	if n.flags&flagOmitEmpty != 0 && len(avs) == 0 {
		return nil, nil
	}
	return &types.AttributeValueMemberL{Value: avs}, nil
}

// encodeSet encodes a slice as SS, NS or BS; an empty set is dropped, and
// with omitemptyelem so are empty elements. Like guregu/dynamo, it does not
// remove duplicates.
func (n *node) encodeSet(p unsafe.Pointer) types.AttributeValue {
	h := (*sliceHeader)(p)
	omit := n.flags&flagOmitEmptyElem != 0
	switch n.elem.kind {
	case kString:
		ss := make([]string, 0, h.len)
		for _, s := range unsafe.Slice((*string)(h.data), h.len) {
			if omit && s == "" {
				continue
			}
			ss = append(ss, s)
		}
		if len(ss) == 0 {
			return nil
		}
		return &types.AttributeValueMemberSS{Value: ss}
	case kBytes:
		bs := make([][]byte, 0, h.len)
		for _, b := range unsafe.Slice((*[]byte)(h.data), h.len) {
			if omit && len(b) == 0 {
				continue
			}
			bs = append(bs, b)
		}
		if len(bs) == 0 {
			return nil
		}
		return &types.AttributeValueMemberBS{Value: bs}
	}
	ns := make([]string, 0, h.len)
	for i := range h.len {
		q := unsafe.Add(h.data, uintptr(i)*n.size)
		if omit && n.elem.isZero(q) {
			continue
		}
		ns = append(ns, n.elem.number(q))
	}
	if len(ns) == 0 {
		return nil
	}
	return &types.AttributeValueMemberNS{Value: ns}
}

// loadInt reads a signed integer of the given size.
func loadInt(p unsafe.Pointer, size uintptr) int64 {
	switch size {
	case 1:
		return int64(*(*int8)(p))
	case 2:
		return int64(*(*int16)(p))
	case 4:
		return int64(*(*int32)(p))
	}
	return *(*int64)(p)
}

// loadUint reads an unsigned integer of the given size.
func loadUint(p unsafe.Pointer, size uintptr) uint64 {
	switch size {
	case 1:
		return uint64(*(*uint8)(p))
	case 2:
		return uint64(*(*uint16)(p))
	case 4:
		return uint64(*(*uint32)(p))
	}
	return *(*uint64)(p)
}
