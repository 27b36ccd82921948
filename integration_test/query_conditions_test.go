package integration_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
)

// Email is stored as its lower-case text: a custom marshaler, which
// condition and filter values must go through too.
type Email string

// marshals and unmarshals count the calls of Email's methods.
var marshals, unmarshals atomic.Int64

// MarshalText implements encoding.TextMarshaler.
func (e Email) MarshalText() ([]byte, error) {
	marshals.Add(1)
	return []byte(strings.ToLower(string(e))), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (e *Email) UnmarshalText(b []byte) error {
	unmarshals.Add(1)
	*e = Email(b)
	return nil
}

// LeaseHome is a nested document, reached with query.Path.
type LeaseHome struct {
	City string `dynamo:"city"`
}

// Lease has attributes that the SDK's attributevalue encodes otherwise
// than the item: a unixtime time, a set, a text marshaler.
type Lease struct {
	ID      string    `dynamo:"id,hash"`
	Expires time.Time `dynamo:"expires,unixtime"`
	Tags    []string  `dynamo:"tags,set,omitempty"`
	Owner   Email     `dynamo:"owner"`
	Home    LeaseHome `dynamo:"home"`
	Count   int       `dynamo:"count"`
}

func (Lease) TableName() string { return "lease" }

func seedLeases(t *testing.T, leases *query.Table[Lease], t0 time.Time) {
	t.Helper()
	for i, l := range []Lease{
		{ID: "a", Expires: t0, Tags: []string{"x", "y"}, Owner: "ann@example.com", Home: LeaseHome{City: "Paris"}},
		{ID: "b", Expires: t0.Add(2 * time.Hour), Tags: []string{"y"}, Owner: "bo@example.com", Home: LeaseHome{City: "Oslo"}},
	} {
		l.Count = i
		if err := leases.Put(t.Context(), &l); err != nil {
			t.Fatal(err)
		}
	}
}

func ids(ls []Lease) string {
	var s []string
	for _, l := range ls {
		s = append(s, l.ID)
	}
	return strings.Join(s, ",")
}

// TestConditionValuesFollowTheModel filters and conditions on attributes
// whose stored form is not attributevalue's: each value goes through its
// attribute's encoder.
func TestConditionValuesFollowTheModel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Lease](t))
	ctx := t.Context()
	leases := tableOf[Lease](t, e, nil, nil)
	t0 := time.Unix(1_700_000_000, 0)
	seedLeases(t, leases, t0)

	tests := []struct {
		name string
		cond query.Cond
		want string
	}{
		{"unixtime", query.Name("expires").LessThan(query.Value(t0.Add(time.Hour))), "a"},
		{"unixtime between", query.Name("expires").Between(query.Value(t0), query.Value(t0.Add(time.Hour))), "a"},
		{"a whole set", query.Name("tags").Equal(query.Value([]string{"y", "x"})), "a"},
		{"a set element", query.Name("tags").Contains("x"), "a"},
		{"a text marshaler, by its Go value", query.Name("owner").Equal(query.Value(Email("Bo@Example.com"))), "b"},
		{"a text marshaler from a string", query.Name("owner").In(query.Value("ANN@example.com"), query.Value("nobody")), "a"},
		{"a nested path", query.Path("home.city").Equal(query.Value("Oslo")), "b"},
		{"size of a set", query.Name("tags").Size().GreaterThan(query.Value(1)), "a"},
		{"or, not", query.Or(query.Name("count").Equal(query.Value(0)), query.Name("count").GreaterThan(query.Value(5))).And(query.Not(query.Name("owner").AttributeNotExists())), "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := leases.Scan().Filter(tt.cond).Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if ids(got) != tt.want {
				t.Errorf("Scan().Filter() = %q, want %q", ids(got), tt.want)
			}
			q, err := leases.Query(Lease{ID: tt.want}).Filter(tt.cond).Collect(ctx)
			if err != nil || ids(q) != tt.want {
				t.Errorf("Query(%s).Filter() = %q, %v; want %q", tt.want, ids(q), err, tt.want)
			}
			// The same condition on writes: it holds for the item it
			// selects, and not for the other.
			other, count := "b", 0
			if tt.want == "b" {
				other, count = "a", 1
			}
			if err := leases.Update(Lease{ID: tt.want}).Set("count", count).If(tt.cond).Run(ctx); err != nil {
				t.Errorf("Update(%s).If() = %v, want nil", tt.want, err)
			}
			if err := e.db.WriteTx(ctx, nil, leases.Check(Lease{ID: tt.want}, tt.cond)); err != nil {
				t.Errorf("Check(%s) = %v, want nil", tt.want, err)
			}
			if err := leases.Delete(ctx, Lease{ID: other}, tt.cond); !errors.Is(err, dynamokit.ErrConditionFailed) {
				t.Errorf("Delete(%s) = %v, want ErrConditionFailed", other, err)
			}
		})
	}
}

