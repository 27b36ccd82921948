// Package connect opens a [dynamokit.Client]: it is the one place that
// knows how to reach DynamoDB, whether that is a local engine (a moto server
// started by [github.com/dynamokit/dynamokit/motoserver] or a container) or
// real AWS.
//
// Use [Open] in programs, examples and local development: it connects to
// DYNAMODB_ENDPOINT ([EnvEndpoint]) when that is set, to real DynamoDB
// through the normal AWS configuration when [Options].AWS asks for it, and
// otherwise starts a private moto server, which [Engine.Close] stops. The
// same call, with AWS set, runs against real DynamoDB.
//
// Use [FromEnv] where no engine may be started: when DYNAMODB_ENDPOINT is
// set it connects to that engine (with dummy credentials unless AWS
// credentials are configured), otherwise it uses the standard AWS SDK
// configuration chain (environment, shared config and credentials files,
// AWS_ENDPOINT_URL_DYNAMODB, instance roles, ...). Use [Endpoint] to connect
// to a known local engine.
//
// All of them accept the options of [dynamokit.New]; they are applied last,
// so an SDK option given with [dynamokit.WithSDKOptions] overrides anything
// connect sets (for example a custom HTTPClient that injects faults).
//
// Tests use the dynamotest module instead, which shares one engine per test
// binary and gives each test its own table prefix; see docs/testing.md in
// the repository.
package connect
