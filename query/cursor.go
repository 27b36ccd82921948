package query

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
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

var b64 = base64.RawURLEncoding

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

// decodeCursor parses s and checks its signature, its scope and that its
// position has exactly the attributes spec.names, of their key types.
// Every problem is reported as ErrBadCursor; "" means the first page.
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
		av, err := v.value(a.Type)
		if err != nil {
			return nil, fmt.Errorf("%w: key attribute %s: %v", ErrBadCursor, a.Name, err)
		}
		lek[a.Name] = av
	}
	return lek, nil
}

// value returns the attribute value of a key attribute of type t.
func (v cursorScalar) value(t model.ScalarType) (types.AttributeValue, error) {
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
	case t == model.String && v.S != nil && *v.S != "":
		return &types.AttributeValueMemberS{Value: *v.S}, nil
	case t == model.Number && v.N != nil && isNumber(*v.N):
		return &types.AttributeValueMemberN{Value: *v.N}, nil
	case t == model.Binary && len(v.B) > 0:
		return &types.AttributeValueMemberB{Value: v.B}, nil
	}
	return nil, fmt.Errorf("not a valid %s value", t)
}

// isNumber reports whether s is a decimal number as DynamoDB writes them:
// an optional minus, digits with an optional fraction, an optional
// exponent.
func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	digits := func() int {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		s = s[i:]
		return i
	}
	n := digits()
	if strings.HasPrefix(s, ".") {
		s = s[1:]
		n += digits()
	}
	if n == 0 || n > 40 {
		return false
	}
	if len(s) > 0 && (s[0] == 'e' || s[0] == 'E') {
		s = strings.TrimLeft(s[1:], "+-")
		if e := digits(); e == 0 || e > 3 {
			return false
		}
	}
	return s == ""
}
