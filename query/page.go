package query

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
)

// cursorSpec binds page cursors to the query or scan that made them.
type cursorSpec struct {
	scope string             // table, index and the request's values
	key   []byte             // HMAC key; nil: unsigned cursors
	names []*model.Attribute // the attributes of a position (LastEvaluatedKey)
}

// page reads one page starting at cursor.
func (r *Repo[T]) page(ctx context.Context, op string, fetch fetchFunc, cur string, spec cursorSpec) (Page[T], error) {
	start, err := decodeCursor(cur, spec)
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
	p.Next, err = encodeCursor(lek, spec)
	if err != nil {
		return Page[T]{}, wrap(op, r.table, err, nil)
	}
	return p, nil
}

// positionNames returns the attributes of a position in the table or in
// an index: the table's key, plus the index's key.
func (r *Repo[T]) positionNames(index string) []*model.Attribute {
	names := []*model.Attribute{r.m.Key.Hash}
	if r.m.Key.Range != nil {
		names = append(names, r.m.Key.Range)
	}
	if idx := r.m.Index(index); idx != nil {
		for _, a := range []*model.Attribute{idx.Key.Hash, idx.Key.Range} {
			if a != nil && !slices.Contains(names, a) {
				names = append(names, a)
			}
		}
	}
	return names
}

// keyString renders attribute values deterministically and without
// ambiguity, to bind a cursor to the values of the request that made it and
// to tell keys apart.
func keyString(vals map[string]types.AttributeValue) string {
	var sb strings.Builder
	writeMap(&sb, vals)
	return sb.String()
}

func writeMap(sb *strings.Builder, vals map[string]types.AttributeValue) {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sb.WriteByte('{')
	for _, k := range keys {
		sb.WriteString(strconv.Quote(k))
		sb.WriteByte(':')
		writeValue(sb, vals[k])
		sb.WriteByte(';')
	}
	sb.WriteByte('}')
}

func writeValue(sb *strings.Builder, av types.AttributeValue) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		sb.WriteString("S" + strconv.Quote(v.Value))
	case *types.AttributeValueMemberN:
		sb.WriteString("N" + strconv.Quote(v.Value))
	case *types.AttributeValueMemberB:
		sb.WriteString("B" + strconv.Quote(b64.EncodeToString(v.Value)))
	case *types.AttributeValueMemberBOOL:
		sb.WriteString("BOOL" + strconv.FormatBool(v.Value))
	case *types.AttributeValueMemberNULL:
		sb.WriteString("NULL")
	case *types.AttributeValueMemberSS:
		writeStrings(sb, "SS", v.Value)
	case *types.AttributeValueMemberNS:
		writeStrings(sb, "NS", v.Value)
	case *types.AttributeValueMemberBS:
		bs := make([]string, len(v.Value))
		for i, b := range v.Value {
			bs[i] = b64.EncodeToString(b)
		}
		writeStrings(sb, "BS", bs)
	case *types.AttributeValueMemberL:
		sb.WriteString("L[")
		for _, e := range v.Value {
			writeValue(sb, e)
			sb.WriteByte(';')
		}
		sb.WriteByte(']')
	case *types.AttributeValueMemberM:
		sb.WriteByte('M')
		writeMap(sb, v.Value)
	default:
		fmt.Fprintf(sb, "%T", av)
	}
}

func writeStrings(sb *strings.Builder, kind string, s []string) {
	sb.WriteString(kind + "[")
	for _, e := range s {
		sb.WriteString(strconv.Quote(e))
		sb.WriteByte(';')
	}
	sb.WriteByte(']')
}
