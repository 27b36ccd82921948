package relations

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/model"
)

// UniqueReport is what [ClaimUnique] and [BackfillUnique] did.
type UniqueReport struct {
	// Items is how many items of the model were looked at.
	Items int
	// Claimed is how many records were written or found to be the
	// item's already.
	Claimed int
	// Changed is how many claims were skipped because the item changed
	// since it was read: the write that changed it keeps its records.
	Changed int
	// Duplicates are the values held by two items, in the order found:
	// Item could not claim the value Owner's record holds (two stored
	// items share it: they were written around the rules, or before the
	// attribute was tagged unique).
	Duplicates []*NotUniqueError
}

// ClaimUnique writes the uniqueness records of items already stored in the
// table of m (the table c names for m), such as those a migration or a
// scan reads: items are encoded items, each with at least its key, unique
// attributes and their scopes. Items of another model sharing the table
// (another entity type) are skipped. It is the backfill of the records of
// data written before the attribute was tagged unique, or around the
// rules.
//
// For each unique value of each item it sends one TransactWriteItems
// request: a check that the item still holds the value, and a put of the
// record on condition that it does not exist or is the item's already.
// A value another item's record holds is not an error: it is reported in
// UniqueReport.Duplicates (resolve it by changing or deleting one of the
// two items: a write through a client without the rules, since a write
// that releases a record another item holds is refused). An item changed
// meanwhile is counted in Changed and left to the write that changed it.
// Running it again is harmless.
//
// It calls TransactWriteItems, through c's raw method (no write rules):
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
func ClaimUnique(ctx context.Context, c *dynamokit.Client, m *model.Model, items ...map[string]types.AttributeValue) (UniqueReport, error) {
	var rep UniqueReport
	mm, table, err := uniqueModel(c, m)
	if err != nil {
		return rep, err
	}
	for _, item := range items {
		if err := claimItem(ctx, c, mm, table, item, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// BackfillUnique scans the table of m (the table c names for m) with
// strongly consistent reads and claims the uniqueness records of every
// item of m, as [ClaimUnique] does, reporting the duplicates it finds
// instead of stopping at them. It reads only the key, the unique
// attributes, their scopes and the entity type.
//
// It calls Scan and TransactWriteItems:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
func BackfillUnique(ctx context.Context, c *dynamokit.Client, m *model.Model) (UniqueReport, error) {
	var rep UniqueReport
	mm, table, err := uniqueModel(c, m)
	if err != nil {
		return rep, err
	}
	attrs := uniqueAttrs(mm, mm.Key.Hash, mm.Key.Range, mm.EntityType)
	var claimErr error
	err = rawread.ScanEach(ctx, c, rawread.Scan{Read: rawread.Read{Table: table, Consistent: true, Attrs: attrs}}, func(item rawread.Item) error {
		claimErr = claimItem(ctx, c, mm, table, item, &rep)
		return claimErr
	})
	if claimErr != nil {
		return rep, claimErr
	}
	if err != nil {
		return rep, fmt.Errorf("relations: backfill unique records of %s: %w", table, err)
	}
	return rep, nil
}

// uniqueModel returns the mapping of m, which must have unique attributes,
// and its table.
func uniqueModel(c *dynamokit.Client, m *model.Model) (*mapping.Model, string, error) {
	if c == nil || m == nil || m.Type() == nil {
		return nil, "", errors.New("relations: claim unique records: nil client or model")
	}
	mm := mapping.Must(m)
	if len(mm.Unique) == 0 {
		return nil, "", fmt.Errorf("relations: claim unique records: %s has no unique attribute", mm.Type)
	}
	return mm, c.TableName(m), nil
}

// claimItem claims the records of one stored item, adding to rep.
func claimItem(ctx context.Context, c *dynamokit.Client, mm *mapping.Model, table string, item map[string]types.AttributeValue, rep *UniqueReport) error {
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
		cl, ok := claimOf(u, item)
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
				d := &NotUniqueError{Table: table, Attr: u.Attr.Name, Value: cl.value, Scope: cl.scope, Item: keyText(key)}
				if m, ok := r[1].Item[recOwner].(*types.AttributeValueMemberM); ok {
					d.Owner = keyText(m.Value)
				}
				rep.Duplicates = append(rep.Duplicates, d)
			default:
				return fmt.Errorf("relations: claim unique %s of %s %s: %w", u.Attr.Name, table, keyText(key), err)
			}
		default:
			return fmt.Errorf("relations: claim unique %s of %s %s: %w", u.Attr.Name, table, keyText(key), err)
		}
	}
	return nil
}

// claimStored puts the record cl of the stored item key, in one
// transaction with the check that the item still holds its value.
func claimStored(ctx context.Context, c *dynamokit.Client, table string, key mapping.Item, cl claim) error {
	check := equalCond(cl.u.Attr.Name, cl.av, nil).Expr
	if cl.u.Scope != nil {
		check = expression.And(check, equalCond(cl.u.Scope.Name, cl.scopeAV, nil).Expr)
	}
	ce, err := expression.NewBuilder().WithCondition(check).Build()
	if err != nil {
		return err
	}
	pe, err := expression.NewBuilder().WithCondition(ownedBy(key)).Build()
	if err != nil {
		return err
	}
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{
			TableName: aws.String(table), Key: key, ConditionExpression: ce.Condition(),
			ExpressionAttributeNames: ce.Names(), ExpressionAttributeValues: ce.Values(),
		}},
		{Put: &types.Put{
			TableName: aws.String(mapping.UniqueTable(table)), Item: cl.record(key), ConditionExpression: pe.Condition(),
			ExpressionAttributeNames: pe.Names(), ExpressionAttributeValues: pe.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}},
	}})
	return err
}
