package query

import (
	"testing"
	"time"
)

// Audit is embedded by pointer in sharing.
type Audit struct {
	Updated time.Time `dynamo:"updated" dynamokit:"updated"`
}

// sharing keeps its version in a pointer field and its updated stamp behind
// an embedded pointer: a shallow copy shares both.
type sharing struct {
	ID      string `dynamo:"id,hash"`
	Version *int   `dynamo:"version" dynamokit:"version"`
	*Audit
}

func (sharing) TableName() string { return "sharing" }

// TestWritesDoNotAlias checks that the fields a write sets (version,
// timestamps) are set in the written value alone, never through a pointer
// it shares with a copy, and that a failed write's restore brings the value
// back as it was.
func TestWritesDoNotAlias(t *testing.T) {
	r := newTable[sharing](t)
	earlier := clock.Add(-time.Hour)
	tests := []struct {
		name  string
		write func(*sharing) (func(), error)
	}{{
		name: "Put",
		write: func(p *sharing) (func(), error) {
			_, restore, err := r.testPut(p, nil)
			return restore, err
		},
	}, {
		name: "Create",
		write: func(p *sharing) (func(), error) {
			_, restore, err := r.testCreate(p)
			return restore, err
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			three := 3
			item := sharing{ID: "a", Version: &three, Audit: &Audit{Updated: earlier}}
			copied := item
			restore, err := tt.write(&item)
			if err != nil {
				t.Fatal(err)
			}
			if *copied.Version != 3 || !copied.Updated.Equal(earlier) {
				t.Errorf("a copy of the written value: version %d, updated %v; want 3, %v", *copied.Version, copied.Updated, earlier)
			}
			if *item.Version == 3 || !item.Updated.Equal(clock) {
				t.Errorf("the written value: version %d, updated %v; want a new version, %v", *item.Version, item.Updated, clock)
			}
			restore()
			if *item.Version != 3 || !item.Updated.Equal(earlier) {
				t.Errorf("after restore: version %d, updated %v; want 3, %v", *item.Version, item.Updated, earlier)
			}
		})
	}
}
