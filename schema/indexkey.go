package schema

import (
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// HashKeys returns the hash attributes of the index's key in key order:
// [Index.Hashes] for a multi-attribute key, else Hash alone.
func (idx Index) HashKeys() []KeyAttr {
	if idx.Hashes != nil {
		return idx.Hashes
	}
	return []KeyAttr{idx.Hash}
}

// RangeKeys returns the range attributes of the index's key in key order:
// [Index.Ranges] for a multi-attribute key, else Range alone, or none.
func (idx Index) RangeKeys() []KeyAttr {
	if idx.Hashes != nil {
		return idx.Ranges
	}
	if idx.Range.Name == "" {
		return nil
	}
	return []KeyAttr{idx.Range}
}

// keyAttrs returns every key attribute of the index, hash attributes first.
func (idx Index) keyAttrs() []KeyAttr {
	return append(slices.Clone(idx.HashKeys()), idx.RangeKeys()...)
}

// setKey sets the key of idx from hashes and ranges, in key order: Hash and
// Range are the first of each, and Hashes and Ranges are set only for a
// multi-attribute key, so a key of one hash and at most one range attribute
// reads as it always has.
func (idx *Index) setKey(hashes, ranges []KeyAttr) {
	idx.Hash, idx.Range, idx.Hashes, idx.Ranges = KeyAttr{}, KeyAttr{}, nil, nil
	if len(hashes) > 0 {
		idx.Hash = hashes[0]
	}
	if len(ranges) > 0 {
		idx.Range = ranges[0]
	}
	if len(hashes) > 1 || len(ranges) > 1 {
		idx.Hashes, idx.Ranges = slices.Clone(hashes), slices.Clone(ranges)
		if idx.Hashes == nil {
			idx.Hashes = []KeyAttr{} // a key with range attributes only: still multi
		}
	}
}

// indexKey returns the schema's view of the key of a model's index.
func indexKey(k mapping.KeySchema) (hashes, ranges []KeyAttr) {
	for _, a := range k.Hashes {
		hashes = append(hashes, attr(a))
	}
	for _, a := range k.Ranges {
		ranges = append(ranges, attr(a))
	}
	if k.Hashes == nil { // not built by the model
		hashes = []KeyAttr{attr(k.Hash)}
		if k.Range != nil {
			ranges = []KeyAttr{attr(k.Range)}
		}
	}
	return hashes, ranges
}

// indexKeySchema returns the KeySchema of idx: every hash attribute, then
// every range attribute, each in key order, as DynamoDB lists a
// multi-attribute key.
func indexKeySchema(idx Index) []types.KeySchemaElement {
	if !idx.multi() {
		return keySchema(idx.Hash, idx.Range)
	}
	ks := make([]types.KeySchemaElement, 0, len(idx.Hashes)+len(idx.Ranges))
	for _, a := range idx.Hashes {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(a.Name), KeyType: types.KeyTypeHash})
	}
	for _, a := range idx.Ranges {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(a.Name), KeyType: types.KeyTypeRange})
	}
	return ks
}

// multi reports whether idx has a multi-attribute key.
func (idx Index) multi() bool { return idx.Hashes != nil }

// keysOf reads a KeySchema as DynamoDB describes it: every HASH element and
// every RANGE element, each in the order listed.
func keysOf(ks []types.KeySchemaElement, defs map[string]model.ScalarType) (hashes, ranges []KeyAttr) {
	for _, k := range ks {
		name := aws.ToString(k.AttributeName)
		a := KeyAttr{Name: name, Type: defs[name]}
		switch k.KeyType {
		case types.KeyTypeHash:
			hashes = append(hashes, a)
		case types.KeyTypeRange:
			ranges = append(ranges, a)
		}
	}
	return hashes, ranges
}

// indexKeyString describes the key of idx: "hash a S, range b S" for one
// attribute of each role, "hash a S, b S; range c S, d N" for a
// multi-attribute key.
func indexKeyString(idx Index) string {
	if !idx.multi() {
		return keyString(idx.Hash, idx.Range)
	}
	s := "hash " + attrList(idx.Hashes)
	if len(idx.Ranges) > 0 {
		s += "; range " + attrList(idx.Ranges)
	}
	return s
}

func attrList(attrs []KeyAttr) string {
	s := make([]string, len(attrs))
	for i, a := range attrs {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// sameKey reports whether two indexes have the same key attributes, each
// role in the same order. A key type only one side knows is not a
// difference.
func sameKey(a, b Index) bool {
	return slices.EqualFunc(a.HashKeys(), b.HashKeys(), sameAttr) && slices.EqualFunc(a.RangeKeys(), b.RangeKeys(), sameAttr)
}
