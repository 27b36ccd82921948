// Package query is typed data access over a dynamokit model.
//
// A [Repo] is a handle on one model's table:
//
//	emps, err := query.New[Employee](db, nil)
//	err = emps.Create(ctx, &Employee{EmployeeID: "e-1", EmployeeName: "Alice"})
//	alice, err := emps.Get(ctx, Employee{EmployeeID: "e-1"})
//	for e, err := range emps.Query(Employee{DepartmentID: "d-1"}).Index("department-employee-index").All(ctx) {
//		...
//	}
//
// Keys are given by example: a value of the model type with its key fields
// set. Key attribute names, index keys, computed (single-table) keys and the
// entity type all come from the model, never from the caller.
//
// Failures are reported with sentinel errors that work with errors.Is:
// [ErrNotFound], [ErrAlreadyExists], [ErrConditionFailed],
// [ErrVersionConflict] and [ErrEmptyKey]; a cancelled transaction returns a
// *[TxError] with the reason for each action. The underlying SDK error stays
// in the chain for errors.As.
//
// Values and attribute names always travel as expression placeholders, so
// user data is never parsed as part of an expression.
package query
