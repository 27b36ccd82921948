package stream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
)

// lambdaEvent is the event AWS Lambda gives a function subscribed to a
// table's stream (what aws-lambda-go calls events.DynamoDBEvent):
// https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
type lambdaEvent struct {
	Records []lambdaRecord `json:"Records"`
}

type lambdaRecord struct {
	EventID        string        `json:"eventID"`
	EventName      string        `json:"eventName"`
	EventSourceARN string        `json:"eventSourceARN"`
	Dynamodb       *lambdaStream `json:"dynamodb"`
	UserIdentity   *struct {
		Type        string `json:"type"`
		PrincipalID string `json:"principalId"`
	} `json:"userIdentity"`
}

type lambdaStream struct {
	// ApproximateCreationDateTime is seconds since the epoch, a JSON
	// number; some producers write an RFC 3339 string instead.
	ApproximateCreationDateTime json.RawMessage `json:"ApproximateCreationDateTime"`
	Keys                        json.RawMessage `json:"Keys"`
	NewImage                    json.RawMessage `json:"NewImage"`
	OldImage                    json.RawMessage `json:"OldImage"`
	SequenceNumber              string          `json:"SequenceNumber"`
	SizeBytes                   int64           `json:"SizeBytes"`
	StreamViewType              string          `json:"StreamViewType"`
}

// ParseLambda returns the records of payload, the JSON event AWS Lambda
// gives a function subscribed to a table's stream:
//
//	{"Records": [{"eventID": "…", "eventName": "INSERT", "eventSourceARN": "…",
//	  "dynamodb": {"Keys": {"id": {"S": "e-1"}}, "NewImage": {…}, "OldImage": {…},
//	  "SequenceNumber": "…", "SizeBytes": 26, "StreamViewType": "NEW_AND_OLD_IMAGES",
//	  "ApproximateCreationDateTime": 1700000000},
//	  "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"}}]}
//
// Attribute values in DynamoDB's JSON form ({"S": "x"}, {"N": "1"},
// {"M": {…}}, {"L": […]}, {"B": base64}, {"SS"}, {"NS"}, {"BS"},
// {"BOOL"}, {"NULL"}) are decoded by the SDK's own deserializer
// (attributevalue.UnmarshalMapJSON). A payload that is not such an event,
// a record with an unknown event name or an attribute value of an unknown
// type is an error naming the record. With github.com/aws/aws-lambda-go,
// pass the handler's raw json.RawMessage, or json.Marshal its
// events.DynamoDBEvent back.
func ParseLambda(payload []byte) ([]Record, error) {
	var ev lambdaEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("stream: lambda event: %w", err)
	}
	if ev.Records == nil {
		return nil, fmt.Errorf("stream: lambda event: no Records")
	}
	out := make([]Record, 0, len(ev.Records))
	for i, lr := range ev.Records {
		rec, err := lr.record()
		if err != nil {
			return nil, fmt.Errorf("stream: lambda event: record %d (%s): %w", i, lr.EventID, err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// record converts one Lambda record.
func (lr *lambdaRecord) record() (Record, error) {
	kind, err := parseKind(lr.EventName)
	if err != nil {
		return Record{}, err
	}
	d := lr.Dynamodb
	if d == nil {
		return Record{}, fmt.Errorf("no dynamodb part")
	}
	rec := Record{
		EventID:        lr.EventID,
		Kind:           kind,
		SequenceNumber: d.SequenceNumber,
		ViewType:       model.StreamView(d.StreamViewType),
		SizeBytes:      d.SizeBytes,
		StreamARN:      lr.EventSourceARN,
	}
	if id := lr.UserIdentity; id != nil {
		rec.TTL = id.Type == "Service" && id.PrincipalID == ttlPrincipal
	}
	if rec.Time, err = epochTime(d.ApproximateCreationDateTime); err != nil {
		return Record{}, fmt.Errorf("ApproximateCreationDateTime: %w", err)
	}
	for _, f := range []struct {
		dst *map[string]types.AttributeValue
		src json.RawMessage
		of  string
	}{{&rec.Keys, d.Keys, "Keys"}, {&rec.OldImage, d.OldImage, "OldImage"}, {&rec.NewImage, d.NewImage, "NewImage"}} {
		if len(f.src) == 0 || bytes.Equal(f.src, []byte("null")) {
			continue
		}
		m, err := attributevalue.UnmarshalMapJSON(f.src)
		if err != nil {
			return Record{}, fmt.Errorf("%s: %w", f.of, err)
		}
		if err := checkValues(m); err != nil {
			return Record{}, fmt.Errorf("%s: %w", f.of, err)
		}
		*f.dst = m
	}
	return rec, nil
}

// checkValues reports an attribute value the SDK's deserializer could not
// type: an unknown type tag, or a value with none.
func checkValues(m map[string]types.AttributeValue) error {
	for name, av := range m {
		if err := checkValue(av); err != nil {
			return fmt.Errorf("attribute %s: %w", name, err)
		}
	}
	return nil
}

func checkValue(av types.AttributeValue) error {
	switch v := av.(type) {
	case nil:
		return fmt.Errorf("no value")
	case *types.UnknownUnionMember:
		return fmt.Errorf("unknown attribute value type %q", v.Tag)
	case *types.AttributeValueMemberM:
		return checkValues(v.Value)
	case *types.AttributeValueMemberL:
		for i, e := range v.Value {
			if err := checkValue(e); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
	}
	return nil
}

// epochTime decodes an ApproximateCreationDateTime: seconds since the
// epoch (possibly with a fraction), or an RFC 3339 string. Absent is the
// zero time.
func epochTime(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return time.Time{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
		return time.Parse(time.RFC3339Nano, s)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return time.Time{}, fmt.Errorf("%s is not seconds since the epoch", raw)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
}
