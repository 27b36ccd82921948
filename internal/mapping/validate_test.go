package mapping_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// Each type below breaks exactly one validation rule.

type noHash struct {
	ID string `dynamo:"id"`
}

func (noHash) TableName() string { return "t" }

type twoHashes struct {
	A string `dynamo:"a,hash"`
	B string `dynamo:"b,partition"`
}

func (twoHashes) TableName() string { return "t" }

type twoRanges struct {
	ID string `dynamo:"id,hash"`
	A  string `dynamo:"a,range"`
	B  string `dynamo:"b,sort"`
}

func (twoRanges) TableName() string { return "t" }

type hashAndRange struct {
	ID string `dynamo:"id,hash,range"`
}

func (hashAndRange) TableName() string { return "t" }

type boolKey struct {
	OK bool `dynamo:"ok,hash"`
}

func (boolKey) TableName() string { return "t" }

type mapKey struct {
	M map[string]string `dynamo:"m,hash"`
}

func (mapKey) TableName() string { return "t" }

type sliceKey struct {
	S []string `dynamo:"s,hash"`
}

func (sliceKey) TableName() string { return "t" }

type structKey struct {
	S struct{ A string } `dynamo:"s,hash"`
}

func (structKey) TableName() string { return "t" }

type boolIndexKey struct {
	ID string `dynamo:"id,hash"`
	OK bool   `dynamo:"ok" index:"by-ok,hash"`
}

func (boolIndexKey) TableName() string { return "t" }

type gsiRangeOnly struct {
	ID   string `dynamo:"id,hash"`
	Date string `dynamo:"date" index:"by-date,range"`
}

func (gsiRangeOnly) TableName() string { return "t" }

// lsiTwoRanges gives a local index two range keys: only a global index may
// have a multi-attribute key (see multikey_test.go).
type lsiTwoRanges struct {
	ID string `dynamo:"id,hash"`
	SK string `dynamo:"sk,range"`
	A  string `dynamo:"a" localIndex:"l,range"`
	B  string `dynamo:"b" localIndex:"l,range"`
}

func (lsiTwoRanges) TableName() string { return "t" }

type gsiHashAndRangeOnOneField struct {
	ID string `dynamo:"id,hash"`
	A  string `dynamo:"a" index:"g,hash" index:"g,range"`
}

func (gsiHashAndRangeOnOneField) TableName() string { return "t" }

type indexWithoutRole struct {
	ID string `dynamo:"id,hash"`
	A  string `dynamo:"a" index:"g"`
}

func (indexWithoutRole) TableName() string { return "t" }

type indexUnknownRole struct {
	ID string `dynamo:"id,hash"`
	A  string `dynamo:"a" index:"g,primary"`
}

func (indexUnknownRole) TableName() string { return "t" }

type lsiWithoutTableRange struct {
	ID   string `dynamo:"id,hash"`
	Date string `dynamo:"date" localIndex:"by-date,range"`
}

func (lsiWithoutTableRange) TableName() string { return "t" }

type lsiOtherHash struct {
	ID    string `dynamo:"id,hash"`
	SK    string `dynamo:"sk,range"`
	Other string `dynamo:"other" localIndex:"l,hash"`
	Date  string `dynamo:"date" localIndex:"l,range"`
}

func (lsiOtherHash) TableName() string { return "t" }

type lsiWithoutRange struct {
	ID string `dynamo:"id,hash" localIndex:"l,hash"`
	SK string `dynamo:"sk,range"`
}

func (lsiWithoutRange) TableName() string { return "t" }

type globalAndLocal struct {
	ID   string `dynamo:"id,hash"`
	SK   string `dynamo:"sk,range"`
	A    string `dynamo:"a" index:"x,hash"`
	Date string `dynamo:"date" localIndex:"x,range"`
}

func (globalAndLocal) TableName() string { return "t" }

type duplicateName struct {
	ID    string `dynamo:"id,hash"`
	Name  string `dynamo:"name"`
	Label string `dynamo:"name"`
}

func (duplicateName) TableName() string { return "t" }

type duplicateDefaultName struct {
	ID   string `dynamo:"id,hash"`
	Name string
	X    string `dynamo:"Name"`
}

