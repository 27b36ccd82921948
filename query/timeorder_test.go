package query

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// timed has a time attribute in each way it can be stored: the default
// layout (not sortable), utcnano, pynamodb and unixtime (sortable); its
// sort key is a time in the default layout.
type timed struct {
	Shop    string     `dynamo:"shop,hash" index:"paid-index,hash"`
	Placed  time.Time  `dynamo:"placed,range"`
	Shipped *time.Time `dynamo:"shipped"`
	Paid    time.Time  `dynamo:"paid,layout=utcnano" index:"paid-index,range" localIndex:"paid-local,range"`
	Synced  time.Time  `dynamo:"synced,layout=pynamodb"`
	Seen    time.Time  `dynamo:"seen,unixtime"`
	Label   string     `dynamo:"label"`
}

func (timed) TableName() string { return "timed" }

// TestUnorderedTimeConds checks that a range comparison of a time in the
// default layout is refused before any request, with ErrUnorderedTime and
// an error naming the sortable layouts, and that every comparison whose
// order holds (a sortable layout, equality, a size, a path) is kept.
func TestUnorderedTimeConds(t *testing.T) {
	r := newTable[timed](t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	from, to := time.Date(2026, 3, 3, 10, 0, 0, 0, paris), time.Date(2026, 3, 3, 12, 0, 0, 0, paris)
	refused := []struct {
		name string
		cond Cond
	}{
		{"between", Name("placed").Between(Value(from), Value(to))},
		{"less", Name("placed").LessThan(Value(to))},
		{"at most", Name("placed").LessThanEqual(Value(to))},
		{"greater", Name("placed").GreaterThan(Value(from))},
		{"at least", Name("placed").GreaterThanEqual(Value(from))},
		{"pointer", Name("shipped").GreaterThan(Value(from))},
		{"begins_with", Name("placed").BeginsWith("2026-03-03")},
		{"attribute on the right", Name("paid").LessThan(Name("placed"))},
		{"inside and", And(Name("label").Equal(Value("x")), Name("placed").LessThan(Value(to)))},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.cond.bind(r.m)
			if !errors.Is(err, ErrUnorderedTime) {
				t.Fatalf("bind() error = %v, want ErrUnorderedTime", err)
			}
			for _, want := range []string{"layout=utcnano", "layout=pynamodb", "unixtime", "query.Path"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("bind() error = %v, want it to name %s", err, want)
				}
			}
		})
	}
	kept := []struct {
		name string
		cond Cond
	}{
		{"utcnano", Name("paid").Between(Value(from), Value(to))},
		{"pynamodb", Name("synced").LessThan(Value(to))},
		{"unixtime", Name("seen").GreaterThanEqual(Value(from))},
		{"equal", Name("placed").Equal(Value(from))},
		{"not equal", Name("placed").NotEqual(Value(from))},
		{"in", Name("placed").In(Value(from), Value(to))},
		{"size", Name("placed").Size().GreaterThan(Value(3))},
		{"path", Path("placed").Between(Value("2026-03-03T09:00:00Z"), Value("2026-03-03T11:00:00Z"))},
		{"exists", Name("placed").AttributeExists()},
	}
	for _, tt := range kept {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.cond.bind(r.m); err != nil {
				t.Errorf("bind() error = %v, want none", err)
			}
		})
	}
	t.Run("filter", func(t *testing.T) {
		_, err := r.Query(timed{Shop: "s"}).Filter(Name("placed").Between(Value(from), Value(to))).input()
		if !errors.Is(err, ErrUnorderedTime) {
			t.Errorf("Query().Filter(placed BETWEEN).input() error = %v, want ErrUnorderedTime", err)
		}
	})
}

// TestUnorderedTimeRange checks Query.Range on a time sort key: any
// operator but Equal is refused on the default layout, and every one is
// kept on a sortable layout, with the values in UTC.
func TestUnorderedTimeRange(t *testing.T) {
	r := newTable[timed](t)
	at := time.Date(2026, 3, 3, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	for _, op := range []Op{LessThan, LessThanEqual, GreaterThan, GreaterThanEqual, Between, BeginsWith} {
		vals := []any{at}
		if op == Between {
			vals = append(vals, at.Add(time.Hour))
		}
		_, err := r.Query(timed{Shop: "s"}).Range(op, vals...).input()
		if !errors.Is(err, ErrUnorderedTime) || !strings.Contains(err.Error(), "layout=utcnano") {
			t.Errorf("Range(%s) on placed: input() error = %v, want ErrUnorderedTime naming layout=utcnano", opWhat(op), err)
		}
		if op == BeginsWith {
			continue // a prefix is a string, not a time
		}
		for _, index := range []string{"paid-index", "paid-local"} {
			in, err := r.Query(timed{Shop: "s"}).Index(index).Range(op, vals...).input()
			if err != nil {
				t.Errorf("Index(%s).Range(%s) on paid: input() error = %v, want none", index, opWhat(op), err)
				continue
			}
			if v := in.ExpressionAttributeValues; len(v) == 0 {
				t.Errorf("Index(%s).Range(%s): no values", index, opWhat(op))
			}
		}
	}
	if _, err := r.Query(timed{Shop: "s"}).Range(Equal, at).input(); err != nil {
		t.Errorf("Range(=) on placed: input() error = %v, want none", err)
	}
}
