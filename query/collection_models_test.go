package query_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
)

type colModelsA struct {
	_  struct{} `dynamo:"pk,hash" template:"P#{id}"`
	_  struct{} `dynamo:"sk,range" template:"A"`
	_  struct{} `dynamo:"entity" template:"A" dynamokit:"type"`
	ID string   `dynamo:"id"`
}

func (colModelsA) TableName() string { return "col" }

type colModelsB struct {
	_  struct{} `dynamo:"pk,hash" template:"P#{id}"`
	_  struct{} `dynamo:"sk,range" template:"B#{n:5}"`
	_  struct{} `dynamo:"entity" template:"B" dynamokit:"type"`
	ID string   `dynamo:"id"`
	N  int      `dynamo:"n"`
}

func (colModelsB) TableName() string { return "col" }

func TestCollectionModels(t *testing.T) {
	db := dynamokit.New(aws.Config{Region: "us-east-1"})
	a, err := query.NewTable[colModelsA](db)
	if err != nil {
		t.Fatal(err)
	}
	b, err := query.NewTable[colModelsB](db)
	if err != nil {
		t.Fatal(err)
	}
	col, err := query.NewCollection("p", b, a)
	if err != nil {
		t.Fatal(err)
	}
	got := col.Models()
	want := []*model.Model{model.MustOf[colModelsB](), model.MustOf[colModelsA]()}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Models() = %v, want %v", got, want)
	}
}