func (duplicateDefaultName) TableName() string { return "t" }

type emptyTableName struct {
	ID string `dynamo:"id,hash"`
}

func (emptyTableName) TableName() string { return "" }

type noTableName struct {
	ID string `dynamo:"id,hash"`
}

type tooManyGSIs struct {
	ID  string `dynamo:"id,hash"`
	G1  string `index:"g1,hash"`
	G2  string `index:"g2,hash"`
	G3  string `index:"g3,hash"`
	G4  string `index:"g4,hash"`
	G5  string `index:"g5,hash"`
	G6  string `index:"g6,hash"`
	G7  string `index:"g7,hash"`
	G8  string `index:"g8,hash"`
	G9  string `index:"g9,hash"`
	G10 string `index:"g10,hash"`
	G11 string `index:"g11,hash"`
	G12 string `index:"g12,hash"`
	G13 string `index:"g13,hash"`
	G14 string `index:"g14,hash"`
	G15 string `index:"g15,hash"`
	G16 string `index:"g16,hash"`
	G17 string `index:"g17,hash"`
	G18 string `index:"g18,hash"`
	G19 string `index:"g19,hash"`
	G20 string `index:"g20,hash"`
	G21 string `index:"g21,hash"`
}

func (tooManyGSIs) TableName() string { return "t" }

type tooManyLSIs struct {
	ID string `dynamo:"id,hash"`
	SK string `dynamo:"sk,range"`
	L1 string `localIndex:"l1,range"`
	L2 string `localIndex:"l2,range"`
	L3 string `localIndex:"l3,range"`
	L4 string `localIndex:"l4,range"`
	L5 string `localIndex:"l5,range"`
	L6 string `localIndex:"l6,range"`
}

func (tooManyLSIs) TableName() string { return "t" }

type unknownDynamoOption struct {
	ID string `dynamo:"id,hash,omitemtpy"`
}

func (unknownDynamoOption) TableName() string { return "t" }

type unknownRole struct {
	ID      string `dynamo:"id,hash"`
	Expires int64  `dynamo:"expires" dynamokit:"expiry"`
}

func (unknownRole) TableName() string { return "t" }

type ttlString struct {
	ID      string `dynamo:"id,hash"`
	Expires string `dynamo:"expires" dynamokit:"ttl"`
}

func (ttlString) TableName() string { return "t" }

type twoTTLs struct {
	ID string `dynamo:"id,hash"`
	A  int64  `dynamo:"a" dynamokit:"ttl"`
	B  int64  `dynamo:"b" dynamokit:"ttl"`
}

func (twoTTLs) TableName() string { return "t" }

type versionString struct {
	ID      string `dynamo:"id,hash"`
	Version string `dynamo:"version" dynamokit:"version"`
}

func (versionString) TableName() string { return "t" }

type versionFloat struct {
	ID      string  `dynamo:"id,hash"`
	Version float64 `dynamo:"version" dynamokit:"version"`
}

func (versionFloat) TableName() string { return "t" }

type versionUint8 struct {
	ID      string `dynamo:"id,hash"`
	Version uint8  `dynamo:"version" dynamokit:"version"`
}

func (versionUint8) TableName() string { return "t" }

type versionInt32 struct {
	ID      string `dynamo:"id,hash"`
	Version *int32 `dynamo:"version" dynamokit:"version"`
}

func (versionInt32) TableName() string { return "t" }

type versionHashKey struct {
	ID int64 `dynamo:"id,hash" dynamokit:"version"`
}

func (versionHashKey) TableName() string { return "t" }

type versionRangeKey struct {
	ID      string `dynamo:"id,hash"`
	Version int64  `dynamo:"version,range" dynamokit:"version"`
}

func (versionRangeKey) TableName() string { return "t" }

type versionIndexKey struct {
	ID      string `dynamo:"id,hash"`
	Kind    string `dynamo:"kind" index:"by-kind,hash"`
	Version int64  `dynamo:"version" index:"by-kind,range" dynamokit:"version"`
}

func (versionIndexKey) TableName() string { return "t" }

type versionLocalIndexKey struct {
	ID      string `dynamo:"id,hash"`
	SK      string `dynamo:"sk,range"`
	Version int64  `dynamo:"version" localIndex:"by-version,range" dynamokit:"version"`
}

