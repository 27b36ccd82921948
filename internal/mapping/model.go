package mapping

import (
	"reflect"
	"sync/atomic"
	"time"

	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/dynamokit/dynamokit/internal/structtag"
)

// KeyRole says which part of a key schema an attribute is.
type KeyRole uint8

const (
	// HashKey is the partition key ("HASH" in DynamoDB's API).
	HashKey KeyRole = iota + 1
	// RangeKey is the sort key ("RANGE" in DynamoDB's API).
	RangeKey
)

// String returns the DynamoDB spelling, "HASH" or "RANGE".
func (r KeyRole) String() string {
	switch r {
	case HashKey:
		return "HASH"
	case RangeKey:
		return "RANGE"
	}
	return ""
}

// ScalarType is the DynamoDB type of a key attribute: "S", "N" or "B".
type ScalarType string

// The scalar types a DynamoDB key may have.
const (
	String ScalarType = "S"
	Number ScalarType = "N"
	Binary ScalarType = "B"
)

// Role is the special meaning a dynamokit tag gives an attribute.
type Role uint8

// The roles set with the dynamokit tag.
const (
	NoRole      Role = iota
	TTLRole          // dynamokit:"ttl"
	VersionRole      // dynamokit:"version"
	CreatedRole      // dynamokit:"created"
	UpdatedRole      // dynamokit:"updated"
	TypeRole         // dynamokit:"type"
)

// Attribute is one attribute of a model: a struct field, or a computed
// attribute declared with a template tag.
type Attribute struct {
	// Name is the attribute name in DynamoDB.
	Name string
	// Field is the Go field name; "_" for a computed attribute.
	Field string
	// Index is the field's index path from the model's struct; nil for a
	// computed attribute. Read and set the field with [Attribute.FieldOf]
	// and [Attribute.SettableFieldOf], which go through embedded pointers
	// where reflect.Value.FieldByIndex panics on a nil one.
	Index []int
	// GoType is the field's type; nil for a computed attribute.
	GoType reflect.Type
	// Type is the DynamoDB scalar type when the attribute can be a key
	// (string, number, binary); "" otherwise. For a field it is the type
	// the field's encoder writes (a time.Time is S, or N with unixtime or as
	// a TTL; a type with a MarshalText method is S whatever its kind; a
	// type whose MarshalDynamo method picks the type by value has none).
	Type ScalarType
	// Role is the role given with the dynamokit tag.
	Role Role
	// Template is set for a computed attribute.
	Template *Template

	OmitEmpty bool // the omitempty option
	Set       bool // the set option
	UnixTime  bool // the unixtime option

	// field reaches the attribute's field; nil for a computed attribute.
	field *itemcodec.Field
	// codec encodes the field's values on their own, as the item encodes
	// them; nil for a computed attribute.
	codec *itemcodec.FieldCodec
	// tag is the field's parsed tags, shared with the codec's field.
	tag *structtag.Tag
	// owner is the model type, for errors.
	owner reflect.Type

	// dynamic is set when the field's own marshalling method (or, for an
	// interface, its value) decides its DynamoDB type value by value.
	dynamic bool

	// viaItem is set when the tag has an option (set, null, allowempty...)
	// that changes how guregu/dynamo encodes the field inside an item, so
	// the value is taken from a marshalled item.
	viaItem bool
}

// Computed reports whether the attribute is built from a template.
func (a *Attribute) Computed() bool { return a.Template != nil }

// KeySchema is a hash key and an optional range key. A global secondary
// index may have a multi-attribute key: up to [MaxKeyAttrs] hash attributes
// and as many range attributes, each a typed attribute of its own, in an
// order that is part of the key.
type KeySchema struct {
	// Hash and Range are the first hash and the first range attribute;
	// Range is nil when the key has no range part.
	Hash  *Attribute
	Range *Attribute
	// Hashes and Ranges list every attribute of each role in key order:
	// one hash attribute and at most one range attribute, except in a
	// multi-attribute key. Ranges is nil when the key has no range part.
	Hashes, Ranges []*Attribute
}

// MaxKeyAttrs is how many hash attributes, and how many range attributes,
// the key of a global secondary index may have. See
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.MultiAttributeKeys
const MaxKeyAttrs = 4

// Multi reports whether the key has more than one hash or range attribute.
func (k KeySchema) Multi() bool { return len(k.Hashes) > 1 || len(k.Ranges) > 1 }

// Names returns the attribute names of the key, hash attributes first, each
// role in key order.
func (k KeySchema) Names() []string {
	if k.Hashes == nil { // a key set by hand, not by the model
		if k.Range == nil {
			return []string{k.Hash.Name}
		}
		return []string{k.Hash.Name, k.Range.Name}
	}
	out := make([]string, 0, len(k.Hashes)+len(k.Ranges))
	for _, a := range k.Attributes() {
		out = append(out, a.Name)
	}
	return out
}

// Attributes returns the attributes of the key, hash attributes first, each
// role in key order.
func (k KeySchema) Attributes() []*Attribute {
	if k.Hashes == nil {
		if k.Range == nil {
			return []*Attribute{k.Hash}
		}
		return []*Attribute{k.Hash, k.Range}
	}
	out := make([]*Attribute, 0, len(k.Hashes)+len(k.Ranges))
	out = append(out, k.Hashes...)
	return append(out, k.Ranges...)
}

// Index is a global or local secondary index.
type Index struct {
	Name       string
	Local      bool
	Key        KeySchema
	Projection Projection
}

