package itemcodec

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/benchmodel"
)

// The types below cover every rule of guregu/dynamo's encoding that the
// codec implements or defers; compat_test.go and fuzz_test.go run both
// libraries over them.

type Inner struct {
	A    string
	B    int `dynamo:",omitempty"`
	T    *time.Time
	Tags []string `dynamo:",set"`
}

type Embedded struct {
	EmbA string `dynamo:"emb_a"`
	EmbB int
}

type PtrEmbedded struct {
	PE  string
	PEn int
}

type hidden struct {
	Visible string
}

type NamedString string

type NamedBytes []byte

// textID marshals itself as text.
type textID string

func (t textID) MarshalText() ([]byte, error) { return []byte("id:" + string(t)), nil }

func (t *textID) UnmarshalText(b []byte) error {
	s, ok := strings.CutPrefix(string(b), "id:")
	if !ok {
		return errors.New("textID: missing prefix")
	}
	*t = textID(s)
	return nil
}

// custom implements guregu/dynamo's Marshaler and Unmarshaler.
type custom struct{ X int }

func (c custom) MarshalDynamo() (types.AttributeValue, error) {
	return &types.AttributeValueMemberN{Value: strconv.Itoa(c.X * 2)}, nil
}

func (c *custom) UnmarshalDynamo(av types.AttributeValue) error {
	n, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return errors.New("custom: want N")
	}
	x, err := strconv.Atoi(n.Value)
	c.X = x / 2
	return err
}

// awsCustom implements the SDK's attributevalue Marshaler and Unmarshaler.
type awsCustom struct{ Y string }

func (c awsCustom) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	return &types.AttributeValueMemberS{Value: "aws:" + c.Y}, nil
}

func (c *awsCustom) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	s, ok := av.(*types.AttributeValueMemberS)
	if !ok {
		return errors.New("awsCustom: want S")
	}
	c.Y = strings.TrimPrefix(s.Value, "aws:")
	return nil
}

// Kitchen has a field of every kind.
type Kitchen struct {
	Embedded
	*PtrEmbedded
	hidden

	Template   struct{} `dynamo:"-"`
	_          struct{} `dynamo:"pk,hash" template:"K#{Str}"`
	Str        string   `dynamo:"str,hash"`
	StrOmit    string   `dynamo:",omitempty"`
	StrAllow   string   `dynamo:",allowempty"`
	StrNull    string   `dynamo:",null"`
	StrBoth    string   `dynamo:",allowempty,null"`
	Skip       string   `dynamo:"-"`
	unexported string
	Named      NamedString `dynamo:"named"`
	Unicode    string      `dynamo:"ünïcødé 名前"`

	Bool     bool
	BoolOmit bool `dynamo:",omitempty"`
	Int      int
	Int8     int8
	Int16    int16
	Int32    int32
	Int64    int64
	Uint     uint
	Uint8    uint8
	Uint16   uint16
	Uint32   uint32
	Uint64   uint64
	F32      float32
	F64      float64
	IntOmit  int     `dynamo:",omitempty"`
	IntNull  int     `dynamo:",null"`
	F64Omit  float64 `dynamo:",omitempty"`

	Bytes      []byte
	BytesAllow []byte `dynamo:",allowempty"`
	BytesNull  []byte `dynamo:",null"`
	BytesOmit  []byte `dynamo:",omitempty"`
	NamedBytes NamedBytes

	Time        time.Time
	TimeOmit    time.Time `dynamo:",omitempty"`
	Unix        time.Time `dynamo:",unixtime"`
	UnixOmit    time.Time `dynamo:",unixtime,omitempty"`
	UnixNull    time.Time `dynamo:",unixtime,null"`
	TimePtr     *time.Time
	TimePtrOmit *time.Time `dynamo:",omitempty"`
	TimePtrNull *time.Time `dynamo:",null"`
	UnixPtr     *time.Time `dynamo:",unixtime"`

	StrPtr     *string
	StrPtrNull *string `dynamo:",null"`
	StrPtrOmit *string `dynamo:",omitempty"`
	IntPtr     *int
	BoolPtr    *bool
	BytesPtr   *[]byte
	ListPtr    *[]string

	SS          []string `dynamo:",set"`
	SSOmitElem  []string `dynamo:",set,omitemptyelem"`
	SSOmit      []string `dynamo:",set,omitempty"`
	SSNull      []string `dynamo:",set,null"`
	List        []string
	ListOmit    []string  `dynamo:",omitempty"`
	ListElem    []string  `dynamo:",omitemptyelem"`
	ListAllow   []string  `dynamo:",allowemptyelem"`
	ListMixed   []string  `dynamo:",allowempty,omitemptyelem"`
	IntSet      []int     `dynamo:",set"`
	IntSetElem  []int     `dynamo:",set,omitemptyelem"`
	UintSet     []uint16  `dynamo:",set"`
	FloatSet    []float64 `dynamo:",set"`
	F32Set      []float32 `dynamo:",set"`
	BinSet      [][]byte  `dynamo:",set"`
	BinSetElem  [][]byte  `dynamo:",set,omitemptyelem"`
	IntList     []int
	BoolList    []bool
	F32List     []float32
	PtrList     []*string
	PtrListElem []*string `dynamo:",omitemptyelem"`
	TimeList    []time.Time
	UnixList    []time.Time `dynamo:",unixtime"`
	BytesList   [][]byte
	ListList    [][]string
	NamedList   []NamedString `dynamo:",set"`

	Nested     Inner
	NestedOmit Inner `dynamo:",omitempty"`
	NestedNull Inner `dynamo:",null"`
	NestedPtr  *Inner
	NestedList []Inner
	NestedPtrs []*Inner `dynamo:",omitemptyelem"`

	MapSetBool    map[string]bool     `dynamo:",set"`
	MapSetStruct  map[string]struct{} `dynamo:",set"`
	IntMapSet     map[int]struct{}    `dynamo:",set"`
	Map           map[string]int
	MapOmit       map[string]int    `dynamo:",omitempty"`
	MapAllowEmpty map[string]string `dynamo:",allowemptyelem"`
	MapNested     map[string]Inner
	Any           any
	AnyNull       any `dynamo:",null"`
	Text          textID
	TextPtr       *textID
	TextSet       []textID `dynamo:",set"`
	Custom        custom
	CustomPtr     *custom
	AWS           awsCustom
	Array         [3]int
	ByteArray     [4]byte
}

