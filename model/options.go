package model

import "github.com/dynamokit/dynamokit/internal/mapping"

// Tabler is implemented by every model: TableName returns the base name of
// the model's table. It must not depend on the receiver's field values.
type Tabler = mapping.Tabler

// Optioner may be implemented by a model for the settings that tags cannot
// express: TableOptions returns its [Options]. It is called once, on the
// zero value of the model, when the model is first used.
type Optioner interface {
	TableOptions() Options
}

// Billing is a table's billing mode: on-demand (the zero value) or
// provisioned capacity, ReadUnits and WriteUnits (both zero means
// on-demand, PAY_PER_REQUEST). Its OnDemand method reports which.
type Billing = mapping.Billing

// Provisioned returns a provisioned billing mode with the given capacity.
func Provisioned(readUnits, writeUnits int64) Billing {
	return mapping.Provisioned(readUnits, writeUnits)
}

// Projection is the set of attributes an index copies: [All] (the
// default), [KeysOnly] or [Include]. Its Type is DynamoDB's ProjectionType,
// "ALL", "KEYS_ONLY" or "INCLUDE" (compare it with KeysOnly.Type, say), and
// NonKey lists the attributes an INCLUDE projection copies besides the
// keys.
type Projection = mapping.Projection

// Include returns an INCLUDE projection of the given attributes.
func Include(attrs ...string) Projection { return mapping.Include(attrs...) }

// KeysOnly is the KEYS_ONLY projection.
var KeysOnly = mapping.KeysOnly

// All is the ALL projection, the default.
var All = mapping.All

// Namer maps a model's base table name to the name of the table to use,
// so one model can serve several environments ("dev-employee",
// "prod-employee"). It is applied by the caller (package schema, query).
type Namer = mapping.Namer

// Prefix returns a [Namer] that prepends p.
func Prefix(p string) Namer { return mapping.Prefix(p) }

// ScalarType is the DynamoDB type of a key attribute: "S", "N" or "B", as
// package schema reports a table's keys.
type ScalarType = mapping.ScalarType

// The scalar types a DynamoDB key may have.
const (
	String = mapping.String
	Number = mapping.Number
	Binary = mapping.Binary
)
