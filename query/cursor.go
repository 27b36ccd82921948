package query

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
)

// A page cursor is base64url(JSON) of a cursor, followed, when cursors are
// signed, by "." and base64url(HMAC-SHA256(JSON)). The JSON holds a hash of
// the scope (so it does not reveal the request's values) and the position
// DynamoDB returned (LastEvaluatedKey).

// cursor is the decoded form of a page cursor. Scope binds it to the table,
// index and values it was made for, so a cursor cannot be replayed against
// another query.
type cursor struct {
	Scope string                  `json:"s"`
	Key   map[string]cursorScalar `json:"k"`
}

// cursorScalar is one key attribute; keys are only strings, numbers and
// binary.
type cursorScalar struct {
	S *string `json:"S,omitempty"`
	N *string `json:"N,omitempty"`
	B []byte  `json:"B,omitempty"`
}

// b64 encodes cursors. Strict decoding refuses a last character whose
// unused bits are set, so each cursor has one spelling: without it, a
// client could alter a signed cursor and still have it accepted.
var b64 = base64.RawURLEncoding.Strict()

// MinCursorKeyLen is the length, in bytes, of the shortest key
// [Query.SignCursors] and [Scan.SignCursors] accept: 128 bits, the
// security an HMAC-SHA256 key needs. An empty key would let anyone sign
// cursors. Use a random key (32 bytes from crypto/rand, say), kept secret
// on the server.
const MinCursorKeyLen = 16

// cursorKey checks a signing key and returns a copy of it, so the caller
// changing its slice later changes nothing.
func cursorKey(key []byte) ([]byte, error) {
	if len(key) < MinCursorKeyLen {
		return nil, fmt.Errorf("query: SignCursors: a key of %d bytes, want at least %d bytes (MinCursorKeyLen)", len(key), MinCursorKeyLen)
	}
	return bytes.Clone(key), nil
}

// maxCursor bounds the length of a cursor accepted from a caller: four key
// attributes of the largest sizes DynamoDB allows fit with room to spare.
const maxCursor = 16 << 10

// scopeHash is what a cursor carries of its scope.
func scopeHash(scope string) string {
	h := sha256.Sum256([]byte(scope))
	return b64.EncodeToString(h[:18])
}

// encodeCursor turns a LastEvaluatedKey into an opaque string; "" when lek
// is empty (the last page).
func encodeCursor(lek map[string]types.AttributeValue, spec cursorSpec) (string, error) {
	if len(lek) == 0 {
		return "", nil
	}
	c := cursor{Scope: scopeHash(spec.scope), Key: make(map[string]cursorScalar, len(lek))}
	for k, av := range lek {
		switch v := av.(type) {
		case *types.AttributeValueMemberS:
			c.Key[k] = cursorScalar{S: &v.Value}
		case *types.AttributeValueMemberN:
			c.Key[k] = cursorScalar{N: &v.Value}
		case *types.AttributeValueMemberB:
			c.Key[k] = cursorScalar{B: v.Value}
		default:
			return "", fmt.Errorf("query: cursor: key attribute %s has type %T", k, av)
		}
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	s := b64.EncodeToString(payload)
	if spec.key != nil {
		s += "." + b64.EncodeToString(sign(spec.key, payload))
	}
	return s, nil
}

func sign(key, payload []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write(payload)
	return mac.Sum(nil)
}

// decodeCursor parses s and checks its signature, its scope and its
// position: exactly the attributes spec.names, with values DynamoDB
// accepts as keys of their types (non-empty, not too long, numbers in
// range), inside spec.bounds. Every problem is reported as ErrBadCursor,
// so no cursor a client made up reaches DynamoDB; "" means the first page.
func decodeCursor(s string, spec cursorSpec) (map[string]types.AttributeValue, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > maxCursor {
		return nil, fmt.Errorf("%w: too long", ErrBadCursor)
	}
	body, sig, signed := strings.Cut(s, ".")
	payload, err := b64.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", ErrBadCursor)
	}
	if spec.key != nil {
		if !signed {
			return nil, fmt.Errorf("%w: not signed", ErrBadCursor)
		}
		got, err := b64.DecodeString(sig)
		if err != nil || !hmac.Equal(got, sign(spec.key, payload)) {
			return nil, fmt.Errorf("%w: bad signature", ErrBadCursor)
		}
	} else if signed {
		return nil, fmt.Errorf("%w: signed, but this query does not sign cursors", ErrBadCursor)
	}
	var c cursor
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCursor, err)
	}
	if !hmac.Equal([]byte(c.Scope), []byte(scopeHash(spec.scope))) {
		return nil, fmt.Errorf("%w: made for another query", ErrBadCursor)
	}
	if len(c.Key) != len(spec.names) {
		return nil, fmt.Errorf("%w: wrong key attributes", ErrBadCursor)
	}
	lek := make(map[string]types.AttributeValue, len(c.Key))
	for _, a := range spec.names {
		v, ok := c.Key[a.Name]
		if !ok {
			return nil, fmt.Errorf("%w: wrong key attributes", ErrBadCursor)
		}
		limit := maxPartitionKey
		if slices.Contains(spec.sorts, a) {
			limit = maxSortKey
		}
		av, err := v.value(a.Type, limit)
		if err != nil {
			return nil, fmt.Errorf("%w: key attribute %s: %v", ErrBadCursor, a.Name, err)
		}
		lek[a.Name] = av
	}
	if spec.bounds != nil {
		if err := spec.bounds.check(lek); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadCursor, err)
		}
	}
	return lek, nil
}

