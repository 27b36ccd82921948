package query_test

import (
	"fmt"
	"log"
	"time"

	"github.com/dynamokit/dynamokit/query"
)

// Case is found through a global index with a multi-attribute key:
// partition tenant and parent_id, sort status and opened.
type Case struct {
	ID       string    `dynamo:"id,hash"`
	Tenant   string    `dynamo:"tenant" index:"by-parent,hash"`
	ParentID string    `dynamo:"parent_id" index:"by-parent,hash"`
	Status   string    `dynamo:"status" index:"by-parent,range"`
	Opened   time.Time `dynamo:"opened,layout=utcnano" index:"by-parent,range"`
	Title    string    `dynamo:"title"`
}

func (Case) TableName() string { return "case" }

var cases *query.Table[Case]

// The partition value sets every partition attribute of the index; SortKey
// names the sort attributes from left to right, each with Equal but the
// last: here the open cases of parent p-1 opened in the last week.
func ExampleQuery_SortKey() {
	since := time.Now().AddDate(0, 0, -7)
	open := cases.Query(Case{Tenant: "acme", ParentID: "p-1"}).
		Index("by-parent").
		SortKey("status", query.Equal, "open").
		SortKey("opened", query.GreaterThanEqual, since)
	for c, err := range open.All(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.Title)
	}
	// Output: Printer jams
}
