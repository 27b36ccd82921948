package itemcodec

import (
	"encoding"
	"reflect"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// KeyType is the DynamoDB type a field's encoder writes, as far as a key
// is concerned: a key (of the table or an index) must be S, N or B.
type KeyType uint8

const (
	// NotScalar is a type no key can have: BOOL, L, M, a set, NULL, or a
	// Go type guregu/dynamo cannot encode.
	NotScalar KeyType = iota
	// KeyS is a string.
	KeyS
	// KeyN is a number.
	KeyN
	// KeyB is binary.
	KeyB
	// Dynamic is a type whose own method (MarshalDynamo or
	// MarshalDynamoDBAttributeValue), or whose dynamic type (an interface
	// field), decides the DynamoDB type value by value, so it is known
	// only once a value is encoded.
	Dynamic
)

// String returns "S", "N" or "B" for a scalar type, else "".
func (k KeyType) String() string {
	switch k {
	case KeyS:
		return "S"
	case KeyN:
		return "N"
	case KeyB:
		return "B"
	}
	return ""
}

// KeyType returns the DynamoDB type the field's encoder writes for every
// non-empty value: the encoder the codec uses for the field (with its tag
// options, such as unixtime), so the type a table declares for a key is
// the type its items are written with.
func (f *Field) KeyType() KeyType { return f.keyType }

// keyType returns the type f's encoder writes: its specialised node's, or
// guregu/dynamo's for a field handed to it.
func (f *field) keyType() KeyType {
	if f.node != nil {
		return f.node.keyType()
	}
	return gureguKeyType(f.acc.typ, f.flags)
}

// keyType returns the type node n writes.
func (n *node) keyType() KeyType {
	switch n.kind {
	case kString:
		return KeyS
	case kInt, kUint, kFloat32, kFloat64:
		return KeyN
	case kTime:
		if n.unix {
			return KeyN
		}
		return KeyS
	case kBytes:
		return KeyB
	case kPtr:
		return n.elem.keyType()
	}
	return NotScalar // kBool, kSlice, kStruct
}

var (
	typeMarshaler     = reflect.TypeFor[dynamo.Marshaler]()
	typeAWSMarshaler  = reflect.TypeFor[attributevalue.Marshaler]()
	typeTextMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	typeTimePtr       = reflect.TypeFor[*time.Time]()
	// memberTypes are the SDK's attribute value types, which guregu/dynamo
	// writes as they are.
	memberTypes = map[reflect.Type]KeyType{
		reflect.TypeFor[*types.AttributeValueMemberS](): KeyS,
		reflect.TypeFor[*types.AttributeValueMemberN](): KeyN,
		reflect.TypeFor[*types.AttributeValueMemberB](): KeyB,
	}
)

// gureguKeyType returns the type guregu/dynamo's encodeType picks for t
// with the tag flags fl, checking what it checks in its order: the SDK's
// attribute value types, a unixtime time, dynamo.Marshaler,
// attributevalue.Marshaler and encoding.TextMarshaler on t and then on
// each type t points to, and last the kind.
func gureguKeyType(t reflect.Type, fl flags) KeyType {
	for {
		if k, ok := memberTypes[t]; ok {
			return k
		}
		switch {
		case t == typeAV:
			return Dynamic
		case (t == typeTime || t == typeTimePtr) && fl&flagUnixTime != 0:
			return KeyN
		case t.Implements(typeMarshaler), t.Implements(typeAWSMarshaler):
			return Dynamic
		case t.Implements(typeTextMarshaler):
			return KeyS
		}
		if t.Kind() != reflect.Pointer {
			break
		}
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return KeyN
	case reflect.String:
		return KeyS
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return KeyB
		}
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return Dynamic // guregu encodes the dynamic value
		}
	}
	return NotScalar
}
