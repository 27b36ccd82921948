package relations

import (
	"errors"
	"fmt"

	"github.com/dynamokit/dynamokit/query"
)

// changeOf builds the update [HasMany.UpdateParent] sends: change applied
// to the update of parent on the relation's parent table. The update runs
// with the relation's own write checks stepped aside, and only parent's
// copies are brought up to date after it, so change must return the update
// it was given (the builder's methods return it), not one built on its
// own: an update of another parent, or of the same parent through another
// table or client, would change copied attributes no fan-out follows. It
// is refused before any request, naming the rule.
func (h *HasMany[P, C]) changeOf(parent P, change func(*query.Update[P]) *query.Update[P]) (*query.Update[P], error) {
	if change == nil {
		return nil, errors.New("relations: update parent: nil change")
	}
	given := h.parents.Update(parent)
	u := change(given)
	switch u {
	case nil:
		return nil, errors.New("relations: update parent: the change returned a nil update")
	case given:
		return u, nil
	}
	return nil, fmt.Errorf("relations: update parent %s: %s: the change must return the update it was given (changed through its methods), not another: an update of another parent, or of this one through another table, would run without this relation's checks and no fan-out would follow it; update another parent with its own UpdateParent",
		keyTextOf(h.parents, parent), h.describe())
}
