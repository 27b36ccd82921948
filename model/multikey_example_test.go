package model_test

// The multi-attribute index of docs/tags.md. The document quotes this file.

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
)

// Case is found by tenant and parent through a global index whose key has
// two partition attributes and two sort attributes, each of its own type.
type Case struct {
	ID       string    `dynamo:"id,hash"`
	Tenant   string    `dynamo:"tenant" index:"by-parent,hash"`
	ParentID string    `dynamo:"parent_id" index:"by-parent,hash"`
	Status   string    `dynamo:"status" index:"by-parent,range"`
	Opened   time.Time `dynamo:"opened,layout=utcnano" index:"by-parent,range"`
	Title    string    `dynamo:"title"`
}

func (Case) TableName() string { return "case" }

// CaseV1 is Case before multi-attribute keys: the same index made from two
// concatenated strings.
type CaseV1 struct {
	ID       string    `dynamo:"id,hash"`
	Tenant   string    `dynamo:"tenant"`
	ParentID string    `dynamo:"parent_id"`
	Status   string    `dynamo:"status"`
	Opened   time.Time `dynamo:"opened,layout=utcnano"`
	Title    string    `dynamo:"title"`
	_        struct{}  `dynamo:"gsi1pk" template:"T#{tenant}#P#{parent_id}" index:"gsi1,hash"`
	_        struct{}  `dynamo:"gsi1sk" template:"{status}#{opened}" index:"gsi1,range"`
}

func (CaseV1) TableName() string { return "case" }

// CaseMoving is the step between: both indexes, so queries can move to the
// new one while the old one still answers.
type CaseMoving struct {
	ID       string    `dynamo:"id,hash"`
	Tenant   string    `dynamo:"tenant" index:"by-parent,hash"`
	ParentID string    `dynamo:"parent_id" index:"by-parent,hash"`
	Status   string    `dynamo:"status" index:"by-parent,range"`
	Opened   time.Time `dynamo:"opened,layout=utcnano" index:"by-parent,range"`
	Title    string    `dynamo:"title"`
	_        struct{}  `dynamo:"gsi1pk" template:"T#{tenant}#P#{parent_id}" index:"gsi1,hash"`
	_        struct{}  `dynamo:"gsi1sk" template:"{status}#{opened}" index:"gsi1,range"`
}

func (CaseMoving) TableName() string { return "case" }

// Example_multiAttributeKey prints the index of Case as schema creates it:
// its key attributes in key order, each with its own type.
func Example_multiAttributeKey() {
	tables, err := schema.Definitions(nil, model.MustOf[Case]())
	if err != nil {
		panic(err)
	}
	idx := tables[0].GSIs[0]
	fmt.Println(idx.Name, "hash:", idx.HashKeys(), "range:", idx.RangeKeys())
	for _, k := range tables[0].CreateInput().GlobalSecondaryIndexes[0].KeySchema {
		fmt.Println(" ", aws.ToString(k.AttributeName), k.KeyType)
	}
	// Output:
	// by-parent hash: [tenant S parent_id S] range: [status S opened S]
	//   tenant HASH
	//   parent_id HASH
	//   status RANGE
	//   opened RANGE
}

// Example_moveToMultiAttributeKey shows the plan of each step from CaseV1 to
// Case: add the new index beside the old one, then drop the old one.
func Example_moveToMultiAttributeKey() {
	tables := func(m *model.Model) *schema.Definition {
		ts, err := schema.Definitions(nil, m)
		if err != nil {
			panic(err)
		}
		return ts[0]
	}
	v1, moving, v2 := tables(model.MustOf[CaseV1]()), tables(model.MustOf[CaseMoving]()), tables(model.MustOf[Case]())
	for _, step := range []struct{ want, have *schema.Definition }{{moving, v1}, {v2, moving}} {
		changes, err := schema.Diff(step.want, step.have)
		if err != nil {
			panic(err)
		}
		for _, c := range changes {
			fmt.Println(c)
		}
	}
	// Output:
	// + add index by-parent: hash tenant S, parent_id S; range status S, opened S; projection ALL
	// - delete index gsi1: hash gsi1pk S, range gsi1sk S; projection ALL (not in any model) [destructive]
}