func (versionLocalIndexKey) TableName() string { return "t" }

type versionInKeyTemplate struct {
	_       struct{} `dynamo:"pk,hash" template:"DOC#{id}"`
	_       struct{} `dynamo:"sk,range" template:"V#{version:10}"`
	ID      string   `dynamo:"id"`
	Version int64    `dynamo:"version" dynamokit:"version"`
}

func (versionInKeyTemplate) TableName() string { return "t" }

type versionInIndexKeyTemplate struct {
	ID      string   `dynamo:"id,hash"`
	_       struct{} `dynamo:"gsi1pk" template:"REV#{version:10}" index:"gsi1,hash"`
	Version uint64   `dynamo:"version" dynamokit:"version"`
}

func (versionInIndexKeyTemplate) TableName() string { return "t" }

type allowEmptyHashKey struct {
	ID string `dynamo:"id,hash,allowempty"`
}

func (allowEmptyHashKey) TableName() string { return "t" }

type nullRangeKey struct {
	ID string `dynamo:"id,hash"`
	SK string `dynamo:"sk,range,null"`
}

func (nullRangeKey) TableName() string { return "t" }

type allowEmptyIndexKey struct {
	ID   string `dynamo:"id,hash"`
	Kind string `dynamo:"kind,allowempty" index:"by-kind,hash"`
}

func (allowEmptyIndexKey) TableName() string { return "t" }

type createdString struct {
	ID      string `dynamo:"id,hash"`
	Created string `dynamo:"created" dynamokit:"created"`
}

func (createdString) TableName() string { return "t" }

type typeNotTemplate struct {
	ID     string `dynamo:"id,hash"`
	Entity string `dynamo:"entity" dynamokit:"type"`
}

func (typeNotTemplate) TableName() string { return "t" }

type typeNotConstant struct {
	ID string   `dynamo:"id,hash"`
	_  struct{} `dynamo:"entity" template:"E#{id}" dynamokit:"type"`
}

func (typeNotConstant) TableName() string { return "t" }

type templateUnknownRef struct {
	_  struct{} `dynamo:"pk,hash" template:"DEPT#{department}"`
	ID string   `dynamo:"department_id"`
}

func (templateUnknownRef) TableName() string { return "t" }

type templateOnExported struct {
	PK string `dynamo:"pk,hash" template:"DEPT#{id}"`
	ID string `dynamo:"id"`
}

func (templateOnExported) TableName() string { return "t" }

type templateOnNonEmpty struct {
	_  string `dynamo:"pk,hash" template:"DEPT#{id}"`
	ID string `dynamo:"id"`
}

func (templateOnNonEmpty) TableName() string { return "t" }

type templateUnterminated struct {
	_  struct{} `dynamo:"pk,hash" template:"DEPT#{id"`
	ID string   `dynamo:"id"`
}

func (templateUnterminated) TableName() string { return "t" }

type templateUnbalanced struct {
	_  struct{} `dynamo:"pk,hash" template:"DEPT#id}"`
	ID string   `dynamo:"id"`
}

func (templateUnbalanced) TableName() string { return "t" }

type templateEmptyRef struct {
	_  struct{} `dynamo:"pk,hash" template:"DEPT#{}"`
	ID string   `dynamo:"id"`
}

func (templateEmptyRef) TableName() string { return "t" }

type templateEmpty struct {
	_  struct{} `dynamo:"pk,hash" template:""`
	ID string   `dynamo:"id"`
}

func (templateEmpty) TableName() string { return "t" }

type templateNoName struct {
	_  struct{} `template:"DEPT#{id}"`
	ID string   `dynamo:"id,hash"`
}

func (templateNoName) TableName() string { return "t" }

type templateRefNotScalar struct {
	_    struct{} `dynamo:"pk,hash" template:"T#{tags}"`
	Tags []string `dynamo:"tags"`
}

func (templateRefNotScalar) TableName() string { return "t" }

type templateRefComputed struct {
	_  struct{} `dynamo:"pk,hash" template:"A#{sk}"`
	_  struct{} `dynamo:"sk,range" template:"B#{id}"`
	ID string   `dynamo:"id"`
}

