package integration_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
)

// Ticket has index keys computed from the attributes every write changes
// (its updated stamp and its version) and from one a caller sets (status).
type Ticket struct {
	_ struct{} `dynamo:"gsi1pk" index:"gsi1,hash" template:"TICKETS"`
	_ struct{} `dynamo:"gsi1sk" index:"gsi1,range" template:"U#{updated:10}"`
	_ struct{} `dynamo:"gsi2pk" index:"gsi2,hash" template:"S#{status}"`
	_ struct{} `dynamo:"gsi2sk" index:"gsi2,range" template:"V#{version:6}"`

	ID      string `dynamo:"id,hash"`
	Status  string `dynamo:"status"`
	Title   string `dynamo:"title"`
	Version int    `dynamo:"version" dynamokit:"version"`
	Updated int64  `dynamo:"updated" dynamokit:"updated"`
}

func (Ticket) TableName() string { return "ticket" }

// TestQueryUpdateRecomputes checks that every write stores computed
// attributes rendered from the values it stores: after an Update, the
// index keys built from the updated stamp and the version hold the new
// stamp and version, and one built from a Set attribute holds its new value.
func TestQueryUpdateRecomputes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Ticket](t))
	ctx := t.Context()
	c := newClock(time.Unix(1000, 0))
	tickets := tableOf[Ticket](t, e, nil, c)
	// stored checks the attributes of the stored ticket.
	stored := func(t *testing.T, want map[string]string) {
		t.Helper()
		raw := rawItem(t, e, tickets, map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "t-1"}})
		got := map[string]string{}
		for name := range want {
			switch v := raw[name].(type) {
			case *types.AttributeValueMemberS:
				got[name] = v.Value
			case *types.AttributeValueMemberN:
				got[name] = v.Value
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stored ticket (-want +got):\n%s", diff)
		}
	}
	tk := Ticket{ID: "t-1", Status: "open", Title: "Printer"}
	if err := tickets.Create(ctx, &tk); err != nil {
		t.Fatal(err)
	}
	stored(t, map[string]string{"updated": "1000", "version": "1", "gsi1sk": "U#0000001000", "gsi2pk": "S#open", "gsi2sk": "V#000001"})

	steps := []struct {
		name string
		at   int64
		upd  *query.Update[Ticket]
		want map[string]string
	}{{
		name: "a field no template refers to",
		at:   2000,
		upd:  tickets.Update(Ticket{ID: "t-1", Version: 1}).Set("title", "Printer on fire"),
		want: map[string]string{"updated": "2000", "version": "2", "gsi1sk": "U#0000002000", "gsi2pk": "S#open", "gsi2sk": "V#000002"},
	}, {
		name: "a source of a template",
		at:   3000,
		upd:  tickets.Update(Ticket{ID: "t-1", Version: 2}).Set("status", "done"),
		want: map[string]string{"updated": "3000", "version": "3", "gsi1sk": "U#0000003000", "gsi2pk": "S#done", "gsi2sk": "V#000003"},
	}, {
		name: "the updated stamp set explicitly",
		at:   4000,
		upd:  tickets.Update(Ticket{ID: "t-1", Version: 3}).Set("updated", int64(3500)),
		want: map[string]string{"updated": "3500", "version": "4", "gsi1sk": "U#0000003500", "gsi2pk": "S#done", "gsi2sk": "V#000004"},
	}}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			c.set(time.Unix(s.at, 0))
			if err := s.upd.Run(ctx); err != nil {
				t.Fatalf("Update: %v", err)
			}
			stored(t, s.want)
		})
	}

	t.Run("in a transaction", func(t *testing.T) {
		c.set(time.Unix(5000, 0))
		if err := e.db.WriteTx(ctx, nil, tickets.Update(Ticket{ID: "t-1", Version: 4}).Set("title", "Fixed")); err != nil {
			t.Fatalf("WriteTx(Update): %v", err)
		}
		stored(t, map[string]string{"updated": "5000", "version": "5", "gsi1sk": "U#0000005000", "gsi2sk": "V#000005"})
	})

	t.Run("found through the index", func(t *testing.T) {
		got, err := tickets.Query(Ticket{}).Index("gsi1").Range(query.Equal, Ticket{Updated: 5000}).Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Title != "Fixed" {
			t.Errorf("Query(gsi1, U#5000) = %+v, want the fixed ticket", got)
		}
	})

	t.Run("new version unknown", func(t *testing.T) {
		// Without the current version in the key value, the version the
		// update stores is unknown, and so is gsi2sk: refused, unsent.
		c.set(time.Unix(6000, 0))
		err := tickets.Update(Ticket{ID: "t-1"}).Set("title", "Lost").Run(ctx)
		if err == nil || !strings.Contains(err.Error(), "gsi2sk") || !strings.Contains(err.Error(), "version") {
			t.Errorf("Update without a version = %v, want an error naming gsi2sk and version", err)
		}
		stored(t, map[string]string{"title": "Fixed", "updated": "5000", "version": "5", "gsi1sk": "U#0000005000", "gsi2sk": "V#000005"})
	})
}
