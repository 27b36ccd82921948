package stream

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/dynamokit/dynamokit"
)

// API is the part of the DynamoDB Streams API a [Reader] calls, as
// *dynamodbstreams.Client implements it.
type API interface {
	DescribeStream(ctx context.Context, in *dynamodbstreams.DescribeStreamInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

var _ API = (*dynamodbstreams.Client)(nil)

// NewAPI returns a DynamoDB Streams client configured like db's DynamoDB
// client (db must send through a *dynamodb.Client, as those of
// dynamokit.New and package connect do): the same region, credentials,
// HTTP client, retry mode and attempts, and logger, and, for a local
// engine (an endpoint outside amazonaws.com, such as moto, which serves
// both APIs on one port), the same endpoint. Against AWS the Streams
// endpoint of the region is used (or AWS_ENDPOINT_URL_DYNAMODB_STREAMS
// through the SDK's configuration, when you build the client yourself).
func NewAPI(db *dynamokit.Client) (*dynamodbstreams.Client, error) {
	if db == nil {
		return nil, fmt.Errorf("stream: nil *dynamokit.Client")
	}
	sdk, ok := db.API().(*dynamodb.Client)
	if !ok {
		return nil, fmt.Errorf("stream: the client sends through %T, not a *dynamodb.Client: make the Streams client yourself (dynamodbstreams.NewFromConfig) and give it in Options.API", db.API())
	}
	o := sdk.Options()
	so := dynamodbstreams.Options{
		Region:           o.Region,
		Credentials:      o.Credentials,
		HTTPClient:       o.HTTPClient,
		RetryMode:        o.RetryMode,
		RetryMaxAttempts: o.RetryMaxAttempts,
		Logger:           o.Logger,
		ClientLogMode:    o.ClientLogMode,
		AppID:            o.AppID,
	}
	if local(o.BaseEndpoint) {
		so.BaseEndpoint = o.BaseEndpoint
	}
	return dynamodbstreams.New(so), nil
}

// local reports whether endpoint is set and outside AWS, where the
// Streams API has endpoints of its own.
func local(endpoint *string) bool {
	if endpoint == nil || *endpoint == "" {
		return false
	}
	u, err := url.Parse(*endpoint)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	return !strings.HasSuffix(h, ".amazonaws.com") && !strings.HasSuffix(h, ".amazonaws.com.cn")
}
