package mapping

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrInvalid is matched by every *[TagError], so callers can test for an
// invalid model with errors.Is(err, model.ErrInvalid).
var ErrInvalid = errors.New("model: invalid model")

// ErrEmptyKey is returned by [Model.KeyOf], [Model.IndexKeyOf] and
// [Model.Encode] when a key attribute of the given value is empty: missing,
// an empty string or binary, NULL, or computed from an attribute that is.
// DynamoDB rejects empty key values.
var ErrEmptyKey = errors.New("model: empty key attribute")

// TagError describes a model that cannot be mapped onto a table: a missing
// or duplicate key, a bad tag, an unsupported key type. It is always returned
// as a pointer and matches [ErrInvalid] with errors.Is.
type TagError struct {
	Type   reflect.Type // the model type
	Field  string       // the Go field name, or "" for an error about the whole type
	Tag    string       // the offending struct tag, if any
	Reason string       // what is wrong
}

// Error implements the error interface.
func (e *TagError) Error() string {
	name := "<nil>"
	if e.Type != nil {
		name = e.Type.String()
	}
	switch {
	case e.Field == "":
		return fmt.Sprintf("model: %s: %s", name, e.Reason)
	case e.Tag == "":
		return fmt.Sprintf("model: %s.%s: %s", name, e.Field, e.Reason)
	default:
		return fmt.Sprintf("model: %s.%s: tag `%s`: %s", name, e.Field, e.Tag, e.Reason)
	}
}

// Is reports whether target is [ErrInvalid].
func (e *TagError) Is(target error) bool { return target == ErrInvalid }

// DecodeError is returned by [Model.Decode] (and so by every read of the
// query and relations packages) when an attribute of an item cannot be
// decoded into its field: a value of the wrong DynamoDB type, a number out
// of range, a time in no layout it reads. It names the field and the item,
// is always returned as a pointer, and unwraps to the cause.
type DecodeError struct {
	Type      reflect.Type // the model type
	Field     string       // the Go field, dotted through nested structs: "Address.Since"
	Attribute string       // the attribute, dotted through nested maps: "address.since"
	Key       Item         // the item's table key attributes, those it has
	Err       error        // the cause

	keyNames []string // the key's names, hash first, for Error
}

// Error implements the error interface.
func (e *DecodeError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "model: decode %v.%s (item ", e.Type, e.Field)
	names := e.keyNames
	if names == nil {
		names = slices.Sorted(maps.Keys(e.Key)) // a DecodeError made elsewhere
	}
	n := 0
	for _, name := range names {
		av, ok := e.Key[name]
		if !ok {
			continue
		}
		if n > 0 {
			sb.WriteString(", ")
		}
		n++
		sb.WriteString(name)
		sb.WriteByte('=')
		switch av := av.(type) {
		case *types.AttributeValueMemberS:
			sb.WriteString(strconv.Quote(av.Value))
		case *types.AttributeValueMemberN:
			sb.WriteString(av.Value)
		case *types.AttributeValueMemberB:
			fmt.Fprintf(&sb, "%x", av.Value)
		default:
			fmt.Fprintf(&sb, "%T", av)
		}
	}
	if n == 0 {
		sb.WriteString("without its key")
	}
	fmt.Fprintf(&sb, "): attribute %s: %v", e.Attribute, e.Err)
	return sb.String()
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }
