package integration_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/google/go-cmp/cmp"
	"github.com/guregu/dynamo/v2"
)

// Profile has a field of most kinds dynamokit's codec specialises, and a
// map it hands to guregu/dynamo.
type Profile struct {
	ID       string            `dynamo:"id,hash"`
	Name     string            `dynamo:"name,omitempty"`
	Tags     []string          `dynamo:"tags,set"`
	Scores   []int             `dynamo:"scores"`
	Born     time.Time         `dynamo:"born"`
	Expires  time.Time         `dynamo:"expires,unixtime"`
	Nick     *string           `dynamo:"nick"`
	Address  Address           `dynamo:"address"`
	Labels   map[string]string `dynamo:"labels"`
	Raw      []byte            `dynamo:"raw"`
	Verified bool              `dynamo:"verified"`
}

type Address struct {
	City string `dynamo:"city"`
	Zip  int    `dynamo:"zip,omitempty"`
}

func (Profile) TableName() string { return "profile" }

// TestCodecInterop writes items with guregu/dynamo and reads them with
// dynamokit, and the other way round, through a real table.
func TestCodecInterop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Profile](t))
	ctx := t.Context()
	ours, err := query.NewTable[Profile](e.db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	table := dynamo.NewFromIface(e.db.API().(*dynamodb.Client)).Table(ours.TableName())
	nick := "ada"
	profiles := []Profile{
		{
			ID: "p-1", Name: "Ada", Tags: []string{"math", "poetry"}, Scores: []int{3, 1, 2},
			Born:    time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC),
			Expires: time.Unix(4102444800, 0).UTC(), Nick: &nick,
			Address: Address{City: "London", Zip: 1}, Labels: map[string]string{"k": "v"},
			Raw: []byte{0, 1}, Verified: true,
		},
		{ID: "p-2", Scores: []int{}},
	}
	// Absent from the item, nil and empty read back alike (guregu writes an
	// empty list for a nil slice without omitempty).
	normalize := func(p Profile) Profile {
		if len(p.Scores) == 0 {
			p.Scores = []int{}
		}
		return p
	}
	for _, p := range profiles {
		t.Run(p.ID, func(t *testing.T) {
			if err := table.Put(p).Run(ctx); err != nil {
				t.Fatal(err)
			}
			got, err := ours.Get(ctx, Profile{ID: p.ID})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(normalize(p), got); diff != "" {
				t.Errorf("written by guregu, read by dynamokit (-want +got):\n%s", diff)
			}
			if err := table.Delete("id", p.ID).Run(ctx); err != nil {
				t.Fatal(err)
			}
			if err := ours.Put(ctx, &p); err != nil {
				t.Fatal(err)
			}
			var back Profile
			if err := table.Get("id", p.ID).One(ctx, &back); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(normalize(p), back); diff != "" {
				t.Errorf("written by dynamokit, read by guregu (-want +got):\n%s", diff)
			}
		})
	}
}
