package mapping_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/guregu/dynamo/v2"
)

// avOpts compares SDK attribute values, whose structs have unexported fields.
var avOpts = cmpopts.IgnoreUnexported(
	types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberB{},
	types.AttributeValueMemberSS{}, types.AttributeValueMemberM{},
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

func TestKeyOf(t *testing.T) {
	emp := mapping.MustOf[employee]()
	ord := mapping.MustOf[orders]()
	item := mapping.MustOf[employeeItem]()
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name  string
		m     *mapping.Model
		index string // "" for the table key
		v     any
		want  mapping.Item
	}{
		{"hash", emp, "", employee{EmployeeID: "e-1"}, mapping.Item{"employee_id": s("e-1")}},
		{"pointer", emp, "", &employee{EmployeeID: "e-1"}, mapping.Item{"employee_id": s("e-1")}},
		{"hash and range", ord, "", orders{CustomerID: "c", OrderID: "o"}, mapping.Item{"customer_id": s("c"), "order_id": s("o")}},
		{"gsi", emp, "department-employee-index", employee{EmployeeID: "e-1", DepartmentID: "d-1"}, mapping.Item{"department_id": s("d-1")}},
		{"gsi with range", ord, "by-status-date", orders{Status: "new", Date: date}, mapping.Item{"status": s("new"), "date": s("2026-01-02T03:04:05Z")}},
		{"lsi", ord, "by-date", orders{CustomerID: "c", Date: date}, mapping.Item{"customer_id": s("c"), "date": s("2026-01-02T03:04:05Z")}},
		{"computed", item, "", employeeItem{EmployeeID: "e-1", DepartmentID: "d-1"}, mapping.Item{"pk": s("DEPT#d-1"), "sk": s("EMP#e-1")}},
		{"computed with number", item, "gsi1", employeeItem{EmployeeID: "e-1", Level: 3}, mapping.Item{"gsi1pk": s("EMP#e-1"), "gsi1sk": s("003#e-1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got mapping.Item
			var err error
			if tt.index == "" {
				got, err = tt.m.KeyOf(tt.v)
			} else {
				got, err = tt.m.IndexKeyOf(tt.index, tt.v)
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, avOpts); diff != "" {
				t.Errorf("key of %+v (-want +got):\n%s", tt.v, diff)
			}
		})
	}
}

func TestKeyOfErrors(t *testing.T) {
	emp := mapping.MustOf[employee]()
	item := mapping.MustOf[employeeItem]()
	tests := []struct {
		name    string
		call    func() (mapping.Item, error)
		isEmpty bool   // want ErrEmptyKey
		msg     string // else want this in the message
	}{
		{"empty hash", func() (mapping.Item, error) { return emp.KeyOf(employee{}) }, true, ""},
		{"empty index hash", func() (mapping.Item, error) {
			return emp.IndexKeyOf("department-employee-index", employee{EmployeeID: "e-1"})
		}, true, ""},
		// The error names the field to set, not only the computed attribute.
		{"empty computed key", func() (mapping.Item, error) { return item.KeyOf(employeeItem{EmployeeID: "e-1"}) }, true,
			`key attribute pk: "DEPT#{department_id}" needs DepartmentID (department_id) set`},
		{"empty computed index key", func() (mapping.Item, error) { return item.IndexKeyOf("gsi1", employeeItem{DepartmentID: "d-1"}) }, true,
			`key attribute gsi1pk: "EMP#{employee_id}" needs EmployeeID (employee_id) set`},
		{"unknown index", func() (mapping.Item, error) { return emp.IndexKeyOf("nope", employee{}) }, false, `has no index "nope"`},
		{"wrong type", func() (mapping.Item, error) { return emp.KeyOf(orders{}) }, false, "is not a mapping_test.employee"},
		{"nil pointer", func() (mapping.Item, error) { return emp.KeyOf((*employee)(nil)) }, false, "nil value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call()
			if err == nil {
				t.Fatalf("got %v, nil; want an error", got)
			}
			if errors.Is(err, mapping.ErrEmptyKey) != tt.isEmpty {
				t.Errorf("errors.Is(%v, ErrEmptyKey) = %v, want %v", err, !tt.isEmpty, tt.isEmpty)
			}
			if !strings.HasPrefix(err.Error(), "model: ") || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error = %q, want prefix %q and %q", err, "model: ", tt.msg)
			}
		})
	}
}