func (templateRefComputed) TableName() string { return "t" }

type halfProvisioned struct {
	ID string `dynamo:"id,hash"`
}

func (halfProvisioned) TableName() string { return "t" }
func (halfProvisioned) TableOptions() mapping.Options {
	return mapping.Options{Billing: mapping.Provisioned(5, 0)}
}

type projectionUnknownIndex struct {
	ID string `dynamo:"id,hash"`
}

func (projectionUnknownIndex) TableName() string { return "t" }
func (projectionUnknownIndex) TableOptions() mapping.Options {
	return mapping.Options{Projections: map[string]mapping.Projection{"nope": mapping.KeysOnly}}
}

type includeWithoutAttributes struct {
	ID string `dynamo:"id,hash"`
	A  string `dynamo:"a" index:"g,hash"`
}

func (includeWithoutAttributes) TableName() string { return "t" }
func (includeWithoutAttributes) TableOptions() mapping.Options {
	return mapping.Options{Projections: map[string]mapping.Projection{"g": mapping.Include()}}
}

type keysOnlyWithAttributes struct {
	ID string `dynamo:"id,hash"`
	A  string `dynamo:"a" index:"g,hash"`
}

func (keysOnlyWithAttributes) TableName() string { return "t" }
func (keysOnlyWithAttributes) TableOptions() mapping.Options {
	return mapping.Options{Projections: map[string]mapping.Projection{"g": {Type: mapping.ProjectKeysOnly, NonKey: []string{"x"}}}}
}

type unknownProjectionType struct {
	ID string `dynamo:"id,hash"`
	A  string `dynamo:"a" index:"g,hash"`
}

func (unknownProjectionType) TableName() string { return "t" }
func (unknownProjectionType) TableOptions() mapping.Options {
	return mapping.Options{Projections: map[string]mapping.Projection{"g": {Type: "SOME"}}}
}

type includeTooMany struct {
	ID string `dynamo:"id,hash"`
	A  string `dynamo:"a" index:"gsi,hash"`
}

func (includeTooMany) TableName() string { return "t" }
func (includeTooMany) TableOptions() mapping.Options {
	return mapping.Options{Projections: map[string]mapping.Projection{"gsi": mapping.Include(names("p", 21)...)}}
}

type projectedTooMany struct {
	ID string `dynamo:"id,hash"`
	A  string `dynamo:"a" index:"gsi1,hash"`
	B  string `dynamo:"b" index:"gsi2,hash"`
	C  string `dynamo:"c" index:"gsi3,hash"`
	D  string `dynamo:"d" index:"gsi4,hash"`
	E  string `dynamo:"e" index:"gsi5,hash"`
	F  string `dynamo:"f" index:"gsi6,hash"`
}

func (projectedTooMany) TableName() string { return "t" }
func (projectedTooMany) TableOptions() mapping.Options {
	p := map[string]mapping.Projection{}
	for _, idx := range []string{"gsi1", "gsi2", "gsi3", "gsi4", "gsi5", "gsi6"} {
		p[idx] = mapping.Include(names(idx+"-", 17)...)
	}
	return mapping.Options{Projections: p}
}

// names returns n attribute names starting with prefix.
func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + string(rune('a'+i))
	}
	return out
}

type notStruct string

// TestValidation has one case per validation rule: each invalid model must
// return a *mapping.TagError naming the type and the offending field, matching
// mapping.ErrInvalid.
// selfEmbedded embeds a pointer to itself: a walk of its fields never
// ends, so it is refused rather than followed.
type selfEmbedded struct {
	*selfEmbedded
	ID string `dynamo:"id,hash"`
}

func (selfEmbedded) TableName() string { return "self" }