// DynamoDB's limits on the size of a key attribute's value, in bytes.
const (
	maxPartitionKey = 2048
	maxSortKey      = 1024
)

// value returns the attribute value of a key attribute of type t, whose
// strings and binaries have at most limit bytes.
func (v cursorScalar) value(t model.ScalarType, limit int) (types.AttributeValue, error) {
	set := 0
	for _, ok := range []bool{v.S != nil, v.N != nil, v.B != nil} {
		if ok {
			set++
		}
	}
	if set != 1 {
		return nil, errors.New("not one value")
	}
	switch {
	case v.S != nil && len(*v.S) > limit, v.B != nil && len(v.B) > limit:
		return nil, fmt.Errorf("longer than %d bytes", limit)
	case t == model.String && v.S != nil && *v.S != "":
		return &types.AttributeValueMemberS{Value: *v.S}, nil
	case t == model.Number && v.N != nil && isNumber(*v.N):
		return &types.AttributeValueMemberN{Value: *v.N}, nil
	case t == model.Binary && len(v.B) > 0:
		return &types.AttributeValueMemberB{Value: v.B}, nil
	}
	return nil, fmt.Errorf("not a valid %s value", t)
}

// keyBounds is what a query's key condition allows of the position a page
// starts after: DynamoDB refuses a start key of another partition, or
// outside the sort key's condition.
type keyBounds struct {
	hash  string               // the partition attribute
	value types.AttributeValue // the query's partition
	sort  string               // the sort key of the condition; "" for none
	op    Op
	vals  []types.AttributeValue // the condition's values: a string prefix for BeginsWith
	eqs   []keyEq                // the other attributes the condition holds equal: of a multi-attribute key
}

// check reports whether the position lek, which has the attributes of the
// query's key, is inside b.
func (b *keyBounds) check(lek map[string]types.AttributeValue) error {
	if c, ok := compareKeys(lek[b.hash], b.value); !ok || c != 0 {
		return fmt.Errorf("%s is not the query's partition", b.hash)
	}
	for _, eq := range b.eqs {
		if c, ok := compareKeys(lek[eq.attr], eq.value); !ok || c != 0 {
			return fmt.Errorf("%s is outside the query's key condition", eq.attr)
		}
	}
	if b.sort == "" {
		return nil
	}
	v := lek[b.sort]
	against := func(i int) (int, bool) { return compareKeys(v, b.vals[i]) }
	c, ok := against(0)
	switch b.op {
	case Equal:
		ok = ok && c == 0
	case LessThan:
		ok = ok && c < 0
	case LessThanEqual:
		ok = ok && c <= 0
	case GreaterThan:
		ok = ok && c > 0
	case GreaterThanEqual:
		ok = ok && c >= 0
	case Between:
		hi, okHi := against(1)
		ok = ok && okHi && c >= 0 && hi <= 0
	case BeginsWith:
		s, isS := v.(*types.AttributeValueMemberS)
		p, isP := b.vals[0].(*types.AttributeValueMemberS)
		ok = isS && isP && strings.HasPrefix(s.Value, p.Value)
	default:
		ok = false
	}
	if !ok {
		return fmt.Errorf("%s is outside the query's range", b.sort)
	}
	return nil
}

