package dynamokit_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/schema"
)

// TestMain gives the examples an engine, as a program finds one: when
// DYNAMODB_ENDPOINT is unset it starts a private moto server
// (connect.Open) and points DYNAMODB_ENDPOINT at it, so that the
// examples' connect.FromEnv connects there. The ledger the examples read
// is made under a prefix of its own and dropped at the end.
func TestMain(m *testing.M) {
	os.Exit(runExamples(m))
}

func runExamples(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if os.Getenv(connect.EnvEndpoint) == "" {
		_, eng, err := connect.Open(ctx, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "dynamokit examples: no engine:", err)
			return 1
		}
		defer eng.Close()
		os.Setenv(connect.EnvEndpoint, eng.Endpoint)
		defer os.Unsetenv(connect.EnvEndpoint)
	}
	c, err := connect.FromEnv(ctx, dynamokit.WithNamer(model.Prefix(fmt.Sprintf("dex%d-", time.Now().UnixNano()))))
	if err != nil {
		fmt.Fprintln(os.Stderr, "dynamokit examples:", err)
		return 1
	}
	if err := schema.Create(ctx, c, nil, model.MustOf[Entry]()); err != nil {
		fmt.Fprintln(os.Stderr, "dynamokit examples:", err)
		return 1
	}
	defer schema.Drop(context.Background(), c, nil, model.MustOf[Entry]())
	if entries, err = query.NewTable[Entry](c); err != nil {
		fmt.Fprintln(os.Stderr, "dynamokit examples:", err)
		return 1
	}
	for i, amount := range []int{100, -30, 5} {
		if err := entries.Create(ctx, &Entry{AccountID: "a-1", Seq: i, Amount: amount}); err != nil {
			fmt.Fprintln(os.Stderr, "dynamokit examples:", err)
			return 1
		}
	}
	return m.Run()
}
