package query

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestUpdateInput(t *testing.T) {
	users := newTable[user](t)
	emps := newTable[emp](t)
	plains := newTable[plain](t)
	allOld := types.ReturnValuesOnConditionCheckFailureAllOld
	stamp := s("2026-01-02T03:04:05Z")
	tests := []struct {
		name string
		upd  interface {
			input() (*dynamodb.UpdateItemInput, error)
		}
		want *dynamodb.UpdateItemInput
	}{{
		name: "set and add with a version check",
		upd:  users.Update(user{ID: "u1", Version: 3}).Set("name", "Ann").Add("age", 1),
		want: &dynamodb.UpdateItemInput{
			TableName:                           aws.String("users"),
			Key:                                 avs{"id": s("u1")},
			ConditionExpression:                 aws.String("(attribute_exists (#0)) AND (#1 = :0)"),
			UpdateExpression:                    aws.String("ADD #2 :1, #1 :2\nSET #3 = :3, #4 = :4\n"),
			ExpressionAttributeNames:            map[string]string{"#0": "id", "#1": "version", "#2": "age", "#3": "name", "#4": "updated"},
			ExpressionAttributeValues:           avs{":0": n("3"), ":1": n("1"), ":2": n("1"), ":3": s("Ann"), ":4": stamp},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}, {
		name: "version 0 bumps without a check",
		upd:  users.Update(user{ID: "u1"}).Set("name", "Ann"),
		want: &dynamodb.UpdateItemInput{
			TableName:                           aws.String("users"),
			Key:                                 avs{"id": s("u1")},
			ConditionExpression:                 aws.String("attribute_exists (#0)"),
			UpdateExpression:                    aws.String("ADD #1 :0\nSET #2 = :1, #3 = :2\n"),
			ExpressionAttributeNames:            map[string]string{"#0": "id", "#1": "version", "#2": "name", "#3": "updated"},
			ExpressionAttributeValues:           avs{":0": n("1"), ":1": s("Ann"), ":2": stamp},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}, {
		name: "sets, removal and an empty value",
		upd:  users.Update(user{ID: "u1"}).AddToSet("tags", "a", []string{"c", "b", "a"}).Set("org", "").Remove("log"),
		want: &dynamodb.UpdateItemInput{
			TableName:                           aws.String("users"),
			Key:                                 avs{"id": s("u1")},
			ConditionExpression:                 aws.String("attribute_exists (#0)"),
			UpdateExpression:                    aws.String("ADD #1 :0, #2 :1\nREMOVE #3, #4\nSET #5 = :2\n"),
			ExpressionAttributeNames:            map[string]string{"#0": "id", "#1": "tags", "#2": "version", "#3": "org", "#4": "log", "#5": "updated"},
			ExpressionAttributeValues:           avs{":0": &types.AttributeValueMemberSS{Value: []string{"a", "b", "c"}}, ":1": n("1"), ":2": stamp},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}, {
		name: "delete from a set, set a set",
		upd:  users.Update(user{ID: "u1"}).DeleteFromSet("tags", "x").Set("name", "N"),
		want: &dynamodb.UpdateItemInput{
			TableName:                           aws.String("users"),
			Key:                                 avs{"id": s("u1")},
			ConditionExpression:                 aws.String("attribute_exists (#0)"),
			UpdateExpression:                    aws.String("ADD #1 :0\nDELETE #2 :1\nSET #3 = :2, #4 = :3\n"),
			ExpressionAttributeNames:            map[string]string{"#0": "id", "#1": "version", "#2": "tags", "#3": "name", "#4": "updated"},
			ExpressionAttributeValues:           avs{":0": n("1"), ":1": &types.AttributeValueMemberSS{Value: []string{"x"}}, ":2": s("N"), ":3": stamp},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}, {
		name: "ttl as a number, append, a condition",
		upd: users.Update(user{ID: "u1"}).Set("expires", clock).Append("log", "e").
			If(Name("age").GreaterThan(Value(3))),
		want: &dynamodb.UpdateItemInput{
			TableName:           aws.String("users"),
			Key:                 avs{"id": s("u1")},
			ConditionExpression: aws.String("(attribute_exists (#0)) AND (#1 > :0)"),
			UpdateExpression:    aws.String("ADD #2 :1\nSET #3 = :2, #4 = list_append(if_not_exists(#4, :3), :4), #5 = :5\n"),
			ExpressionAttributeNames: map[string]string{
				"#0": "id", "#1": "age", "#2": "version", "#3": "expires", "#4": "log", "#5": "updated",
			},
			ExpressionAttributeValues: avs{
				":0": n("3"), ":1": n("1"), ":2": n(clockUnix),
				":3": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
				":4": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("e")}},
				":5": stamp,
			},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}, {
		name: "prepend a list, set if not exists",
		upd:  plains.Update(plain{K: "k", R: 1}).Prepend("l", []string{"a", "b"}),
		want: &dynamodb.UpdateItemInput{
			TableName:                           aws.String("plain"),
			Key:                                 avs{"k": s("k"), "r": n("1")},
			ConditionExpression:                 aws.String("attribute_exists (#0)"),
			UpdateExpression:                    aws.String("SET #1 = list_append(:0, if_not_exists(#1, :1))\n"),
			ExpressionAttributeNames:            map[string]string{"#0": "k", "#1": "l"},
			ExpressionAttributeValues:           avs{":0": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("a"), s("b")}}, ":1": &types.AttributeValueMemberL{Value: []types.AttributeValue{}}},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}, {
		name: "set if not exists",
		upd:  plains.Update(plain{K: "k", R: 1}).SetIfNotExists("v", "x"),
		want: &dynamodb.UpdateItemInput{
			TableName:                           aws.String("plain"),
			Key:                                 avs{"k": s("k"), "r": n("1")},
			ConditionExpression:                 aws.String("attribute_exists (#0)"),
			UpdateExpression:                    aws.String("SET #1 = if_not_exists(#1, :0)\n"),
			ExpressionAttributeNames:            map[string]string{"#0": "k", "#1": "v"},
			ExpressionAttributeValues:           avs{":0": s("x")},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}, {
		name: "single table: entity check and a recomputed index key",
		upd:  emps.Update(emp{ID: "e1", Dept: "d1"}).Set("level", 3),
		want: &dynamodb.UpdateItemInput{
			TableName:                           aws.String("app"),
			Key:                                 avs{"pk": s("DEPT#d1"), "sk": s("EMP#e1")},
			ConditionExpression:                 aws.String("(attribute_exists (#0)) AND (#1 = :0)"),
			UpdateExpression:                    aws.String("SET #2 = :1, #3 = :2\n"),
			ExpressionAttributeNames:            map[string]string{"#0": "pk", "#1": "entity", "#2": "level", "#3": "gsi1pk"},
			ExpressionAttributeValues:           avs{":0": s("Employee"), ":1": n("3"), ":2": s("LEVEL#3")},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}, {
		name: "single table: removing a referenced attribute removes the computed one",
		upd:  emps.Update(emp{ID: "e1", Dept: "d1"}).Remove("level"),
		want: &dynamodb.UpdateItemInput{
			TableName:                           aws.String("app"),
			Key:                                 avs{"pk": s("DEPT#d1"), "sk": s("EMP#e1")},
			ConditionExpression:                 aws.String("(attribute_exists (#0)) AND (#1 = :0)"),
			UpdateExpression:                    aws.String("REMOVE #2, #3\n"),
			ExpressionAttributeNames:            map[string]string{"#0": "pk", "#1": "entity", "#2": "level", "#3": "gsi1pk"},
			ExpressionAttributeValues:           avs{":0": s("Employee")},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}, {
		name: "a value is mirrored for recomputing",
		upd:  emps.Update(emp{ID: "e1", Dept: "d1"}).Set("level", int64(7)),
		want: &dynamodb.UpdateItemInput{
			TableName:                           aws.String("app"),
			Key:                                 avs{"pk": s("DEPT#d1"), "sk": s("EMP#e1")},
			ConditionExpression:                 aws.String("(attribute_exists (#0)) AND (#1 = :0)"),
			UpdateExpression:                    aws.String("SET #2 = :1, #3 = :2\n"),
			ExpressionAttributeNames:            map[string]string{"#0": "pk", "#1": "entity", "#2": "level", "#3": "gsi1pk"},
			ExpressionAttributeValues:           avs{":0": s("Employee"), ":1": n("7"), ":2": s("LEVEL#7")},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.upd.input()
			if err != nil {
				t.Fatalf("input() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreUnexported); diff != "" {
				t.Errorf("input() mismatch (-want +got):\n%s", diff)
			}
			// input must not change the Update: a second call (a retry,
			// or the Update used as a transaction action) is the same.
			again, err := tt.upd.input()
			if err != nil {
				t.Fatalf("second input() error = %v", err)
			}
			if diff := cmp.Diff(got, again, ignoreUnexported); diff != "" {
				t.Errorf("second input() differs (-first +second):\n%s", diff)
			}
		})
	}
}

func TestUpdateInputErrors(t *testing.T) {
	users := newTable[user](t)
	emps := newTable[emp](t)
	plains := newTable[plain](t)
	colls := newTable[collEmp](t)
	tests := []struct {
		name string
		upd  interface {
			input() (*dynamodb.UpdateItemInput, error)
		}
		want    string // part of the message
		wantErr error  // a sentinel, when one applies
	}{
		{"unknown attribute", users.Update(user{ID: "u"}).Set("nope", 1), `has no attribute "nope"`, nil},
		{"hash key", users.Update(user{ID: "u"}).Set("id", "x"), "part of the key", nil},
		{"range key", plains.Update(plain{K: "k", R: 1}).Set("r", 2), "part of the key", nil},
		{"computed", emps.Update(emp{ID: "e", Dept: "d"}).Set("gsi1pk", "x"), "computed", nil},
		{"referred to by a computed key", colls.Update(collEmp{ID: "e", Dept: "d"}).Set("dept", "d-2"), "part of the computed key", nil},
		{"removed from a computed key", colls.Update(collEmp{ID: "e", Dept: "d"}).Remove("dept"), "part of the computed key", nil},
		{"version", users.Update(user{ID: "u"}).Set("version", 9), "version attribute", nil},
		{"twice", users.Update(user{ID: "u"}).Set("name", "a").Set("name", "b"), "changed twice", nil},
		{"add a string", users.Update(user{ID: "u"}).Add("name", "x"), "name is stored as a string, not a number", nil},
		{"set op on a list", users.Update(user{ID: "u"}).AddToSet("log", "x"), "not a set attribute", nil},
		{"mixed set", users.Update(user{ID: "u"}).AddToSet("tags", "a", 1), "tags of query.user holds elements of type string, not int", nil},
		{"nested set element", users.Update(user{ID: "u"}).AddToSet("tags", [][]string{{"a"}}), "holds elements of type string, not [][]string", nil},
		{"empty set-if-not-exists", plains.Update(plain{K: "k", R: 1}).SetIfNotExists("v", ""), "empty value", nil},
		{"nothing to update", plains.Update(plain{K: "k", R: 1}), "nothing to update", nil},
		{"empty key", users.Update(user{}).Set("name", "a"), "", model.ErrEmptyKey},
		{"computed from an added number", emps.Update(emp{ID: "e", Dept: "d"}).Add("level", 1), "must be changed with Set or Remove", nil},
		{"mistyped value", emps.Update(emp{ID: "e", Dept: "d"}).Set("level", "high"), "model: attribute level of query.emp holds values of type int, not string", nil},
		{"the first error is kept", users.Update(user{ID: "u"}).Set("nope", 1).Set("id", "x"), `has no attribute "nope"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.upd.input()
			if err == nil {
				t.Fatal("input() error = nil, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("input() error = %q, want it to contain %q", err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("input() error = %v, want errors.Is %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && !strings.HasPrefix(err.Error(), "query: ") {
				t.Errorf("input() error = %q, want the prefix %q", err, "query: ")
			}
		})
	}
}

func TestUpdateFailureKind(t *testing.T) {
	users := newTable[user](t)
	emps := newTable[emp](t)
	tests := []struct {
		name string
		kind error
		want error
	}{
		{"missing item", users.Update(user{ID: "u", Version: 2}).failureKind(nil), dynamokit.ErrNotFound},
		{"stale version", users.Update(user{ID: "u", Version: 2}).failureKind(avs{"id": s("u"), "version": n("3")}), dynamokit.ErrVersionConflict},
		{"no stored version", users.Update(user{ID: "u", Version: 2}).failureKind(avs{"id": s("u")}), dynamokit.ErrVersionConflict},
		{"condition", users.Update(user{ID: "u", Version: 2}).failureKind(avs{"id": s("u"), "version": n("2")}), dynamokit.ErrConditionFailed},
		{"condition, no version given", users.Update(user{ID: "u"}).failureKind(avs{"id": s("u"), "version": n("5")}), dynamokit.ErrConditionFailed},
		{"another entity", emps.Update(emp{ID: "e", Dept: "d"}).failureKind(avs{"entity": s("Department")}), dynamokit.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.kind != tt.want {
				t.Errorf("failureKind = %v, want %v", tt.kind, tt.want)
			}
		})
	}
}

// TestUpdateKeepsKey checks that an Update does not write through to the
// caller's value, even through an embedded pointer.
func TestUpdateKeepsKey(t *testing.T) {
	r, err := NewTable[withPtr](offlineClient)
	if err != nil {
		t.Fatal(err)
	}
	key := withPtr{ID: "a", Inner: &Inner{Name: "old"}}
	in, err := r.Update(key).Set("name", "new").input()
	if err != nil {
		t.Fatal(err)
	}
	if got := key.Inner.Name; got != "old" {
		t.Errorf("key.Name = %q after Update, want %q", got, "old")
	}
	if got := in.ExpressionAttributeValues[":1"]; !cmp.Equal(got, s("N#new"), ignoreUnexported) {
		t.Errorf("recomputed label = %#v, want N#new", got)
	}
	// A nil embedded pointer does not panic.
	if _, err := r.Update(withPtr{ID: "a"}).Set("name", "x").input(); err != nil {
		t.Errorf("Update with a nil embedded pointer: %v", err)
	}
}

func TestUpdatedStamp(t *testing.T) {
	r, err := NewTable[unixStamp](offlineClient.With(dynamokit.WithClock(func() time.Time { return clock })))
	if err != nil {
		t.Fatal(err)
	}
	in, err := r.Update(unixStamp{ID: "a"}).input()
	if err != nil {
		t.Fatal(err)
	}
	want := avs{":0": n(clockUnix)}
	if diff := cmp.Diff(want, in.ExpressionAttributeValues, ignoreUnexported); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}

// collEmp lives in its department's partition: its dept is part of its key.
type collEmp struct {
	_    struct{} `dynamo:"pk,hash" template:"DEPT#{dept}"`
	_    struct{} `dynamo:"sk,range" template:"EMP#{id}"`
	ID   string   `dynamo:"id"`
	Dept string   `dynamo:"dept"`
	Name string   `dynamo:"name"`
}

func (collEmp) TableName() string { return "org" }

func TestUpdateComputedKeyNeighbours(t *testing.T) {
	colls := newTable[collEmp](t)
	in, err := colls.Update(collEmp{ID: "e", Dept: "d"}).Set("name", "Eve").input()
	if err != nil {
		t.Fatalf("Set(name) on an item-collection model: %v", err)
	}
	want := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "DEPT#d"},
		"sk": &types.AttributeValueMemberS{Value: "EMP#e"},
	}
	if diff := cmp.Diff(want, in.Key, cmpopts.IgnoreUnexported(types.AttributeValueMemberS{})); diff != "" {
		t.Errorf("Key (-want +got):\n%s", diff)
	}
}
