package dynamokit

import (
	"context"
	"time"

	"github.com/dynamokit/dynamokit/internal/clientlink"
	"github.com/dynamokit/dynamokit/internal/txn"
)

// init gives dynamokit's own packages what a Client keeps for them and a
// user has no call for (see package clientlink).
func init() {
	clientlink.Now = func(c any) time.Time { return c.(*Client).clock() }
	clientlink.Rules = func(c any) any {
		if cl := c.(*Client); cl != nil && cl.rules != nil {
			return cl.rules
		}
		return nil
	}
	clientlink.WriteRules = func(c any) txn.Rules { return c.(*Client).writeRules() }
	clientlink.Traced = func(c any) bool {
		cl := c.(*Client)
		return cl != nil && cl.tracer != nil
	}
	clientlink.Start = func(ctx context.Context, c any, name, table string) (context.Context, clientlink.Op) {
		ctx, op := c.(*Client).startOp(ctx, name, table)
		if op == nil {
			return ctx, clientlink.Op{}
		}
		return ctx, clientlink.NewOp(op)
	}
	clientlink.EndOp = func(op any, err error) { op.(*Operation).end(err) }
}
