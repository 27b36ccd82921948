package stream

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/dynamokit/dynamokit/model"
)

// Kind is what a stream record says happened to its item.
type Kind uint8

const (
	// Insert is a new item (eventName INSERT).
	Insert Kind = iota + 1
	// Modify is a change to an item that existed (eventName MODIFY).
	Modify
	// Remove is the deletion of an item (eventName REMOVE), by a request
	// or, when [Record.TTL] is set, by TTL expiry.
	Remove
)

// String returns the event name DynamoDB gives the kind: INSERT, MODIFY
// or REMOVE.
func (k Kind) String() string {
	switch k {
	case Insert:
		return "INSERT"
	case Modify:
		return "MODIFY"
	case Remove:
		return "REMOVE"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// parseKind returns the Kind of a record's eventName.
func parseKind(name string) (Kind, error) {
	switch name {
	case "INSERT":
		return Insert, nil
	case "MODIFY":
		return Modify, nil
	case "REMOVE":
		return Remove, nil
	}
	return 0, fmt.Errorf("stream: record: event name %q, want INSERT, MODIFY or REMOVE", name)
}

// Record is one stream record as DynamoDB gives it, not yet decoded into
// a model: what [FromStreams] and [ParseLambda] return and what an
// [Event] embeds.
type Record struct {
	// EventID is the record's unique identifier.
	EventID string
	// Kind is INSERT, MODIFY or REMOVE.
	Kind Kind
	// TTL is set on a Remove made by DynamoDB's TTL expiry rather than by
	// a request: the record's user identity is the service
	// dynamodb.amazonaws.com.
	TTL bool
	// Keys holds the item's primary key attributes; every record has them.
	Keys map[string]types.AttributeValue
	// OldImage is the item before the change and NewImage the item after
	// it, when the stream's view type includes them (nil otherwise, and
	// OldImage is nil for an Insert, NewImage for a Remove).
	OldImage, NewImage map[string]types.AttributeValue
	// SequenceNumber orders the records of one shard, and so the changes
	// of one item.
	SequenceNumber string
	// Time is when the change was made (ApproximateCreationDateTime):
	// rounded down to the second by DynamoDB Streams.
	Time time.Time
	// ViewType is the stream's view type when the record was written,
	// as a table's model declares it in [model.Options].Stream.
	ViewType model.StreamView
	// SizeBytes is the size of the record's stream data.
	SizeBytes int64
	// StreamARN is the ARN of the stream the record comes from: the
	// eventSourceARN of a Lambda record, the stream a [Reader] follows. It
	// is "" from [FromStreams].
	StreamARN string
	// Shard is the ID of the shard a [Reader] read the record from; ""
	// from a Lambda event or [FromStreams].
	Shard string
}

// ttlPrincipal is the user identity of a record written by TTL expiry.
const ttlPrincipal = "dynamodb.amazonaws.com"

// FromStreams returns the Record of r, a record from the DynamoDB Streams
// API's GetRecords:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html
// Its attribute values become those of package dynamodb's types, which
// the models decode. A record without its dynamodb part or with an
// unknown event name is an error.
func FromStreams(r streamtypes.Record) (Record, error) {
	kind, err := parseKind(string(r.EventName))
	if err != nil {
		return Record{}, err
	}
	d := r.Dynamodb
	if d == nil {
		return Record{}, fmt.Errorf("stream: record %s: no dynamodb part", aws.ToString(r.EventID))
	}
	rec := Record{
		EventID:        aws.ToString(r.EventID),
		Kind:           kind,
		SequenceNumber: aws.ToString(d.SequenceNumber),
		Time:           aws.ToTime(d.ApproximateCreationDateTime),
		ViewType:       model.StreamView(d.StreamViewType),
		SizeBytes:      aws.ToInt64(d.SizeBytes),
	}
	if id := r.UserIdentity; id != nil {
		rec.TTL = aws.ToString(id.Type) == "Service" && aws.ToString(id.PrincipalId) == ttlPrincipal
	}
	for _, f := range []struct {
		dst *map[string]types.AttributeValue
		src map[string]streamtypes.AttributeValue
		of  string
	}{{&rec.Keys, d.Keys, "Keys"}, {&rec.OldImage, d.OldImage, "OldImage"}, {&rec.NewImage, d.NewImage, "NewImage"}} {
		if f.src == nil {
			continue
		}
		if *f.dst, err = attributevalue.FromDynamoDBStreamsMap(f.src); err != nil {
			return Record{}, fmt.Errorf("stream: record %s: %s: %w", rec.SequenceNumber, f.of, err)
		}
	}
	return rec, nil
}
