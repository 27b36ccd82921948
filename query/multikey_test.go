package query

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

// issue has a global index with a multi-attribute key: partition tenant
// and parent, sort status, priority and day, in field order.
type issue struct {
	ID       string `dynamo:"id,hash"`
	Tenant   string `dynamo:"tenant" index:"by-parent,hash"`
	Parent   string `dynamo:"parent,omitempty" index:"by-parent,hash"`
	Status   string `dynamo:"status" index:"by-parent,range"`
	Priority int    `dynamo:"priority" index:"by-parent,range"`
	Day      string `dynamo:"day" index:"by-parent,range"`
}

func (issue) TableName() string { return "issues" }

// TestQueryMultiKeyInput: every partition attribute with Equal, then the
// sort conditions in key order.
func TestQueryMultiKeyInput(t *testing.T) {
	issues := newTable[issue](t)
	p := issue{Tenant: "acme", Parent: "p-1"}
	tests := []struct {
		name string
		q    *Query[issue]
		want *dynamodb.QueryInput
	}{{
		name: "partition attributes only",
		q:    issues.Query(p).Index("by-parent"),
		want: &dynamodb.QueryInput{
			TableName:                 aws.String("issues"),
			IndexName:                 aws.String("by-parent"),
			KeyConditionExpression:    aws.String("(#0 = :0) AND (#1 = :1)"),
			ExpressionAttributeNames:  map[string]string{"#0": "tenant", "#1": "parent"},
			ExpressionAttributeValues: avs{":0": s("acme"), ":1": s("p-1")},
		},
	}, {
		name: "equal, then a range on the last given",
		q:    issues.Query(p).Index("by-parent").SortKey("status", Equal, "open").SortKey("priority", GreaterThanEqual, 2),
		want: &dynamodb.QueryInput{
			TableName:                 aws.String("issues"),
			IndexName:                 aws.String("by-parent"),
			KeyConditionExpression:    aws.String("(#0 = :0) AND (#1 = :1) AND (#2 = :2) AND (#3 >= :3)"),
			ExpressionAttributeNames:  map[string]string{"#0": "tenant", "#1": "parent", "#2": "status", "#3": "priority"},
			ExpressionAttributeValues: avs{":0": s("acme"), ":1": s("p-1"), ":2": s("open"), ":3": n("2")},
		},
	}, {
		name: "every sort attribute, begins_with on the last",
		q: issues.Query(p).Index("by-parent").SortKey("status", Equal, "open").SortKey("priority", Equal, 1).
			SortKey("day", BeginsWith, "2026-03").Descending(),
		want: &dynamodb.QueryInput{
			TableName:                 aws.String("issues"),
			IndexName:                 aws.String("by-parent"),
			KeyConditionExpression:    aws.String("(#0 = :0) AND (#1 = :1) AND (#2 = :2) AND (#3 = :3) AND (begins_with (#4, :4))"),
			ExpressionAttributeNames:  map[string]string{"#0": "tenant", "#1": "parent", "#2": "status", "#3": "priority", "#4": "day"},
			ExpressionAttributeValues: avs{":0": s("acme"), ":1": s("p-1"), ":2": s("open"), ":3": n("1"), ":4": s("2026-03")},
			ScanIndexForward:          aws.Bool(false),
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.q.input()
			if err != nil {
				t.Fatalf("input() error = %v", err)
			}
			if diff := cmp.Diff(got, tt.want, ignoreUnexported); diff != "" {
				t.Errorf("input() mismatch (-got +want):\n%s", diff)
			}
		})
	}
	// SortKey on a plain sort key builds what Range builds.
	plains := newTable[plain](t)
	viaRange, err1 := plains.Query(plain{K: "k"}).Range(Between, 1, 9).input()
	viaSort, err2 := plains.Query(plain{K: "k"}).SortKey("r", Between, 1, 9).input()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if diff := cmp.Diff(viaSort, viaRange, ignoreUnexported); diff != "" {
		t.Errorf("SortKey vs Range (-SortKey +Range):\n%s", diff)
	}
}

