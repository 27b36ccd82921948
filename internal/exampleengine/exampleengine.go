// Package exampleengine gives a package's runnable Examples the default
// engine, from its TestMain, as a program finds one: DYNAMODB_ENDPOINT
// when it is set, else a private moto server (connect.Open).
package exampleengine

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

// Setup is what a package's Examples need of the engine.
type Setup struct {
	// Name names the package in the messages of a failed set-up.
	Name string
	// Models are created, under a table-name prefix of their own, on a
	// client made with Options, and given to Seed; on an engine that
	// DYNAMODB_ENDPOINT names (a shared one) they are dropped at the end.
	Models  []*model.Model
	Options []dynamokit.Option
	// Seed writes the items the Examples' outputs describe, and keeps the
	// client where the Examples find it.
	Seed func(ctx context.Context, c *dynamokit.Client) error
	// After runs once the Examples ran, on a shared engine only.
	After func(ctx context.Context)
}

// Main runs m with an engine and returns its exit code. When it starts a
// moto server it sets DYNAMODB_ENDPOINT to it for the run, so that the
// Examples' own connect.FromEnv and connect.Open connect there too.
func Main(m *testing.M, s Setup) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	shared := os.Getenv(connect.EnvEndpoint) != ""
	if !shared {
		_, eng, err := connect.Open(ctx, nil)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s examples: no engine: %v\n", s.Name, err)
			return 1
		}
		defer eng.Close()
		os.Setenv(connect.EnvEndpoint, eng.Endpoint)
		defer os.Unsetenv(connect.EnvEndpoint)
	}
	var c *dynamokit.Client
	if s.Seed != nil || len(s.Models) > 0 {
		prefix := fmt.Sprintf("ex%d-", time.Now().UnixNano())
		var err error
		if c, err = connect.FromEnv(ctx, append([]dynamokit.Option{dynamokit.WithNamer(model.Prefix(prefix))}, s.Options...)...); err == nil {
			err = schema.Create(ctx, c, nil, s.Models...)
		}
		if err == nil && s.Seed != nil {
			err = s.Seed(ctx, c)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s examples: seed: %v\n", s.Name, err)
			return 1
		}
	}
	code := m.Run()
	if shared { // leave a shared engine as it was found
		if c != nil {
			_ = schema.Drop(ctx, c, nil, s.Models...)
		}
		if s.After != nil {
			s.After(ctx)
		}
	}
	return code
}