// Model is the parsed, validated description of a model type. It is shared
// and must not be modified.
type Model struct {
	// Type is the struct type (never a pointer type).
	Type reflect.Type
	// Table is the base table name from the type's TableName method; see
	// [Model.TableName] for the name with a [Namer] applied.
	Table string
	// Key is the table's primary key.
	Key KeySchema
	// Attributes lists every attribute in field order, computed ones included.
	Attributes []*Attribute
	// GSIs and LSIs list the secondary indexes in the order first declared.
	GSIs []*Index
	LSIs []*Index
	// TTL, Version, Created, Updated and EntityType are the attributes with
	// those roles, or nil.
	TTL, Version, Created, Updated, EntityType *Attribute
	// Entity is the value of the entity-type attribute ("" without one).
	Entity string
	// Billing is the table's billing mode.
	Billing Billing
	// Settings is [Options.Settings] of the model's options, or nil.
	Settings any
	// Unique lists the attributes tagged unique, in field order.
	Unique []*Unique

	byName  map[string]*Attribute
	indexes map[string]*Index
	// codec encodes and decodes the items of Type. It is compiled from the
	// same walk of the struct as the attributes, whose fields are its own.
	codec *itemcodec.Codec
	// handle is the public handle of this mapping, package model's
	// *Model, made once; see [Model.Handle].
	handle atomic.Value
}

// Unique is an attribute tagged unique:"" (or unique:"scope=other"): no
// two items of the table hold the same value of it (within one value of
// Scope, when set).
type Unique struct {
	Attr  *Attribute
	Scope *Attribute // nil: unique in the whole table
}

// Attribute returns the attribute with the given DynamoDB name, or nil.
func (m *Model) Attribute(name string) *Attribute { return m.byName[name] }

// Index returns the secondary index with the given name, or nil.
func (m *Model) Index(name string) *Index { return m.indexes[name] }

// TableName returns the model's table name after applying n; a nil Namer
// returns [Model.Table] unchanged.
func (m *Model) TableName(n Namer) string {
	if n == nil {
		return m.Table
	}
	return n(m.Table)
}

// Computed reports whether any attribute is built from a template.
func (m *Model) Computed() bool {
	for _, a := range m.Attributes {
		if a.Template != nil {
			return true
		}
	}
	return false
}

// Namer maps a model's base table name to the name of the table to use,
// so one model can serve several environments ("dev-employee",
// "prod-employee"). It is applied by the caller (package schema, query).
type Namer func(base string) string

// Prefix returns a [Namer] that prepends p.
func Prefix(p string) Namer { return func(base string) string { return p + base } }

// Tabler is implemented by every model: TableName returns the base name of
// the model's table. It must not depend on the receiver's field values.
type Tabler interface {
	TableName() string
}

// Optioner may be implemented by a model for the settings that tags cannot
// express.
type Optioner interface {
	TableOptions() Options
}

// Options are a model's table settings. The zero value means on-demand
// billing and every index projecting all attributes.
type Options struct {
	// Billing is the table's billing mode; the zero value is on-demand.
	Billing Billing
	// Projections maps an index name to its projection; an index that is not
	// listed projects all attributes.
	Projections map[string]Projection
	// Settings holds the table settings mapping does not read (stream,
	// encryption, tags...): the model.Options value a model declared, for
	// package schema; nil for options given in this internal form.
	Settings any
}

// Billing is a table's billing mode: on-demand (the zero value) or
// provisioned capacity.
type Billing struct {
	// ReadUnits and WriteUnits are the provisioned capacity; both zero
	// means on-demand (PAY_PER_REQUEST).
	ReadUnits, WriteUnits int64
}

// OnDemand reports whether b is on-demand billing.
func (b Billing) OnDemand() bool { return b.ReadUnits == 0 && b.WriteUnits == 0 }

// Provisioned returns a provisioned billing mode with the given capacity.
func Provisioned(readUnits, writeUnits int64) Billing {
	return Billing{ReadUnits: readUnits, WriteUnits: writeUnits}
}

// ProjectionType is which attributes an index copies: "ALL", "KEYS_ONLY" or
// "INCLUDE".
type ProjectionType string

// The projection types of DynamoDB.
const (
	ProjectAll      ProjectionType = "ALL"
	ProjectKeysOnly ProjectionType = "KEYS_ONLY"
	ProjectInclude  ProjectionType = "INCLUDE"
)

// Projection is the set of attributes an index copies.
type Projection struct {
	Type ProjectionType
	// NonKey lists the attributes copied besides the keys, for ProjectInclude.
	NonKey []string
}

// Include returns an INCLUDE projection of the given attributes.
func Include(attrs ...string) Projection {
	return Projection{Type: ProjectInclude, NonKey: attrs}
}

// KeysOnly is the KEYS_ONLY projection.
var KeysOnly = Projection{Type: ProjectKeysOnly}

// All is the ALL projection, the default.
var All = Projection{Type: ProjectAll}

var (
	typeTime     = reflect.TypeFor[time.Time]()
	typeTabler   = reflect.TypeFor[Tabler]()
	typeOptioner = reflect.TypeFor[Optioner]()
)

func isInteger(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// Handle returns the handle that [Model.SetHandle] stored for m (package
// model's *Model), or nil. It lets package model give one handle per type
// without a cache of its own.
func (m *Model) Handle() any { return m.handle.Load() }

// SetHandle stores h as m's handle unless one is stored already, and
// returns the one stored.
func (m *Model) SetHandle(h any) any {
	if m.handle.CompareAndSwap(nil, h) {
		return h
	}
	return m.handle.Load()
}
