// Package model describes how a Go struct maps onto a DynamoDB table.
//
// A model is a struct type with dynamo struct tags and a TableName method:
//
//	type Employee struct {
//		EmployeeID   string `dynamo:"employee_id,hash"`
//		EmployeeName string `dynamo:"employee_name"`
//		DepartmentID string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
//	}
//
//	func (Employee) TableName() string { return "employee" }
//
// [Of] parses such a type once, validates it and caches the result by
// [reflect.Type]; later calls return the cached *[Model] without allocating.
// The *Model is the handle the other dynamokit packages (schema, query,
// relations) take: they read everything they need (table name, keys,
// indexes, TTL, version and timestamp attributes, the encoder of each
// attribute) from the one compiled mapping of the type behind it, so the
// struct is the single source of truth.
//
// # Tags
//
// The dynamo tag keeps the syntax of github.com/guregu/dynamo/v2, so items
// written by either library read back with the other:
//
//	dynamo:"name,opt,opt"   attribute name ("" keeps the Go field name, "-" skips the field)
//	                        options: hash (or partition), range (or sort), omitempty, set,
//	                        unixtime, null, allowempty, allowemptyelem, omitemptyelem,
//	                        layout=NAME (dynamokit's; guregu ignores it)
//	                        (null and allowempty not on a key: a key is never empty)
//	index:"name,hash"       the field is the hash (or range) key of a global secondary index;
//	                        the tag may repeat: index:"a,hash" index:"b,range";
//	                        on several fields, it makes a multi-attribute key (up to 4
//	                        hash and 4 range attributes, in field order)
//	localIndex:"name,range" the field is the range key of a local secondary index
//	dynamokit:"role"        ttl, version, created, updated or type (see below)
//	template:"PREFIX#{a}"   a computed attribute (single-table design, see below)
//
// The hash/partition and range/sort spellings are equivalent everywhere,
// including in index tags.
//
// The option layout=NAME says how a time.Time (or *time.Time, or
// []time.Time) field is written as a string, wherever its value goes (the
// item, its keys, conditions): rfc3339nano (the default, guregu's),
// pynamodb (pynamodb's UTCDateTimeAttribute: UTC, microseconds, +0000) or
// utcnano (UTC, nine fractional digits, fixed width so strings sort in time
// order). Every time field reads all of them, and RFC 3339 and ISO 8601
// with Z, +hh:mm, +hhmm or no offset, whatever its layout. An attribute that
// cannot be decoded returns a *[DecodeError] naming the field and the item's
// key.
//
// # Roles
//
//	dynamokit:"ttl"      the item's expiry time: an integer (Unix seconds) or a time.Time;
//	                     a time.Time is always stored as a number of Unix seconds (with or
//	                     without the unixtime option), as DynamoDB's TTL needs
//	dynamokit:"version"  a 64-bit integer (int, int64, uint, uint64) used for optimistic
//	                     locking by package query; never part of a table or index key
//	dynamokit:"created"  a time.Time or an integer (Unix seconds), set when the item is created
//	dynamokit:"updated"  a time.Time or an integer (Unix seconds), set whenever package query
//	                     writes the item (Create, Put, Update; not batch writes)
//	dynamokit:"type"     the entity-type attribute of a single-table model (on a template field)
//
// # Computed attributes and single-table design
//
// In a single-table design several entity types share one table, and their
// keys are built from prefixed values such as "DEPT#d-1". A model declares
// such an attribute on a blank field with a template:
//
//	type Employee struct {
//		_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
//		_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
//		_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`
//
//		EmployeeID   string `dynamo:"employee_id"`
//		DepartmentID string `dynamo:"department_id"`
//	}
//
// Each {name} refers to another attribute of the model: a string, a
// time.Time, a binary, or an integer with a declared width ({seq:10}).
// References are rendered so that keys sort as the values do and distinct
// values never share a key: times in UTC with a fixed width, integers
// zero-padded, and in strings the separator and the bytes up to '%'
// escaped in an order-preserving way ("acme#1" renders "acme%231", "New
// York" renders "New%20York"); a zero value leaves the attribute empty.
// docs/tags.md gives the rules; package query's typed ranges render a key up
// to the fields a value sets. The computed attribute is written with every item and never decoded: the plain fields
// stay the source of truth. It is rendered from the values each write
// stores: package query's Create and Put render it after setting the
// created and updated stamps and the version, and its Update recomputes,
// in the same request, every computed attribute that refers to an
// attribute it changes, the updated stamp and the version included. A
// computed table key cannot refer to the version or updated attribute,
// which every write changes: such a model is refused.
//
// # Embedded structs
//
// Fields may sit in embedded structs, by value or by pointer, as
// guregu/dynamo flattens them. A field is read through embedded pointers (a
// nil one reads as the zero value, and its attributes are not written) and
// set through copies of them, so that writing a shallow copy of a model
// value never changes the original.
//
// # Options that tags cannot express
//
// A model may implement [Optioner] to choose its billing mode and the
// projection of each index. Table names can be adapted per environment with
// a [Namer] such as [Prefix].
package model