func TestValidation(t *testing.T) {
	tests := []struct {
		name   string
		typ    reflect.Type
		field  string // want TagError.Field
		reason string // want a substring of TagError.Reason
	}{
		{"no hash key", reflect.TypeFor[noHash](), "", "no hash key"},
		{"recursive embedded pointer", reflect.TypeFor[selfEmbedded](), "", "embedded structs nest deeper than 16"},
		{"two hash keys", reflect.TypeFor[twoHashes](), "B", "two hash keys"},
		{"two range keys", reflect.TypeFor[twoRanges](), "B", "two range keys"},
		{"hash and range on one field", reflect.TypeFor[hashAndRange](), "ID", "both the hash and the range key"},
		{"bool key", reflect.TypeFor[boolKey](), "OK", "cannot key on bool"},
		{"map key", reflect.TypeFor[mapKey](), "M", "cannot key on map"},
		{"slice key", reflect.TypeFor[sliceKey](), "S", "cannot key on []string"},
		{"struct key", reflect.TypeFor[structKey](), "S", "cannot key on struct"},
		{"bool index key", reflect.TypeFor[boolIndexKey](), "OK", "cannot key an index on bool"},
		{"gsi with range but no hash", reflect.TypeFor[gsiRangeOnly](), "Date", "range key but no hash key"},
		{"lsi with two range keys", reflect.TypeFor[lsiTwoRanges](), "B", "index l has two range keys: a and b (only a global index may have a key of several attributes)"},
		{"gsi hash and range on one field", reflect.TypeFor[gsiHashAndRangeOnOneField](), "A", "both hash and range"},
		{"index tag without role", reflect.TypeFor[indexWithoutRole](), "A", `want "name,hash"`},
		{"index tag with unknown role", reflect.TypeFor[indexUnknownRole](), "A", `want "name,hash"`},
		{"lsi without table range key", reflect.TypeFor[lsiWithoutTableRange](), "Date", "needs a table with a range key"},
		{"lsi with another hash key", reflect.TypeFor[lsiOtherHash](), "Other", "must share the table's hash key"},
		{"lsi without range key", reflect.TypeFor[lsiWithoutRange](), "ID", "needs a range key"},
		{"index both global and local", reflect.TypeFor[globalAndLocal](), "Date", "both global and local"},
		{"duplicate attribute name", reflect.TypeFor[duplicateName](), "Label", "duplicate attribute name name"},
		{"duplicate default name", reflect.TypeFor[duplicateDefaultName](), "X", "duplicate attribute name Name"},
		{"empty table name", reflect.TypeFor[emptyTableName](), "", "empty table name"},
		{"no TableName method", reflect.TypeFor[noTableName](), "", "no TableName() string method"},
		{"more than 20 GSIs", reflect.TypeFor[tooManyGSIs](), "", "more than 20 global"},
		{"more than 5 LSIs", reflect.TypeFor[tooManyLSIs](), "", "more than 5 local"},
		{"unknown dynamo option", reflect.TypeFor[unknownDynamoOption](), "ID", "unknown option omitemtpy"},
		{"unknown dynamokit role", reflect.TypeFor[unknownRole](), "Expires", "unknown role expiry"},
		{"ttl of type string", reflect.TypeFor[ttlString](), "Expires", "ttl attribute must be"},
		{"two ttl attributes", reflect.TypeFor[twoTTLs](), "B", "more than one ttl"},
		{"version of type string", reflect.TypeFor[versionString](), "Version", "version attribute must be an integer"},
		{"version of type float", reflect.TypeFor[versionFloat](), "Version", "version attribute must be an integer"},
		{"version of type uint8", reflect.TypeFor[versionUint8](), "Version", "version attribute must be an integer of 64 bits (int, int64, uint or uint64), not uint8"},
		{"version of type *int32", reflect.TypeFor[versionInt32](), "Version", "version attribute must be an integer of 64 bits (int, int64, uint or uint64), not *int32"},
		{"version as the hash key", reflect.TypeFor[versionHashKey](), "ID", "the version attribute id cannot be part of a key: it is the table's hash key"},
		{"version as the range key", reflect.TypeFor[versionRangeKey](), "Version", "the version attribute version cannot be part of a key: it is the table's range key"},
		{"version in a table key template", reflect.TypeFor[versionInKeyTemplate](), "_", "a computed key of the table cannot refer to version, which every write changes"},
		{"allowempty on the hash key", reflect.TypeFor[allowEmptyHashKey](), "ID", "a key attribute is never empty: the allowempty option cannot apply to it"},
		{"null on the range key", reflect.TypeFor[nullRangeKey](), "SK", "a key attribute is never empty: the null option cannot apply to it"},
		{"allowempty on an index key", reflect.TypeFor[allowEmptyIndexKey](), "Kind", "a key attribute is never empty: the allowempty option cannot apply to it"},
		{"created of type string", reflect.TypeFor[createdString](), "Created", "created attribute must be"},
		{"type role on a plain field", reflect.TypeFor[typeNotTemplate](), "Entity", "constant template"},
		{"type role on a non-constant template", reflect.TypeFor[typeNotConstant](), "_", "constant template"},
		{"template with unknown reference", reflect.TypeFor[templateUnknownRef](), "_", "unknown attribute department"},
		{"template on exported field", reflect.TypeFor[templateOnExported](), "PK", "blank field"},
		{"template on non-empty blank field", reflect.TypeFor[templateOnNonEmpty](), "_", "blank field"},
		{"template unterminated", reflect.TypeFor[templateUnterminated](), "_", "unterminated {"},
		{"template unbalanced", reflect.TypeFor[templateUnbalanced](), "_", "unbalanced }"},
		{"template empty reference", reflect.TypeFor[templateEmptyRef](), "_", "empty or nested reference"},
		{"template empty", reflect.TypeFor[templateEmpty](), "_", "empty template"},
		{"template without attribute name", reflect.TypeFor[templateNoName](), "_", "needs a name"},
		{"template reference not scalar", reflect.TypeFor[templateRefNotScalar](), "_", "plain string, integer, time or binary"},
		{"template reference computed", reflect.TypeFor[templateRefComputed](), "_", "plain string, integer, time or binary"},
		{"half provisioned billing", reflect.TypeFor[halfProvisioned](), "", "both read and write units"},
		{"projection for unknown index", reflect.TypeFor[projectionUnknownIndex](), "", "unknown index nope"},
		{"include without attributes", reflect.TypeFor[includeWithoutAttributes](), "", "needs attributes"},
		{"keys only with attributes", reflect.TypeFor[keysOnlyWithAttributes](), "", "only an INCLUDE projection"},
		{"unknown projection type", reflect.TypeFor[unknownProjectionType](), "", "unknown projection type SOME"},
		{"more than 20 projected attributes in an index", reflect.TypeFor[includeTooMany](), "", "index gsi: an INCLUDE projection lists 21 attributes, DynamoDB allows at most 20"},
		{"more than 100 projected attributes in all indexes", reflect.TypeFor[projectedTooMany](), "", "102 projected attributes over all indexes, DynamoDB allows at most 100"},
		{"not a struct", reflect.TypeFor[notStruct](), "", "must be a struct type"},
		// Keys and roles get the DynamoDB type the codec writes them as.
		{"dynamo.Marshaler hash key", reflect.TypeFor[marshalerHashKey](), "ID", "DynamoDB cannot key on mapping_test.anyType: its MarshalDynamo or MarshalDynamoDBAttributeValue method picks the type value by value"},
		{"dynamo.Marshaler index key", reflect.TypeFor[marshalerIndexKey](), "Ref", "DynamoDB cannot key an index on mapping_test.anyType: its MarshalDynamo"},
		{"interface hash key", reflect.TypeFor[anyKey](), "ID", "DynamoDB cannot key on interface {}"},
		{"struct with pointer MarshalText as key", reflect.TypeFor[ptrTextStructKey](), "P", "DynamoDB cannot key on mapping_test.pairText"},
		{"version written as text", reflect.TypeFor[textVersion](), "Version", "written as S"},
		{"ttl written as text", reflect.TypeFor[textTTL](), "Expires", "written as S"},
		{"created written as text", reflect.TypeFor[textCreated](), "Created", "written as S"},
		{"template refers to a marshaler", reflect.TypeFor[textTemplateRef](), "_", "must be a plain string, integer, time or binary field"},
		// Time layouts.
		{"unknown layout", reflect.TypeFor[layoutUnknown](), "At", "unknown time layout iso (want rfc3339nano, pynamodb or utcnano)"},
		{"layout on a string", reflect.TypeFor[layoutNotTime](), "Name", "the layout option needs a time.Time, *time.Time or []time.Time field, not string"},
		{"layout with unixtime", reflect.TypeFor[layoutUnixTime](), "At", "the layout option cannot apply to a unixtime attribute"},
		{"layout on a ttl", reflect.TypeFor[layoutTTL](), "Expires", "the layout option cannot apply to a unixtime attribute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := mapping.For(tt.typ)
			if err == nil {
				t.Fatalf("For(%v) = %v, nil; want a *mapping.TagError", tt.typ, m)
			}
			checkTagError(t, err, tt.typ, tt.field, tt.reason)
			// A bad type is reported the same way every time.
			_, again := mapping.For(tt.typ)
			if again != err {
				t.Errorf("second For(%v) = %v, want the cached %v", tt.typ, again, err)
			}
		})
	}
}