// compareKeys compares two key values as DynamoDB orders them: strings
// and binaries by their bytes, numbers by value. ok is false when they are
// not of the same key type, or not valid numbers.
func compareKeys(a, b types.AttributeValue) (c int, ok bool) {
	switch x := a.(type) {
	case *types.AttributeValueMemberS:
		if y, ok := b.(*types.AttributeValueMemberS); ok {
			return strings.Compare(x.Value, y.Value), true
		}
	case *types.AttributeValueMemberB:
		if y, ok := b.(*types.AttributeValueMemberB); ok {
			return bytes.Compare(x.Value, y.Value), true
		}
	case *types.AttributeValueMemberN:
		y, ok := b.(*types.AttributeValueMemberN)
		if !ok {
			return 0, false
		}
		dx, okX := parseNumber(x.Value)
		dy, okY := parseNumber(y.Value)
		if !okX || !okY {
			return 0, false
		}
		return dx.compare(dy), true
	}
	return 0, false
}

// DynamoDB's numbers: at most 38 significant digits, a magnitude from
// 1E-130 to 9.9999999999999999999999999999999999999E+125, or zero.
const (
	maxDigits   = 38
	minExponent = -130
	maxExponent = 125
)

// isNumber reports whether s is a number DynamoDB accepts, written as it
// writes them: an optional minus, digits with an optional fraction, an
// optional exponent.
func isNumber(s string) bool {
	d, ok := parseNumber(s)
	return ok && len(d.digits) <= maxDigits && (d.digits == "" || minExponent <= d.exp && d.exp <= maxExponent)
}

// decimal is a parsed number: ±0.d₁d₂… × 10^(exp+1).
type decimal struct {
	neg    bool
	digits string // the significant digits, without leading or trailing zeros; "" for zero
	exp    int    // the power of ten of the first significant digit
}

// parseNumber parses a decimal number: an optional minus, digits with an
// optional fraction, an optional exponent of at most four digits (after
// leading zeros). ok is false for anything else.
func parseNumber(s string) (d decimal, ok bool) {
	d.neg = strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	digits := func() string {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		out := s[:i]
		s = s[i:]
		return out
	}
	whole := digits()
	var frac string
	if strings.HasPrefix(s, ".") {
		s = s[1:]
		frac = digits()
	}
	if whole == "" && frac == "" {
		return d, false
	}
	exp := 0
	if len(s) > 0 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		negExp := strings.HasPrefix(s, "-")
		if negExp || strings.HasPrefix(s, "+") {
			s = s[1:]
		}
		e := digits()
		if e == "" {
			return d, false
		}
		e = strings.TrimLeft(e, "0")
		if len(e) > 4 {
			return d, false
		}
		for _, c := range e {
			exp = exp*10 + int(c-'0')
		}
		if negExp {
			exp = -exp
		}
	}
	if s != "" {
		return d, false
	}
	all := whole + frac
	lead := len(all) - len(strings.TrimLeft(all, "0"))
	d.digits = strings.TrimRight(all[lead:], "0")
	if d.digits == "" {
		return decimal{}, true
	}
	// The first significant digit is digit lead of all, whose power of
	// ten is len(whole)-1 for the first.
	d.exp = len(whole) - 1 - lead + exp
	return d, true
}

// compare returns -1, 0 or +1 as d is less than, equal to or greater than
// e.
func (d decimal) compare(e decimal) int {
	sign := func(x decimal) int {
		switch {
		case x.digits == "":
			return 0
		case x.neg:
			return -1
		}
		return 1
	}
	sd, se := sign(d), sign(e)
	if sd != se || sd == 0 {
		return cmp.Compare(sd, se)
	}
	// Same sign: compare magnitudes, then flip for negatives. Digits of
	// the same exponent compare as strings, a missing digit being a zero.
	m := cmp.Compare(d.exp, e.exp)
	if m == 0 {
		m = strings.Compare(d.digits, e.digits)
	}
	return sd * m
}