// TestQueryMultiKeyShapeErrors: a query that does not fit the index's key
// is refused before any request, naming the index and the attribute.
func TestQueryMultiKeyShapeErrors(t *testing.T) {
	issues := newTable[issue](t)
	p := issue{Tenant: "acme", Parent: "p-1"}
	on := func() *Query[issue] { return issues.Query(p).Index("by-parent") }
	tests := []struct {
		name    string
		q       *Query[issue]
		want    string
		wantErr error
	}{
		{"a partition attribute missing", issues.Query(issue{Tenant: "acme"}).Index("by-parent"),
			"query: index by-parent: partition attribute parent is empty, and a query gives every partition attribute (tenant, parent)", model.ErrEmptyKey},
		{"a sort attribute skipped", on().SortKey("priority", Equal, 1),
			"query: index by-parent: a condition on sort attribute priority skips status: sort attributes are used from left to right", nil},
		{"two sort attributes skipped", on().SortKey("day", Equal, "2026-03-03"),
			"a condition on sort attribute day skips status, priority", nil},
		{"a range before the last", on().SortKey("status", GreaterThan, "a").SortKey("priority", Equal, 1),
			"query: index by-parent: sort attribute status has a range condition, but priority follows it: only the last sort attribute given may have one", nil},
		{"out of order", on().SortKey("status", Equal, "open").SortKey("priority", Equal, 1).SortKey("status", Equal, "x"),
			"query: index by-parent: sort attribute status is given twice or out of order", nil},
		{"not a sort attribute", on().SortKey("id", Equal, "x"),
			`query: index by-parent: SortKey("id"): not a sort attribute of the key (status, priority, day)`, nil},
		{"a partition attribute as a sort condition", on().SortKey("parent", Equal, "x"),
			`query: index by-parent: SortKey("parent"): parent is a partition attribute, set by the partition value`, nil},
		{"Range on several sort attributes", on().Range(Equal, "open"),
			"query: Range on index by-parent, whose sort key has several attributes (status, priority, day): name each with SortKey", nil},
		{"Range and SortKey", on().SortKey("status", Equal, "open").Range(Equal, 1),
			"query: index by-parent: Range and SortKey together", nil},
		{"a value of the wrong type", on().SortKey("status", Equal, "open").SortKey("priority", GreaterThan, "2"),
			"holds values of type int, not string", nil},
		{"SortKey on a table without sort key", issues.Query(issue{ID: "1"}).SortKey("status", Equal, "open"),
			`query: table issues: SortKey("status"): the key has no sort attribute`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.q.input()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("input() error = %v, want one containing %q", err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("input() error = %v, want errors.Is %v", err, tt.wantErr)
			}
		})
	}
}

// TestQueryMultiKeyCursor: a page's position holds every key attribute of
// the index, and one outside the key condition is refused.
func TestQueryMultiKeyCursor(t *testing.T) {
	issues := newTable[issue](t)
	q := issues.Query(issue{Tenant: "acme", Parent: "p-1"}).Index("by-parent").SortKey("status", Equal, "open").SortKey("priority", GreaterThan, 1)
	in, bounds, err := q.build()
	if err != nil {
		t.Fatal(err)
	}
	spec := q.cursor(in, bounds)
	var names []string
	for _, a := range spec.names {
		names = append(names, a.Name)
	}
	if diff := cmp.Diff(names, []string{"id", "tenant", "parent", "status", "priority", "day"}); diff != "" {
		t.Errorf("position attributes (-got +want):\n%s", diff)
	}
	pos := func(parent, status string, priority string) avs {
		return avs{"id": s("1"), "tenant": s("acme"), "parent": s(parent), "status": s(status), "priority": n(priority), "day": s("2026-03-03")}
	}
	tests := []struct {
		name string
		lek  avs
		ok   bool
	}{
		{"inside", pos("p-1", "open", "2"), true},
		{"another parent", pos("p-2", "open", "2"), false},
		{"another status", pos("p-1", "closed", "2"), false},
		{"priority out of range", pos("p-1", "open", "1"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := encodeCursor(map[string]types.AttributeValue(tt.lek), spec)
			if err != nil {
				t.Fatal(err)
			}
			_, err = decodeCursor(c, spec)
			if got := err == nil; got != tt.ok {
				t.Errorf("decodeCursor(%v) error = %v, want ok %v", tt.lek, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBadCursor) {
				t.Errorf("decodeCursor error = %v, want ErrBadCursor", err)
			}
		})
	}
}
