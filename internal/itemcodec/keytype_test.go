package itemcodec

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TextInt is an integer that encodes itself as text.
type TextInt int

func (n TextInt) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "T%d", int(n)), nil }

// PtrTextInt has MarshalText on its pointer only, which guregu/dynamo sees
// only for a *PtrTextInt field.
type PtrTextInt int

func (n *PtrTextInt) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "P%d", int(*n)), nil }

// TextStruct is a struct that encodes itself as text.
type TextStruct struct{ A, B int }

func (s TextStruct) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "%d-%d", s.A, s.B), nil }

// AnyMarshaler picks its DynamoDB type by value.
type AnyMarshaler int

func (n AnyMarshaler) MarshalDynamo() (types.AttributeValue, error) {
	if n%2 == 0 {
		return &types.AttributeValueMemberN{Value: fmt.Sprint(int(n))}, nil
	}
	return &types.AttributeValueMemberS{Value: fmt.Sprint(int(n))}, nil
}

// AWSMarshaler uses the SDK's interface instead.
type AWSMarshaler string

func (s AWSMarshaler) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	return &types.AttributeValueMemberS{Value: string(s)}, nil
}

// ZeroInt has IsZero and UnmarshalText only: it encodes by its kind.
type ZeroInt int

func (n ZeroInt) IsZero() bool                  { return n == 0 }
func (n *ZeroInt) UnmarshalText(b []byte) error { return nil }

type (
	Count int
	Name  string
	Blob  []byte
)

// keyTypes has one field of every kind of Go type a model may key on, or
// try to; wantKeyTypes lists what each field's encoder writes.
type keyTypes struct {
	Str       string                          `dynamo:"str"`
	Int       int                             `dynamo:"int"`
	Int8      int8                            `dynamo:"int8"`
	Uint64    uint64                          `dynamo:"uint64"`
	Float     float64                         `dynamo:"float"`
	Count     Count                           `dynamo:"count"`
	Name      Name                            `dynamo:"name"`
	Bytes     []byte                          `dynamo:"bytes"`
	Blob      Blob                            `dynamo:"blob"`
	Array     [4]byte                         `dynamo:"array"`
	Time      time.Time                       `dynamo:"time"`
	Unix      time.Time                       `dynamo:"unix,unixtime"`
	UnixPtr   *time.Time                      `dynamo:"unixptr,unixtime"`
	TTL       time.Time                       `dynamo:"ttl" dynamokit:"ttl"`
	TTLInt    int64                           `dynamo:"ttlint" dynamokit:"ttl"`
	StrPtr    *string                         `dynamo:"strptr"`
	IntPtr    *int                            `dynamo:"intptr"`
	TextInt   TextInt                         `dynamo:"textint"`
	TextPtr   *TextInt                        `dynamo:"textptr"`
	PtrText   PtrTextInt                      `dynamo:"ptrtext"`
	PtrTextP  *PtrTextInt                     `dynamo:"ptrtextp"`
	TextStr   TextStruct                      `dynamo:"textstruct"`
	ZeroInt   ZeroInt                         `dynamo:"zeroint"`
	Marshaler AnyMarshaler                    `dynamo:"marshaler"`
	AWS       AWSMarshaler                    `dynamo:"aws"`
	MemberS   *types.AttributeValueMemberS    `dynamo:"members"`
	MemberN   *types.AttributeValueMemberN    `dynamo:"membern"`
	AV        types.AttributeValue            `dynamo:"av"`
	Any       any                             `dynamo:"any"`
	Bool      bool                            `dynamo:"bool"`
	List      []string                        `dynamo:"list"`
	Set       []string                        `dynamo:"set,set"`
	Map       map[string]int                  `dynamo:"map"`
	Struct    struct{ A int }                 `dynamo:"struct"`
	MemberL   *types.AttributeValueMemberL    `dynamo:"memberl"`
	MemberBOO *types.AttributeValueMemberBOOL `dynamo:"memberbool"`
}

