// Package errtext formats the text of dynamokit's error messages: it trims
// the package prefixes of a quoted message and prints keys.
package errtext

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// prefixes are the package names an error message of dynamokit starts
// with.
var prefixes = []string{"dynamokit: ", "query: ", "relations: ", "schema: ", "model: ", "migrate: ", "stream: "}

// Trim returns msg without the package prefixes it holds, for a message
// quoted inside another that already names its package: those it starts
// with, and those of the messages it quotes in turn (": model: ..."), so
// that a message names one package, at its start.
func Trim(msg string) string {
	for {
		trimmed := msg
		for _, p := range prefixes {
			trimmed = strings.TrimPrefix(trimmed, p)
			trimmed = strings.ReplaceAll(trimmed, ": "+p, ": ")
		}
		if trimmed == msg {
			return msg
		}
		msg = trimmed
	}
}

// Once returns msg with the package prefix it starts with, and no other:
// the prefixes of the messages it quotes are trimmed.
func Once(msg string) string {
	for _, p := range prefixes {
		if strings.HasPrefix(msg, p) {
			return p + Trim(msg[len(p):])
		}
	}
	return Trim(msg)
}

// FormatKey formats a key for a message: {id: 7, sk: "A#1"}.
func FormatKey(key map[string]types.AttributeValue) string {
	names := make([]string, 0, len(key))
	for k := range key {
		names = append(names, k)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("{")
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
		b.WriteString(": ")
		switch v := key[n].(type) {
		case *types.AttributeValueMemberS:
			fmt.Fprintf(&b, "%q", v.Value)
		case *types.AttributeValueMemberN:
			b.WriteString(v.Value)
		case *types.AttributeValueMemberB:
			fmt.Fprintf(&b, "0x%x", v.Value)
		default:
			fmt.Fprintf(&b, "%T", v)
		}
	}
	b.WriteString("}")
	return b.String()
}

// Quoted is an error quoted inside another of dynamokit: its message
// loses the package prefixes the outer message already has, and errors.Is
// and errors.As still reach it.
type Quoted struct{ Err error }

// Error returns the quoted error's message without its package prefixes.
func (q Quoted) Error() string { return Trim(q.Err.Error()) }

// Unwrap returns the quoted error.
func (q Quoted) Unwrap() error { return q.Err }

// Outer is an error that names one package, at the start of its message:
// the package prefixes of the messages it quotes are trimmed (see Once),
// and errors.Is and errors.As still reach them.
type Outer struct{ Err error }

// Error returns the error's message with one package prefix.
func (o Outer) Error() string { return Once(o.Err.Error()) }

// Unwrap returns the error.
func (o Outer) Unwrap() error { return o.Err }
