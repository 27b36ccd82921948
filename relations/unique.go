package relations

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/internal/uniquerec"
	"github.com/dynamokit/dynamokit/model"
)

// Unique attributes. A field tagged unique:"" (or unique:"scope=tenant_id")
// holds a value no other item of its table holds (within one value of the
// scope attribute). A client that enforces a Graph keeps, for each item
// with such a value, a uniqueness record in the table named after the
// item's with "_unique" appended (account_unique for account), in the same
// TransactWriteItems request as the item's write:
//
//   - a Create or Put claims the record of each unique value: a put of the
//     record on condition that it does not exist or that its owner is the
//     item written (so that writing an item again is not a clash);
//   - a Put over a stored item, or an Update that sets or removes a unique
//     attribute or its scope, releases the record of the value it replaces
//     (a delete on condition that its owner is the item, or that it does
//     not exist) and claims the new one; a Put or Update that leaves the
//     value as it was claims it again (which writes a missing record);
//   - a Delete releases the item's records; in one transaction, a release
//     by one item and a claim by another of the same record are one put
//     of the record, naming the new holder, on condition that it is free
//     or held by either item (package txn merges them);
//   - a Put, Update and Delete read the stored item first (one strongly
//     consistent GetItem of its key and unique attributes) and add the
//     condition that those attributes still hold the values read, so that
//     a writer racing on the same item makes the write fail with
//     [ErrUniqueChanged] rather than leave a record behind;
//   - an Update that sets neither a unique attribute nor its scope is sent
//     as without them, and batch writes are refused, naming the call to
//     use (a batch write takes no transaction).
//
// This rule has no relation: the Graph applies it to every model with a
// unique attribute, declared in a relation or not.

// ErrNotUnique is returned, as a *[NotUniqueError] that names the
// attribute, the value and the item that holds it, when a write would give
// an item a value of a unique attribute that another item holds. Retrying
// does not help until the other item releases the value (changes it, or
// is deleted).
var ErrNotUnique = errors.New("relations: value of a unique attribute held by another item")

// ErrUniqueChanged is returned when a Put, Update or Delete of an item
// with unique attributes finds them changed between its read of the stored
// item and its write: another writer changed the item meanwhile. Nothing
// was written; retrying the call reads the item again.
var ErrUniqueChanged = errors.New("relations: a unique attribute of the item changed while it was written: retry")

// NotUniqueError is a value of a unique attribute held by another item
// ([ErrNotUnique], which it matches with errors.Is): the error of a write
// refused for it, or a duplicate found by [BackfillUnique] among stored
// items. It is always a pointer. Retrying does
// not help until the other item releases the value.
type NotUniqueError struct {
	// Table is the table of the item written.
	Table string
	// Attr is the unique attribute, Value its value as the record's id
	// writes it (a number as its text, a binary value in base64).
	Attr, Value string
	// Scope is the scope attribute's value, "" for an attribute unique in
	// the whole table.
	Scope string
	// Owner is the key of the item that holds the value, as name=value
	// pairs ("user_id=u-1"); "" when it is not known.
	Owner string
	// Item is the key of the stored item that holds the value too but
	// could not claim it, as name=value pairs; set for a duplicate found
	// among stored items, "" for a write (the item written is the
	// caller's).
	Item string
}

// Error implements the error interface.
func (e *NotUniqueError) Error() string {
	s := fmt.Sprintf("relations: %s: %s %q", e.Table, e.Attr, e.Value)
	if e.Scope != "" {
		s += fmt.Sprintf(" (scope %q)", e.Scope)
	}
	if e.Item != "" {
		s += " of " + e.Item
	}
	if e.Owner != "" {
		return s + " is held by " + e.Owner
	}
	return s + " is held by another item"
}

// Unwrap returns [ErrNotUnique].
func (e *NotUniqueError) Unwrap() error { return ErrNotUnique }

// claimEffect is the effect on c's record of the item with key owner in table:
// claim it (a put) or release it (a delete), both on condition that the
// record is free or the item's own.
func claimEffect(c uniquerec.Claim, table string, owner mapping.Item, release bool) txn.Effect {
	verb := "claim"
	if release {
		verb = "release"
	}
	e := txn.Effect{
		Table: mapping.UniqueTable(table),
		Key:   mapping.Item{uniquerec.ID: &types.AttributeValueMemberS{Value: c.ID}},
		What:  fmt.Sprintf("%s unique %s of %s", verb, c.U.Attr.Name, table),
		Conds: []txn.Cond{{Expr: uniquerec.OwnedBy(owner), Kind: ErrNotUnique}},
		Fail:  claimFailure(c, table),
	}
	if release {
		e.Delete = true
	} else {
		e.Put = c.Record(owner)
	}
	return e
}

// claimFailure tells what a failed condition on c's record means, from the
// record as it was: the value is another item's.
func claimFailure(c uniquerec.Claim, table string) func(old map[string]types.AttributeValue) error {
	return func(old map[string]types.AttributeValue) error {
		e := &NotUniqueError{Table: table, Attr: c.U.Attr.Name, Value: c.Value, Scope: c.Scope}
		if m, ok := old[uniquerec.Owner].(*types.AttributeValueMemberM); ok {
			e.Owner = mapping.KeyText(m.Value)
		}
		return e
	}
}

