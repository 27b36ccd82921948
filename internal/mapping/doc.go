// Package mapping is the compiled mapping of a model type: what package
// model validates and what package schema, query and relations read (keys,
// indexes, roles, templates, and each attribute's encoder, decoder and field
// accessor). It is internal: users hold a *model.Model, and the sibling
// packages reach the mapping behind it with [For] (or [Must]) on its type.
//
// [For] builds a type's mapping once, from the one walk of the struct that
// internal/structtag makes and caches, and binds every attribute to the
// field of the item codec (internal/itemcodec) compiled from that same walk:
// a tag is parsed in one place, and a value reaches DynamoDB through its
// attribute's encoder whatever the path (an item, a key, a template part,
// an update or condition operand). The errors it returns (TagError,
// DecodeError, ValueError, ErrInvalid, ErrEmptyKey) are package model's, by
// alias, and keep its "model:" prefix.
package mapping
