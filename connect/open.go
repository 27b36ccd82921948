package connect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/motoserver"
)

// Options configures [Open]. The zero value, or nil, means: DYNAMODB_ENDPOINT
// when it is set, else a private moto server, and nothing logged.
type Options struct {
	// AWS asks for DynamoDB through the normal AWS configuration (as
	// [FromEnv] without DYNAMODB_ENDPOINT: AWS_REGION, AWS_PROFILE, shared
	// files, SSO, instance and task roles) instead of a private moto
	// server. DYNAMODB_ENDPOINT still wins when it is set. Deployed programs
	// set it, from a flag or their own configuration: [Open] never takes
	// credentials it happens to find for a request to use real DynamoDB.
	AWS bool
	// Log receives one line naming the engine Open chose and, when it
	// starts moto, moto's install progress and output. Default: discarded.
	Log io.Writer
	// Moto configures the moto server Open starts (interpreter, cache
	// directory, start timeout). Its Log defaults to the Log above.
	Moto *motoserver.Options
}

func (o *Options) log() io.Writer {
	if o == nil || o.Log == nil {
		return io.Discard
	}
	return o.Log
}

// Engine is the DynamoDB engine [Open] connected to. Close it when done
// with the client: that stops the moto server Open started, if any.
type Engine struct {
	// Endpoint is the URL the client sends its requests to:
	// DYNAMODB_ENDPOINT's, the moto server's, or the one the AWS
	// configuration names (AWS_ENDPOINT_URL_DYNAMODB, say). It is empty when
	// the AWS SDK picks DynamoDB's own endpoint for the region.
	Endpoint string

	desc   string
	server *motoserver.Server
}

// String says which engine this is, as Open logs it: for example
// "moto 5.2.5, a private server at http://127.0.0.1:41733".
func (e *Engine) String() string {
	if e == nil {
		return "no engine"
	}
	return e.desc
}

// Close stops the moto server Open started; for any other engine it does
// nothing. The server also ends when the process does. Close is safe to call
// more than once, and on a nil Engine.
func (e *Engine) Close() error {
	if e == nil || e.server == nil {
		return nil
	}
	return e.server.Close()
}

// Open returns a [dynamokit.Client] and the [Engine] it talks to, choosing
// the engine the way dynamokit's examples do, so that a program runs with
// no set-up and, unchanged, against real DynamoDB:
//
//  1. DYNAMODB_ENDPOINT ([EnvEndpoint]) when it is set: that engine, as
//     [FromEnv] connects to it. Nothing is started.
//  2. The normal AWS configuration, as [FromEnv] loads it, when
//     [Options].AWS is set or the environment names an endpoint for
//     DynamoDB in the SDK's own variables (AWS_ENDPOINT_URL_DYNAMODB or
//     AWS_ENDPOINT_URL). Nothing is started.
//  3. Otherwise a private moto server ([motoserver.Start]): installed into
//     the user cache on first use, which needs Python 3 with its venv
//     module; it keeps its tables in memory, so they are gone when it
//     stops. Without Python the error wraps [motoserver.ErrNoPython] and
//     names the ways out.
//
// Open writes the engine it chose to [Options].Log, and [Engine.String]
// says it too. The caller's opts are applied last, as with [FromEnv]. Call
// [Engine.Close] when done (it stops the moto server); a server left
// running ends with the process. The client makes no request: an engine
// that does not answer shows up on the first call.
//
// Tests use the dynamotest module instead, which shares one engine per
// test binary and gives every test its own table prefix.
func Open(ctx context.Context, o *Options, opts ...dynamokit.Option) (*dynamokit.Client, *Engine, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("connect: %w", err)
	}
	if endpoint := strings.TrimSpace(os.Getenv(EnvEndpoint)); endpoint != "" {
		c, err := FromEnv(ctx, opts...)
		if err != nil {
			return nil, nil, err
		}
		return c, o.chose(&Engine{Endpoint: endpoint, desc: EnvEndpoint + "=" + endpoint}), nil
	}
	if configured := awsEndpointVar(); (o != nil && o.AWS) || configured != "" {
		c, err := FromEnv(ctx, opts...)
		if err != nil {
			return nil, nil, err
		}
		return c, o.chose(awsEngine(c, configured)), nil
	}

	mo := motoserver.Options{}
	if o != nil && o.Moto != nil {
		mo = *o.Moto
	}
	if mo.Log == nil {
		mo.Log = o.log()
	}
	srv, err := motoserver.Start(ctx, &mo)
	if errors.Is(err, motoserver.ErrNoPython) {
		return nil, nil, fmt.Errorf("connect: %w; or set %s to a running engine, or use real DynamoDB through the AWS configuration (connect.Options.AWS)", err, EnvEndpoint)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("connect: %w", err)
	}
	c, err := Endpoint(ctx, srv.Endpoint, opts...)
	if err != nil {
		_ = srv.Close()
		return nil, nil, err
	}
	return c, o.chose(&Engine{
		Endpoint: srv.Endpoint,
		desc:     fmt.Sprintf("moto %s, a private server at %s", motoserver.Version, srv.Endpoint),
		server:   srv,
	}), nil
}

// chose logs e as the engine Open chose, and returns it.
func (o *Options) chose(e *Engine) *Engine {
	fmt.Fprintf(o.log(), "connect: engine: %s\n", e.desc)
	return e
}

// awsEndpointVar returns the name of the AWS SDK variable that sets
// DynamoDB's endpoint, or "" when none does.
func awsEndpointVar() string {
	if ignore, _ := strconv.ParseBool(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")); ignore {
		return ""
	}
	for _, name := range []string{"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"} {
		if strings.TrimSpace(os.Getenv(name)) != "" {
			return name
		}
	}
	return ""
}

// awsEngine describes the engine that c, made by FromEnv from the AWS
// configuration, talks to; configured is the variable that named its
// endpoint, if any.
func awsEngine(c *dynamokit.Client, configured string) *Engine {
	e := &Engine{desc: "DynamoDB, from the AWS configuration"}
	sdk, ok := c.API().(*dynamodb.Client)
	if !ok {
		return e
	}
	opts := sdk.Options()
	e.desc = fmt.Sprintf("DynamoDB in %s, from the AWS configuration", opts.Region)
	if opts.BaseEndpoint != nil {
		e.Endpoint = *opts.BaseEndpoint
		e.desc += ", at " + e.Endpoint
		if configured != "" {
			e.desc += " (" + configured + ")"
		}
	}
	return e
}
