package mapping_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// keyOnVersion, keyOnUpdated and indexOnStamps have templates on the
// attributes every write changes.
type keyOnVersion struct {
	_       struct{} `dynamo:"pk,hash" template:"V#{version:10}"`
	Version int      `dynamo:"version" dynamokit:"version"`
}

func (keyOnVersion) TableName() string { return "t" }

type keyOnUpdated struct {
	_       struct{} `dynamo:"pk,hash" template:"ID#{id}"`
	_       struct{} `dynamo:"sk,range" template:"U#{updated:20}"`
	ID      string   `dynamo:"id"`
	Updated int64    `dynamo:"updated" dynamokit:"updated"`
}

func (keyOnUpdated) TableName() string { return "t" }

type indexOnStamps struct {
	_       struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"U#{updated:20}#V#{version:10}"`
	ID      string   `dynamo:"id,hash" index:"gsi1,hash"`
	Version int      `dynamo:"version" dynamokit:"version"`
	Updated int64    `dynamo:"updated" dynamokit:"updated"`
}

func (indexOnStamps) TableName() string { return "t" }

// TestTemplatesOnStamps checks that a computed table key may not refer to
// the version or the updated stamp, which would move the item at every
// write, while a computed index key may: writes recompute it.
func TestTemplatesOnStamps(t *testing.T) {
	tests := []struct {
		name   string
		typ    reflect.Type
		reason string // "" for a valid model
	}{
		{"table key on the version", reflect.TypeFor[keyOnVersion](), "cannot refer to version"},
		{"table key on the updated stamp", reflect.TypeFor[keyOnUpdated](), "cannot refer to updated"},
		{"index key on both", reflect.TypeFor[indexOnStamps](), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mapping.For(tt.typ)
			if tt.reason == "" {
				if err != nil {
					t.Errorf("For(%s) = %v, want a valid model", tt.typ, err)
				}
				return
			}
			var te *mapping.TagError
			if !errors.As(err, &te) || te.Type != tt.typ || te.Field != "_" || !strings.Contains(te.Reason, tt.reason) {
				t.Errorf("For(%s) = %v, want a TagError on field _ containing %q", tt.typ, err, tt.reason)
			}
		})
	}
}