func checkTagError(t *testing.T, err error, typ reflect.Type, field, reason string) {
	t.Helper()
	if !errors.Is(err, mapping.ErrInvalid) {
		t.Errorf("errors.Is(%v, mapping.ErrInvalid) = false, want true", err)
	}
	var te *mapping.TagError
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) is not a *mapping.TagError", err, err)
	}
	if te.Type != typ {
		t.Errorf("TagError.Type = %v, want %v", te.Type, typ)
	}
	if te.Field != field {
		t.Errorf("TagError.Field = %q, want %q (error: %v)", te.Field, field, err)
	}
	if !strings.Contains(te.Reason, reason) {
		t.Errorf("TagError.Reason = %q, want it to contain %q", te.Reason, reason)
	}
	if !strings.HasPrefix(err.Error(), "model: ") {
		t.Errorf("Error() = %q, want the prefix %q", err.Error(), "model: ")
	}
}

// TestVersionTypes: a version attribute is an integer of 64 bits, or a
// pointer to one.
func TestVersionTypes(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[versionOf[int]](), reflect.TypeFor[versionOf[int64]](),
		reflect.TypeFor[versionOf[uint]](), reflect.TypeFor[versionOf[uint64]](),
		reflect.TypeFor[versionOf[*int64]](), reflect.TypeFor[versionOf[revision]](),
		// A version may key an index, directly or through a template: Update
		// recomputes such templates from the version it writes.
		reflect.TypeFor[versionIndexKey](), reflect.TypeFor[versionLocalIndexKey](),
		reflect.TypeFor[versionInIndexKeyTemplate](),
	} {
		if _, err := mapping.For(typ); err != nil {
			t.Errorf("For(%v) = %v, want nil", typ, err)
		}
	}
}

