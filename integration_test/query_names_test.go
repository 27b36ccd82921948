package integration_test

import (
	"testing"

	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
)

// Odd has attribute names that are reserved words or contain the
// characters of expression syntax.
type Odd struct {
	Key    string   `dynamo:"key,hash"`
	Sort   string   `dynamo:"a.b,range"`
	Hash   string   `dynamo:"#h"`
	Colon  string   `dynamo:":c"`
	Space  string   `dynamo:"with space"`
	Size   int      `dynamo:"size"`
	Status string   `dynamo:"status,omitempty" index:"status-index,hash"`
	Values []string `dynamo:"values,set,omitempty"`
}

func (Odd) TableName() string { return "odd" }

// TestQueryOddNames round-trips reserved and odd attribute names, and
// values that look like expressions, through every operation: names and
// values only ever travel as placeholders.
func TestQueryOddNames(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Odd](t))
	ctx := t.Context()
	odds := tableOf[Odd](t, e, nil, nil)
	tricky := []string{":v", "#n = :v", "a.b", "attribute_exists(key)", "key = :key OR 1=1", "size", "#", ":"}

	var created []Odd
	for i, v := range tricky {
		o := Odd{Key: v, Sort: v, Hash: v, Colon: v, Space: v, Size: i, Status: v, Values: []string{v, "x"}}
		if err := odds.Create(ctx, &o); err != nil {
			t.Fatalf("Create(%q): %v", v, err)
		}
		got, err := odds.Get(ctx, Odd{Key: v, Sort: v})
		if err != nil {
			t.Fatalf("Get(%q): %v", v, err)
		}
		if diff := cmp.Diff(o, got, sortedTags); diff != "" {
			t.Errorf("Get(%q) (-created +read):\n%s", v, diff)
		}
		created = append(created, o)
	}

	for i, v := range tricky {
		upd := odds.Update(Odd{Key: v, Sort: v}).
			Set("#h", v+"!").
			Set(":c", "#h").
			Add("size", 100).
			DeleteFromSet("values", v).
			If(query.Name("with space").Equal(query.Value(v)))
		got, err := upd.Value(ctx)
		if err != nil {
			t.Fatalf("Update(%q): %v", v, err)
		}
		want := created[i]
		want.Hash, want.Colon, want.Size, want.Values = v+"!", "#h", i+100, []string{"x"}
		if diff := cmp.Diff(want, got, sortedTags); diff != "" {
			t.Errorf("Update(%q) (-want +got):\n%s", v, diff)
		}
		created[i] = got
	}

	for _, v := range tricky {
		got, err := odds.Query(Odd{Key: v}).
			Range(query.Equal, v).
			Filter(query.Name("#h").Equal(query.Value(v+"!"))).
			Filter(query.Name("with space").BeginsWith(v)).
			Project("key", "a.b", "with space").
			Collect(ctx)
		if err != nil {
			t.Fatalf("Query(%q): %v", v, err)
		}
		if want := []Odd{{Key: v, Sort: v, Space: v}}; !cmp.Equal(want, got) {
			t.Errorf("Query(%q) = %+v, want %+v", v, got, want)
		}
		byStatus, err := odds.Query(Odd{Status: v}).Index("status-index").Collect(ctx)
		if err != nil || len(byStatus) != 1 || byStatus[0].Key != v {
			t.Errorf("Query(status %q) = %+v, %v; want the one item", v, byStatus, err)
		}
	}

	scanned, err := odds.Scan().Filter(query.Name(":c").Equal(query.Value("#h"))).Filter(query.Name("size").GreaterThanEqual(query.Value(100))).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(scanned) != len(tricky) {
		t.Errorf("Scan matched %d items, want %d", len(scanned), len(tricky))
	}
	for _, v := range tricky {
		if err := odds.Delete(ctx, Odd{Key: v, Sort: v}, query.Name("status").Equal(query.Value(v))); err != nil {
			t.Errorf("Delete(%q): %v", v, err)
		}
	}
	if n, err := odds.Scan().Count(ctx); err != nil || n != 0 {
		t.Errorf("Count after deleting = %d, %v; want 0", n, err)
	}
}
