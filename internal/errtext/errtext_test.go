package errtext

import (
	"errors"
	"testing"
)

func TestTrimAndOnce(t *testing.T) {
	for _, tt := range []struct{ in, trim, once string }{
		{"dynamokit: GetItem t: x", "GetItem t: x", "dynamokit: GetItem t: x"},
		{"relations: count: dynamokit: GetItem t: context canceled", "count: GetItem t: context canceled", "relations: count: GetItem t: context canceled"},
		{"model: T: model: empty key attribute id", "T: empty key attribute id", "model: T: empty key attribute id"},
		{"query: relations: x", "x", "query: x"},
		{"no prefix: model: y", "no prefix: y", "no prefix: y"},
		{"a model: is not a prefix", "a model: is not a prefix", "a model: is not a prefix"},
	} {
		if got := Trim(tt.in); got != tt.trim {
			t.Errorf("Trim(%q) = %q, want %q", tt.in, got, tt.trim)
		}
		if got := Once(tt.in); got != tt.once {
			t.Errorf("Once(%q) = %q, want %q", tt.in, got, tt.once)
		}
	}
}

func TestOuterUnwraps(t *testing.T) {
	inner := errors.New("dynamokit: PutItem t: boom")
	err := Outer{Err: Quoted{Err: inner}}
	if !errors.Is(err, inner) {
		t.Error("errors.Is does not reach the quoted error")
	}
	if got, want := err.Error(), "PutItem t: boom"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
