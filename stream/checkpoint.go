package stream

import (
	"maps"
	"sort"
	"sync"
)

// Checkpoint is how far a [Reader] got in a stream: per shard, the
// sequence number of the last record handled (the handler returned nil
// or [Stop]) and whether the shard was read to its end. It is plain data,
// to be saved (it marshals to JSON) and given back in
// [Options.Checkpoint]: a Reader resuming from it starts each shard after
// its last handled record, so nothing handled is delivered again unless
// the handler's work was not recorded with it (see docs/streams.md,
// "Guarantees").
type Checkpoint struct {
	// StreamARN is the stream the positions are in. A Reader refuses a
	// checkpoint of another stream (the table's stream was turned off and
	// on again, which starts a new one).
	StreamARN string `json:"stream_arn"`
	// Shards holds the position in each shard started, by shard ID.
	Shards map[string]Position `json:"shards,omitempty"`
}

// Position is how far a [Reader] got in one shard.
type Position struct {
	// Sequence is the sequence number of the last record handled, "" when
	// none was.
	Sequence string `json:"sequence,omitempty"`
	// Done is set once the shard was read to its end: it is closed and
	// every record in it was handled, so its children may be read.
	Done bool `json:"done,omitempty"`
}

// Clone returns a copy of cp that shares nothing with it.
func (cp Checkpoint) Clone() Checkpoint {
	cp.Shards = maps.Clone(cp.Shards)
	return cp
}

// ShardIDs returns the IDs of the shards cp holds, sorted.
func (cp Checkpoint) ShardIDs() []string {
	ids := make([]string, 0, len(cp.Shards))
	for id := range cp.Shards {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// progress is a Reader's checkpoint, written by the shards' goroutines.
type progress struct {
	mu sync.Mutex
	cp Checkpoint
}

func (p *progress) get(shard string) Position {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cp.Shards[shard]
}

func (p *progress) set(shard string, pos Position) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cp.Shards == nil {
		p.cp.Shards = make(map[string]Position)
	}
	p.cp.Shards[shard] = pos
}

func (p *progress) drop(shard string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.cp.Shards, shard)
}

func (p *progress) snapshot() Checkpoint {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cp.Clone()
}
