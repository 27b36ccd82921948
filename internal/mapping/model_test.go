package mapping_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/google/go-cmp/cmp"
)

type employee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	EmployeeName string `dynamo:"employee_name"`
	DepartmentID string `dynamo:"department_id,omitempty" index:"department-employee-index,hash"`
}

func (employee) TableName() string { return "employee" }

// Base is embedded by value, Audit by pointer; guregu/dynamo flattens both.
type Base struct {
	ID      string `dynamo:"id,hash"`
	Skipped string `dynamo:"-"`
}

type Audit struct {
	Note string `dynamo:"note"`
}

type options struct {
	Base
	*Audit
	Tags     []string  `dynamo:"tags,set"`
	Nick     string    `dynamo:"nick,omitempty"`
	Born     time.Time `dynamo:"born,unixtime"`
	Plain    int       // no tag: the attribute is named after the field
	Ignored  string    `dynamo:"-"`
	internal string    //nolint:unused // unexported: not an attribute
}

func (options) TableName() string { return "options" }

func TestGureguOptions(t *testing.T) {
	m, err := mapping.Of[options]()
	if err != nil {
		t.Fatal(err)
	}
	type attr struct {
		Name, Field          string
		Index                []int
		Type                 mapping.ScalarType
		OmitEmpty, Set, Unix bool
	}
	var got []attr
	for _, a := range m.Attributes {
		got = append(got, attr{a.Name, a.Field, a.Index, a.Type, a.OmitEmpty, a.Set, a.UnixTime})
	}
	want := []attr{
		{Name: "id", Field: "ID", Index: []int{0, 0}, Type: mapping.String},
		{Name: "note", Field: "Note", Index: []int{1, 0}, Type: mapping.String},
		{Name: "tags", Field: "Tags", Index: []int{2}, Set: true},
		{Name: "nick", Field: "Nick", Index: []int{3}, Type: mapping.String, OmitEmpty: true},
		{Name: "born", Field: "Born", Index: []int{4}, Type: mapping.Number, Unix: true},
		{Name: "Plain", Field: "Plain", Index: []int{5}, Type: mapping.Number},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	if m.Key.Hash != m.Attribute("id") || m.Key.Range != nil {
		t.Errorf("Key = %+v, want hash id and no range", m.Key)
	}
	if got := m.Key.Names(); !reflect.DeepEqual(got, []string{"id"}) {
		t.Errorf("Key.Names() = %v, want [id]", got)
	}
	for _, name := range []string{"Skipped", "Ignored", "internal"} {
		if m.Attribute(name) != nil {
			t.Errorf("Attribute(%q) = %+v, want nil", name, m.Attribute(name))
		}
	}
	if m.Type != reflect.TypeFor[options]() || m.Table != "options" {
		t.Errorf("Type, Table = %v, %q; want options, %q", m.Type, m.Table, "options")
	}
}

type scalarKeys struct {
	S   string        `dynamo:"s,hash"`
	N   int64         `dynamo:"n" index:"n,hash"`
	U   uint8         `dynamo:"u" index:"u,hash"`
	F   float64       `dynamo:"f" index:"f,hash"`
	B   []byte        `dynamo:"b" index:"b,hash"`
	T   time.Time     `dynamo:"t" index:"t,hash"`
	TU  time.Time     `dynamo:"tu,unixtime" index:"tu,hash"`
	P   *string       `dynamo:"p" index:"p,hash"`
	D   time.Duration `dynamo:"d" index:"d,hash"`
	Txt textKey       `dynamo:"txt" index:"txt,hash"`
}

type textKey struct{ v string }

func (k textKey) MarshalText() ([]byte, error) { return []byte(k.v), nil }

func (scalarKeys) TableName() string { return "scalar" }

func TestKeyTypes(t *testing.T) {
	m, err := mapping.Of[scalarKeys]()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]mapping.ScalarType{
		"s": mapping.String, "n": mapping.Number, "u": mapping.Number, "f": mapping.Number,
		"b": mapping.Binary, "t": mapping.String, "tu": mapping.Number, "p": mapping.String,
		"d": mapping.Number, "txt": mapping.String,
	}
	for name, typ := range want {
		if got := m.Attribute(name).Type; got != typ {
			t.Errorf("Attribute(%q).Type = %q, want %q", name, got, typ)
		}
	}
}

type orders struct {
	CustomerID string    `dynamo:"customer_id,partition"`
	OrderID    string    `dynamo:"order_id,sort" index:"by-status,sort" localIndex:"by-order,range"`
	Status     string    `dynamo:"status" index:"by-status,partition" index:"by-status-date,hash"`
	Date       time.Time `dynamo:"date" index:"by-status-date,range" localIndex:"by-date,sort"`
	Total      int       `dynamo:"total"`
}

