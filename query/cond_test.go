package query

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/google/go-cmp/cmp"
)

// TestCondBind compares the filter each condition becomes with the
// expression, names and values DynamoDB must receive: values encoded by
// their attribute's field, as the item stores them.
func TestCondBind(t *testing.T) {
	users := newTable[user](t)
	when := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		cond   Cond
		expr   string
		names  map[string]string
		values avs
	}{
		{"ttl time as seconds", Name("expires").LessThan(Value(when)), "#0 < :0", map[string]string{"#0": "expires"}, avs{":0": n("1893456000")}},
		{"plain time as text", Name("created").Equal(Value(&when)), "#0 = :0", map[string]string{"#0": "created"}, avs{":0": s("2030-01-01T00:00:00Z")}},
		{"a set as a set", Name("tags").Equal(Value([]string{"a"})), "#0 = :0", map[string]string{"#0": "tags"}, avs{":0": &types.AttributeValueMemberSS{Value: []string{"a"}}}},
		{"a list as a list", Name("log").Equal(Value([]string{"a"})), "#0 = :0", map[string]string{"#0": "log"}, avs{":0": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("a")}}}},
		{"set element", Name("tags").Contains("a"), "contains (#0, :0)", map[string]string{"#0": "tags"}, avs{":0": s("a")}},
		{"zero despite omitempty", Name("org").NotEqual(Value("x")).And(Name("age").Equal(Value(0))), "(#0 <> :0) AND (#1 = :1)", map[string]string{"#0": "org", "#1": "age"}, avs{":0": s("x"), ":1": n("0")}},
		{"between and in", Or(Name("age").Between(Value(1), Value(2)), Name("age").In(Value(3), Value(4), Value(5))), "(#0 BETWEEN :0 AND :1) OR (#0 IN (:2, :3, :4))", map[string]string{"#0": "age"}, avs{":0": n("1"), ":1": n("2"), ":2": n("3"), ":3": n("4"), ":4": n("5")}},
		{"two attributes", Name("created").NotEqual(Name("updated")), "#0 <> #1", map[string]string{"#0": "created", "#1": "updated"}, nil},
		{"size", Name("tags").Size().GreaterThan(Value(2)), "size (#0) > :0", map[string]string{"#0": "tags"}, avs{":0": n("2")}},
		{"functions", Not(Name("org").AttributeExists()).And(Name("name").BeginsWith("A"), Name("id").AttributeType(expression.String)), "(NOT (attribute_exists (#0))) AND (begins_with (#1, :0)) AND (attribute_type (#2, :1))", map[string]string{"#0": "org", "#1": "name", "#2": "id"}, avs{":0": s("A"), ":1": s("S")}},
		{"a path is split", Path("address.city").Equal(Value("Paris")), "#0.#1 = :0", map[string]string{"#0": "address", "#1": "city"}, avs{":0": s("Paris")}},
		{"a name is not", Name("a.b").Equal(Value("x")).Or(Name("id").Equal(Value("#c = :d"))), "", nil, nil},
		{"an SDK condition as it is", Expr(expression.Name("undeclared").Equal(expression.Value(when))), "#0 = :0", map[string]string{"#0": "undeclared"}, avs{":0": s("2030-01-01T00:00:00Z")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.cond.bind(users.m)
			if tt.expr == "" {
				if err == nil || !strings.Contains(err.Error(), `has no attribute "a.b"`) {
					t.Fatalf("bind() error = %v, want no attribute \"a.b\"", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e, err := expression.NewBuilder().WithCondition(c).Build()
			if err != nil {
				t.Fatal(err)
			}
			if got := *e.Condition(); got != tt.expr {
				t.Errorf("condition = %q, want %q", got, tt.expr)
			}
			if diff := cmp.Diff(tt.names, e.Names()); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.values, avs(e.Values()), ignoreUnexported); len(tt.values)+len(e.Values()) > 0 && diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCondBindErrors: mistakes are errors naming the attribute, never
// panics.
func TestCondBindErrors(t *testing.T) {
	users := newTable[user](t)
	tests := []struct {
		name string
		cond Cond
		want string
		typ  bool // a *mapping.ValueError
	}{
		{"zero", Cond{}, "empty condition", false},
		{"zero SDK condition", Expr(expression.ConditionBuilder{}), "empty condition", false},
		{"zero inside", And(Name("id").AttributeExists(), Cond{}), "empty condition", false},
		{"misspelt", Name("nmae").Equal(Value("x")), `query.user has no attribute "nmae"`, false},
		{"misspelt on the right", Name("name").Equal(Name("nmae")), `has no attribute "nmae"`, false},
		{"misspelt in a function", Name("nmae").BeginsWith("x"), `has no attribute "nmae"`, false},
		{"empty name", Name("").AttributeExists(), "empty attribute name", false},
		{"wrong type", Name("age").GreaterThan(Value("3")), "attribute age of query.user holds values of type int, not string", true},
		{"wrong type in", Name("age").In(Value(1), Value(2), Value(time.Now())), "not time.Time", true},
		{"too large", Name("age").Equal(Value(uint64(1 << 63))), "does not fit", true},
		{"nil", Name("name").Equal(Value(nil)), "is stored as no attribute: test for it with AttributeNotExists", false},
		{"empty string", Name("name").Equal(Value("")), "is stored as no attribute", false},
		{"nil operand", Name("name").Equal(nil), "nil operand", false},
		{"wrong set element", Name("tags").Contains(1), "holds elements of type string, not int", true},
		{"contains on a number", Name("age").Contains(1), "not a set or a list", false},
		{"an attribute value for a name", Name("name").Equal(Value(s("x"))), "not *types.AttributeValueMemberS", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.cond.bind(users.m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("bind() error = %v, want one containing %q", err, tt.want)
			}
			var ve *mapping.ValueError
			if got := errors.As(err, &ve); got != tt.typ {
				t.Errorf("bind() error is a *mapping.ValueError: %v, want %v", got, tt.typ)
			}
		})
	}
}

// TestFilterErrorKept: a Filter mistake is returned by input, and is the
// first error of the chain.
func TestFilterErrorKept(t *testing.T) {
	users := newTable[user](t)
	_, err := users.Scan().Filter(Name("nope").AttributeExists()).Filter(Name("age").Equal(Value("x"))).input()
	if err == nil || !strings.Contains(err.Error(), `query: filter: query.user has no attribute "nope"`) {
		t.Errorf("Scan().Filter().input() error = %v, want the first filter's", err)
	}
	_, err = users.Query(user{ID: "u"}).Filter(Name("age").Equal(Value("x"))).input()
	if err == nil || !strings.Contains(err.Error(), "query: filter: model: attribute age") {
		t.Errorf("Query().Filter().input() error = %v, want the filter's", err)
	}
}

// TestCondOperandKinds checks the operands a condition refuses for the
// kind of its attribute: a string compared with a size, begins_with on a
// number; and that contains takes a named string type on a string.
func TestCondOperandKinds(t *testing.T) {
	type named string
	m := mapping.MustOf[kindItem]()
	for _, tc := range []struct {
		name    string
		c       Cond
		wantErr string
	}{
		{"size with a string", Name("name").Size().Equal(Value("x")), "the size of name is a number"},
		{"size with a number", Name("name").Size().Equal(Value(3)), ""},
		{"begins_with on a number", Name("n").BeginsWith("1"), "begins_with works on strings"},
		{"contains with a named string", Name("name").Contains(named("x")), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.bind(m)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("bind = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("bind = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// kindItem is the model of TestCondOperandKinds.
type kindItem struct {
	ID   string `dynamo:"id,hash"`
	Name string `dynamo:"name"`
	N    int    `dynamo:"n"`
}

func (kindItem) TableName() string { return "kind" }
