// Package clientlink lets dynamokit's own packages reach what a
// *dynamokit.Client keeps for them and a user has no call for: its clock,
// its write rules and its tracer, without public methods on the Client
// (go doc of package dynamokit shows what users call). Package dynamokit
// sets the variables in its init function; they are never changed after.
// Each takes the *dynamokit.Client as c, which may be nil.
package clientlink

import (
	"context"
	"time"

	"github.com/dynamokit/dynamokit/internal/txn"
)

// Op is an operation started by [Start]. Its zero value, which Start
// returns for a client without a Tracer, does nothing.
type Op struct{ op any }

// NewOp returns the Op of op, a *dynamokit.Operation, for package
// dynamokit's Start.
func NewOp(op any) Op { return Op{op} }

// End ends o with the error *errp (nil errp, or nil *errp: success) and
// reports it to the Tracer. It reads *errp and keeps nothing, so that the
// error a deferred End is given stays on the caller's stack.
func (o Op) End(errp *error) {
	if o.op == nil {
		return
	}
	var err error
	if errp != nil {
		err = *errp
	}
	EndOp(o.op, err)
}

var (
	// Now returns the time of c's clock (dynamokit.WithClock), which
	// created and updated attributes are written with.
	Now func(c any) time.Time
	// Rules returns the write rules c enforces (dynamokit.WithRules), or
	// nil.
	Rules func(c any) any
	// WriteRules returns the write rules of c for the writes it sends,
	// sealed for c's executor: nil when c enforces none.
	WriteRules func(c any) txn.Rules
	// Traced reports whether c has a Tracer (dynamokit.WithTracer).
	Traced func(c any) bool
	// Start starts an operation called name on table for c's Tracer, and
	// returns the context to make its requests with; defer End on the
	// operation returned:
	//
	//	ctx, op := clientlink.Start(ctx, r.c, "Table.Put", r.table)
	//	defer op.End(&err)
	//
	// With no Tracer it returns ctx and the zero Op: nothing is
	// allocated.
	Start func(ctx context.Context, c any, name, table string) (context.Context, Op)
	// EndOp ends op, a *dynamokit.Operation, with err: [Op.End] calls it.
	EndOp func(op any, err error)
)