func (orders) TableName() string { return "orders" }

func (orders) TableOptions() mapping.Options {
	return mapping.Options{
		Billing: mapping.Provisioned(5, 3),
		Projections: map[string]mapping.Projection{
			"by-status":      mapping.KeysOnly,
			"by-status-date": mapping.Include("total"),
			"by-date":        mapping.All,
		},
	}
}

// TestIndexes covers the partition/sort spellings, repeated index tags on
// one field, local indexes, projections and billing.
func TestIndexes(t *testing.T) {
	m, err := mapping.Of[orders]()
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Key.Names(); !reflect.DeepEqual(got, []string{"customer_id", "order_id"}) {
		t.Errorf("Key.Names() = %v, want [customer_id order_id]", got)
	}
	type index struct {
		Name       string
		Local      bool
		Key        []string
		Projection mapping.Projection
	}
	var got []index
	for _, idx := range append(append([]*mapping.Index(nil), m.GSIs...), m.LSIs...) {
		got = append(got, index{idx.Name, idx.Local, idx.Key.Names(), idx.Projection})
		if m.Index(idx.Name) != idx {
			t.Errorf("Index(%q) = %p, want %p", idx.Name, m.Index(idx.Name), idx)
		}
	}
	want := []index{
		// "by-status,sort" names the index "by-status", not "by-status,s"
		// as guregu/dynamo's slicing would.
		{"by-status", false, []string{"status", "order_id"}, mapping.KeysOnly},
		{"by-status-date", false, []string{"status", "date"}, mapping.Include("total")},
		{"by-order", true, []string{"customer_id", "order_id"}, mapping.All},
		{"by-date", true, []string{"customer_id", "date"}, mapping.All},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("indexes (-want +got):\n%s", diff)
	}
	if m.Index("nope") != nil {
		t.Errorf("Index(nope) = %v, want nil", m.Index("nope"))
	}
	if want := mapping.Provisioned(5, 3); m.Billing != want || m.Billing.OnDemand() {
		t.Errorf("Billing = %+v, want %+v (provisioned)", m.Billing, want)
	}
}

func TestDefaults(t *testing.T) {
	m, err := mapping.Of[employee]()
	if err != nil {
		t.Fatal(err)
	}
	if !m.Billing.OnDemand() {
		t.Errorf("Billing = %+v, want on-demand", m.Billing)
	}
	if got := m.Index("department-employee-index").Projection; !reflect.DeepEqual(got, mapping.All) {
		t.Errorf("Projection = %+v, want ALL", got)
	}
	if m.TTL != nil || m.Version != nil || m.Created != nil || m.Updated != nil || m.EntityType != nil || m.Entity != "" {
		t.Errorf("roles = %v %v %v %v %v %q, want none", m.TTL, m.Version, m.Created, m.Updated, m.EntityType, m.Entity)
	}
	if len(m.LSIs) != 0 || m.Computed() {
		t.Errorf("LSIs, Computed() = %v, %v; want none, false", m.LSIs, m.Computed())
	}
}

type session struct {
	ID      string    `dynamo:"id,hash"`
	Expires time.Time `dynamo:"expires,unixtime" dynamokit:"ttl"`
	Version int       `dynamo:"version" dynamokit:"version"`
	Created time.Time `dynamo:"created" dynamokit:"created"`
	Updated int64     `dynamo:"updated" dynamokit:"updated"`
}

func (session) TableName() string { return "session" }

type intTTL struct {
	ID      string  `dynamo:"id,hash"`
	Expires *uint64 `dynamo:"expires" dynamokit:"ttl"`
}

func (intTTL) TableName() string { return "int-ttl" }

func TestRoles(t *testing.T) {
	m, err := mapping.Of[session]()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		got  *mapping.Attribute
		name string
		role mapping.Role
	}{
		{m.TTL, "expires", mapping.TTLRole},
		{m.Version, "version", mapping.VersionRole},
		{m.Created, "created", mapping.CreatedRole},
		{m.Updated, "updated", mapping.UpdatedRole},
	}
	for _, tt := range tests {
		if tt.got == nil || tt.got.Name != tt.name || tt.got.Role != tt.role {
			t.Errorf("role %d: got %+v, want attribute %s", tt.role, tt.got, tt.name)
		}
	}
	if m.TTL.Type != mapping.Number {
		t.Errorf("TTL.Type = %q, want N", m.TTL.Type)
	}
	im, err := mapping.Of[intTTL]()
	if err != nil {
		t.Fatal(err)
	}
	if im.TTL == nil || im.TTL.Type != mapping.Number {
		t.Errorf("TTL of *uint64 = %+v, want a number attribute", im.TTL)
	}
}

