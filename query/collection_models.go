package query

import "github.com/dynamokit/dynamokit/model"

// Models returns the models of the collection's members, in the order
// [NewCollection] was given them. Tools that show the models, such as a
// diagram, read a collection through it.
func (col *Collection) Models() []*model.Model {
	out := make([]*model.Model, 0, len(col.members))
	for _, mt := range col.members {
		m, err := model.For(mt.m.Type)
		if err != nil {
			// A member's mapping was built for NewCollection: its type
			// is a valid model.
			continue
		}
		out = append(out, m)
	}
	return out
}
