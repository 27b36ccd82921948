package query

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

// cursorSpecs returns the specs of a query of users by id and of a query of
// the org index.
func cursorSpecs(t *testing.T) (table, index cursorSpec) {
	t.Helper()
	users := newTable[user](t)
	table = cursorSpec{scope: "users//query/p1", names: users.positionNames("")}
	index = cursorSpec{scope: "users/org-index/query/o1", names: users.positionNames("org-index")}
	return table, index
}

func TestPositionNames(t *testing.T) {
	users := newTable[user](t)
	names := func(as []*mapping.Attribute) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	if diff := cmp.Diff([]string{"id"}, names(users.positionNames(""))); diff != "" {
		t.Errorf("table position (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"id", "org", "age"}, names(users.positionNames("org-index"))); diff != "" {
		t.Errorf("index position (-want +got):\n%s", diff)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	table, index := cursorSpecs(t)
	signed := index
	signed.key = []byte("secret")
	for _, tt := range []struct {
		name string
		spec cursorSpec
		lek  map[string]types.AttributeValue
	}{
		{"table", table, avs{"id": s("u 1 / é")}},
		{"index", index, avs{"id": s("u1"), "org": s("o1"), "age": n("-12.5e3")}},
		{"signed", signed, avs{"id": s("u1"), "org": s("o1"), "age": n("3")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := encodeCursor(tt.lek, tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			body, _, _ := strings.Cut(c, ".")
			if payload, _ := b64.DecodeString(body); strings.Contains(string(payload), "query/") {
				t.Errorf("cursor %s shows its scope", payload)
			}
			got, err := decodeCursor(c, tt.spec)
			if err != nil {
				t.Fatalf("decodeCursor(encodeCursor(%v)) error = %v", tt.lek, err)
			}
			if diff := cmp.Diff(tt.lek, got, ignoreUnexported); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
	if c, err := encodeCursor(nil, table); c != "" || err != nil {
		t.Errorf("encodeCursor(nil) = %q, %v; want \"\", nil", c, err)
	}
	if lek, err := decodeCursor("", table); lek != nil || err != nil {
		t.Errorf("decodeCursor(\"\") = %v, %v; want nil, nil", lek, err)
	}
	if _, err := encodeCursor(avs{"id": &types.AttributeValueMemberBOOL{Value: true}}, table); err == nil {
		t.Error("encodeCursor(BOOL key) error = nil")
	}
}

func TestCursorRejected(t *testing.T) {
	table, index := cursorSpecs(t)
	key := []byte("secret")
	signedSpec := func(s cursorSpec) cursorSpec { s.key = key; return s }
	mustEncode := func(lek map[string]types.AttributeValue, spec cursorSpec) string {
		t.Helper()
		c, err := encodeCursor(lek, spec)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// payload forges a cursor body with the right scope hash.
	payload := func(spec cursorSpec, k map[string]cursorScalar) string {
		b, err := json.Marshal(cursor{Scope: scopeHash(spec.scope), Key: k})
		if err != nil {
			t.Fatal(err)
		}
		return b64.EncodeToString(b)
	}
	str := func(v string) *string { return &v }
	good := mustEncode(avs{"id": s("u1"), "org": s("o1"), "age": n("3")}, signedSpec(index))
	body, sig, _ := strings.Cut(good, ".")
	tampered := payload(index, map[string]cursorScalar{"id": {S: str("u9")}, "org": {S: str("o1")}, "age": {N: str("3")}}) + "." + sig
	// The last character of a 32-byte signature carries 4 bits of it and
	// 2 unused bits: setting one gives another string for the same bytes.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, sig[len(sig)-1])
	otherSpelling := body + "." + sig[:len(sig)-1] + string(alphabet[last^1])

	otherPartition := index
	otherPartition.scope = "users/org-index/query/o2"
	tests := []struct {
		name string
		c    string
		spec cursorSpec
	}{
		{"not base64", "!!!", table},
		{"not JSON", b64.EncodeToString([]byte("{")), table},
		{"too long", strings.Repeat("A", maxCursor+1), table},
		{"another partition", mustEncode(avs{"id": s("u1"), "org": s("o1"), "age": n("3")}, index), otherPartition},
		{"another index", mustEncode(avs{"id": s("u1")}, table), index},
		{"table cursor on the index, same scope", mustEncode(avs{"id": s("u1")}, cursorSpec{scope: index.scope, names: table.names}), index},
		{"signed: tampered payload", tampered, signedSpec(index)},
		{"signed: unsigned", body, signedSpec(index)},
		{"signed: signature spelled with unused bits set", otherSpelling, signedSpec(index)},
		{"signed: another signing key", mustEncode(avs{"id": s("u1"), "org": s("o1"), "age": n("3")}, cursorSpec{scope: index.scope, names: index.names, key: []byte("other")}), signedSpec(index)},
		{"signed: signature not base64", body + ".!!", signedSpec(index)},
		{"signed, where cursors are not", good, index},
		{"another signed partition", good, signedSpec(otherPartition)},
		{"missing attribute", payload(index, map[string]cursorScalar{"id": {S: str("u1")}, "org": {S: str("o1")}}), index},
		{"foreign attribute", payload(table, map[string]cursorScalar{"name": {S: str("u1")}}), table},
		{"two values", payload(table, map[string]cursorScalar{"id": {S: str("u1"), N: str("1")}}), table},
		{"no value", payload(table, map[string]cursorScalar{"id": {}}), table},
		{"wrong type", payload(table, map[string]cursorScalar{"id": {N: str("1")}}), table},
		{"empty string", payload(table, map[string]cursorScalar{"id": {S: str("")}}), table},
		{"not a number", payload(index, map[string]cursorScalar{"id": {S: str("u")}, "org": {S: str("o")}, "age": {N: str("NaN")}}), index},
		{"no key", payload(table, nil), table},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lek, err := decodeCursor(tt.c, tt.spec)
			if !errors.Is(err, ErrBadCursor) {
				t.Errorf("decodeCursor = %v, %v; want ErrBadCursor", lek, err)
			}
		})
	}
}

func TestIsNumber(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"0", true}, {"-1", true}, {"1.5", true}, {".5", true}, {"5.", true}, {"1e10", true}, {"-2.5E-3", true},
		{"-0", true}, {"000.000", true}, {"0e0", true}, {"1e+5", true}, {"1e0005", true}, {"007", true},
		{"", false}, {"-", false}, {".", false}, {"e5", false}, {"1e", false}, {"1e1234", false},
		{"NaN", false}, {"Inf", false}, {"0x10", false}, {"1 ", false}, {"1.2.3", false}, {"+1", false},
		{"--1", false}, {"1e+-5", false}, {"1_000", false}, {"1e99999", false},
		// DynamoDB's range: 38 significant digits, 1E-130 to 9.99…E+125.
		{strings.Repeat("9", 38), true},
		{strings.Repeat("9", 39), false},
		{strings.Repeat("9", 40), false},
		{"1" + strings.Repeat("0", 125), true}, // 1E+125
		{"1" + strings.Repeat("0", 126), false},
		{"0." + strings.Repeat("0", 129) + "1", true}, // 1E-130
		{"0." + strings.Repeat("0", 130) + "1", false},
		{"1." + strings.Repeat("2", 37) + "000", true},
		{"1." + strings.Repeat("2", 38), false},
		{"9.9999999999999999999999999999999999999E+125", true},
		{"-9.9999999999999999999999999999999999999E+125", true},
		{"1E+126", false}, {"-1E+126", false}, {"10E+125", false}, {"0.1E+126", true},
		{"1E-130", true}, {"9.9E-131", false}, {"10E-131", true}, {"-1e-131", false},
		{"1e999", false}, {"0e999", true},
	} {
		if got := isNumber(tt.s); got != tt.want {
			t.Errorf("isNumber(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestCompareKeys(t *testing.T) {
	b := func(v string) *types.AttributeValueMemberB { return &types.AttributeValueMemberB{Value: []byte(v)} }
	for _, tt := range []struct {
		a, b   types.AttributeValue
		want   int
		wantOK bool
	}{
		{n("1"), n("1.0"), 0, true},
		{n("12"), n("1.2E1"), 0, true},
		{n("0"), n("-0.000"), 0, true},
		{n("2"), n("10"), -1, true},
		{n("-2"), n("-10"), 1, true},
		{n("-1"), n("0"), -1, true},
		{n("1.23"), n("1.3"), -1, true},
		{n("0.001"), n("1e-2"), -1, true},
		{n("1e125"), n("9e124"), 1, true},
		{s("a"), s("b"), -1, true},
		{s("é"), s("z"), 1, true}, // by UTF-8 bytes
		{s("ab"), s("a"), 1, true},
		{b("\x00"), b("\xff"), -1, true},
		{s("1"), n("1"), 0, false},
		{n("x"), n("1"), 0, false},
		{nil, n("1"), 0, false},
	} {
		got, ok := compareKeys(tt.a, tt.b)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("compareKeys(%v, %v) = %d, %v; want %d, %v", tt.a, tt.b, got, ok, tt.want, tt.wantOK)
		}
	}
}

// specOf returns the cursor spec of q's pages.
func specOf[T any](t *testing.T, q *Query[T]) cursorSpec {
	t.Helper()
	in, bounds, err := q.build()
	if err != nil {
		t.Fatal(err)
	}
	return q.cursor(in, bounds)
}

// TestCursorBounds checks that a position outside the query's partition or
// sort-key condition is refused, and one inside accepted.
func TestCursorBounds(t *testing.T) {
	users, emps := newTable[user](t), newTable[emp](t)
	org := func() *Query[user] { return users.Query(user{Org: "o1"}).Index("org-index") }
	for _, tt := range []struct {
		name string
		spec cursorSpec
		lek  map[string]types.AttributeValue
		ok   bool
	}{
		{"in the partition", specOf(t, org()), avs{"id": s("u"), "org": s("o1"), "age": n("3")}, true},
		{"another partition", specOf(t, org()), avs{"id": s("u"), "org": s("o2"), "age": n("3")}, false},
		{"equal", specOf(t, org().Range(Equal, 3)), avs{"id": s("u"), "org": s("o1"), "age": n("3.0")}, true},
		{"not equal", specOf(t, org().Range(Equal, 3)), avs{"id": s("u"), "org": s("o1"), "age": n("4")}, false},
		{"less", specOf(t, org().Range(LessThan, 3)), avs{"id": s("u"), "org": s("o1"), "age": n("2.9")}, true},
		{"not less", specOf(t, org().Range(LessThan, 3)), avs{"id": s("u"), "org": s("o1"), "age": n("3")}, false},
		{"less or equal", specOf(t, org().Range(LessThanEqual, 3)), avs{"id": s("u"), "org": s("o1"), "age": n("3")}, true},
		{"not less or equal", specOf(t, org().Range(LessThanEqual, 3)), avs{"id": s("u"), "org": s("o1"), "age": n("30")}, false},
		{"greater", specOf(t, org().Range(GreaterThan, 3)), avs{"id": s("u"), "org": s("o1"), "age": n("30")}, true},
		{"not greater", specOf(t, org().Range(GreaterThan, 3)), avs{"id": s("u"), "org": s("o1"), "age": n("-30")}, false},
		{"greater or equal", specOf(t, org().Range(GreaterThanEqual, 3)), avs{"id": s("u"), "org": s("o1"), "age": n("3")}, true},
		{"not greater or equal", specOf(t, org().Range(GreaterThanEqual, 3)), avs{"id": s("u"), "org": s("o1"), "age": n("2")}, false},
		{"between", specOf(t, org().Range(Between, 3, 5)), avs{"id": s("u"), "org": s("o1"), "age": n("5")}, true},
		{"below between", specOf(t, org().Range(Between, 3, 5)), avs{"id": s("u"), "org": s("o1"), "age": n("2")}, false},
		{"above between", specOf(t, org().Range(Between, 3, 5)), avs{"id": s("u"), "org": s("o1"), "age": n("6")}, false},
		{"prefix", specOf(t, emps.Query(emp{Dept: "d"}).Range(BeginsWith, RawKey("EMP#1"))), avs{"pk": s("DEPT#d"), "sk": s("EMP#12")}, true},
		{"not the prefix", specOf(t, emps.Query(emp{Dept: "d"}).Range(BeginsWith, RawKey("EMP#1"))), avs{"pk": s("DEPT#d"), "sk": s("EMP#2")}, false},
		{"the entity's prefix", specOf(t, emps.Query(emp{Dept: "d"})), avs{"pk": s("DEPT#d"), "sk": s("EMP#2")}, true},
		{"another entity's prefix", specOf(t, emps.Query(emp{Dept: "d"})), avs{"pk": s("DEPT#d"), "sk": s("DEPT#d")}, false},
		{"index partition", specOf(t, emps.Query(emp{Level: 3}).Index("gsi1")), avs{"pk": s("DEPT#d"), "sk": s("EMP#2"), "gsi1pk": s("LEVEL#3"), "name": s("n")}, true},
		{"another index partition", specOf(t, emps.Query(emp{Level: 3}).Index("gsi1")), avs{"pk": s("DEPT#d"), "sk": s("EMP#2"), "gsi1pk": s("LEVEL#4"), "name": s("n")}, false},
		{"a partition key of 2,048 bytes", specOf(t, org()), avs{"id": s(strings.Repeat("x", 2048)), "org": s("o1"), "age": n("3")}, true},
		{"a partition key of 2,049 bytes", specOf(t, org()), avs{"id": s(strings.Repeat("x", 2049)), "org": s("o1"), "age": n("3")}, false},
		{"a sort key of 1,024 bytes", specOf(t, emps.Query(emp{Dept: "d"})), avs{"pk": s("DEPT#d"), "sk": s("EMP#" + strings.Repeat("x", 1020))}, true},
		{"a sort key of 1,025 bytes", specOf(t, emps.Query(emp{Dept: "d"})), avs{"pk": s("DEPT#d"), "sk": s("EMP#" + strings.Repeat("x", 1021))}, false},
		{"a number out of range", specOf(t, org()), avs{"id": s("u"), "org": s("o1"), "age": n("1e999")}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Encoding does not check: a forged cursor is this one.
			c, err := encodeCursor(tt.lek, tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			_, err = decodeCursor(c, tt.spec)
			if tt.ok && err != nil {
				t.Errorf("decodeCursor(%v) = %v, want it accepted", tt.lek, err)
			}
			if !tt.ok && !errors.Is(err, ErrBadCursor) {
				t.Errorf("decodeCursor(%v) = %v, want ErrBadCursor", tt.lek, err)
			}
		})
	}
}

func TestKeyString(t *testing.T) {
	a := avs{"b": s("x;y"), "a": &types.AttributeValueMemberL{Value: []types.AttributeValue{n("1"), &types.AttributeValueMemberM{Value: avs{"z": s("1"), "y": &types.AttributeValueMemberBOOL{Value: true}}}}}}
	b := avs{"a": &types.AttributeValueMemberL{Value: []types.AttributeValue{n("1"), &types.AttributeValueMemberM{Value: avs{"y": &types.AttributeValueMemberBOOL{Value: true}, "z": s("1")}}}}, "b": s("x;y")}
	if keyString(a) != keyString(b) {
		t.Errorf("keyString differs for equal values:\n%s\n%s", keyString(a), keyString(b))
	}
	// Separators inside values cannot make two keys look alike.
	if keyString(avs{"a": s(`x";"b":S"y`)}) == keyString(avs{"a": s("x"), "b": s("y")}) {
		t.Error("keyString is ambiguous")
	}
	if keyString(avs{"a": s("1")}) == keyString(avs{"a": n("1")}) {
		t.Error("keyString does not tell types apart")
	}
}

// FuzzDecodeCursor checks that no caller-supplied cursor makes the decoder
// panic, and that what it accepts is a position DynamoDB would accept for
// the query: exactly the position's attributes, valid key values, inside
// the query's partition and range.
func FuzzDecodeCursor(f *testing.F) {
	users, err := NewTable[user](offlineClient)
	if err != nil {
		f.Fatal(err)
	}
	in, bounds, err := users.Query(user{Org: "o"}).Index("org-index").Range(Between, -5, 1_000_000).build()
	if err != nil {
		f.Fatal(err)
	}
	specs := []cursorSpec{
		{scope: "s", names: users.positionNames("")},
		{scope: "s", names: users.positionNames("org-index"), key: []byte("k")},
		{scope: queryScope(in), names: users.positionNames("org-index"), sorts: users.sortKeys("org-index"), bounds: bounds},
	}
	for _, spec := range specs {
		for _, lek := range []map[string]types.AttributeValue{
			{"id": s("u1")},
			{"id": s("u1"), "org": s("o"), "age": n("3")},
			{"id": s("u1"), "org": s("o"), "age": n("-4.99999")},
			{"id": s("u1"), "org": s("o"), "age": n("1E+6")},
			{"id": s("u1"), "org": s("o"), "age": n("1000000.5")},
			{"id": s("u1"), "org": s("p"), "age": n("3")},
			{"id": s("u1"), "org": s("o"), "age": n("1e999")},
			{"id": s(strings.Repeat("x", 2048)), "org": s("o"), "age": n("0.000")},
		} {
			c, err := encodeCursor(lek, spec)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(c)
		}
	}
	f.Add("")
	f.Add(".")
	f.Add("e30")
	f.Add("eyJzIjoiIiwiayI6e319.AAAA")
	f.Fuzz(func(t *testing.T, c string) {
		for _, spec := range specs {
			lek, err := decodeCursor(c, spec)
			if err != nil {
				if !errors.Is(err, ErrBadCursor) {
					t.Fatalf("decodeCursor(%q) error %v is not ErrBadCursor", c, err)
				}
				continue
			}
			if c == "" {
				continue
			}
			if len(lek) != len(spec.names) {
				t.Fatalf("decodeCursor(%q) = %v, want the attributes of %v", c, lek, spec.names)
			}
			for _, a := range spec.names {
				limit := maxPartitionKey
				if slices.Contains(spec.sorts, a) {
					limit = maxSortKey
				}
				switch v := lek[a.Name].(type) {
				case *types.AttributeValueMemberS:
					if a.Type != model.String || v.Value == "" || len(v.Value) > limit || !utf8.ValidString(v.Value) {
						t.Fatalf("decodeCursor(%q): %s = %q, not a %s key of at most %d bytes", c, a.Name, v.Value, a.Type, limit)
					}
				case *types.AttributeValueMemberN:
					d, ok := parseNumber(v.Value)
					if a.Type != model.Number || !ok || len(d.digits) > maxDigits || d.digits != "" && (d.exp < minExponent || d.exp > maxExponent) {
						t.Fatalf("decodeCursor(%q): %s = %s, not a number DynamoDB accepts", c, a.Name, v.Value)
					}
				case *types.AttributeValueMemberB:
					if a.Type != model.Binary || len(v.Value) == 0 || len(v.Value) > limit {
						t.Fatalf("decodeCursor(%q): %s = %x, not a %s key of at most %d bytes", c, a.Name, v.Value, a.Type, limit)
					}
				default:
					t.Fatalf("decodeCursor(%q) = %v: %s is %T", c, lek, a.Name, v)
				}
			}
			if b := spec.bounds; b != nil {
				if c, _ := compareKeys(lek[b.hash], b.value); c != 0 {
					t.Fatalf("decodeCursor(%q) = %v: another partition", c, lek)
				}
				age := lek["age"].(*types.AttributeValueMemberN).Value
				if lo, _ := compareKeys(n(age), b.vals[0]); lo < 0 {
					t.Fatalf("decodeCursor(%q): age %s below the range", c, age)
				}
				if hi, _ := compareKeys(n(age), b.vals[1]); hi > 0 {
					t.Fatalf("decodeCursor(%q): age %s above the range", c, age)
				}
			}
			// What was accepted encodes back to an accepted cursor.
			again, err := encodeCursor(lek, spec)
			if err != nil {
				t.Fatalf("encodeCursor(%v): %v", lek, err)
			}
			if _, err := decodeCursor(again, spec); err != nil {
				t.Fatalf("re-encoded cursor rejected: %v", err)
			}
		}
	})
}

// FuzzCursorRoundTrip checks that any key DynamoDB could return survives
// a cursor unchanged.
func FuzzCursorRoundTrip(f *testing.F) {
	users, err := NewTable[user](offlineClient)
	if err != nil {
		f.Fatal(err)
	}
	spec := cursorSpec{scope: "users/org-index/query/x", names: users.positionNames("org-index"), sorts: users.sortKeys("org-index"), key: []byte("k")}
	f.Add("u1", "o1", "3")
	f.Add("é\x00\"", ".", "-1")
	f.Add("u", "o", "-9.9999999999999999999999999999999999999E+125")
	f.Add("u", "o", "0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001")
	f.Fuzz(func(t *testing.T, id, org, age string) {
		// DynamoDB's strings are UTF-8, and key strings are never empty
		// nor longer than 2,048 bytes (1,024 for a sort key).
		if id == "" || org == "" || !utf8.ValidString(id) || !utf8.ValidString(org) || len(id) > maxPartitionKey || len(org) > maxPartitionKey {
			return
		}
		// Numbers are those DynamoDB accepts, whichever way written.
		if !isNumber(age) {
			return
		}
		lek := avs{"id": s(id), "org": s(org), "age": n(age)}
		c, err := encodeCursor(lek, spec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeCursor(c, spec)
		if err != nil {
			t.Fatalf("decodeCursor(encodeCursor(%v)): %v", lek, err)
		}
		if diff := cmp.Diff(lek, got, ignoreUnexported); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}

// FuzzCompareNumbers checks the order of DynamoDB numbers against
// math/big's exact arithmetic.
func FuzzCompareNumbers(f *testing.F) {
	for _, p := range [][2]string{{"1", "1.0"}, {"-2", "-10"}, {"0.001", "1e-2"}, {"1.2E1", "12"}, {"-0", "0"}, {"9e125", "1e-130"}} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		da, okA := parseNumber(a)
		db, okB := parseNumber(b)
		if !okA || !okB {
			return
		}
		ra, okA := new(big.Rat).SetString(a)
		rb, okB := new(big.Rat).SetString(b)
		if !okA || !okB {
			t.Fatalf("parseNumber accepts %q and %q, math/big does not", a, b)
		}
		if got, want := da.compare(db), ra.Cmp(rb); got != want {
			t.Fatalf("compare(%s, %s) = %d, want %d", a, b, got, want)
		}
	})
}

// TestCursorScopeBindsTheWholeQuery checks that a cursor is tied to the
// range operator, filter and direction, not only to the values sent.
func TestCursorScopeBindsTheWholeQuery(t *testing.T) {
	users := newTable[user](t)
	scope := func(q *Query[user]) string {
		t.Helper()
		in, err := q.input()
		if err != nil {
			t.Fatal(err)
		}
		return q.cursor(in, nil).scope
	}
	base := func() *Query[user] { return users.Query(user{Org: "o"}).Index("org-index") }
	greater := scope(base().Range(GreaterThan, 1))
	if again := scope(base().Range(GreaterThan, 1)); again != greater {
		t.Errorf("the same query has scopes %q and %q", greater, again)
	}
	others := map[string]string{
		"another operator": scope(base().Range(LessThan, 1)),
		"descending":       scope(base().Range(GreaterThan, 1).Descending()),
		"a filter":         scope(base().Range(GreaterThan, 1).Filter(Name("name").Equal(Value("x")))),
	}
	for name, s := range others {
		if s == greater {
			t.Errorf("%s: same scope as Range(GreaterThan, 1): %q", name, s)
		}
	}

	// Queries alike in their expressions and values, not in the names.
	is := func(attr string) Cond { return Name(attr).Contains("x") }
	scanScope := func(sc *Scan[user]) string {
		t.Helper()
		in, err := sc.input()
		if err != nil {
			t.Fatal(err)
		}
		return sc.cursor(in).scope
	}
	for _, tt := range []struct {
		name string
		a, b string
	}{
		{"query filters on other attributes", scope(base().Filter(is("name"))), scope(base().Filter(is("log")))},
		{"query projections of other attributes", scope(base().Project("name")), scope(base().Project("log"))},
		{"query with and without a projection", scope(base()), scope(base().Project("id", "org", "age", "name"))},
		{"scan filters on other attributes", scanScope(users.Scan().Filter(is("name"))), scanScope(users.Scan().Filter(is("log")))},
		{"scan projections of other attributes", scanScope(users.Scan().Project("name")), scanScope(users.Scan().Project("log"))},
		{"scans of the table and an index", scanScope(users.Scan()), scanScope(users.Scan().Index("org-index"))},
	} {
		if tt.a == tt.b {
			t.Errorf("%s: the same scope %q", tt.name, tt.a)
		}
	}
	// What only sizes or freshens pages does not change the scope.
	table := func() *Query[user] { return users.Query(user{ID: "u"}) }
	if a, b := scope(table()), scope(users.Consistent().Query(user{ID: "u"}).PageSize(3).Limit(9)); a != b {
		t.Errorf("PageSize, Limit and the Consistent view change the scope from %q to %q", a, b)
	}
}

// TestCursorScopeCoversTheRequest sets each field of a Query and a Scan
// request to two different values: the scopes must differ, unless the
// field does not change which items the request returns, and in which
// order (a new field of the SDK fails here until it is decided on).
func TestCursorScopeCoversTheRequest(t *testing.T) {
	notScope := map[string]bool{
		"ExclusiveStartKey":      true, // the position itself
		"Limit":                  true, // the page size may change between pages
		"ConsistentRead":         true, // the same items, read more recently
		"ReturnConsumedCapacity": true,
	}
	check := func(t *testing.T, in any, scope func(in any) string) {
		t.Helper()
		typ := reflect.TypeOf(in).Elem()
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !f.IsExported() || notScope[f.Name] {
				continue
			}
			a, b, ok := twoValues(f.Type)
			if !ok {
				t.Errorf("%s.%s: a field of type %s; decide whether it is part of a cursor's scope", typ.Name(), f.Name, f.Type)
				continue
			}
			x, y := reflect.New(typ), reflect.New(typ)
			x.Elem().Field(i).Set(a)
			y.Elem().Field(i).Set(b)
			if sx, sy := scope(x.Interface()), scope(y.Interface()); sx == sy {
				t.Errorf("%s.%s = %v and %v: the same scope %q", typ.Name(), f.Name, a, b, sx)
			}
		}
	}
	t.Run("query", func(t *testing.T) {
		check(t, &dynamodb.QueryInput{}, func(in any) string { return queryScope(in.(*dynamodb.QueryInput)) })
	})
	t.Run("scan", func(t *testing.T) {
		check(t, &dynamodb.ScanInput{}, func(in any) string { return scanScope(in.(*dynamodb.ScanInput)) })
	})
	// ScanIndexForward: unset means true.
	fwd := queryScope(&dynamodb.QueryInput{})
	if got := queryScope(&dynamodb.QueryInput{ScanIndexForward: aws.Bool(true)}); got != fwd {
		t.Errorf("ScanIndexForward true: scope %q, unset: %q; want the same", got, fwd)
	}
	if queryScope(&dynamodb.QueryInput{TableName: aws.String("t")}) == scanScope(&dynamodb.ScanInput{TableName: aws.String("t")}) {
		t.Error("a query and a scan of the same table have the same scope")
	}
}

// twoValues returns two different values of a request field's type.
func twoValues(t reflect.Type) (a, b reflect.Value, ok bool) {
	var x, y any
	switch t {
	case reflect.TypeFor[*string]():
		x, y = aws.String("x"), aws.String("y")
	case reflect.TypeFor[*bool]():
		x, y = aws.Bool(true), aws.Bool(false)
	case reflect.TypeFor[*int32]():
		x, y = aws.Int32(0), aws.Int32(1)
	case reflect.TypeFor[[]string]():
		x, y = []string{"a"}, []string{"b"}
	case reflect.TypeFor[map[string]string]():
		x, y = map[string]string{"#0": "public"}, map[string]string{"#0": "secret"}
	case reflect.TypeFor[map[string]types.AttributeValue]():
		x, y = avs{":0": s("1")}, avs{":0": n("1")}
	case reflect.TypeFor[map[string]types.Condition]():
		x = map[string]types.Condition{"a": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("1")}}}
		y = map[string]types.Condition{"a": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{n("1")}}}
	default:
		if t.Kind() != reflect.String { // enums such as types.Select
			return a, b, false
		}
		return reflect.ValueOf("A").Convert(t), reflect.ValueOf("B").Convert(t), true
	}
	return reflect.ValueOf(x), reflect.ValueOf(y), true
}

// TestSignCursorsKeyLength checks that a signing key shorter than
// MinCursorKeyLen (an empty one above all, which anyone could sign with)
// is refused when the query or scan is run, before any request.
func TestSignCursorsKeyLength(t *testing.T) {
	users := newTable[user](t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // a call that got past the key would fail with ctx's error
	for _, tt := range []struct {
		name string
		key  []byte
		ok   bool
	}{
		{"nil", nil, false},
		{"empty", []byte{}, false},
		{"15 bytes", make([]byte, 15), false},
		{"16 bytes", make([]byte, 16), true},
		{"32 bytes", make([]byte, 32), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := users.Query(user{ID: "u"}).SignCursors(tt.key)
			sc := users.Scan().SignCursors(tt.key)
			for _, c := range []struct {
				call string
				err  error
			}{
				{"Query.input", second(q.input())},
				{"Scan.input", second(sc.input())},
				{"Query.Page", second(q.Page(ctx, ""))},
				{"Scan.Page", second(sc.Page(ctx, ""))},
				{"Query.Count", second(q.Count(ctx))},
				{"Scan.Collect", second(sc.Collect(ctx))},
			} {
				short := c.err != nil && strings.Contains(c.err.Error(), "at least 16 bytes")
				if short == tt.ok {
					t.Errorf("%s with a key of %d bytes: error %v, want a short key error: %v", c.call, len(tt.key), c.err, !tt.ok)
				}
				if short && errors.Is(c.err, ErrBadCursor) {
					t.Errorf("%s: %v is ErrBadCursor; a short key is the server's mistake, not the client's", c.call, c.err)
				}
			}
		})
	}
	// The first error is kept: a good key later does not hide it.
	if _, err := users.Query(user{ID: "u"}).SignCursors(nil).SignCursors(make([]byte, 16)).input(); err == nil {
		t.Error("SignCursors(nil).SignCursors(16 bytes): error = nil, want the first one")
	}
	// The key is copied: changing the caller's slice does not change it.
	key := []byte("0123456789abcdef")
	q := users.Query(user{ID: "u"}).SignCursors(key)
	key[0] = 'X'
	if string(q.cursorKey) != "0123456789abcdef" {
		t.Errorf("cursor key %q after the caller changed its slice", q.cursorKey)
	}
}

// second returns the error of a call's two results.
func second[T any](_ T, err error) error { return err }