// Node is recursive.
type Node struct {
	Name     string
	Next     *Node
	Children []Node `dynamo:",omitempty"`
}

// Base and Tricky exercise guregu/dynamo's rules for embedded structs and
// names declared twice. Other has the type and flags of the embedded Base,
// so guregu also encodes Base as a whole, under the name "Base".
type Base struct {
	ID     string
	Shared string
}

type PtrBase struct {
	PB     string
	Shared string
}

type Tricky struct {
	Shared string
	Base
	Other Base `dynamo:"other"`
	*PtrBase
	ID2 string `dynamo:"ID"`
}

// Claimless embeds Base with no other field of its type: the embedded
// struct claims the name "Base" when encoding but not when decoding.
type Claimless struct {
	Base
	BaseName string `dynamo:"Base"`
	*hiddenPtr
}

type hiddenPtr struct{ HP string }

// Employee is the struct of the performance goals.
type Employee = benchmodel.Employee

func ptr[T any](v T) *T { return &v }

var (
	when  = time.Date(2024, 2, 29, 13, 14, 15, 123456789, time.UTC)
	zoned = time.Date(1999, 12, 31, 23, 59, 59, 0, time.FixedZone("", -7*3600))
)

// kitchens are the values of the differential tests: zero, full with edge
// values, and empty-but-not-nil.
func kitchens() map[string]Kitchen {
	full := Kitchen{
		Embedded:      Embedded{EmbA: "a", EmbB: -1},
		PtrEmbedded:   &PtrEmbedded{PE: "pe", PEn: 7},
		hidden:        hidden{Visible: "v"},
		Str:           "s",
		StrOmit:       "o",
		StrAllow:      "al",
		StrNull:       "nu",
		StrBoth:       "b",
		Skip:          "skipped",
		unexported:    "x",
		Named:         "named",
		Unicode:       "héllo, 世界 🌍",
		Bool:          true,
		BoolOmit:      true,
		Int:           math.MaxInt,
		Int8:          math.MinInt8,
		Int16:         math.MaxInt16,
		Int32:         math.MinInt32,
		Int64:         math.MinInt64,
		Uint:          math.MaxUint,
		Uint8:         math.MaxUint8,
		Uint16:        math.MaxUint16,
		Uint32:        math.MaxUint32,
		Uint64:        math.MaxUint64,
		F32:           0.1,
		F64:           -1.5e300,
		IntOmit:       3,
		IntNull:       4,
		F64Omit:       math.SmallestNonzeroFloat64,
		Bytes:         []byte{0, 1, 2, 255},
		BytesAllow:    []byte("x"),
		BytesNull:     []byte("y"),
		BytesOmit:     []byte("z"),
		NamedBytes:    NamedBytes("nb"),
		Time:          when,
		TimeOmit:      zoned,
		Unix:          when,
		UnixOmit:      zoned,
		UnixNull:      when,
		TimePtr:       &when,
		TimePtrOmit:   ptr(time.Time{}),
		TimePtrNull:   &zoned,
		UnixPtr:       &zoned,
		StrPtr:        ptr("p"),
		StrPtrNull:    ptr(""),
		StrPtrOmit:    ptr(""),
		IntPtr:        ptr(0),
		BoolPtr:       ptr(false),
		BytesPtr:      ptr([]byte("bp")),
		ListPtr:       ptr([]string{"lp", ""}),
		SS:            []string{"b", "a", "ü"},
		SSOmitElem:    []string{"", "x", ""},
		SSOmit:        []string{"y"},
		SSNull:        []string{"", ""},
		List:          []string{"", "a", ""},
		ListOmit:      []string{"a"},
		ListElem:      []string{"", "b"},
		ListAllow:     []string{"", "c"},
		ListMixed:     []string{"", "d"},
		IntSet:        []int{3, 1, 2, math.MinInt},
		IntSetElem:    []int{0, 5},
		UintSet:       []uint16{65535, 0},
		FloatSet:      []float64{1.25, -0.5, 1e21},
		F32Set:        []float32{0.1, 3},
		BinSet:        [][]byte{{1}, {2, 3}},
		BinSetElem:    [][]byte{{}, {4}},
		IntList:       []int{0, -1},
		BoolList:      []bool{true, false},
		F32List:       []float32{2.5},
		PtrList:       []*string{nil, ptr("pl"), ptr("")},
		PtrListElem:   []*string{nil, ptr("ple")},
		TimeList:      []time.Time{when, {}},
		UnixList:      []time.Time{zoned},
		BytesList:     [][]byte{nil, {}, {9}},
		ListList:      [][]string{nil, {}, {"x", ""}},
		NamedList:     []NamedString{"n1", "n2"},
		Nested:        Inner{A: "ia", B: 2, T: &when, Tags: []string{"t"}},
		NestedOmit:    Inner{B: 1},
		NestedNull:    Inner{},
		NestedPtr:     &Inner{A: "np"},
		NestedList:    []Inner{{A: "l1"}, {}},
		NestedPtrs:    []*Inner{nil, {A: "p2"}},
		MapSetBool:    map[string]bool{"yes": true, "no": false},
		MapSetStruct:  map[string]struct{}{"k": {}},
		IntMapSet:     map[int]struct{}{4: {}},
		Map:           map[string]int{"one": 1, "zero": 0},
		MapOmit:       map[string]int{"m": 1},
		MapAllowEmpty: map[string]string{"empty": "", "full": "f"},
		MapNested:     map[string]Inner{"n": {A: "mn"}},
		Any:           map[string]any{"k": "v", "n": 1.5, "l": []any{"x", true}},
		AnyNull:       "an",
		Text:          "t1",
		TextPtr:       ptr(textID("t2")),
		TextSet:       []textID{"t3"},
		Custom:        custom{X: 21},
		CustomPtr:     &custom{X: 4},
		AWS:           awsCustom{Y: "aw"},
		Array:         [3]int{1, 2, 3},
		ByteArray:     [4]byte{1, 2, 3, 4},
	}
	empty := Kitchen{
		PtrEmbedded:   &PtrEmbedded{},
		Bytes:         []byte{},
		BytesAllow:    []byte{},
		BytesNull:     []byte{},
		BytesOmit:     []byte{},
		StrPtr:        ptr(""),
		TimePtr:       ptr(time.Time{}),
		BytesPtr:      ptr([]byte{}),
		ListPtr:       &[]string{},
		SS:            []string{},
		SSOmit:        []string{},
		SSNull:        []string{},
		List:          []string{},
		ListOmit:      []string{},
		ListElem:      []string{""},
		IntSet:        []int{},
		BinSet:        [][]byte{},
		IntList:       []int{},
		PtrListElem:   []*string{nil},
		NestedList:    []Inner{},
		NestedPtrs:    []*Inner{nil},
		NestedPtr:     &Inner{},
		MapSetBool:    map[string]bool{"no": false},
		MapSetStruct:  map[string]struct{}{},
		Map:           map[string]int{},
		MapOmit:       map[string]int{},
		MapAllowEmpty: map[string]string{},
		Any:           []any{},
		TextSet:       []textID{},
	}
	return map[string]Kitchen{"zero": {}, "full": full, "empty": empty}
}
