package query

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/benchmodel"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// pointy has the fields a reused value could leak into the next item: a
// pointer decoded into in place, and an empty slice a missing attribute
// leaves alone.
type pointy struct {
	ID   string   `dynamo:"id,hash"`
	Ptr  *string  `dynamo:"ptr"`
	Tags []string `dynamo:"tags"`
}

func (pointy) TableName() string { return "pointy" }

// TestDecodeReusesNothing checks that decoding a page item by item into one
// value (stream) or into the page's slice (page) leaves nothing of an
// earlier item in a later one.
func TestDecodeReusesNothing(t *testing.T) {
	r, err := NewTable[pointy](dynamokit.New(aws.Config{Region: "us-east-1"}))
	if err != nil {
		t.Fatal(err)
	}
	s := func(v string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: v} }
	items := []map[string]types.AttributeValue{
		{"id": s("1"), "ptr": s("a"), "tags": &types.AttributeValueMemberL{Value: []types.AttributeValue{}}},
		{"id": s("2"), "ptr": s("b")},
		{"id": s("3")},
	}
	fetch := func(context.Context, map[string]types.AttributeValue) ([]map[string]types.AttributeValue, map[string]types.AttributeValue, error) {
		return items, nil, nil
	}
	a, b := "a", "b"
	want := []pointy{{ID: "1", Ptr: &a, Tags: []string{}}, {ID: "2", Ptr: &b}, {ID: "3"}}
	got, err := collect(r.stream(t.Context(), "query", fetch, 0))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stream decoded (-want +got):\n%s", diff)
	}
	page, err := r.page(t.Context(), "query", fetch, "", cursorSpec{scope: "scope"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, page.Items); diff != "" {
		t.Errorf("page decoded (-want +got):\n%s", diff)
	}
}

func TestPutInputEmptyKey(t *testing.T) {
	r, err := NewTable[benchmodel.Employee](dynamokit.New(aws.Config{Region: "us-east-1"}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		item benchmodel.Employee
	}{
		{"no hash key", benchmodel.Employee{ID: "e-1"}},
		{"no range key", benchmodel.Employee{Dept: "d-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := r.testPut(&tt.item, nil); !errors.Is(err, model.ErrEmptyKey) {
				t.Errorf("putVersioned(%+v) error = %v, want model.ErrEmptyKey", tt.item, err)
			}
		})
	}
	item := benchmodel.Sample("d-1", 1)
	in, _, err := r.testPut(&item, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(benchmodel.Encode(&item), in.Item, cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberSS{})); diff != "" {
		t.Errorf("putVersioned item (-want +got):\n%s", diff)
	}
}