// TestConditionMistakesSendNothing: a misspelt name or a value of the
// wrong type is an error naming it, before any request.
func TestConditionMistakesSendNothing(t *testing.T) {
	t.Parallel()
	db, requests := countingDB(t)
	e := newEnv(t, must[Lease](t))
	ctx := t.Context()
	leases := tableOf[Lease](t, e, db, nil)
	requests.take()

	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"misspelt filter", func() error {
			_, err := leases.Scan().Filter(query.Name("expire").LessThan(query.Value(time.Now()))).Collect(ctx)
			return err
		}, `has no attribute "expire"`},
		{"misspelt query filter", func() error {
			_, err := leases.Query(Lease{ID: "a"}).Filter(query.Name("tag").Contains("x")).Collect(ctx)
			return err
		}, `has no attribute "tag"`},
		{"misspelt condition", func() error {
			return leases.Delete(ctx, Lease{ID: "a"}, query.Name("cont").Equal(query.Value(1)))
		}, `has no attribute "cont"`},
		{"misspelt update condition", func() error {
			return leases.Update(Lease{ID: "a"}).Set("count", 1).If(query.Name("cont").AttributeExists()).Run(ctx)
		}, `has no attribute "cont"`},
		{"misspelt check", func() error {
			return db.WriteTx(ctx, nil, leases.Check(Lease{ID: "a"}, query.Name("cont").AttributeExists()))
		}, `has no attribute "cont"`},
		{"a string for a time", func() error {
			_, err := leases.Scan().Filter(query.Name("expires").LessThan(query.Value("2030-01-01T00:00:00Z"))).Collect(ctx)
			return err
		}, "attribute expires of integration_test.Lease holds values of type time.Time, not string"},
		{"an int for a set element", func() error {
			return leases.Update(Lease{ID: "a"}).AddToSet("tags", 1).Run(ctx)
		}, "attribute tags of integration_test.Lease holds elements of type string, not int"},
		{"a float for an int", func() error {
			return leases.Update(Lease{ID: "a"}).Set("count", 1.5).Run(ctx)
		}, "attribute count of integration_test.Lease holds values of type int: 1.5 does not fit"},
		{"a time for a number", func() error {
			return leases.Update(Lease{ID: "a"}).Add("count", time.Now()).Run(ctx)
		}, "holds values of type int, not time.Time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			var de *dynamokit.Error
			if !errors.As(err, &de) || de.Op == "" || de.Table == "" {
				t.Errorf("error %v is not a *dynamokit.Error naming the operation and table", err)
			}
			if ops, _ := requests.take(); len(ops) != 0 {
				t.Errorf("requests sent: %v, want none", ops)
			}
		})
	}
}

// TestUpdateOperandsEncodedOnce: an Update operand goes through its
// attribute's encoder once (a custom marshaler is called once), and is
// stored as the item stores it.
func TestUpdateOperandsEncodedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Lease](t))
	ctx := t.Context()
	leases := tableOf[Lease](t, e, nil, nil)
	t0 := time.Unix(1_700_000_000, 0)
	seedLeases(t, leases, t0)

	// Run decodes nothing: the operand is neither decoded to be checked
	// nor to be mirrored into the key value (the old chain did both).
	before, decoded := marshals.Load(), unmarshals.Load()
	if err := leases.Update(Lease{ID: "b"}).Set("owner", Email("Di@Example.com")).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if n, d := marshals.Load()-before, unmarshals.Load()-decoded; n != 1 || d != 0 {
		t.Errorf("Update().Set().Run() called MarshalText %d times and UnmarshalText %d times, want 1 and 0", n, d)
	}

	before = marshals.Load()
	got, err := leases.Update(Lease{ID: "a"}).
		Set("owner", Email("Cy@Example.com")).
		Set("expires", t0.Add(time.Minute)).
		AddToSet("tags", "z").
		Value(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := marshals.Load() - before; n != 1 {
		t.Errorf("MarshalText called %d times for one operand, want 1", n)
	}
	if got.Owner != "cy@example.com" || !got.Expires.Equal(t0.Add(time.Minute)) || len(got.Tags) != 3 {
		t.Errorf("Update().Value() = %+v", got)
	}
	// Stored as the item stores it: a filter by the Go values finds it.
	found, err := leases.Scan().Filter(query.And(
		query.Name("owner").Equal(query.Value(Email("CY@example.com"))),
		query.Name("expires").Equal(query.Value(t0.Add(time.Minute))),
		query.Name("tags").Contains("z"),
	)).Collect(ctx)
	if err != nil || ids(found) != "a" {
		t.Errorf("Scan().Filter() = %q, %v; want \"a\"", ids(found), err)
	}
}
