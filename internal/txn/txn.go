// Package txn carries writes between dynamokit's packages before their
// requests are built. A write is a draft: the item, update and conditions
// of one PutItem, UpdateItem, DeleteItem or transaction action, still as
// expression builders. The write rules a client enforces (package
// relations' graph) are applied to drafts by [Plan], which adds their
// conditions and actions to the drafts themselves; only then is each draft
// rendered into a request, once.
//
// Its types appear in the signatures of dynamokit.TxAction, TxRead and
// Rules, so that only packages of this module implement them, and its
// [Key] cannot be made outside this module with a valid seal.
package txn

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// Key is the argument of the methods that build actions. Its zero value,
// the only one code outside this module can make, is refused by every
// builder: see [Seal].
type Key struct {
	sealed bool
	get    Getter
}

// Seal returns the Key dynamokit's packages pass to build an action.
func Seal() Key { return Key{sealed: true} }

// Getter sends a GetItem request: the executor of a *dynamokit.Client
// (Client.Executor), such as that of the client a write is sent by, which
// rules that need the stored item (such as
// package relations' unique attributes) read it with. Package rawread's
// Get reads through it too.
type Getter interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// SealFor returns the Key dynamokit's packages pass to get the write rules
// of the client g: a sealed Key whose [Key.Getter] is g.
func SealFor(g Getter) Key { return Key{sealed: true, get: g} }

// Getter returns the client the Key was sealed for (nil: none).
func (k Key) Getter() Getter { return k.get }

// Sealed reports whether k was made by [Seal].
func (k Key) Sealed() bool { return k.sealed }

// ErrUnsealed is returned by a builder called with a Key not made by Seal:
// actions are built by dynamokit.Client.WriteTx and ReadTx only.
var ErrUnsealed = errors.New("dynamokit: transaction actions are built and sent by Client.WriteTx and Client.ReadTx only")

// Read is a built read of a read transaction.
type Read struct {
	Item  types.TransactGetItem
	Table string
	// Store decodes the item read (nil: none) into the destination and
	// reports whether there was one.
	Store func(item map[string]types.AttributeValue) (found bool, err error)
}

// Model returns the mapping of a public model, nil for nil.
func Model(m *model.Model) *mapping.Model {
	if m == nil {
		return nil
	}
	return mapping.Must(m)
}

// OwnMark is the type of the context keys with which a relation marks its
// own writes, so that its rules let them pass. The executor hides every
// value of such a key from the hooks it calls: code outside dynamokit
// never holds a marked context.
type OwnMark struct{ ID any }

// Unmarked is ctx with every OwnMark hidden.
func Unmarked(ctx context.Context) context.Context { return unmarked{ctx} }

type unmarked struct{ context.Context }

func (u unmarked) Value(key any) any {
	if _, own := key.(OwnMark); own {
		return nil
	}
	return u.Context.Value(key)
}
