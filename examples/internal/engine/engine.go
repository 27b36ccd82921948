// Package engine gives dynamokit's examples a DynamoDB engine with no set-up:
// DYNAMODB_ENDPOINT when it is set, real DynamoDB through the normal AWS
// configuration when asked for, and otherwise a private moto server that
// lives as long as the example.
package engine

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/motoserver"
)

// useAWS is the -aws flag every example has.
var useAWS = flag.Bool("aws", false, "use the normal AWS configuration (real DynamoDB) instead of a local moto server")

// Open connects to the engine the example runs against, with opts, and
// returns the function that releases it. It says on log which engine that
// is.
func Open(ctx context.Context, log io.Writer, opts ...dynamokit.Option) (*dynamokit.Client, func(), error) {
	if endpoint := strings.TrimSpace(os.Getenv(connect.EnvEndpoint)); endpoint != "" || *useAWS {
		db, err := connect.FromEnv(ctx, opts...)
		if err != nil {
			return nil, nil, err
		}
		if endpoint != "" {
			fmt.Fprintf(log, "engine: %s=%s\n", connect.EnvEndpoint, endpoint)
		} else {
			fmt.Fprintln(log, "engine: DynamoDB, from the AWS configuration")
		}
		return db, func() {}, nil
	}
	srv, err := motoserver.Start(ctx, &motoserver.Options{Log: log})
	if errors.Is(err, motoserver.ErrNoPython) {
		return nil, nil, fmt.Errorf("%w; or set %s to a running engine, or pass -aws for real DynamoDB", err, connect.EnvEndpoint)
	}
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(log, "engine: moto %s, a private server at %s (set %s or pass -aws to use another)\n",
		motoserver.Version, srv.Endpoint, connect.EnvEndpoint)
	db, err := connect.Endpoint(ctx, srv.Endpoint, opts...)
	if err != nil {
		_ = srv.Close()
		return nil, nil, err
	}
	return db, func() { _ = srv.Close() }, nil
}
