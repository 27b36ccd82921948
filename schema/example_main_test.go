package schema_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
)

// TestMain gives the examples an engine, as a program finds one: when
// DYNAMODB_ENDPOINT is unset it starts a private moto server
// (connect.Open) and sets DYNAMODB_ENDPOINT to it, so that the examples'
// connect.FromEnv connects there. On an engine given by DYNAMODB_ENDPOINT
// the tables the examples create are dropped at the end.
func TestMain(m *testing.M) {
	os.Exit(runExamples(m))
}

func runExamples(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	shared := os.Getenv(connect.EnvEndpoint) != ""
	if !shared {
		_, eng, err := connect.Open(ctx, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "schema examples: no engine:", err)
			return 1
		}
		defer eng.Close()
		os.Setenv(connect.EnvEndpoint, eng.Endpoint)
		defer os.Unsetenv(connect.EnvEndpoint)
	}
	code := m.Run()
	if shared {
		for _, prefix := range []string{"dev-", "prod-"} {
			if c, err := connect.FromEnv(ctx, dynamokitNamer(prefix)); err == nil {
				_ = schema.Drop(ctx, c, nil, model.MustOf[Employee]())
			}
		}
	}
	return code
}

// dynamokitNamer names the examples' tables with prefix.
func dynamokitNamer(prefix string) dynamokit.Option { return dynamokit.WithNamer(model.Prefix(prefix)) }
