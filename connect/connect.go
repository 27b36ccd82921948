package connect

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
)

// EnvEndpoint is the environment variable that holds the URL of a DynamoDB
// engine, such as http://127.0.0.1:5000 for a moto server. [FromEnv]
// connects to it when it is set, and so do dynamokit's tests and examples.
const EnvEndpoint = "DYNAMODB_ENDPOINT"

// DefaultRegion is the region used for a local engine when AWS_REGION is unset.
const DefaultRegion = "us-east-1"

// Endpoint returns a [dynamokit.Client] for the DynamoDB engine at endpoint, an http or
// https URL such as http://127.0.0.1:5000.
//
// It uses the region from AWS_REGION (or [DefaultRegion]) and static dummy
// credentials, which local engines accept, unless AWS_ACCESS_KEY_ID or
// AWS_PROFILE is set: then the credentials come from the normal AWS
// configuration, so an endpoint of real DynamoDB works too. It disables
// response CRC32 validation, which local engines do not support on every
// response. The caller's opts are applied after these settings, so they
// take precedence (an SDK option given with [dynamokit.WithSDKOptions]
// runs after connect's own). No request is made: an
// unreachable endpoint shows up on the first call.
func Endpoint(ctx context.Context, endpoint string, opts ...dynamokit.Option) (*dynamokit.Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if err := checkEndpoint(endpoint); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return local(ctx, endpoint, opts)
}

// FromEnv returns a [dynamokit.Client] configured from the environment. When
// DYNAMODB_ENDPOINT ([EnvEndpoint]) is set it behaves like [Endpoint] with
// that URL. Otherwise it loads the standard AWS SDK configuration
// (config.LoadDefaultConfig), so AWS_REGION, AWS_PROFILE,
// AWS_ENDPOINT_URL_DYNAMODB and real AWS credentials all work; the caller's
// opts are applied last.
func FromEnv(ctx context.Context, opts ...dynamokit.Option) (*dynamokit.Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if endpoint := strings.TrimSpace(os.Getenv(EnvEndpoint)); endpoint != "" {
		if err := checkEndpoint(endpoint); err != nil {
			return nil, fmt.Errorf("connect: %s: %w", EnvEndpoint, err)
		}
		return local(ctx, endpoint, opts)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect: load AWS config: %w", err)
	}
	c := dynamokit.New(cfg, opts...)
	if sdk, ok := c.API().(*dynamodb.Client); ok && sdk.Options().Region == "" {
		return nil, fmt.Errorf("connect: no AWS region configured: set AWS_REGION, or %s for a local engine", EnvEndpoint)
	}
	return c, nil
}

// local returns a Client for the engine at a checked endpoint.
func local(ctx context.Context, endpoint string, opts []dynamokit.Option) (*dynamokit.Client, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = DefaultRegion
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider("dummy", "dummy", ""),
	}
	if os.Getenv("AWS_ACCESS_KEY_ID") != "" || os.Getenv("AWS_PROFILE") != "" {
		sdk, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
		if err != nil {
			return nil, fmt.Errorf("connect: load AWS config: %w", err)
		}
		cfg.Credentials = sdk.Credentials
	}
	all := make([]dynamokit.Option, 0, len(opts)+1)
	all = append(all, dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		// Local engines omit the x-amz-crc32 header on some responses
		// (errors), which makes the SDK log a warning for each of them.
		o.DisableValidateResponseChecksum = true
	}))
	all = append(all, opts...)
	return dynamokit.New(cfg, all...), nil
}

// checkEndpoint reports whether endpoint is an absolute http(s) URL with a host.
func checkEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err == nil && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "") {
		err = errors.New("not an http(s) URL with a host")
	}
	if err != nil {
		return fmt.Errorf("invalid endpoint %q (want a URL such as http://127.0.0.1:5000): %w", endpoint, err)
	}
	return nil
}
