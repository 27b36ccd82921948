package query

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// setOther sets o, an attribute that is not the model's, in the same
// UpdateItem, for dynamokit's own packages through querylink.SetOther
// (package relations stamps a parent's fan-out of copies this way); a nil
// o changes nothing. It is not an attribute change as the model sees it:
// no computed attribute refers to it.
func (u *Update[T]) setOther(o *txn.Other) {
	switch {
	case o == nil:
		return
	case o.Name == "" || o.Value == nil:
		u.setErr(errors.New("query: set other: empty name or value"))
		return
	case u.r.m.Attribute(o.Name) != nil:
		u.fail("set other", "%s is an attribute of %s", o.Name, u.r.m.Type)
		return
	case u.touched[o.Name]:
		u.fail("set other", "%q is changed twice in one update", o.Name)
		return
	}
	u.touched[o.Name] = true
	u.ops = append(u.ops, func(b expression.UpdateBuilder) expression.UpdateBuilder {
		return b.Set(name(o.Name), expression.Value(o.Value))
	})
}
