package txn

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// Rules are the write rules a client enforces, as dynamokit's packages
// apply them.
type Rules interface {
	// Covers reports whether any rule concerns writes of m, so that a
	// write of another model skips planning.
	Covers(m *model.Model) bool
	// Check applies the rules to w before its request is built: it may
	// add conditions on w's item (RuleConds), counters to add to (Adds),
	// attributes to a created item (Item and Attrs), or make a put keep
	// the stored attributes outside the model (KeepOther), and returns
	// what the write needs of other items. An error refuses the write,
	// before any request.
	Check(ctx context.Context, w *Write) ([]Effect, error)
}

// Effect is what a write needs of another item: conditions on it, and
// counters of it to add to. Conds of an effect with Adds must include that
// the item exists, so that the update cannot create it.
type Effect struct {
	Table string
	Key   mapping.Item
	What  string // such as "check parent departments"
	Conds []Cond
	Adds  []Delta
	// Put, when set, makes the effect write this whole item, on Conds (a
	// record a rule keeps, such as a uniqueness record); Delete makes it
	// delete the item, on Conds. Fail tells what a failure of their Conds
	// means from the item as it was (nil: the Conds' Kinds). Such an
	// effect is never merged: another effect on its item, or a write of
	// its item in the same transaction, refuses the transaction.
	Put    mapping.Item
	Delete bool
	Fail   func(old map[string]types.AttributeValue) error
}

// writes reports whether e writes its item.
func (e *Effect) writes() bool { return e.Put != nil || e.Delete }

// Refusal is the error of a transaction refused before any request
// because one of its items cannot keep a rule.
type Refusal struct {
	Table string
	Key   mapping.Item
	Kind  error // what the refused condition means (nil: a plain refusal)
	Msg   string
}

// Error implements the error interface: the Kind's text, then the
// message.
func (r *Refusal) Error() string {
	if r.Kind == nil {
		return r.Msg
	}
	return r.Kind.Error() + ": " + r.Msg
}

// Unwrap returns Kind.
func (r *Refusal) Unwrap() error { return r.Kind }

// group is the effects of one transaction on one item outside its writes.
type group struct {
	table string
	key   mapping.Item
	what  string
	conds []Cond
	adds  []Delta
	write *Effect // the effect that writes the item (nil: none)
}

