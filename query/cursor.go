package query

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// cursor is the decoded form of a page cursor. Scope binds it to the table,
// index and partition it was made for, so a cursor cannot be replayed
// against another query.
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

// encodeCursor turns a LastEvaluatedKey into an opaque string; "" when lek
// is empty (the last page). With a signing key, an HMAC-SHA256 follows the
// payload.
func encodeCursor(lek map[string]types.AttributeValue, scope string, key []byte) (string, error) {
	if len(lek) == 0 {
		return "", nil
	}
	c := cursor{Scope: scope, Key: make(map[string]cursorScalar, len(lek))}
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
	if key != nil {
		s += "." + b64.EncodeToString(sign(key, payload))
	}
	return s, nil
}

func sign(key, payload []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write(payload)
	return mac.Sum(nil)
}

// decodeCursor parses s and checks its signature and scope. Every problem is
// reported as ErrBadCursor; "" means the first page.
func decodeCursor(s, scope string, key []byte) (map[string]types.AttributeValue, error) {
	if s == "" {
		return nil, nil
	}
	body, sig, signed := strings.Cut(s, ".")
	payload, err := b64.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", ErrBadCursor)
	}
	if key != nil {
		if !signed {
			return nil, fmt.Errorf("%w: not signed", ErrBadCursor)
		}
		got, err := b64.DecodeString(sig)
		if err != nil || !hmac.Equal(got, sign(key, payload)) {
			return nil, fmt.Errorf("%w: bad signature", ErrBadCursor)
		}
	}
	var c cursor
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCursor, err)
	}
	if c.Scope != scope {
		return nil, fmt.Errorf("%w: made for another query", ErrBadCursor)
	}
	if len(c.Key) == 0 || len(c.Key) > 4 {
		return nil, fmt.Errorf("%w: wrong number of key attributes", ErrBadCursor)
	}
	lek := make(map[string]types.AttributeValue, len(c.Key))
	for k, v := range c.Key {
		n := 0
		if v.S != nil {
			n++
			lek[k] = &types.AttributeValueMemberS{Value: *v.S}
		}
		if v.N != nil {
			n++
			lek[k] = &types.AttributeValueMemberN{Value: *v.N}
		}
		if v.B != nil {
			n++
			lek[k] = &types.AttributeValueMemberB{Value: v.B}
		}
		if n != 1 {
			return nil, fmt.Errorf("%w: key attribute %s", ErrBadCursor, k)
		}
	}
	return lek, nil
}
