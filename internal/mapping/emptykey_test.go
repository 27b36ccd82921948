package mapping_test

import (
	"errors"
	"testing"

	"github.com/dynamokit/dynamokit/internal/mapping"
)

// binKeyed's keys are computed from attributes that item options let be
// stored empty (allowempty) or as NULL (null): a key rendered from them is
// empty all the same.
type binKeyed struct {
	_    struct{} `dynamo:"pk,hash" template:"{bin}"`
	_    struct{} `dynamo:"gsi1pk" template:"{label}" index:"gsi1,hash"`
	Bin  []byte   `dynamo:"bin,allowempty"`
	Labl string   `dynamo:"label,null"`
}

func (binKeyed) TableName() string { return "t" }

// TestEmptyComputedKey: a key attribute is never empty, whatever the
// options of the attributes it is computed from.
func TestEmptyComputedKey(t *testing.T) {
	m := mapping.MustOf[binKeyed]()
	v := binKeyed{Bin: []byte{}, Labl: ""}
	tests := []struct {
		name string
		call func() (any, error)
	}{
		{"KeyOf", func() (any, error) { return m.KeyOf(v) }},
		{"IndexKeyOf", func() (any, error) { return m.IndexKeyOf("gsi1", binKeyed{Bin: []byte{1}}) }},
		{"Value of the key", func() (any, error) {
			av, err := m.Value("pk", v)
			if err == nil && av != nil {
				return av, nil
			}
			return nil, errors.Join(err, mapping.ErrEmptyKey) // nil, nil: empty, as wanted
		}},
		{"Encode", func() (any, error) { return m.Encode(v) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call()
			if !errors.Is(err, mapping.ErrEmptyKey) {
				t.Errorf("%s(%+v) = %v, %v; want an error matching ErrEmptyKey", tt.name, v, got, err)
			}
		})
	}
	// Not empty: the key is rendered.
	if k, err := m.KeyOf(binKeyed{Bin: []byte{0xfb}}); err != nil || len(k) != 1 {
		t.Errorf("KeyOf(non-empty bin) = %v, %v; want the key", k, err)
	}
}
