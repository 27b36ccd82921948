package query

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/txn"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

func TestGetInput(t *testing.T) {
	emps := newTable[emp](t)
	got, err := emps.Consistent().getInput(&emp{ID: "e", Dept: "d"})
	if err != nil {
		t.Fatal(err)
	}
	want := &dynamodb.GetItemInput{
		TableName:      aws.String("app"),
		Key:            avs{"pk": s("DEPT#d"), "sk": s("EMP#e")},
		ConsistentRead: aws.Bool(true),
	}
	if diff := cmp.Diff(want, got, ignoreUnexported); diff != "" {
		t.Errorf("getInput mismatch (-want +got):\n%s", diff)
	}
	if _, err := emps.getInput(&emp{ID: "e"}); !errors.Is(err, model.ErrEmptyKey) {
		t.Errorf("getInput(no dept) error = %v, want model.ErrEmptyKey", err)
	}
}

func TestCreateInput(t *testing.T) {
	users := newTable[user](t)
	item := user{ID: "u1", Name: "Ann", Version: 7, Expires: clock.Add(time.Hour)}
	got, restore, err := users.testCreate(&item)
	if err != nil {
		t.Fatal(err)
	}
	stamp := s("2026-01-02T03:04:05Z")
	want := &dynamodb.PutItemInput{
		TableName: aws.String("users"),
		Item: avs{
			"id": s("u1"), "name": s("Ann"), "age": n("0"), "version": n("1"),
			"expires": n(fmt.Sprint(clock.Add(time.Hour).Unix())),
			"created": stamp, "updated": stamp,
		},
		ConditionExpression:                 aws.String("attribute_not_exists (#0)"),
		ExpressionAttributeNames:            map[string]string{"#0": "id"},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	if diff := cmp.Diff(want, got, ignoreUnexported); diff != "" {
		t.Errorf("createInput mismatch (-want +got):\n%s", diff)
	}
	if item.Version != 1 || !item.Created.Equal(clock) || !item.Updated.Equal(clock) {
		t.Errorf("after createInput: version %d, created %v, updated %v; want 1 and the clock", item.Version, item.Created, item.Updated)
	}
	restore()
	if diff := cmp.Diff(user{ID: "u1", Name: "Ann", Version: 7, Expires: clock.Add(time.Hour)}, item); diff != "" {
		t.Errorf("after restore (-want +got):\n%s", diff)
	}
	if _, _, err := users.testCreate(nil); err == nil {
		t.Error("createInput(nil) error = nil")
	}
	empty := user{Name: "no id"}
	if _, _, err := users.testCreate(&empty); !errors.Is(err, model.ErrEmptyKey) {
		t.Errorf("createInput(no id) error = %v, want model.ErrEmptyKey", err)
	}
	if diff := cmp.Diff(user{Name: "no id"}, empty); diff != "" {
		t.Errorf("a failed createInput changed the item (-want +got):\n%s", diff)
	}
}

func TestPutVersioned(t *testing.T) {
	users := newTable[user](t)
	plains := newTable[plain](t)
	tests := []struct {
		name        string
		in          func() (*dynamodb.PutItemInput, error)
		wantCond    *string
		wantNames   map[string]string
		wantValues  map[string]types.AttributeValue
		wantVersion string
	}{{
		name: "version 0 must not exist",
		in: func() (*dynamodb.PutItemInput, error) {
			in, _, err := users.testPut(&user{ID: "u"}, nil)
			return in, err
		},
		wantCond:    aws.String("attribute_not_exists (#0)"),
		wantNames:   map[string]string{"#0": "id"},
		wantVersion: "1",
	}, {
		name: "version 4 must be stored",
		in: func() (*dynamodb.PutItemInput, error) {
			in, _, err := users.testPut(&user{ID: "u", Version: 4}, nil)
			return in, err
		},
		wantCond:    aws.String("#0 = :0"),
		wantNames:   map[string]string{"#0": "version"},
		wantValues:  avs{":0": n("4")},
		wantVersion: "5",
	}, {
		name: "no version, no condition",
		in: func() (*dynamodb.PutItemInput, error) {
			in, _, err := plains.testPut(&plain{K: "k", R: 1}, nil)
			return in, err
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := tt.in()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantCond, in.ConditionExpression); diff != "" {
				t.Errorf("condition (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantNames, in.ExpressionAttributeNames); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantValues, in.ExpressionAttributeValues, ignoreUnexported); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
			if tt.wantVersion != "" {
				if diff := cmp.Diff(n(tt.wantVersion), in.Item["version"], ignoreUnexported); diff != "" {
					t.Errorf("stored version (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestDeleteInput(t *testing.T) {
	users := newTable[user](t)
	plains := newTable[plain](t)
	allOld := types.ReturnValuesOnConditionCheckFailureAllOld
	tests := []struct {
		name string
		in   func() (*dynamodb.DeleteItemInput, error)
		want *dynamodb.DeleteItemInput
	}{{
		name: "unconditional",
		in:   func() (*dynamodb.DeleteItemInput, error) { return plains.testDelete(&plain{K: "k", R: 2}, nil) },
		want: &dynamodb.DeleteItemInput{TableName: aws.String("plain"), Key: avs{"k": s("k"), "r": n("2")}},
	}, {
		name: "version 0 does not check",
		in:   func() (*dynamodb.DeleteItemInput, error) { return users.testDelete(&user{ID: "u"}, nil) },
		want: &dynamodb.DeleteItemInput{TableName: aws.String("users"), Key: avs{"id": s("u")}},
	}, {
		name: "version and a condition",
		in: func() (*dynamodb.DeleteItemInput, error) {
			return users.testDelete(&user{ID: "u", Version: 3}, []Cond{Name("age").LessThan(Value(18))})
		},
		want: &dynamodb.DeleteItemInput{
			TableName:                           aws.String("users"),
			Key:                                 avs{"id": s("u")},
			ConditionExpression:                 aws.String("(#0 < :0) AND (#1 = :1)"),
			ExpressionAttributeNames:            map[string]string{"#0": "age", "#1": "version"},
			ExpressionAttributeValues:           avs{":0": n("18"), ":1": n("3")},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}, {
		name: "key exists",
		in: func() (*dynamodb.DeleteItemInput, error) {
			return plains.testDelete(&plain{K: "k", R: 2}, []Cond{plains.KeyExists()})
		},
		want: &dynamodb.DeleteItemInput{
			TableName:                           aws.String("plain"),
			Key:                                 avs{"k": s("k"), "r": n("2")},
			ConditionExpression:                 aws.String("attribute_exists (#0)"),
			ExpressionAttributeNames:            map[string]string{"#0": "k"},
			ReturnValuesOnConditionCheckFailure: allOld,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreUnexported); diff != "" {
				t.Errorf("deleteInput mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := plains.testDelete(&plain{R: 2}, nil); !errors.Is(err, model.ErrEmptyKey) {
		t.Errorf("deleteInput(no hash) error = %v, want model.ErrEmptyKey", err)
	}
}

func TestConditionKind(t *testing.T) {
	users := newTable[user](t)
	for _, tt := range []struct {
		old  map[string]types.AttributeValue
		want int64
		kind error
	}{
		{nil, 3, dynamokit.ErrNotFound},
		{nil, 0, dynamokit.ErrNotFound},
		{avs{"version": n("4")}, 3, dynamokit.ErrVersionConflict},
		{avs{"version": n("3")}, 3, dynamokit.ErrConditionFailed},
		{avs{"version": n("4")}, 0, dynamokit.ErrConditionFailed},
	} {
		if got := users.conditionKind(tt.old, tt.want); got != tt.kind {
			t.Errorf("conditionKind(%v, %d) = %v, want %v", tt.old, tt.want, got, tt.kind)
		}
	}
}

func TestTxInput(t *testing.T) {
	users := newTable[user](t)
	plains := newTable[plain](t)
	emps := newTable[emp](t)
	created := user{ID: "new", Name: "N"}
	put := plain{K: "k", R: 1, V: "v"}
	got, undo, err := txInput(&dynamokit.TxOptions{Token: "tok"}, []dynamokit.TxAction{
		users.TxCreate(&created),
		plains.TxPut(&put),
		users.Update(user{ID: "u", Version: 2}).Set("name", "x"),
		plains.TxDelete(plain{K: "k", R: 2}),
		emps.Check(emp{ID: "e", Dept: "d"}, Name("level").GreaterThan(Value(1))),
	})
	if err != nil {
		t.Fatal(err)
	}
	allOld := types.ReturnValuesOnConditionCheckFailureAllOld
	stamp := s("2026-01-02T03:04:05Z")
	want := &dynamodb.TransactWriteItemsInput{
		ClientRequestToken: aws.String("tok"),
		TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{
				TableName: aws.String("users"),
				Item: avs{"id": s("new"), "name": s("N"), "age": n("0"), "version": n("1"),
					"created": stamp, "updated": stamp},
				ConditionExpression:                 aws.String("attribute_not_exists (#0)"),
				ExpressionAttributeNames:            map[string]string{"#0": "id"},
				ReturnValuesOnConditionCheckFailure: allOld,
			}},
			{Put: &types.Put{
				TableName: aws.String("plain"),
				Item:      avs{"k": s("k"), "r": n("1"), "v": s("v")},
			}},
			{Update: &types.Update{
				TableName:                           aws.String("users"),
				Key:                                 avs{"id": s("u")},
				ConditionExpression:                 aws.String("(attribute_exists (#0)) AND (#1 = :0)"),
				UpdateExpression:                    aws.String("ADD #1 :1\nSET #2 = :2, #3 = :3\n"),
				ExpressionAttributeNames:            map[string]string{"#0": "id", "#1": "version", "#2": "name", "#3": "updated"},
				ExpressionAttributeValues:           avs{":0": n("2"), ":1": n("1"), ":2": s("x"), ":3": stamp},
				ReturnValuesOnConditionCheckFailure: allOld,
			}},
			{Delete: &types.Delete{
				TableName: aws.String("plain"),
				Key:       avs{"k": s("k"), "r": n("2")},
			}},
			{ConditionCheck: &types.ConditionCheck{
				TableName:                           aws.String("app"),
				Key:                                 avs{"pk": s("DEPT#d"), "sk": s("EMP#e")},
				ConditionExpression:                 aws.String("(attribute_exists (#0)) AND (#1 = :0) AND (#2 > :1)"),
				ExpressionAttributeNames:            map[string]string{"#0": "pk", "#1": "entity", "#2": "level"},
				ExpressionAttributeValues:           avs{":0": s("Employee"), ":1": n("1")},
				ReturnValuesOnConditionCheckFailure: allOld,
			}},
		},
	}
	if diff := cmp.Diff(want, got, ignoreUnexported); diff != "" {
		t.Errorf("txInput mismatch (-want +got):\n%s", diff)
	}
	if created.Version != 1 {
		t.Errorf("created.Version = %d after building, want 1", created.Version)
	}
	undo()
	if diff := cmp.Diff(user{ID: "new", Name: "N"}, created); diff != "" {
		t.Errorf("created after undo (-want +got):\n%s", diff)
	}
}

// txInput builds the TransactWriteItems request of actions as
// dynamokit.Client.WriteTx does, without I/O and without write checks.
func txInput(opts *dynamokit.TxOptions, actions []dynamokit.TxAction) (*dynamodb.TransactWriteItemsInput, func(), error) {
	in := &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String(opts.Token)}
	var undos []func()
	for _, a := range actions {
		w, err := a.TxWrite(txn.Seal())
		if err != nil {
			return nil, nil, err
		}
		undos = append(undos, w.Undo)
		it, err := w.TransactItem()
		if err != nil {
			return nil, nil, err
		}
		in.TransactItems = append(in.TransactItems, it)
	}
	return in, func() {
		for _, u := range slices.Backward(undos) {
			u()
		}
	}, nil
}

// TestTxInputErrors checks the errors WriteTx returns before any request.
func TestTxInputErrors(t *testing.T) {
	users := newTable[user](t)
	item := user{ID: "a", Name: "kept"}
	many := make([]dynamokit.TxAction, dynamokit.MaxTxActions+1)
	for i := range many {
		many[i] = users.TxDelete(user{ID: fmt.Sprint(i)})
	}
	tests := []struct {
		name    string
		actions []dynamokit.TxAction
		want    string
		wantErr error
	}{
		{"none", nil, "no actions", nil},
		{"too many", many, "101, at most 100", dynamokit.ErrTooManyActions},
		{"nil action", []dynamokit.TxAction{users.TxCreate(&item), nil}, "action 1 is nil", nil},
		{"bad action undoes the others", []dynamokit.TxAction{users.TxCreate(&item), users.Update(user{ID: "b"}).Set("nope", 1)}, "action 1: update: ", nil},
		{"empty key", []dynamokit.TxAction{users.TxDelete(user{})}, "action 0: delete: ", model.ErrEmptyKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := offlineClient.WriteTx(t.Context(), nil, tt.actions...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("WriteTx error = %v, want one containing %q", err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("WriteTx error = %v, want errors.Is %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(user{ID: "a", Name: "kept"}, item); diff != "" {
				t.Errorf("a failed WriteTx left the item changed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadTxInput(t *testing.T) {
	users := newTable[user](t)
	emps := newTable[emp](t)
	var u user
	var e emp
	got := &dynamodb.TransactGetItemsInput{}
	for _, rd := range []dynamokit.TxRead{users.TxGet(user{ID: "u"}, &u), emps.TxGet(emp{ID: "e", Dept: "d"}, &e)} {
		b, err := rd.TxRead(txn.Seal())
		if err != nil {
			t.Fatal(err)
		}
		got.TransactItems = append(got.TransactItems, b.Item)
	}
	want := &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("users"), Key: avs{"id": s("u")}}},
		{Get: &types.Get{TableName: aws.String("app"), Key: avs{"pk": s("DEPT#d"), "sk": s("EMP#e")}}},
	}}
	if diff := cmp.Diff(want, got, ignoreUnexported); diff != "" {
		t.Errorf("readTxInput mismatch (-want +got):\n%s", diff)
	}
	many := make([]dynamokit.TxRead, dynamokit.MaxTxActions+1)
	for i := range many {
		many[i] = users.TxGet(user{ID: fmt.Sprint(i)}, &u)
	}
	ctx := t.Context()
	if err := offlineClient.ReadTx(ctx, many...); !errors.Is(err, dynamokit.ErrTooManyActions) {
		t.Errorf("ReadTx(101 reads) error = %v, want ErrTooManyActions", err)
	}
	if err := offlineClient.ReadTx(ctx, users.TxGet(user{ID: "u"}, nil)); err == nil {
		t.Error("ReadTx(nil destination) error = nil")
	}
	if err := offlineClient.ReadTx(ctx); err == nil {
		t.Error("ReadTx() error = nil")
	}
}
