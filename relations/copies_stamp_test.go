package relations

import (
	"encoding/base64"
	"encoding/binary"
	"testing"
)

// TestDecodeResumeHugeStampLength: a tampered SyncCopies resume
// token whose stamp length is near 2^64 passes the length check (n+8
// overflows) and panics slicing the stamp, where bad input must be an
// error ("malformed token").
func TestDecodeResumeHugeStampLength(t *testing.T) {
	b := []byte{resumeVersion}
	b = binary.AppendUvarint(b, ^uint64(0)) // n + 8 wraps to 7
	b = append(b, "0123456789abcdef-cursor"...)
	token := base64.RawURLEncoding.EncodeToString(b)
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("decodeResume(a token claiming a stamp of 2^64-1 bytes) panicked: %v; want a malformed-token error", r)
		}
	}()
	if _, _, err := decodeResume(token); err == nil {
		t.Error("decodeResume(a token claiming a stamp of 2^64-1 bytes) = nil error, want malformed token")
	}
}