type versionOf[V any] struct {
	ID      string `dynamo:"id,hash"`
	Version V      `dynamo:"version" dynamokit:"version"`
}

func (versionOf[V]) TableName() string { return "t" }

// revision is a named version type.
type revision int64

func TestForNilType(t *testing.T) {
	_, err := mapping.For(nil)
	if !errors.Is(err, mapping.ErrInvalid) {
		t.Errorf("For(nil) error = %v, want mapping.ErrInvalid", err)
	}
}

func TestValidate(t *testing.T) {
	if err := mapping.Validate(employee{}, &employee{}); err != nil {
		t.Errorf("Validate(employee) = %v, want nil", err)
	}
	err := mapping.Validate(employee{}, noHash{})
	checkTagError(t, err, reflect.TypeFor[noHash](), "", "no hash key")
}

func TestMustOfPanics(t *testing.T) {
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !errors.Is(err, mapping.ErrInvalid) {
			t.Errorf("MustOf[noHash] panicked with %v, want a mapping.ErrInvalid error", r)
		}
	}()
	mapping.MustOf[noHash]()
}

func TestTagErrorMessage(t *testing.T) {
	typ := reflect.TypeFor[noHash]()
	tests := []struct {
		err  *mapping.TagError
		want string
	}{
		{&mapping.TagError{Type: typ, Reason: "r"}, "model: mapping_test.noHash: r"},
		{&mapping.TagError{Type: typ, Field: "ID", Reason: "r"}, "model: mapping_test.noHash.ID: r"},
		{&mapping.TagError{Type: typ, Field: "ID", Tag: `dynamo:"id"`, Reason: "r"}, "model: mapping_test.noHash.ID: tag `dynamo:\"id\"`: r"},
		{&mapping.TagError{Reason: "nil type"}, "model: <nil>: nil type"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