func TestValue(t *testing.T) {
	sm := mapping.MustOf[session]()
	om := mapping.MustOf[options]()
	item := mapping.MustOf[employeeItem]()
	expires := time.Unix(1700000000, 0)
	tests := []struct {
		name string
		m    *mapping.Model
		attr string
		v    any
		want types.AttributeValue // nil: empty
	}{
		{"string", om, "nick", options{Nick: "x"}, s("x")},
		{"empty string", om, "nick", options{}, nil},
		{"number", om, "Plain", options{Plain: 7}, n("7")},
		{"unixtime", om, "born", options{Born: expires}, n("1700000000")},
		{"zero unixtime", om, "born", options{}, nil},
		{"set", om, "tags", options{Tags: []string{"a"}}, &types.AttributeValueMemberSS{Value: []string{"a"}}},
		{"embedded", om, "id", options{Base: Base{ID: "i"}}, s("i")},
		{"nil embedded pointer", om, "note", options{}, nil},
		{"embedded pointer", om, "note", options{Audit: &Audit{Note: "hi"}}, s("hi")},
		{"ttl", sm, "expires", session{Expires: expires}, n("1700000000")},
		{"computed", item, "pk", employeeItem{DepartmentID: "d"}, s("DEPT#d")},
		{"computed with empty reference", item, "pk", employeeItem{}, nil},
		{"constant", item, "entity", employeeItem{}, s("Employee")},
		{"omitempty zero number", mapping.MustOf[sparse](), "count", sparse{}, nil},
		{"omitempty number", mapping.MustOf[sparse](), "count", sparse{Count: 2}, n("2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.m.Value(tt.attr, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, avOpts); diff != "" {
				t.Errorf("Value(%q) (-want +got):\n%s", tt.attr, diff)
			}
		})
	}
	if _, err := om.Value("nope", options{}); err == nil || !strings.Contains(err.Error(), `no attribute "nope"`) {
		t.Errorf("Value(nope) error = %v, want no attribute", err)
	}
}

// TestEncode checks that Encode writes what guregu/dynamo writes, plus the
// computed attributes, and that Decode ignores the computed attributes.
func TestEncode(t *testing.T) {
	m := mapping.MustOf[employeeItem]()
	in := employeeItem{EmployeeID: "e-1", DepartmentID: "d-1", Level: 2}
	got, err := m.Encode(&in)
	if err != nil {
		t.Fatal(err)
	}
	want := mapping.Item{
		"pk": s("DEPT#d-1"), "sk": s("EMP#e-1"), "gsi1pk": s("EMP#e-1"), "gsi1sk": s("002#e-1"), "entity": s("Employee"),
		"employee_id": s("e-1"), "department_id": s("d-1"), "level": n("2"),
	}
	if diff := cmp.Diff(want, got, avOpts); diff != "" {
		t.Errorf("Encode (-want +got):\n%s", diff)
	}
	plain, err := dynamo.MarshalItem(in)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range plain {
		if diff := cmp.Diff(v, got[k], avOpts); diff != "" {
			t.Errorf("Encode()[%q] differs from guregu/dynamo (-dynamo +Encode):\n%s", k, diff)
		}
	}

	var out employeeItem
	if err := m.Decode(got, &out); err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Errorf("Decode(Encode(%+v)) = %+v", in, out)
	}
	if !m.IsEntity(got) {
		t.Errorf("IsEntity(%v) = false, want true", got)
	}
	if m.IsEntity(mapping.Item{"entity": s("Department")}) || m.IsEntity(mapping.Item{}) {
		t.Error("IsEntity of another entity type = true, want false")
	}
	if !mapping.MustOf[employee]().IsEntity(mapping.Item{}) {
		t.Error("IsEntity without a type attribute = false, want true")
	}
}

