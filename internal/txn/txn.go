// Package txn carries built transaction actions between dynamokit's
// packages. Its types appear in the signatures of [dynamokit.TxAction] and
// [dynamokit.TxRead], so that only packages of this module implement them.
package txn

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// Key is the argument only dynamokit's packages can name.
type Key struct{}

// Write is a built write action.
type Write struct {
	Item types.TransactWriteItem
	// Undo reverts what building did to the caller's value.
	Undo func()
	// What describes the action, such as "update employee".
	What string
	// Fail is the error the action's failed condition means, given the
	// item as it was (nil: none).
	Fail func(old map[string]types.AttributeValue) error
	// Op, Model, Key and Item describe the write to the write checks:
	// Item is the whole item of a put, or the attributes an update sets;
	// Unknown names the attributes an update changes to a value that
	// depends on the stored item (Add, SetIfNotExists, set and list
	// operations), which are not in Attrs.
	Op      string
	Model   *model.Model
	Key     mapping.Item
	Attrs   mapping.Item
	Unknown []string
}

// Read is a built read of a read transaction.
type Read struct {
	Item  types.TransactGetItem
	Table string
	// Store decodes the item read (nil: none) into the destination and
	// reports whether there was one.
	Store func(item map[string]types.AttributeValue) (found bool, err error)
}
