package query

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp"
)

// Stamps is embedded by pointer in ticket.
type Stamps struct {
	Version int   `dynamo:"version" dynamokit:"version"`
	Updated int64 `dynamo:"updated" dynamokit:"updated"`
}

// ticket has index keys computed from its updated stamp, its version and
// its status; the stamps are behind an embedded pointer.
type ticket struct {
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"U#{updated:10}"`
	_ struct{} `dynamo:"gsi2pk" index:"gsi2,hash" template:"S#{status}"`
	_ struct{} `dynamo:"gsi2sk" index:"gsi2,range" template:"V#{version:6}"`

	ID     string `dynamo:"id,hash" index:"gsi1,hash"`
	Status string `dynamo:"status"`
	Title  string `dynamo:"title"`
	*Stamps
}

func (ticket) TableName() string { return "ticket" }

// TestUpdateRecomputesFromFinalValues checks that an Update renders the
// computed attributes that refer to the updated stamp and the version
// from the values it writes: now, and the key's version plus one.
func TestUpdateRecomputesFromFinalValues(t *testing.T) {
	tickets := newTable[ticket](t)
	key := ticket{ID: "t-1", Stamps: &Stamps{Version: 4, Updated: 1000}}
	tests := []struct {
		name string
		upd  *Update[ticket]
		want *dynamodb.UpdateItemInput
	}{{
		name: "a field no template refers to",
		upd:  tickets.Update(key).Set("title", "x"),
		want: &dynamodb.UpdateItemInput{
			ConditionExpression: aws.String("(attribute_exists (#0)) AND (#1 = :0)"),
			UpdateExpression:    aws.String("ADD #1 :1\nSET #2 = :2, #3 = :3, #4 = :4, #5 = :5\n"),
			ExpressionAttributeNames: map[string]string{
				"#0": "id", "#1": "version", "#2": "title", "#3": "gsi1sk", "#4": "gsi2sk", "#5": "updated",
			},
			ExpressionAttributeValues: avs{
				":0": n("4"), ":1": n("1"), ":2": s("x"), ":3": s("U#" + clockUnix), ":4": s("V#000005"), ":5": n(clockUnix),
			},
		},
	}, {
		name: "a source of a template and the stamp, set",
		upd:  tickets.Update(key).Set("status", "done").Set("updated", int64(1500)),
		want: &dynamodb.UpdateItemInput{
			ConditionExpression: aws.String("(attribute_exists (#0)) AND (#1 = :0)"),
			UpdateExpression:    aws.String("ADD #1 :1\nSET #2 = :2, #3 = :3, #4 = :4, #5 = :5, #6 = :6\n"),
			ExpressionAttributeNames: map[string]string{
				"#0": "id", "#1": "version", "#2": "status", "#3": "updated", "#4": "gsi1sk", "#5": "gsi2pk", "#6": "gsi2sk",
			},
			ExpressionAttributeValues: avs{
				":0": n("4"), ":1": n("1"), ":2": s("done"), ":3": n("1500"), ":4": s("U#0000001500"), ":5": s("S#done"), ":6": s("V#000005"),
			},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := tt.upd.input()
			if err != nil {
				t.Fatal(err)
			}
			got := &dynamodb.UpdateItemInput{
				ConditionExpression:       in.ConditionExpression,
				UpdateExpression:          in.UpdateExpression,
				ExpressionAttributeNames:  in.ExpressionAttributeNames,
				ExpressionAttributeValues: in.ExpressionAttributeValues,
			}
			if diff := cmp.Diff(tt.want, got, ignoreUnexported); diff != "" {
				t.Errorf("input (-want +got):\n%s", diff)
			}
		})
	}
	if key.Version != 4 || key.Updated != 1000 {
		t.Errorf("key's stamps = %+v after building updates, want version 4, updated 1000", *key.Stamps)
	}

	_, err := tickets.Update(ticket{ID: "t-1"}).Set("title", "x").input()
	if err == nil || !strings.Contains(err.Error(), "gsi2sk is computed from the version") {
		t.Errorf("Update without the current version = %v, want an error about gsi2sk and the version", err)
	}
}
