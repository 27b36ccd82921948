package relations

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/internal/rawread"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/query"
)

// The fan-out of copies and its resume token. A token of
// [HasMany.SyncCopies] says "the children before this cursor hold these
// values". That stays true only while the parent keeps them: a rename to
// other values, whose own fan-out rewrites those children, and a rename
// back makes a token whose values match again but whose children hold the
// values in between. So every [HasMany.UpdateParent] writes a new random
// stamp ("copies_stamp") on the parent in its own UpdateItem, the token
// carries the stamp and the values of the fan-out it came from, and a
// token is followed only while the parent still has both (SyncCopies
// stamps a parent that has no stamp yet, once, before its fan-out, so that
// a writer that drops the stamp voids the tokens); otherwise the call
// starts from the first child, against the parent's current values,
// which costs only the reads of the pages the token would have skipped
// (children already current are read, not written).

// copiesStamp is the attribute of a parent item that [HasMany.UpdateParent]
// sets to a new random value each time it changes the parent, in the same
// UpdateItem: it tells a [SyncOptions.Resume] token of an earlier fan-out
// from the current one. [HasMany.SyncCopies] also writes it on each child
// it rewrites, with the parent's value, and each write is conditional on
// the child's stamp as read: an older fan-out cannot write over a child a
// newer one has written. [HasMany.Relink] sets a new random value on the
// child it moves. It must not be an attribute of a parent model whose
// children copy it, nor of the child model ([Spec.Copies]). Other
// programs may ignore it; a Put that drops it only makes tokens start
// over, or the child be rewritten by the next fan-out.
const copiesStamp = "copies_stamp"

// newStamp is a fresh value of copiesStamp.
func newStamp() *txn.Other {
	return &txn.Other{Name: copiesStamp, Value: &types.AttributeValueMemberS{Value: strconv.FormatUint(rand.Uint64(), 36)}}
}

// stampIs is the condition that the parent's stamp is stamp ("": that it
// has none).
func stampIs(stamp string) query.Cond {
	if stamp == "" {
		return query.Path(copiesStamp).AttributeNotExists()
	}
	return query.Path(copiesStamp).Equal(query.Value(&types.AttributeValueMemberS{Value: stamp}))
}

// readSource reads parent strongly consistent, with the stamp of its
// copies' current fan-out ("" when it has none); found is false when it
// does not exist.
func (h *HasMany[P, C]) readSource(ctx context.Context, parent P) (p P, stamp string, found bool, err error) {
	pm := mapping.Must(h.parents.Model())
	k, err := pm.KeyOf(&parent)
	if err != nil {
		return p, "", false, err
	}
	item, err := rawread.Get(ctx, h.parents.Client().Executor(), rawread.Read{Table: h.parents.TableName(), Consistent: true}, k)
	if err != nil {
		return p, "", false, err
	}
	if item == nil || !pm.IsEntity(item) {
		return p, "", false, nil
	}
	if err := pm.Decode(item, &p); err != nil {
		return p, "", false, err
	}
	if s, ok := item[copiesStamp].(*types.AttributeValueMemberS); ok {
		stamp = s.Value
	}
	return p, stamp, true, nil
}

// fanOut identifies a fan-out of copies: the parent's stamp and a hash of
// the values copied.
type fanOut struct {
	stamp  string
	values uint64
}

// fanOutOf returns the fan-out of src, the parent as read with stamp.
func (h *HasMany[P, C]) fanOutOf(src *P, stamp string) (fanOut, error) {
	avs, err := h.sources(src)
	if err != nil {
		return fanOut{}, err
	}
	f := fnv.New64a()
	for _, av := range avs {
		writeAV(f, av)
		f.Write([]byte{0})
	}
	return fanOut{stamp: stamp, values: f.Sum64()}, nil
}

// resumeVersion is the first byte of a resume token of this form.
const resumeVersion = 2

// encodeResume makes a resume token from the fan-out and the cursor of
// its next page of children.
func encodeResume(fo fanOut, cursor string) string {
	b := []byte{resumeVersion}
	b = binary.AppendUvarint(b, uint64(len(fo.stamp)))
	b = append(b, fo.stamp...)
	b = binary.BigEndian.AppendUint64(b, fo.values)
	return base64.RawURLEncoding.EncodeToString(append(b, cursor...))
}

// decodeResume reads a token of encodeResume.
func decodeResume(token string) (fo fanOut, cursor string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) == 0 || b[0] != resumeVersion {
		return fanOut{}, "", fmt.Errorf("malformed token %q", token)
	}
	b = b[1:]
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) || uint64(len(b)-w)-n < 8 {
		return fanOut{}, "", fmt.Errorf("malformed token %q", token)
	}
	b = b[w:]
	fo.stamp = string(b[:n])
	fo.values = binary.BigEndian.Uint64(b[n:])
	if cursor = string(b[n+8:]); cursor == "" {
		return fanOut{}, "", fmt.Errorf("malformed token %q", token)
	}
	return fo, cursor, nil
}
