// Package connect opens a [dynamokit.Client]: it is the one place that
// knows how to reach DynamoDB, whether that is a local engine (a moto server
// started by [github.com/dynamokit/dynamokit/motoserver] or a container) or
// real AWS.
//
// Use [FromEnv] in programs and tests: when the DYNAMODB_ENDPOINT environment
// variable ([EnvEndpoint]) is set it connects to that engine (with dummy
// credentials unless AWS credentials are configured), otherwise it uses the standard AWS SDK configuration chain
// (environment, shared config and credentials files, AWS_ENDPOINT_URL_DYNAMODB,
// instance roles, ...). Use [Endpoint] to connect to a known local engine.
//
// Both accept the options of [dynamokit.New]; they are applied last, so an
// SDK option given with [dynamokit.WithSDKOptions] overrides anything
// connect sets (for example a custom HTTPClient that injects faults).
//
// See docs/testing.md in the repository for how tests obtain an engine.
package connect
