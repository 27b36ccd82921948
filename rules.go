package dynamokit

import (
	"github.com/dynamokit/dynamokit/internal/txn"
)

// Rules is a set of write rules a Client enforces on every write of its
// items made through package query: single writes, batches and the actions
// of [Client.WriteTx]. Package relations' Graph is one: the relations
// declared on a client, with their integrity checks, counters, delete
// policies and copies. The rules add their conditions and actions to a
// write before its request is built, so that a write either keeps every
// rule or is refused.
//
// A Client enforces the rules given by [WithRules], and no others: without
// it, query writes items exactly as asked. Only dynamokit's packages
// implement Rules: its method takes a type of an internal package.
type Rules interface {
	WriteRules(txn.Key) txn.Rules
}

// WithRules makes the Client, and every copy made with [Client.With],
// enforce rules, such as a relations.Graph: relations are declared on the
// tables of a client that enforces a graph.
//
// A client keeps the rules it enforces: WithRules(nil) given to a copy of
// a client that enforces rules changes nothing.
func WithRules(rules Rules) Option {
	return func(c *Client) {
		if rules != nil {
			c.rules = rules
		}
	}
}

// writeRules is what package txn applies: nil when c enforces no rules.
func (c *Client) writeRules() txn.Rules {
	if c == nil || c.rules == nil {
		return nil
	}
	return c.rules.WriteRules(txn.SealFor(executor{c}))
}
