// Package query is typed data access over a dynamokit model.
//
// A [Table] is a handle on one model's table, on a [dynamokit.Client]
// whose executor sends every request:
//
//	emps, err := query.NewTable[Employee](c)
//	err = emps.Create(ctx, &Employee{EmployeeID: "e-1", EmployeeName: "Alice"})
//	alice, err := emps.Get(ctx, Employee{EmployeeID: "e-1"})
//	err = emps.Update(alice).Set("employee_name", "Alice B.").Run(ctx)
//	for e, err := range emps.Query(Employee{DepartmentID: "d-1"}).Index("department-employee-index").All(ctx) {
//		...
//	}
//
// Keys are given by example: a value of the model type with its key fields
// set. Key attribute names, index keys, computed (single-table) keys and the
// entity type all come from the model, never from the caller.
//
// Single items are read and written with [Table.Get], [Table.Create],
// [Table.Put], [Table.Update] and [Table.Delete]; many with [Table.Query] and
// [Table.Scan] (as streams, slices, pages with cursors, or counts), with
// [dynamokit.Client.WriteTx] and [dynamokit.Client.ReadTx] atomically, and with [Table.BatchGet],
// [Table.BatchPut] and [Table.BatchDelete] in bulk. A model with a version
// attribute gets optimistic locking, and [Table.Create], [Table.Put] and
// [Table.Update] maintain its created and updated attributes (batch writes
// store items as given). A time.Time TTL is stored as Unix seconds.
//
// Failures are reported with sentinel errors that work with errors.Is:
// [dynamokit.ErrNotFound], [dynamokit.ErrAlreadyExists],
// [dynamokit.ErrConditionFailed], [dynamokit.ErrVersionConflict],
// [model.ErrEmptyKey], [ErrBadCursor] and [dynamokit.ErrTooManyActions],
// inside a *[dynamokit.Error] that names the
// operation and table. So does every other error of a call that reads or
// writes, a refusal before the request included; beneath it, a cancelled
// transaction holds a *[dynamokit.TxError] with the reason for each
// action, a batch that could not finish a *[BatchError] listing what is
// left, and an update whose returned item does not decode a
// *[WrittenError]. The underlying SDK error stays in the
// chain for errors.As. A failed write leaves the caller's value as it was.
//
// Conditions and filters are [Cond] values, written as with the SDK's
// expression package ([Name], [Value], [And]...) and bound to the model of
// the table they are given to: names are checked against the model, and
// every value, like every update operand, is encoded by its attribute's
// own field encoder, as in an item. [Path] and [Expr] are the escape
// hatches for what the model does not declare. Values and attribute names
// always travel as expression placeholders, so user data is never parsed
// as part of an expression.
//
// Models of a single table that share a partition (a customer's profile,
// orders and addresses) are declared together with [NewCollection]; one
// Query of the partition then returns each item as an [Entity] decoded
// into its own model, with [Entities] to pick one model's values:
//
//	customer, err := query.NewCollection("customer", profiles, orders, addresses)
//	page, err := customer.Query(Profile{CustomerID: "c-1"}).PageSize(25).Page(ctx, cursor)
//	recent := query.Entities[Order](page.Items)
//
// The guide in docs/query.md in the repository covers each operation.
package query
