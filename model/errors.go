package model

import "github.com/dynamokit/dynamokit/internal/mapping"

// ErrInvalid is matched by every *[TagError], so callers can test for an
// invalid model with errors.Is(err, model.ErrInvalid).
var ErrInvalid = mapping.ErrInvalid

// ErrEmptyKey is returned (wrapped) by the writes and key builders of
// package query and relations when a key attribute of the given value is
// empty: missing, an empty string or binary, NULL, or computed from an
// attribute that is. DynamoDB rejects empty key values.
var ErrEmptyKey = mapping.ErrEmptyKey

// TagError describes a model that cannot be mapped onto a table: a missing
// or duplicate key, a bad tag, an unsupported key type. It is always
// returned as a pointer and matches [ErrInvalid] with errors.Is. Its fields:
//
//	Type   reflect.Type // the model type
//	Field  string       // the Go field name, or "" for an error about the whole type
//	Tag    string       // the offending struct tag, if any
//	Reason string       // what is wrong
type TagError = mapping.TagError

// DecodeError is returned by every read of package query and relations
// when an attribute of an item cannot be decoded into its field: a value of
// the wrong DynamoDB type, a number out of range, a time in no layout it
// reads. It names the field and the item, is always returned as a pointer,
// and unwraps to the cause. Its fields:
//
//	Type      reflect.Type                    // the model type
//	Field     string                          // the Go field, dotted through nested structs: "Address.Since"
//	Attribute string                          // the attribute, dotted through nested maps: "address.since"
//	Key       map[string]types.AttributeValue // the item's table key attributes, those it has
//	Err       error                           // the cause
type DecodeError = mapping.DecodeError
