// Package uniquerec is the uniqueness record of a unique attribute's
// value, and the claim of the records of items already stored, which
// package relations (its write rules and BackfillUnique) and package
// migrate (its ClaimUnique step) share. The record format is documented
// in package relations and docs/unique.md.
package uniquerec

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// The attributes of a uniqueness record.
const (
	ID    = mapping.UniqueHash
	Attr  = "attr"
	Value = "value"
	Scope = "scope"
	Owner = "owner"
)

// escaper writes a part of a record id without the separator.
var escaper = strings.NewReplacer("%", "%25", "#", "%23")

// scalarText is the text of a scalar attribute value in a record id, and
// false for a missing, NULL or empty value (which claims nothing).
func scalarText(av types.AttributeValue) (string, bool) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return v.Value, v.Value != ""
	case *types.AttributeValueMemberN:
		return v.Value, true
	case *types.AttributeValueMemberB:
		return base64.StdEncoding.EncodeToString(v.Value), len(v.Value) > 0
	}
	return "", false
}

// Claim is the uniqueness record an item's values make for one unique
// attribute.
type Claim struct {
	U            *mapping.Unique
	ID           string
	Value, Scope string // as in the id, unescaped
	AV, ScopeAV  types.AttributeValue
}

// Of returns the record item (the attributes of an item, at least the
// unique attribute and its scope) makes for u, and false when the item
// has no value of u, or u is scoped and the item has no scope value: an
// item outside every scope (a child detached from its parent, when the
// scope is its link) claims nothing.
func Of(u *mapping.Unique, item map[string]types.AttributeValue) (Claim, bool) {
	av := item[u.Attr.Name]
	value, ok := scalarText(av)
	if !ok {
		return Claim{}, false
	}
	c := Claim{U: u, Value: value, AV: av}
	if u.Scope != nil {
		c.ScopeAV = item[u.Scope.Name]
		if c.Scope, ok = scalarText(c.ScopeAV); !ok || c.Scope == "" {
			return Claim{}, false
		}
	}
	c.ID = escaper.Replace(u.Attr.Name) + "#" + escaper.Replace(c.Scope) + "#" + escaper.Replace(value)
	return c, true
}

// Record is the record item of c, held by the item with key owner.
func (c Claim) Record(owner mapping.Item) mapping.Item {
	rec := mapping.Item{
		ID:    &types.AttributeValueMemberS{Value: c.ID},
		Attr:  &types.AttributeValueMemberS{Value: c.U.Attr.Name},
		Value: c.AV,
		Owner: &types.AttributeValueMemberM{Value: maps.Clone(owner)},
	}
	if _, null := c.ScopeAV.(*types.AttributeValueMemberNULL); c.ScopeAV != nil && !null {
		rec[Scope] = c.ScopeAV
	}
	return rec
}

// OwnedBy is the condition on a record that it does not exist or that
// the item with key owner holds it.
func OwnedBy(owner mapping.Item) expression.ConditionBuilder {
	free := expression.AttributeNotExists(expression.NameNoDotSplit(ID))
	names := slices.Sorted(maps.Keys(owner))
	same := make([]expression.ConditionBuilder, len(names))
	for i, n := range names {
		same[i] = expression.NameNoDotSplit(Owner).AppendName(expression.NameNoDotSplit(n)).Equal(expression.Value(owner[n]))
	}
	if len(same) == 1 {
		return expression.Or(free, same[0])
	}
	return expression.Or(free, expression.And(same[0], same[1], same[2:]...))
}

// Report counts what claims of stored items did.
type Report struct {
	// Items is how many items of the model were looked at.
	Items int
	// Claimed is how many records were written or found to be the
	// item's already.
	Claimed int
	// Changed is how many claims were skipped because the item changed
	// since it was read.
	Changed int
	// Duplicates are the values held by two items, in the order found.
	Duplicates []Duplicate
}

// Duplicate is a value Item could not claim because the record of Owner
// holds it; keys are name=value pairs, as mapping.KeyText writes them.
type Duplicate struct {
	Table, Attr, Value, Scope, Item, Owner string
}

