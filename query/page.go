package query

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/rawread"
)

// cursorSpec binds page cursors to the query or scan that made them.
type cursorSpec struct {
	scope string               // what defines the request: queryScope, scanScope
	key   []byte               // HMAC key; nil: unsigned cursors
	names []*mapping.Attribute // the attributes of a position (LastEvaluatedKey)
	// sorts are those of names that are a sort key, whose values DynamoDB
	// keeps to 1,024 bytes (a partition key's to 2,048).
	sorts []*mapping.Attribute
	// bounds are what a query's key condition allows of a position; nil
	// for a scan.
	bounds *keyBounds
}

// page reads one page starting at cursor.
func (r *Table[T]) page(ctx context.Context, op string, fetch rawread.Fetch, cur string, spec cursorSpec) (Page[T], error) {
	start, err := decodeCursor(cur, spec)
	if err != nil {
		return Page[T]{}, &dynamokit.Error{Op: op, Table: r.table, Kind: ErrBadCursor, Err: err}
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

// queryScope renders what defines the results of a Query request, and
// their order: everything but the position, the page size, the
// consistency and the capacity report. A cursor made by one request is
// accepted only by requests of the same scope.
func queryScope(in *dynamodb.QueryInput) string {
	var w scopeWriter
	w.str("op", "query")
	w.str("table", aws.ToString(in.TableName))
	w.str("index", aws.ToString(in.IndexName))
	w.str("key", aws.ToString(in.KeyConditionExpression))
	w.str("filter", aws.ToString(in.FilterExpression))
	w.str("projection", aws.ToString(in.ProjectionExpression))
	w.str("select", string(in.Select))
	w.str("forward", strconv.FormatBool(in.ScanIndexForward == nil || *in.ScanIndexForward))
	w.names(in.ExpressionAttributeNames)
	w.values("values", in.ExpressionAttributeValues)
	// The legacy parameters, which dynamokit does not send.
	w.list("attributes", in.AttributesToGet)
	w.str("conditional", string(in.ConditionalOperator))
	w.conditions("keyConditions", in.KeyConditions)
	w.conditions("queryFilter", in.QueryFilter)
	return w.sb.String()
}

// scanScope is [queryScope] for a Scan request.
func scanScope(in *dynamodb.ScanInput) string {
	var w scopeWriter
	w.str("op", "scan")
	w.str("table", aws.ToString(in.TableName))
	w.str("index", aws.ToString(in.IndexName))
	w.str("filter", aws.ToString(in.FilterExpression))
	w.str("projection", aws.ToString(in.ProjectionExpression))
	w.str("select", string(in.Select))
	w.int("segment", in.Segment)
	w.int("segments", in.TotalSegments)
	w.names(in.ExpressionAttributeNames)
	w.values("values", in.ExpressionAttributeValues)
	w.list("attributes", in.AttributesToGet)
	w.str("conditional", string(in.ConditionalOperator))
	w.conditions("scanFilter", in.ScanFilter)
	return w.sb.String()
}

// scopeWriter renders the fields of a scope without ambiguity: each as
// field=value; with its value quoted.
type scopeWriter struct{ sb strings.Builder }

func (w *scopeWriter) str(field, v string) {
	w.sb.WriteString(field + "=" + strconv.Quote(v) + ";")
}

func (w *scopeWriter) int(field string, v *int32) {
	if v == nil {
		w.str(field, "")
		return
	}
	w.str(field, strconv.Itoa(int(*v)))
}

func (w *scopeWriter) list(field string, l []string) {
	w.sb.WriteString(field + "=")
	writeStrings(&w.sb, "", l)
	w.sb.WriteByte(';')
}

// names renders the expression attribute names, which tell what the
// expressions' placeholders (#0) stand for.
func (w *scopeWriter) names(names map[string]string) {
	vals := make(map[string]types.AttributeValue, len(names))
	for k, v := range names {
		vals[k] = &types.AttributeValueMemberS{Value: v}
	}
	w.values("names", vals)
}

func (w *scopeWriter) values(field string, vals map[string]types.AttributeValue) {
	w.sb.WriteString(field + "=")
	writeMap(&w.sb, vals)
	w.sb.WriteByte(';')
}

func (w *scopeWriter) conditions(field string, conds map[string]types.Condition) {
	vals := make(map[string]types.AttributeValue, len(conds))
	for k, c := range conds {
		vals[k] = &types.AttributeValueMemberL{Value: append([]types.AttributeValue{
			&types.AttributeValueMemberS{Value: string(c.ComparisonOperator)}}, c.AttributeValueList...)}
	}
	w.values(field, vals)
}

// positionNames returns the attributes of a position in the table or in
// an index: the table's key, plus the index's key.
func (r *Table[T]) positionNames(index string) []*mapping.Attribute {
	names := []*mapping.Attribute{r.m.Key.Hash}
	if r.m.Key.Range != nil {
		names = append(names, r.m.Key.Range)
	}
	if idx := r.m.Index(index); idx != nil {
		for _, a := range idx.Key.Attributes() {
			if !slices.Contains(names, a) {
				names = append(names, a)
			}
		}
	}
	return names
}

// sortKeys returns the sort keys of the table and of index, whose
// attributes a position of index has.
func (r *Table[T]) sortKeys(index string) []*mapping.Attribute {
	var sorts []*mapping.Attribute
	if r.m.Key.Range != nil {
		sorts = append(sorts, r.m.Key.Range)
	}
	if idx := r.m.Index(index); idx != nil {
		sorts = append(sorts, idx.Key.Ranges...)
	}
	return sorts
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