// employeeItem is a single-table model: its keys are computed attributes.
type employeeItem struct {
	_ struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_ struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	_ struct{} `dynamo:"gsi1pk" template:"EMP#{employee_id}" index:"gsi1,hash"`
	_ struct{} `dynamo:"gsi1sk" template:"{level:3}#{employee_id}" index:"gsi1,range"`
	_ struct{} `dynamo:"entity" template:"Employee" dynamokit:"type"`

	EmployeeID   string `dynamo:"employee_id"`
	DepartmentID string `dynamo:"department_id"`
	Name         string `dynamo:"name,omitempty"`
	Level        int    `dynamo:"level"`
}

func (employeeItem) TableName() string { return "app" }

func TestTemplates(t *testing.T) {
	m, err := mapping.Of[employeeItem]()
	if err != nil {
		t.Fatal(err)
	}
	if !m.Computed() {
		t.Error("Computed() = false, want true")
	}
	tests := []struct {
		name     string
		source   string
		prefix   string
		refs     []string
		constant bool
	}{
		{"pk", "DEPT#{department_id}", "DEPT#", []string{"department_id"}, false},
		{"sk", "EMP#{employee_id}", "EMP#", []string{"employee_id"}, false},
		{"gsi1sk", "{level:3}#{employee_id}", "", []string{"level", "employee_id"}, false},
		{"entity", "Employee", "Employee", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := m.Attribute(tt.name)
			if a == nil || !a.Computed() {
				t.Fatalf("Attribute(%q) = %+v, want a computed attribute", tt.name, a)
			}
			if a.Field != "_" || a.Index != nil || a.GoType != nil || a.Type != mapping.String {
				t.Errorf("Field, Index, GoType, Type = %q, %v, %v, %q; want _, nil, nil, S", a.Field, a.Index, a.GoType, a.Type)
			}
			tm := a.Template
			if tm.Source != tt.source || tm.Prefix() != tt.prefix || tm.Constant() != tt.constant {
				t.Errorf("Source, Prefix(), Constant() = %q, %q, %v; want %q, %q, %v",
					tm.Source, tm.Prefix(), tm.Constant(), tt.source, tt.prefix, tt.constant)
			}
			var refs []string
			for _, r := range tm.Refs() {
				refs = append(refs, r.Name)
				if r != m.Attribute(r.Name) {
					t.Errorf("Refs() holds %p for %s, want the model's attribute %p", r, r.Name, m.Attribute(r.Name))
				}
			}
			if !reflect.DeepEqual(refs, tt.refs) {
				t.Errorf("Refs() = %v, want %v", refs, tt.refs)
			}
		})
	}
	if m.Key.Hash.Name != "pk" || m.Key.Range.Name != "sk" {
		t.Errorf("Key = %v, want pk, sk", m.Key.Names())
	}
	if g := m.Index("gsi1"); g == nil || !reflect.DeepEqual(g.Key.Names(), []string{"gsi1pk", "gsi1sk"}) {
		t.Errorf("Index(gsi1) = %+v, want keys gsi1pk, gsi1sk", g)
	}
	if m.EntityType != m.Attribute("entity") || m.Entity != "Employee" || m.EntityType.Role != mapping.TypeRole {
		t.Errorf("EntityType, Entity = %+v, %q; want entity, Employee", m.EntityType, m.Entity)
	}
}

func TestKeyRoleString(t *testing.T) {
	for role, want := range map[mapping.KeyRole]string{mapping.HashKey: "HASH", mapping.RangeKey: "RANGE", 0: ""} {
		if got := role.String(); got != want {
			t.Errorf("KeyRole(%d).String() = %q, want %q", role, got, want)
		}
	}
}

func TestTableName(t *testing.T) {
	m := mapping.MustOf[employee]()
	tests := []struct {
		namer mapping.Namer
		want  string
	}{
		{nil, "employee"},
		{mapping.Prefix("dev-"), "dev-employee"},
		{func(base string) string { return base + "-v2" }, "employee-v2"},
	}
	for _, tt := range tests {
		if got := m.TableName(tt.namer); got != tt.want {
			t.Errorf("TableName() = %q, want %q", got, tt.want)
		}
	}
}

// pointerTable declares TableName on the pointer receiver.
type pointerTable struct {
	ID string `dynamo:"id,hash"`
}

func (*pointerTable) TableName() string { return "pointer" }

func TestPointerTypes(t *testing.T) {
	m, err := mapping.Of[*pointerTable]()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := mapping.Of[pointerTable]()
	if err != nil {
		t.Fatal(err)
	}
	if m != m2 || m.Table != "pointer" || m.Type != reflect.TypeFor[pointerTable]() {
		t.Errorf("Of[*T], Of[T] = %p (%s), %p; want the same model of table pointer", m, m.Table, m2)
	}
}
