package itemcodec

import (
	"encoding"
	"fmt"
	"reflect"
	"time"
	"unsafe"

	"github.com/dynamokit/dynamokit/internal/structtag"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// kind is what a node encodes and decodes.
type kind uint8

const (
	kString  kind = iota + 1
	kBool         // bool
	kInt          // signed integers; node.size says which
	kUint         // unsigned integers; node.size says which
	kFloat32      // float32
	kFloat64      // float64
	kTime         // time.Time
	kBytes        // a slice of a byte kind: B
	kSlice        // any other slice: L, or SS/NS/BS with the set option
	kPtr          // a pointer to a specialised type
	kStruct       // a nested struct: M
)

// node is the compiled encoder and decoder of one Go type in one position.
// guregu/dynamo passes flags at two moments: when it builds an encoder
// (set, unixtime, and the element flags of lists) and when it calls one
// (allowempty, null, omitempty, omitemptyelem); a node fixes both, since both
// are known from the field's tag.
type node struct {
	kind  kind
	typ   reflect.Type
	size  uintptr // kInt, kUint: the integer's size; kSlice, kBytes: the element's size
	flags flags   // the flags guregu passes when it calls this encoder
	set   bool    // kSlice: encode as a set
	unix  bool    // kTime: encode as Unix seconds
	lay   layout  // kTime: the string layout, when not unix
	elem  *node   // kPtr: the pointee; kSlice, kBytes: the element
	plan  *plan   // kStruct
}

// plan is the compiled form of a struct type: the fields guregu/dynamo
// encodes, and the steps it takes to decode.
type plan struct {
	typ  reflect.Type
	enc  []*field
	dec  []decodeStep
	full bool // every field is specialised, recursively: the plan can be nested
	// strs and nums count the fields encoded as S and as N, for a slab.
	strs, nums int
}

// field is one attribute of a struct: where its field sits, and how it is
// encoded and decoded.
type field struct {
	name  string
	path  path // acc.path, kept here with what encoding and decoding read
	flags flags
	node  *node     // nil when fb is set
	fb    *fallback // set when guregu/dynamo handles the field
	acc   *Field    // where the field is, for reading and writing it
}

// newField returns the field at fp with the parsed tags t.
func newField(fp Field, t *structtag.Tag) *field {
	fp.tag = t
	return &field{name: t.Name, path: fp.path, flags: flagsOf(t), acc: &fp}
}

// decodeStep is either a field to decode or an embedded pointer to allocate
// first, as guregu/dynamo allocates every settable embedded pointer.
type decodeStep struct {
	field *field
	alloc *path        // the embedded pointer field
	elem  reflect.Type // the type it points to
}

// path locates a field from the address of its outermost struct: follow
// each hop (an embedded pointer), then add off.
type path struct {
	hops []uintptr
	off  uintptr
}

// addr returns the field's address under base, or nil when an embedded
// pointer on the way is nil.
func (pa *path) addr(base unsafe.Pointer) unsafe.Pointer {
	for _, h := range pa.hops {
		base = *(*unsafe.Pointer)(unsafe.Add(base, h))
		if base == nil {
			return nil
		}
	}
	return unsafe.Add(base, pa.off)
}

// child returns the path of a field at offset off within the field at pa;
// ptr says the field at pa is a pointer to follow first.
func (pa path) child(off uintptr, ptr bool) path {
	hops := append([]uintptr(nil), pa.hops...)
	if ptr {
		return path{hops: append(hops, pa.off), off: off}
	}
	return path{hops: hops, off: pa.off + off}
}

var (
	typeTime = reflect.TypeFor[time.Time]()
	typeAV   = reflect.TypeFor[types.AttributeValue]()
	// special lists the interfaces guregu/dynamo gives precedence over a
	// type's kind, when encoding, decoding or checking for emptiness.
	special = []reflect.Type{
		reflect.TypeFor[dynamo.Marshaler](),
		reflect.TypeFor[dynamo.Unmarshaler](),
		reflect.TypeFor[attributevalue.Marshaler](),
		reflect.TypeFor[attributevalue.Unmarshaler](),
		reflect.TypeFor[encoding.TextMarshaler](),
		reflect.TypeFor[encoding.TextUnmarshaler](),
		reflect.TypeFor[interface{ IsZero() bool }](),
		typeAV,
	}
)

// isSpecial reports whether t or *t implements an interface that changes
// how guregu/dynamo treats it.
func isSpecial(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	for _, i := range special {
		if t.Implements(i) || pt.Implements(i) {
			return true
		}
	}
	return false
}

// builder compiles the plans of one struct type and the types it nests.
type builder struct {
	plans map[reflect.Type]*plan
	order []*plan
	err   error // the first field that cannot be compiled
}

// compile returns the plan of the struct type t with its nested plans. It
// returns an error for a time layout on a field that guregu/dynamo would
// encode, since guregu ignores the option.
func compile(t reflect.Type) (*plan, error) {
	b := &builder{plans: make(map[reflect.Type]*plan)}
	root := b.plan(t)
	b.settle()
	return root, b.err
}

// plan returns the plan of the struct type t, building it on first use.
// A plan being built is returned as is, so recursive types terminate.
func (b *builder) plan(t reflect.Type) *plan {
	if p := b.plans[t]; p != nil {
		return p
	}
	p := &plan{typ: t}
	b.plans[t] = p
	b.order = append(b.order, p)
	b.encodeFields(p, t)
	b.decodeFields(p, t)
	return p
}

// encodeFields collects the fields guregu/dynamo encodes, following its
// collectTypes: fields in order, embedded structs flattened depth first, the
// first exported field of a name wins, and an exported embedded struct
// claims its own name. That claim is encoded (as a whole struct) only when
// some exported field of the same type and flags exists, because guregu
// shares one encoder per type and flags.
func (b *builder) encodeFields(p *plan, t reflect.Type) {
	type entry struct {
		f     *field
		claim bool
	}
	type key struct {
		typ reflect.Type
		fl  flags
	}
	byName := make(map[string]bool)
	var entries []entry
	queued := make(map[key]bool)
	fields := b.fields(t)
	locs := []Field{{owner: t}} // locs[d] is the struct the fields at depth d are in
	for _, sf := range fields {
		if sf.Tag.Skip {
			continue
		}
		fp := locs[sf.Depth].child(sf.Struct, sf.Index[len(sf.Index)-1])
		locs = locs[:sf.Depth+1]
		if !byName[sf.Tag.Name] && sf.Struct.IsExported() {
			byName[sf.Tag.Name] = true
			entries = append(entries, entry{
				f:     newField(fp, sf.Tag),
				claim: sf.Embedded,
			})
		}
		if sf.Embedded {
			locs = append(locs, fp.embedded())
			continue
		}
		if sf.Struct.IsExported() {
			queued[key{sf.Struct.Type, flagsOf(sf.Tag)}] = true
		}
	}
	for _, e := range entries {
		if e.claim && !queued[key{e.f.acc.typ, e.f.flags}] {
			continue
		}
		e.f.node = b.node(e.f.acc.typ, e.f.flags, e.f.flags)
		p.enc = append(p.enc, e.f)
	}
}

// decodeFields lists the decoding steps of guregu/dynamo's visitFields:
// fields in order, embedded structs visited in place (settable embedded
// pointers allocated first), and the first exported field of a name wins.
// Unlike encoding, an embedded struct does not claim its name, but it is
// skipped when an earlier field took it.
func (b *builder) decodeFields(p *plan, t reflect.Type) {
	seen := make(map[string]bool)
	fields := b.fields(t)
	locs := []Field{{owner: t}} // locs[d] is the struct the fields at depth d are in
	for i := 0; i < len(fields); i++ {
		sf := &fields[i]
		if sf.Tag.Skip || seen[sf.Tag.Name] {
			i = sf.Next - 1 // with the fields of an embedded struct
			continue
		}
		fp := locs[sf.Depth].child(sf.Struct, sf.Index[len(sf.Index)-1])
		locs = locs[:sf.Depth+1]
		if sf.Embedded {
			if sf.Struct.Type.Kind() == reflect.Pointer && sf.Struct.IsExported() {
				alloc := fp.path
				p.dec = append(p.dec, decodeStep{alloc: &alloc, elem: sf.Struct.Type.Elem()})
			}
			locs = append(locs, fp.embedded())
			continue
		}
		if !sf.Struct.IsExported() {
			continue
		}
		seen[sf.Tag.Name] = true
		f := newField(fp, sf.Tag)
		f.node = b.node(sf.Struct.Type, f.flags, f.flags)
		p.dec = append(p.dec, decodeStep{field: f})
	}
}

// fields returns the walk of the struct type t that internal/structtag
// makes, recording an error when embedded structs nest too deeply.
func (b *builder) fields(t reflect.Type) []structtag.Field {
	fields, ok := structtag.Fields(t)
	if !ok && b.err == nil {
		b.err = fmt.Errorf("itemcodec: %s: embedded structs nest deeper than %d", t, structtag.MaxDepth)
	}
	return fields
}

// node compiles type t, built with flags cf and called with flags rf, as
// guregu/dynamo's encodeType and learn would treat it. It returns nil for a
// type it does not specialise.
func (b *builder) node(t reflect.Type, cf, rf flags) *node {
	n := &node{typ: t, flags: rf}
	switch {
	case t == typeTime:
		n.kind, n.unix, n.lay = kTime, cf&flagUnixTime != 0, cf.layout()
		return n
	case t.Kind() == reflect.Pointer:
		// *T has the methods of T, so T decides; **T has none, and guregu
		// treats it unevenly, so it is not specialised.
		n.kind, n.elem = kPtr, b.node(t.Elem(), cf, rf)
		if n.elem == nil || n.elem.kind == kPtr {
			return nil
		}
		return n
	case isSpecial(t):
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		n.kind = kString
	case reflect.Bool:
		n.kind = kBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n.kind, n.size = kInt, t.Size()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n.kind, n.size = kUint, t.Size()
	case reflect.Float32:
		n.kind = kFloat32
	case reflect.Float64:
		n.kind = kFloat64
	case reflect.Slice:
		n.size = t.Elem().Size()
		if t.Elem().Kind() == reflect.Uint8 {
			n.kind, n.elem = kBytes, b.node(t.Elem(), 0, 0)
			if n.elem == nil {
				return nil
			}
			return n
		}
		n.kind = kSlice
		if cf&flagSet != 0 {
			n.set = true
			n.elem = b.node(t.Elem(), 0, 0)
			if n.elem == nil {
				return nil
			}
			switch n.elem.kind {
			case kString, kInt, kUint, kFloat32, kFloat64, kBytes:
			default:
				return nil // guregu/dynamo rejects it
			}
			return n
		}
		// encodeList: elements keep empty values as NULL unless omitemptyelem.
		// The elements of a list of times keep the field's layout.
		sub := cf & flagLayout
		if cf&flagOmitEmptyElem == 0 {
			sub |= flagAllowEmpty | flagNull
		}
		if cf&flagAllowEmptyElem != 0 {
			sub |= flagAllowEmptyElem
		}
		n.elem = b.node(t.Elem(), sub, rf|sub)
		if n.elem == nil {
			return nil
		}
	case reflect.Struct:
		n.kind, n.plan = kStruct, b.plan(t)
	default:
		return nil // uintptr, complex, map, array, interface...: guregu's
	}
	return n
}

// settle decides which plans can be nested, then hands every field that
// needs a plan that cannot to guregu/dynamo. A plan is full when all its
// fields are specialised and every plan it nests is full.
func (b *builder) settle() {
	for _, p := range b.order {
		p.full = true
		for _, f := range p.enc {
			p.full = p.full && f.node != nil
		}
		for _, s := range p.dec {
			p.full = p.full && (s.field == nil || s.field.node != nil)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, p := range b.order {
			if p.full && !p.nestsFull() {
				p.full, changed = false, true
			}
		}
	}
	for _, p := range b.order {
		for _, f := range p.enc {
			f.settle()
			b.checkLayout(p, f)
			switch f.node.scalar() {
			case 'S':
				p.strs++
			case 'N':
				p.nums++
			}
		}
		for _, s := range p.dec {
			if s.field != nil {
				s.field.settle()
				b.checkLayout(p, s.field)
			}
		}
	}
}

// nestsFull reports whether every plan p's fields nest is full.
func (p *plan) nestsFull() bool {
	for _, f := range p.enc {
		if !f.node.nestsFull() {
			return false
		}
	}
	for _, s := range p.dec {
		if s.field != nil && !s.field.node.nestsFull() {
			return false
		}
	}
	return true
}

func (n *node) nestsFull() bool {
	for ; n != nil; n = n.elem {
		if n.plan != nil && !n.plan.full {
			return false
		}
	}
	return true
}

// scalar returns 'S' or 'N' for a node that encodes as that type (through
// a pointer or not), else 0.
func (n *node) scalar() byte {
	if n != nil && n.kind == kPtr {
		n = n.elem
	}
	switch {
	case n == nil:
		return 0
	case n.kind == kString, n.kind == kTime && !n.unix:
		return 'S'
	case n.kind == kInt, n.kind == kUint, n.kind == kFloat32, n.kind == kFloat64, n.kind == kTime:
		return 'N'
	}
	return 0
}

// settle gives f a fallback when its node is missing or nests a plan that
// is not full.
func (f *field) settle() {
	if f.node == nil || !f.node.nestsFull() {
		f.node = nil
		f.fb = newFallback(f.acc.typ, f.flags)
	}
	f.acc.keyType = f.keyType()
}

// checkLayout records an error when f, a field of p, falls back to
// guregu/dynamo although a layout option applies in it.
func (b *builder) checkLayout(p *plan, f *field) {
	if b.err == nil && f.fb != nil && hasLayout(f.acc.typ, f.flags, map[reflect.Type]bool{}) {
		b.err = fmt.Errorf("itemcodec: %s.%s: a time layout applies in this field of type %s, which guregu/dynamo encodes and which ignores it; use a *time.Time, time.Time or []time.Time field, in structs of such fields", p.typ, f.acc.goName, f.acc.typ)
	}
}

// hasLayout reports whether a layout option applies in a field of type t
// with flags fl: its own, or one in the fields of a struct it holds.
func hasLayout(t reflect.Type, fl flags, seen map[reflect.Type]bool) bool {
	if fl.layout() != layoutRFC3339Nano {
		return true
	}
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return false
	}
	seen[t] = true
	fields, _ := structtag.Fields(t)
	for _, sf := range fields {
		if sf.Depth == 0 && hasLayout(sf.Struct.Type, flagsOf(sf.Tag), seen) {
			return true
		}
	}
	return false
}
