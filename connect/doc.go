// Package connect opens a [dynamo.DB] for dynamokit: it is the one place that
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
// Both accept options for the underlying [dynamodb.Client]; they are applied
// last, so they override anything connect sets (for example a custom
// HTTPClient that counts requests or injects faults).
//
// See docs/testing.md in the repository for how tests obtain an engine.
package connect
