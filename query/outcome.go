package query

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
)

// Applied finds out whether a write of this table whose outcome is unknown
// (err matches [dynamokit.ErrUnknownOutcome]) was applied. It answers for
// a Create or a Put (one PutItem, also a relation's CreateParent): true
// when the lost answer said so (a 2xx status), otherwise by reading the
// item (a strongly consistent GetItem) and comparing it with the item the
// write sent, created, updated and version attributes included. For a
// conditional Delete it reports whether the item is gone, by this delete
// or another.
//
// false means the item is not as the write left it: the write was not
// applied, or another writer changed the item since. A request held up on
// the way may still land after the read; a Create or a versioned Put
// cannot land twice (its condition fails the second time), so calling it
// again and then Applied again is safe. An update, an ADD above all,
// cannot be told apart from another writer's: Applied returns an error
// for it, and for an error that is not an unknown outcome of this table.
//
// It calls GetItem:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
func (r *Table[T]) Applied(ctx context.Context, err error) (_ bool, rerr error) {
	ctx, op := r.c.StartOperation(ctx, "Table.Applied", r.table)
	defer op.End(&rerr)
	var u *dynamokit.UnknownOutcomeError
	if !errors.As(err, &u) || u.Table != r.table {
		return false, fmt.Errorf("query: applied: not an unknown outcome of a write of %s: %w", r.table, err)
	}
	var key map[string]types.AttributeValue
	switch {
	case u.Op == "PutItem" && u.Item != nil:
		key = r.keyOfItem(u.Item)
	case u.Op == "DeleteItem" && u.Key != nil:
		key = u.Key
	default:
		return false, fmt.Errorf("query: applied: cannot tell whether %s %s was applied: read the item", u.Op, r.table)
	}
	if u.Applied() {
		return true, nil
	}
	out, gerr := r.c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.table), Key: key, ConsistentRead: aws.Bool(true)})
	if gerr != nil {
		return false, wrapKey("applied", r.table, key, gerr, nil)
	}
	if u.Op == "DeleteItem" {
		return out.Item == nil, nil
	}
	return sameItem(out.Item, u.Item), nil
}

// sameItem reports whether a and b hold the same attributes with the same
// values, sets compared as sets and numbers as numbers.
func sameItem(a, b map[string]types.AttributeValue) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || !sameValue(av, bv) {
			return false
		}
	}
	return true
}

func sameValue(a, b types.AttributeValue) bool {
	switch a := a.(type) {
	case *types.AttributeValueMemberS:
		b, ok := b.(*types.AttributeValueMemberS)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberN:
		b, ok := b.(*types.AttributeValueMemberN)
		return ok && sameNumber(a.Value, b.Value)
	case *types.AttributeValueMemberB:
		b, ok := b.(*types.AttributeValueMemberB)
		return ok && bytes.Equal(a.Value, b.Value)
	case *types.AttributeValueMemberBOOL:
		b, ok := b.(*types.AttributeValueMemberBOOL)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberNULL:
		b, ok := b.(*types.AttributeValueMemberNULL)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberSS:
		b, ok := b.(*types.AttributeValueMemberSS)
		return ok && sameSet(a.Value, b.Value, func(x, y string) bool { return x == y })
	case *types.AttributeValueMemberNS:
		b, ok := b.(*types.AttributeValueMemberNS)
		return ok && sameSet(a.Value, b.Value, sameNumber)
	case *types.AttributeValueMemberBS:
		b, ok := b.(*types.AttributeValueMemberBS)
		return ok && sameSet(a.Value, b.Value, bytes.Equal)
	case *types.AttributeValueMemberL:
		b, ok := b.(*types.AttributeValueMemberL)
		return ok && slices.EqualFunc(a.Value, b.Value, sameValue)
	case *types.AttributeValueMemberM:
		b, ok := b.(*types.AttributeValueMemberM)
		return ok && sameItem(a.Value, b.Value)
	}
	return false
}

// sameNumber compares two DynamoDB numbers by value: "1.50" is "1.5".
func sameNumber(a, b string) bool {
	if a == b {
		return true
	}
	x, okx := new(big.Float).SetPrec(200).SetString(a)
	y, oky := new(big.Float).SetPrec(200).SetString(b)
	return okx && oky && x.Cmp(y) == 0
}

// sameSet reports whether a and b hold the same members, in any order.
func sameSet[E any](a, b []E, eq func(E, E) bool) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
next:
	for _, x := range a {
		for j, y := range b {
			if !used[j] && eq(x, y) {
				used[j] = true
				continue next
			}
		}
		return false
	}
	return true
}