// Plan applies rules to the writes of one request (one write alone, or the
// actions of one transaction) before their requests are built. It changes
// the writes in place and returns them followed by the items the rules
// add. Effects on one item are merged into one action: the conditions
// joined with AND and the counter changes summed, so that a transaction
// changes each counter once. An effect on an item the transaction itself
// writes is merged into that write:
//   - into an update or a check, as conditions on the stored item and
//     additions to its counters;
//   - into a put or create, by checking the conditions against the item
//     as written (a condition that cannot be checked so refuses the
//     transaction) and adding to the counters in the item;
//   - never into a delete: the item cannot meet a condition or keep a
//     counter after the transaction, which is refused.
//
// A write of a batch refuses any effect, condition, counter or change.
// Writes already planned (Planned) and writes of models no rule covers are
// left as they are.
func Plan(ctx context.Context, rules Rules, writes []*Write) ([]*Write, error) {
	if rules == nil {
		return writes, nil
	}
	var (
		groups []*group
		byID   = map[string]*group{}
	)
	for _, w := range writes {
		if w.Planned || w.Model == nil || !rules.Covers(w.Model) {
			continue
		}
		keepOther, nConds, nAdds := w.KeepOther, len(w.RuleConds), len(w.Adds)
		itemLen := len(w.Item)
		effects, err := rules.Check(ctx, w)
		if err != nil {
			return nil, err
		}
		if w.Batch && (len(effects) > 0 || w.KeepOther != keepOther || len(w.RuleConds) != nConds || len(w.Adds) != nAdds || len(w.Item) != itemLen) {
			what := "a condition on the item"
			if len(effects) > 0 {
				what = effects[0].What
			}
			return nil, &Refusal{Table: w.Table, Key: w.Key, Msg: fmt.Sprintf("a batch %s takes no condition and writes no other item, and this one needs %s: write it with Table.%s or Client.WriteTx", w.Op, what, singleCall(w.Op))}
		}
		for _, e := range effects {
			id := itemID(e.Table, e.Key)
			g := byID[id]
			if g != nil && moves(g, &e) {
				continue
			}
			if g != nil && (g.write != nil || e.writes()) {
				return nil, &Refusal{Table: e.Table, Key: e.Key, Msg: fmt.Sprintf("%s and %s act on one item in the same transaction: send them separately", g.what, e.What)}
			}
			if g == nil {
				g = &group{table: e.Table, key: e.Key, what: e.What}
				byID[id] = g
				groups = append(groups, g)
			}
			if e.writes() {
				g.write = &e
			}
			g.conds = append(g.conds, e.Conds...)
			g.adds = addDeltas(g.adds, e.Adds)
		}
	}
	written := make(map[string]*Write, len(writes))
	for _, w := range writes {
		if _, dup := written[w.ID()]; !dup {
			written[w.ID()] = w
		}
	}
	out := slices.Clip(writes)
	for _, g := range groups {
		w := written[itemID(g.table, g.key)]
		if g.write != nil {
			if w != nil {
				return nil, &Refusal{Table: g.table, Key: g.key, Msg: fmt.Sprintf("%s needs the item that %s writes in the same transaction: send them separately", g.what, w.What)}
			}
			out = append(out, effectWrite(g))
			continue
		}
		if w == nil {
			op := OpCheck
			if len(g.adds) > 0 {
				op = OpAdd
			}
			out = append(out, &Write{Op: op, What: g.what, Table: g.table, Key: g.key, RuleConds: g.conds, Adds: g.adds, Undo: func() {}})
			continue
		}
		if err := merge(w, g); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// moves merges into g, a group with an effect that deletes its item or
// puts it, e, an effect that does the other: one item releases a record
// and another item takes it in the same transaction (a value moved from
// one item to another, or an item re-keyed). The item is put, on
// condition that either effect's conditions hold on it as it was: the
// deleting effect's (the record is the releasing item's, or free) or the
// putting one's (it is the taking item's already). Whether such a move
// failed is told by the putting effect's Fail. It reports false, merging
// nothing, for any other pair.
func moves(g *group, e *Effect) bool {
	if g.write == nil || !e.writes() || len(g.adds) > 0 || len(e.Adds) > 0 || g.write.Delete == e.Delete {
		return false
	}
	put := e
	if e.Delete {
		put = g.write
	}
	merged := *put
	merged.Conds = nil
	if len(g.conds) > 0 && len(e.Conds) > 0 {
		either := expression.Or(andConds(g.conds), andConds(e.Conds))
		merged.Conds = []Cond{{Expr: either, Kind: firstCondKind(put.Conds)}}
	}
	g.write, g.conds = &merged, merged.Conds
	g.what += " and " + e.What
	return true
}

// andConds joins the conditions of cs, at least one, with AND.
func andConds(cs []Cond) expression.ConditionBuilder {
	exprs := make([]expression.ConditionBuilder, len(cs))
	for i, c := range cs {
		exprs[i] = c.Expr
	}
	return andAll(exprs)
}

// firstCondKind is the Kind of the first condition of cs that has one.
func firstCondKind(cs []Cond) error {
	for _, c := range cs {
		if c.Kind != nil {
			return c.Kind
		}
	}
	return nil
}

// effectWrite is the write of g, the group of one effect that writes its
// item: a put or a delete on the effect's conditions, whose failure Fail
// tells.
func effectWrite(g *group) *Write {
	e := g.write
	w := &Write{Op: OpPut, What: g.what, Table: g.table, Key: g.key, Item: e.Put, Attrs: e.Put, Undo: func() {}}
	if e.Delete {
		w.Op, w.Item, w.Attrs = OpDelete, nil, nil
	}
	if e.Fail == nil {
		w.RuleConds = g.conds
		return w
	}
	for _, c := range g.conds {
		w.Conds = append(w.Conds, c.Expr)
	}
	w.Fail = e.Fail
	return w
}

// merge merges the effects g on the item w writes into w.
func merge(w *Write, g *group) error {
	refuse := func(kind error, format string, args ...any) error {
		return &Refusal{Table: g.table, Key: g.key, Kind: kind, Msg: fmt.Sprintf(format, args...)}
	}
	firstKind := func() error {
		for _, c := range g.conds {
			if c.Kind != nil {
				return c.Kind
			}
		}
		return nil
	}
	switch w.Op {
	case OpDelete:
		return refuse(firstKind(), "%s needs the item that %s deletes in the same transaction: send them separately, or use the relation's verb", g.what, w.What)
	case OpPut, OpCreate:
		for _, c := range g.conds {
			if c.Holds == nil {
				return refuse(c.Kind, "%s cannot be checked on the item that %s writes whole in the same transaction: send them separately", g.what, w.What)
			}
			if !c.Holds(w.Item) {
				return refuse(c.Kind, "%s does not hold on the item %s writes in the same transaction", g.what, w.What)
			}
		}
		if w.KeepOther {
			w.Adds = addDeltas(w.Adds, g.adds)
			return nil
		}
		for _, d := range g.adds {
			n := d.N
			if v, ok := w.Item[d.Attr].(*types.AttributeValueMemberN); ok {
				have, err := strconv.ParseInt(v.Value, 10, 64)
				if err != nil {
					return refuse(nil, "%s: counter %s of the item %s writes is not an integer", g.what, d.Attr, w.What)
				}
				n += have
			}
			w.Item[d.Attr] = &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
		}
		return nil
	case OpCheck:
		if len(g.adds) > 0 {
			w.Op = OpAdd
		}
	case OpUpdate, OpAdd:
		for _, d := range g.adds {
			if _, set := w.Attrs[d.Attr]; set || slices.Contains(w.Unknown, d.Attr) {
				return refuse(nil, "%s changes counter %s, which %s also changes in the same transaction: send them separately", g.what, d.Attr, w.What)
			}
		}
	}
	w.RuleConds = append(w.RuleConds, g.conds...)
	w.Adds = addDeltas(w.Adds, g.adds)
	return nil
}

// addDeltas adds more to have, one Delta per attribute.
func addDeltas(have, more []Delta) []Delta {
	for _, d := range more {
		i := slices.IndexFunc(have, func(x Delta) bool { return x.Attr == d.Attr })
		if i < 0 {
			have = append(have, d)
			continue
		}
		have = slices.Clone(have)
		have[i].N += d.N
	}
	return have
}

// singleCall names the call of package query that makes a write of op
// alone.
func singleCall(op string) string {
	switch op {
	case OpPut:
		return "Put"
	case OpDelete:
		return "Delete"
	}
	return "Create"
}
