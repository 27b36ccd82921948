package relations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
)

// Graph is the set of relations a client enforces: every relation
// declared ([Declare], [DeclareEdge]) on the tables of a client made with
// [dynamokit.WithRules](graph). It is checked as a whole at each
// declaration (two relations may not keep the same counter on one model),
// and its rules are applied by package query to every write of the
// relations' models through that client, before the write's request is
// built: a write either keeps every relation it touches, with the
// conditions and counter changes each needs merged into one request, or is
// refused before any request.
//
// A Graph is safe for concurrent use; declare its relations before the
// client writes concurrently.
type Graph struct {
	mu      sync.RWMutex
	rules   map[*model.Model][]rule
	counted []countedBy // who keeps which counter, for conflicts
	// composed is the delete steps of the relations (compose.go).
	composed composition
}

// rule is one relation's write rule for one model.
type rule func(ctx context.Context, w *txn.Write) ([]txn.Effect, error)

// countedBy records that a relation keeps counter on the items of model.
type countedBy struct {
	model    *model.Model
	counter  string
	relation string
	id       any // the relation's identity: a redeclaration has the same
}

// NewGraph returns an empty Graph, to give to [dynamokit.WithRules].
func NewGraph() *Graph { return &Graph{rules: map[*model.Model][]rule{}} }

// WriteRules returns the graph's rules to dynamokit's packages. Only they
// can call it.
func (g *Graph) WriteRules(k txn.Key) txn.Rules {
	if !k.Sealed() || g == nil {
		return nil
	}
	return graphRules{g: g, get: k.Getter()}
}

// errNoGraph is returned by [Declare] and [DeclareEdge] when the tables'
// client enforces no Graph: a mistake in the program's setup, which its
// message says how to fix, not a condition to branch on.
var errNoGraph = errors.New("relations: the tables' client enforces no relations.Graph: make the client with dynamokit.WithRules(relations.NewGraph())")

// graphOf returns the Graph the client c enforces.
func graphOf(c *dynamokit.Client) (*Graph, error) {
	g, ok := clientlink.Rules(c).(*Graph)
	if !ok || g == nil {
		return nil, errNoGraph
	}
	return g, nil
}

// sameGraph returns the one Graph the clients of a relation's tables
// enforce.
func sameGraph(clients ...*dynamokit.Client) (*Graph, error) {
	var g *Graph
	for _, c := range clients {
		h, err := graphOf(c)
		if err != nil {
			return nil, err
		}
		if g != nil && h != g {
			return nil, errors.New("relations: the tables' clients enforce different graphs: make the tables of one relation with one client")
		}
		g = h
	}
	return g, nil
}

// modelRule is a relation's rule for the writes of one model. A rule
// that does not depend on the declaration (such as the child's, whose
// counter changes must be added once) is added once per relation, however
// often the relation is declared; the others once per declaration (such
// as a parent's delete policy, which a second declaration may change).
type modelRule struct {
	model *model.Model
	rule  rule
	once  bool
}

// add adds a relation's rules, after checking the counters it keeps
// against the graph's: relation names it, id identifies it (declaring the
// same relation again is allowed), counts lists the models whose items it
// keeps counter on.
func (g *Graph) add(relation string, id any, counter string, counts []*model.Model, rules ...modelRule) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, m := range counts {
		for _, c := range g.counted {
			if c.model == m && c.counter == counter && c.id != id {
				return fmt.Errorf("%w: %s and %s would both keep the counter %q on %s: give one of them its own counter (Spec.Counter, EdgeSpec.Counter)", ErrMismatch, relation, c.relation, counter, mapping.Must(m).Type)
			}
		}
	}
	again := slices.ContainsFunc(g.counted, func(c countedBy) bool { return c.id == id })
	for _, m := range counts {
		g.counted = append(g.counted, countedBy{m, counter, relation, id})
	}
	for _, r := range rules {
		if r.once && again {
			continue
		}
		g.rules[r.model] = append(slices.Clip(g.rules[r.model]), r.rule)
	}
	return nil
}

// graphRules applies a Graph's rules, and the unique attributes' (get
// reads a stored item: the client the rules were sealed for).
type graphRules struct {
	g   *Graph
	get txn.Getter
}

func (r graphRules) Covers(m *model.Model) bool {
	r.g.mu.RLock()
	defer r.g.mu.RUnlock()
	return len(r.g.rules[m]) > 0 || uniqueCovers(m)
}

func (r graphRules) Check(ctx context.Context, w *txn.Write) ([]txn.Effect, error) {
	r.g.mu.RLock()
	list := r.g.rules[w.Model]
	r.g.mu.RUnlock()
	var out []txn.Effect
	for _, rl := range list {
		effects, err := rl(ctx, w)
		if err != nil {
			return nil, err
		}
		out = append(out, effects...)
	}
	return r.withUnique(ctx, w, out)
}

// Conditions the rules add, with what they mean and how to tell whether
// they hold on an item.

// existsCond is the condition that the item exists (its hash key attribute
// is there) and is of the model's entity type, whose failure means kind.
func existsCond(m *mapping.Model, kind error) []txn.Cond {
	hash := m.Key.Hash.Name
	out := []txn.Cond{{
		Expr: expression.AttributeExists(expression.NameNoDotSplit(hash)), Kind: kind,
		Holds: func(item map[string]types.AttributeValue) bool { return item != nil && item[hash] != nil },
	}}
	if m.EntityType != nil {
		attr, want := m.EntityType.Name, m.Entity
		out = append(out, txn.Cond{
			Expr: expression.NameNoDotSplit(attr).Equal(expression.Value(want)), Kind: kind,
			Holds: func(item map[string]types.AttributeValue) bool {
				s, ok := item[attr].(*types.AttributeValueMemberS)
				return ok && s.Value == want
			},
		})
	}
	return out
}

// equalCond is the condition that attr holds av (nil: that it is absent).
func equalCond(attr string, av types.AttributeValue, kind error) txn.Cond {
	n := expression.NameNoDotSplit(attr)
	if av == nil {
		// attribute_not_exists holds on a missing item too, as in
		// DynamoDB: a condition taken for failed there would make Failure
		// report its Kind for what is another failure (a missing item).
		return txn.Cond{Expr: expression.AttributeNotExists(n), Kind: kind,
			Holds: func(item map[string]types.AttributeValue) bool { return item == nil || isAbsent(item[attr]) }}
	}
	return txn.Cond{Expr: n.Equal(expression.Value(av)), Kind: kind,
		Holds: func(item map[string]types.AttributeValue) bool {
			return item != nil && itemcodec.EqualValues(item[attr], av)
		}}
}

// isAbsent reports whether an attribute value is missing or NULL.
func isAbsent(av types.AttributeValue) bool {
	if av == nil {
		return true
	}
	_, null := av.(*types.AttributeValueMemberNULL)
	return null
}

// counterIs is the condition that counter holds n.
func counterIs(counter string, n int64, kind error) txn.Cond {
	return equalCond(counter, &types.AttributeValueMemberN{Value: fmt.Sprint(n)}, kind)
}
