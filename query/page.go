package query

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// page reads one page starting at cursor.
func (r *Repo[T]) page(ctx context.Context, op string, fetch fetchFunc, cur, scope string, key []byte) (Page[T], error) {
	start, err := decodeCursor(cur, scope, key)
	if err != nil {
		return Page[T]{}, &OpError{Op: op, Table: r.table, Kind: ErrBadCursor, Err: err}
	}
	items, lek, err := fetch(ctx, start)
	if err != nil {
		return Page[T]{}, wrap(op, r.table, err, nil)
	}
	p := Page[T]{Items: make([]T, 0, len(items))}
	for _, item := range items {
		if !r.m.IsEntity(item) {
			continue
		}
		p.Items = p.Items[:len(p.Items)+1]
		if err := r.decodeTo(item, &p.Items[len(p.Items)-1]); err != nil {
			return Page[T]{}, wrap(op, r.table, err, nil)
		}
	}
	p.Next, err = encodeCursor(lek, scope, key)
	if err != nil {
		return Page[T]{}, wrap(op, r.table, err, nil)
	}
	return p, nil
}

// keyString renders expression values deterministically, to bind a cursor
// to the partition it was made for.
func keyString(vals map[string]types.AttributeValue) string {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		sb.WriteString(k)
		sb.WriteByte('=')
		switch v := vals[k].(type) {
		case *types.AttributeValueMemberS:
			sb.WriteString("S:" + v.Value)
		case *types.AttributeValueMemberN:
			sb.WriteString("N:" + v.Value)
		case *types.AttributeValueMemberB:
			sb.WriteString("B:" + b64.EncodeToString(v.Value))
		}
		sb.WriteByte(';')
	}
	return sb.String()
}

// containsToken reports whether expr mentions the placeholder tok as a
// whole token (so #n1 does not match #n10).
func containsToken(expr, tok string) bool {
	for i := 0; ; {
		j := strings.Index(expr[i:], tok)
		if j < 0 {
			return false
		}
		end := i + j + len(tok)
		if end == len(expr) || !isIdent(expr[end]) {
			return true
		}
		i = end
	}
}

func isIdent(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
