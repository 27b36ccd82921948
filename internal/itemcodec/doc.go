// Package itemcodec converts Go structs to DynamoDB items and back with the
// encoding rules of github.com/guregu/dynamo/v2, so an item written by either
// library reads back with the other.
//
// [Compile] compiles a plan for a struct type, which the caller keeps (the
// model's mapping keeps one per model type): the attribute name, flags and
// field offset of every field, and an encoder and decoder per field type. The plan is compiled from the
// walk of the struct that internal/structtag makes and caches, which the
// model reads too: the codec parses no tag of its own, so a tag means the
// same to both. Encoding and decoding then walk the plan with no tag
// parsing and, for the common field types, no calls through reflect.Value.
//
// The plan specialises strings, booleans, integers, floats, []byte,
// time.Time (RFC 3339 text, or Unix seconds with the unixtime option),
// slices of those as lists or sets, nested structs, and pointers to all of
// them. Any other field (maps, arrays, interfaces, types with their own
// marshalling methods) is handed to guregu/dynamo itself, with the field's
// tag options, so the result is guregu's by construction.
//
// dynamokit reaches it through model.Model.Encode and model.Model.Decode.
package itemcodec
