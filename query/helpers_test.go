package query

import (
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/google/go-cmp/cmp"
)

// user is a multi-table model with every role.
type user struct {
	ID      string    `dynamo:"id,hash"`
	Name    string    `dynamo:"name"`
	Org     string    `dynamo:"org,omitempty" index:"org-index,hash"`
	Age     int       `dynamo:"age" index:"org-index,range"`
	Tags    []string  `dynamo:"tags,set,omitempty"`
	Log     []string  `dynamo:"log,omitempty"`
	Expires time.Time `dynamo:"expires,omitempty" dynamokit:"ttl"`
	Version int       `dynamo:"version" dynamokit:"version"`
	Created time.Time `dynamo:"created" dynamokit:"created"`
	Updated time.Time `dynamo:"updated" dynamokit:"updated"`
}

func (user) TableName() string { return "users" }

// emp is a single-table model with computed keys.
type emp struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{dept}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{id}"`
	_ struct{} `dynamo:"gsi1pk" template:"LEVEL#{level:1}" index:"gsi1,hash"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	ID    string `dynamo:"id"`
	Dept  string `dynamo:"dept"`
	Name  string `dynamo:"name" index:"gsi1,range"`
	Level int    `dynamo:"level,omitempty"`
}

func (emp) TableName() string { return "app" }

// plain has no roles at all.
type plain struct {
	K string   `dynamo:"k,hash"`
	R int      `dynamo:"r,range"`
	V string   `dynamo:"v"`
	L []string `dynamo:"l,omitempty"`
}

func (plain) TableName() string { return "plain" }

// Inner is embedded by pointer in withPtr.
type Inner struct {
	Name string `dynamo:"name"`
}

// withPtr has fields behind an embedded pointer.
type withPtr struct {
	ID string `dynamo:"id,hash"`
	*Inner
	_ struct{} `dynamo:"label" template:"N#{name}"`
}

func (withPtr) TableName() string { return "ptr" }

// unixStamp keeps its updated time as Unix seconds.
type unixStamp struct {
	ID      string `dynamo:"id,hash"`
	Updated int64  `dynamo:"updated" dynamokit:"updated"`
}

func (unixStamp) TableName() string { return "stamp" }

// clock is the fixed time of test tables.
var clock = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const clockUnix = "1767323045"

// offlineClient is a handle that is never used for I/O.
var offlineClient = dynamokit.New(aws.Config{Region: "us-east-1"})

func newTable[T any](t *testing.T) *Table[T] {
	t.Helper()
	r, err := NewTable[T](offlineClient.With(dynamokit.WithClock(func() time.Time { return clock })))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ignoreUnexported skips the unexported fields of the SDK's types (such as
// noSmithyDocumentSerde).
var ignoreUnexported = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	if !ok {
		return false
	}
	r, _ := utf8.DecodeRuneInString(sf.Name())
	return !unicode.IsUpper(r)
}, cmp.Ignore())

func s(v string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: v} }
func n(v string) *types.AttributeValueMemberN { return &types.AttributeValueMemberN{Value: v} }

type avs = map[string]types.AttributeValue