// TestKeyType checks the DynamoDB type of every field against a table, and
// against what the codec writes for a non-empty value: the type a schema
// declares is the type items are written with.
func TestKeyType(t *testing.T) {
	s, i := "s", 7
	now := time.Unix(1700000000, 0).UTC()
	ti, pt := TextInt(3), PtrTextInt(4)
	v := keyTypes{
		Str: "a", Int: 1, Int8: 2, Uint64: 3, Float: 1.5, Count: 4, Name: "n",
		Bytes: []byte{1}, Blob: Blob{2}, Array: [4]byte{1, 2, 3, 4},
		Time: now, Unix: now, UnixPtr: &now, TTL: now, TTLInt: 1700000000,
		StrPtr: &s, IntPtr: &i,
		TextInt: 5, TextPtr: &ti, PtrText: 6, PtrTextP: &pt, TextStr: TextStruct{1, 2},
		ZeroInt: 8, Marshaler: 2, AWS: "x",
		MemberS: &types.AttributeValueMemberS{Value: "m"}, MemberN: &types.AttributeValueMemberN{Value: "1"},
		AV: &types.AttributeValueMemberS{Value: "av"}, Any: "any",
		Bool: true, List: []string{"l"}, Set: []string{"e"}, Map: map[string]int{"k": 1}, Struct: struct{ A int }{1},
		MemberL: &types.AttributeValueMemberL{}, MemberBOO: &types.AttributeValueMemberBOOL{Value: true},
	}
	want := map[string]KeyType{
		"Str": KeyS, "Int": KeyN, "Int8": KeyN, "Uint64": KeyN, "Float": KeyN,
		"Count": KeyN, "Name": KeyS, "Bytes": KeyB, "Blob": KeyB, "Array": KeyB,
		"Time": KeyS, "Unix": KeyN, "UnixPtr": KeyN, "TTL": KeyN, "TTLInt": KeyN,
		"StrPtr": KeyS, "IntPtr": KeyN,
		"TextInt": KeyS, "TextPtr": KeyS, "PtrText": KeyN, "PtrTextP": KeyS, "TextStr": KeyS,
		"ZeroInt": KeyN, "Marshaler": Dynamic, "AWS": Dynamic,
		"MemberS": KeyS, "MemberN": KeyN, "AV": Dynamic, "Any": Dynamic,
		"Bool": NotScalar, "List": NotScalar, "Set": NotScalar, "Map": NotScalar, "Struct": NotScalar,
		"MemberL": NotScalar, "MemberBOO": NotScalar,
	}
	typ := reflect.TypeFor[keyTypes]()
	c, err := Compile(typ)
	if err != nil {
		t.Fatal(err)
	}
	item, err := c.Encode(reflect.ValueOf(v), 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range typ.NumField() {
		sf := typ.Field(i)
		t.Run(sf.Name, func(t *testing.T) {
			f, err := c.Field([]int{i})
			if err != nil {
				t.Fatal(err)
			}
			w, ok := want[sf.Name]
			if !ok {
				t.Fatalf("no expected type for %s", sf.Name)
			}
			if got := f.KeyType(); got != w {
				t.Errorf("KeyType(%s %s) = %v (%d), want %v (%d)", sf.Name, sf.Type, got, got, w, w)
			}
			name := f.Tag().Name
			if got := written(item[name]); w != Dynamic && got != w {
				t.Errorf("the codec writes %s %s as %v (%T), but KeyType says %v", sf.Name, sf.Type, got, item[name], w)
			}
		})
	}
}

// written returns the key type of an encoded value.
func written(av types.AttributeValue) KeyType {
	switch av.(type) {
	case *types.AttributeValueMemberS:
		return KeyS
	case *types.AttributeValueMemberN:
		return KeyN
	case *types.AttributeValueMemberB:
		return KeyB
	}
	return NotScalar
}

// TestKeyTypeString checks the DynamoDB spellings.
func TestKeyTypeString(t *testing.T) {
	for k, want := range map[KeyType]string{NotScalar: "", KeyS: "S", KeyN: "N", KeyB: "B", Dynamic: ""} {
		if got := k.String(); got != want {
			t.Errorf("KeyType(%d).String() = %q, want %q", k, got, want)
		}
	}
}
