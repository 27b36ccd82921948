package migrate

import (
	"context"
	"fmt"
	"reflect"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/uniquerec"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/relations"
)

// ClaimUnique is the step that gives items stored before their model had
// unique attributes (the `unique` tag, see docs/unique.md) their
// uniqueness records, through c: each value an item holds is claimed for
// it in a transaction that checks the item still holds it (as
// relations.BackfillUnique does for a whole table). The item itself is not
// rewritten, so the runner counts it as skipped. An item whose value another
// item holds already is a failed item of the run, with an error matching
// relations.ErrNotUnique that names both: the run goes on, and reports every
// duplicate at the end in its *IncompleteError. Fix the duplicates and run it
// again: claiming is idempotent.
func ClaimUnique[T any](c *dynamokit.Client) Step {
	name := "claim unique values of " + reflect.TypeFor[T]().String()
	m, err := model.Of[T]()
	if err == nil && len(m.Unique()) == 0 {
		err = fmt.Errorf("migrate: %s has no unique attribute", reflect.TypeFor[T]())
	}
	if err == nil && c == nil {
		err = fmt.Errorf("migrate: %s: nil *dynamokit.Client", name)
	}
	return Step{name: name, model: reflect.TypeFor[T](), err: err, apply: func(ctx context.Context, item Item) (Item, error) {
		mm, table, err := uniquerec.Model(c, m)
		if err != nil {
			return nil, err
		}
		var rep uniquerec.Report
		if err := uniquerec.ClaimStored(ctx, c, mm, table, item, &rep); err != nil {
			return nil, err
		}
		if len(rep.Duplicates) > 0 {
			d := rep.Duplicates[0]
			return nil, fmt.Errorf("%w: %s %q is held by %s, not by %s", relations.ErrNotUnique, d.Attr, d.Value, d.Owner, d.Item)
		}
		return nil, ErrSkip
	}}
}