// Model returns the mapping of m, which must have unique attributes, and
// the table c names for it.
func Model(c *dynamokit.Client, m *model.Model) (*mapping.Model, string, error) {
	if c == nil || m == nil || m.Type() == nil {
		return nil, "", errors.New("relations: claim unique records: nil client or model")
	}
	mm := mapping.Must(m)
	if len(mm.Unique) == 0 {
		return nil, "", fmt.Errorf("relations: claim unique records: %s has no unique attribute", mm.Type)
	}
	return mm, c.TableName(m), nil
}

// ClaimStored claims the records of item, an encoded item of mm stored in
// table with at least its key, unique attributes and their scopes, adding
// to rep; an item of another model sharing the table is skipped. For each
// unique value it sends one TransactWriteItems request, through c's raw
// method (no write rules): a check that the item still holds the value,
// and a put of the record on condition that it does not exist or is the
// item's already. A value another item's record holds is a Duplicate, an
// item changed meanwhile is counted in Changed: neither is an error.
func ClaimStored(ctx context.Context, c *dynamokit.Client, mm *mapping.Model, table string, item map[string]types.AttributeValue, rep *Report) error {
	if mm.EntityType != nil && !itemcodec.EqualValues(item[mm.EntityType.Name], &types.AttributeValueMemberS{Value: mm.Entity}) {
		return nil
	}
	key := mapping.Item{}
	for _, a := range []*mapping.Attribute{mm.Key.Hash, mm.Key.Range} {
		if a == nil {
			continue
		}
		v, ok := item[a.Name]
		if !ok {
			return fmt.Errorf("relations: claim unique records of %s: an item without its key attribute %s", table, a.Name)
		}
		key[a.Name] = v
	}
	rep.Items++
	for _, u := range mm.Unique {
		cl, ok := Of(u, item)
		if !ok {
			continue
		}
		err := claimStored(ctx, c, table, key, cl)
		var tce *types.TransactionCanceledException
		switch {
		case err == nil:
			rep.Claimed++
		case errors.As(err, &tce) && len(tce.CancellationReasons) == 2:
			switch r := tce.CancellationReasons; {
			case aws.ToString(r[0].Code) == "ConditionalCheckFailed":
				rep.Changed++
			case aws.ToString(r[1].Code) == "ConditionalCheckFailed":
				d := Duplicate{Table: table, Attr: u.Attr.Name, Value: cl.Value, Scope: cl.Scope, Item: mapping.KeyText(key)}
				if m, ok := r[1].Item[Owner].(*types.AttributeValueMemberM); ok {
					d.Owner = mapping.KeyText(m.Value)
				}
				rep.Duplicates = append(rep.Duplicates, d)
			default:
				return fmt.Errorf("relations: claim unique %s of %s %s: %w", u.Attr.Name, table, mapping.KeyText(key), err)
			}
		default:
			return fmt.Errorf("relations: claim unique %s of %s %s: %w", u.Attr.Name, table, mapping.KeyText(key), err)
		}
	}
	return nil
}

// claimStored puts the record cl of the stored item key, in one
// transaction with the check that the item still holds its value.
func claimStored(ctx context.Context, c *dynamokit.Client, table string, key mapping.Item, cl Claim) error {
	check := expression.NameNoDotSplit(cl.U.Attr.Name).Equal(expression.Value(cl.AV))
	if cl.U.Scope != nil {
		check = expression.And(check, expression.NameNoDotSplit(cl.U.Scope.Name).Equal(expression.Value(cl.ScopeAV)))
	}
	ce, err := expression.NewBuilder().WithCondition(check).Build()
	if err != nil {
		return err
	}
	pe, err := expression.NewBuilder().WithCondition(OwnedBy(key)).Build()
	if err != nil {
		return err
	}
	_, err = c.Executor().TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{
			TableName: aws.String(table), Key: key, ConditionExpression: ce.Condition(),
			ExpressionAttributeNames: ce.Names(), ExpressionAttributeValues: ce.Values(),
		}},
		{Put: &types.Put{
			TableName: aws.String(mapping.UniqueTable(table)), Item: cl.Record(key), ConditionExpression: pe.Condition(),
			ExpressionAttributeNames: pe.Names(), ExpressionAttributeValues: pe.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}},
	}})
	return err
}