// uniqueCovers reports whether the unique rule applies to writes of m.
func uniqueCovers(m *model.Model) bool {
	if m.Type() == nil {
		return false
	}
	mm := txn.Model(m)
	return mm != nil && len(mm.Unique) > 0
}

// withUnique appends the effects of the unique rule on w to those of the
// relations' rules.
func (r graphRules) withUnique(ctx context.Context, w *txn.Write, effects []txn.Effect) ([]txn.Effect, error) {
	more, err := checkUnique(ctx, r.get, w)
	if err != nil {
		return nil, err
	}
	return append(effects, more...), nil
}

// checkUnique is the unique rule of w, a write of a model with unique
// attributes (see the comment at the top of this file); get reads the
// stored item.
func checkUnique(ctx context.Context, get txn.Getter, w *txn.Write) ([]txn.Effect, error) {
	if !uniqueCovers(w.Model) {
		return nil, nil
	}
	mm := txn.Model(w.Model)
	switch w.Op {
	case txn.OpCheck, txn.OpAdd:
		return nil, nil
	case txn.OpUpdate:
		touched := false
		for _, u := range mm.Unique {
			for _, a := range []*mapping.Attribute{u.Attr, u.Scope} {
				if a == nil {
					continue
				}
				if slices.Contains(w.Unknown, a.Name) {
					return nil, &txn.Refusal{Table: w.Table, Key: w.Key, Msg: fmt.Sprintf("relations: an update that changes %s (a unique attribute or its scope) to a value that depends on the stored item (Add, SetIfNotExists) cannot keep its uniqueness record: set it with Update.Set", a.Name)}
				}
				if _, ok := w.Attrs[a.Name]; ok {
					touched = true
				}
			}
		}
		if !touched {
			return nil, nil
		}
	}
	if w.Batch {
		return nil, &txn.Refusal{Table: w.Table, Key: w.Key, Msg: fmt.Sprintf("relations: a batch %s of %s cannot keep the uniqueness records of its unique attributes (a batch write takes no transaction): write it with Table.%s or Client.WriteTx", w.Op, mm.Type, singleWrite(w.Op))}
	}
	var old map[string]types.AttributeValue
	if w.Op != txn.OpCreate {
		var err error
		if old, err = storedUnique(ctx, get, mm, w); err != nil {
			return nil, err
		}
		w.RuleConds = append(w.RuleConds, uniqueAsRead(mm, old)...)
	}
	next := w.Attrs
	switch w.Op {
	case txn.OpDelete:
		next = nil
	case txn.OpUpdate:
		next = make(map[string]types.AttributeValue, 2*len(mm.Unique))
		for _, u := range mm.Unique {
			for _, a := range []*mapping.Attribute{u.Attr, u.Scope} {
				if a == nil {
					continue
				}
				if v, ok := old[a.Name]; ok {
					next[a.Name] = v
				}
				if v, ok := w.Attrs[a.Name]; ok {
					next[a.Name] = v
				}
			}
		}
	}
	var out []txn.Effect
	for _, u := range mm.Unique {
		was, had := uniquerec.Of(u, old)
		now, has := uniquerec.Of(u, next)
		if had && (!has || was.ID != now.ID) {
			out = append(out, claimEffect(was, w.Table, w.Key, true))
		}
		if has {
			out = append(out, claimEffect(now, w.Table, w.Key, false))
		}
	}
	return out, nil
}

// singleWrite names the call of a query.Table that makes a write of op
// alone.
func singleWrite(op string) string {
	if op == txn.OpDelete {
		return "Delete"
	}
	return "Put or Table.Create"
}

// storedUnique reads the stored item's key, unique attributes and their
// scopes (one strongly consistent GetItem): nil when there is no item.
func storedUnique(ctx context.Context, get txn.Getter, mm *mapping.Model, w *txn.Write) (map[string]types.AttributeValue, error) {
	if get == nil {
		return nil, fmt.Errorf("relations: %s of %s: the rules were not given the client to read the stored item with", w.Op, mm.Type)
	}
	item, err := rawread.Get(ctx, get, rawread.Read{Table: w.Table, Consistent: true, Attrs: uniqueAttrs(mm, mm.Key.Hash)}, w.Key)
	if err != nil {
		return nil, fmt.Errorf("relations: %s of %s: read its unique attributes: %w", w.Op, mm.Type, err)
	}
	return item, nil
}

// uniqueAttrs returns the attributes of an item of mm to read: those of
// key that are not nil, then mm's unique attributes and their scopes.
func uniqueAttrs(mm *mapping.Model, key ...*mapping.Attribute) []string {
	var out []string
	for _, a := range key {
		if a != nil {
			out = append(out, a.Name)
		}
	}
	for _, u := range mm.Unique {
		out = append(out, u.Attr.Name)
		if u.Scope != nil {
			out = append(out, u.Scope.Name)
		}
	}
	return out
}

// uniqueAsRead is the condition that the item's unique attributes and
// their scopes hold what storedUnique read (absent for an item not
// found).
func uniqueAsRead(mm *mapping.Model, old map[string]types.AttributeValue) []txn.Cond {
	var out []txn.Cond
	seen := map[string]bool{}
	for _, u := range mm.Unique {
		for _, a := range []*mapping.Attribute{u.Attr, u.Scope} {
			if a == nil || seen[a.Name] {
				continue
			}
			seen[a.Name] = true
			out = append(out, equalCond(a.Name, old[a.Name], ErrUniqueChanged))
		}
	}
	return out
}