func TestEncodeSparseIndex(t *testing.T) {
	m := mapping.MustOf[employeeItem]()
	// Without an employee ID the gsi1 keys cannot be rendered: they are
	// left out, but so would the table's sort key, which is an error.
	if _, err := m.Encode(employeeItem{DepartmentID: "d-1"}); !errors.Is(err, mapping.ErrEmptyKey) {
		t.Errorf("Encode without sk reference: error %v, want ErrEmptyKey", err)
	}
	sm := mapping.MustOf[sparse]()
	got, err := sm.Encode(sparse{ID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	want := mapping.Item{"pk": s("S#a"), "id": s("a")}
	if diff := cmp.Diff(want, got, avOpts); diff != "" {
		t.Errorf("Encode without tag (-want +got):\n%s", diff)
	}
	if _, err := sm.IndexKeyOf("gsi1", sparse{ID: "a"}); !errors.Is(err, mapping.ErrEmptyKey) {
		t.Errorf("IndexKeyOf(gsi1) error = %v, want ErrEmptyKey", err)
	}
}

// sparse has an index key computed from an optional attribute.
type sparse struct {
	_     struct{} `dynamo:"pk,hash" template:"S#{id}"`
	_     struct{} `dynamo:"gsi1pk" template:"TAG#{tag}" index:"gsi1,hash"`
	ID    string   `dynamo:"id"`
	Tag   string   `dynamo:"tag,omitempty"`
	Count int      `dynamo:"count,omitempty"`
}

func (sparse) TableName() string { return "sparse" }

type withTTL struct {
	ID      string    `dynamo:"id,hash"`
	Expires time.Time `dynamo:"expires,unixtime,omitempty" dynamokit:"ttl"`
}

func (withTTL) TableName() string { return "with-ttl" }

// TestEncodeTTL checks that the stored TTL is a number, as DynamoDB needs.
func TestEncodeTTL(t *testing.T) {
	m := mapping.MustOf[withTTL]()
	got, err := m.Encode(withTTL{ID: "a", Expires: time.Unix(1700000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(n("1700000000"), got["expires"], avOpts); diff != "" {
		t.Errorf("Encode()[expires] (-want +got):\n%s", diff)
	}
	var out withTTL
	if err := m.Decode(got, &out); err != nil || out.Expires.Unix() != 1700000000 {
		t.Errorf("Decode = %+v, %v; want expiry 1700000000", out, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	m := mapping.MustOf[employee]()
	for _, out := range []any{employee{}, (*employee)(nil), &orders{}} {
		if err := m.Decode(mapping.Item{}, out); err == nil || !strings.HasPrefix(err.Error(), "model: decode") {
			t.Errorf("Decode(%T) error = %v, want a model: decode error", out, err)
		}
	}
	bad := mapping.Item{"employee_id": n("1")}
	if err := m.Decode(bad, &employee{}); err == nil {
		t.Errorf("Decode(%v) = nil, want a type error", bad)
	}
}

// plainTTL has a time.Time TTL without the unixtime option.
type plainTTL struct {
	ID      string     `dynamo:"id,hash"`
	Expires time.Time  `dynamo:"expires" dynamokit:"ttl"`
	Ends    *time.Time `dynamo:"ends,omitempty"`
}

func (plainTTL) TableName() string { return "plain-ttl" }

// TestEncodeTTLWithoutUnixtime checks that a time.Time TTL is a number even
// without unixtime (DynamoDB ignores string TTLs), that a zero TTL is left
// out, and that other times stay RFC 3339 strings.
func TestEncodeTTLWithoutUnixtime(t *testing.T) {
	m := mapping.MustOf[plainTTL]()
	ends := time.Unix(1700000000, 0).UTC()
	got, err := m.Encode(plainTTL{ID: "a", Expires: time.Unix(1700000000, 0), Ends: &ends})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(n("1700000000"), got["expires"], avOpts); diff != "" {
		t.Errorf("Encode()[expires] (-want +got):\n%s", diff)
	}
	if _, ok := got["ends"].(*types.AttributeValueMemberS); !ok {
		t.Errorf("Encode()[ends] = %#v, want an RFC 3339 string", got["ends"])
	}
	var out plainTTL
	if err := m.Decode(got, &out); err != nil || out.Expires.Unix() != 1700000000 {
		t.Errorf("Decode = %+v, %v; want expiry 1700000000", out, err)
	}
	zero, err := m.Encode(plainTTL{ID: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if av, ok := zero["expires"]; ok {
		t.Errorf("Encode(zero TTL)[expires] = %#v, want it left out", av)
	}
}
