package migrate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

type emp struct {
	_ struct{} `dynamo:"pk,hash" template:"T#{tenant_id}#EMP#{employee_id}"`
	_ struct{} `dynamo:"sk,range" template:"#EMP"`
	_ struct{} `dynamo:"entity" template:"Emp" dynamokit:"type"`

	TenantID   string `dynamo:"tenant_id"`
	EmployeeID string `dynamo:"employee_id"`
	Name       string `dynamo:"name"`
}

func (emp) TableName() string { return "org" }

type other struct {
	ID string `dynamo:"id,hash"`
}

func (other) TableName() string { return "other" }

func TestSteps(t *testing.T) {
	ctx := context.Background()
	base := Item{"a": s("1"), "b": s("2")}
	tests := []struct {
		name string
		step Step
		want Item
	}{
		{"zero", Step{}, base},
		{"rename", Rename("a", "c"), Item{"c": s("1"), "b": s("2")}},
		{"rename missing", Rename("x", "c"), base},
		{"rename replaces", Rename("a", "b"), Item{"b": s("1")}},
		{"copy", Copy("a", "c"), Item{"a": s("1"), "b": s("2"), "c": s("1")}},
		{"copy keeps target", Copy("a", "b"), base},
		{"drop", Drop("a", "x"), Item{"b": s("2")}},
		{"fill", Fill("c", func(it Item) (types.AttributeValue, error) {
			return s("x" + it["a"].(*types.AttributeValueMemberS).Value), nil
		}), Item{"a": s("1"), "b": s("2"), "c": s("x1")}},
		{"fill keeps", Fill("a", func(Item) (types.AttributeValue, error) { return s("no"), nil }), base},
		{"fill nil", Fill("c", func(Item) (types.AttributeValue, error) { return nil, nil }), base},
		{"chain", Chain(Rename("a", "c"), Copy("c", "d"), Drop("b")), Item{"c": s("1"), "d": s("1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.step.Apply(ctx, base)
			if err != nil {
				t.Fatal(err)
			}
			if !itemcodec.EqualItems(got, tt.want) {
				t.Errorf("%s.Apply = %v, want %v", tt.step, got, tt.want)
			}
			if !itemcodec.EqualItems(base, Item{"a": s("1"), "b": s("2")}) {
				t.Errorf("Apply changed its argument: %v", base)
			}
		})
	}
}

func TestTypedRendersKeysAndKeepsOthers(t *testing.T) {
	old := Item{"pk": s("EMP#e1"), "sk": s("#EMP"), "entity": s("Emp"), "employee_id": s("e1"), "name": s("Al"), "employees": n("3")}
	step := Typed(func(_ context.Context, e *emp) error { e.TenantID = "t1"; return nil })
	got, err := step.Apply(context.Background(), old)
	if err != nil {
		t.Fatal(err)
	}
	want := Item{"pk": s("T#t1#EMP#e1"), "sk": s("#EMP"), "entity": s("Emp"), "employee_id": s("e1"), "name": s("Al"), "tenant_id": s("t1"), "employees": n("3")}
	if !itemcodec.EqualItems(got, want) {
		t.Errorf("Typed.Apply = %v, want %v", got, want)
	}
	again, err := step.Apply(context.Background(), got)
	if err != nil || !itemcodec.EqualItems(again, got) {
		t.Errorf("Typed.Apply twice = %v, %v, want no change", again, err)
	}
	if _, err := Typed(func(context.Context, *emp) error { return ErrSkip }).Apply(context.Background(), old); !errors.Is(err, ErrSkip) {
		t.Errorf("a typed step's error = %v, want it returned", err)
	}
}

func TestRegister(t *testing.T) {
	r, err := New[emp](dynamokit.NewFromClient(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	ok := Migration{ID: "a", Step: RenderKeys[emp]()}
	tests := []struct {
		name string
		migs []Migration
		want string
	}{
		{"no id", []Migration{{}}, "without an ID"},
		{"twice", []Migration{ok, ok}, "registered twice"},
		{"other model", []Migration{{ID: "b", Step: RenderKeys[other]()}}, "typed on migrate.other"},
		{"mixed chain", []Migration{{ID: "c", Step: Chain(RenderKeys[emp](), RenderKeys[other]())}}, "typed on migrate.emp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.Register(tt.migs...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Register = %v, want %q", err, tt.want)
			}
		})
	}
	if err := r.Register(ok); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(Migration{ID: "a"}); err == nil {
		t.Error("Register of an ID registered before = nil")
	}
}

func TestUpgradeRefusesOtherModel(t *testing.T) {
	if _, err := Upgrade[emp](context.Background(), Item{}, RenderKeys[other]()); err == nil {
		t.Error("Upgrade with a step of another model = nil")
	}
}

func TestSameItem(t *testing.T) {
	tests := []struct {
		name string
		a, b Item
		want bool
	}{
		{"equal", Item{"a": s("1")}, Item{"a": s("1")}, true},
		{"value", Item{"a": s("1")}, Item{"a": s("2")}, false},
		{"type", Item{"a": s("1")}, Item{"a": n("1")}, false},
		{"missing", Item{"a": s("1")}, Item{"b": s("1")}, false},
		{"longer", Item{"a": s("1")}, Item{"a": s("1"), "b": s("1")}, false},
		{"set order", Item{"a": &types.AttributeValueMemberSS{Value: []string{"x", "y"}}}, Item{"a": &types.AttributeValueMemberSS{Value: []string{"y", "x"}}}, true},
		{"binary set order", Item{"a": &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2}}}}, Item{"a": &types.AttributeValueMemberBS{Value: [][]byte{{2}, {1}}}}, true},
		{"list order", Item{"a": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("x"), s("y")}}}, Item{"a": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("y"), s("x")}}}, false},
		{"map", Item{"a": &types.AttributeValueMemberM{Value: Item{"k": s("v")}}}, Item{"a": &types.AttributeValueMemberM{Value: Item{"k": s("v")}}}, true},
		{"null bool", Item{"a": &types.AttributeValueMemberNULL{Value: true}}, Item{"a": &types.AttributeValueMemberBOOL{Value: true}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := itemcodec.EqualItems(tt.a, tt.b); got != tt.want {
				t.Errorf("itemcodec.EqualItems(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(10, func() time.Time { return now })
	if d := l.delay(); d != 0 {
		t.Errorf("delay at start = %v, want 0", d)
	}
	l.add(10) // the first second's burst
	if d := l.delay(); d != 0 {
		t.Errorf("delay after the burst's units = %v, want 0 (it is at the budget)", d)
	}
	l.add(5)
	if d := l.delay(); d != time.Second/2 {
		t.Errorf("delay 5 units over = %v, want 500ms", d)
	}
	now = now.Add(time.Second)
	if d := l.delay(); d != 0 {
		t.Errorf("delay a second later = %v, want 0", d)
	}
	if d := newLimiter(0, time.Now).delay(); d != 0 {
		t.Errorf("no limit: delay %v", d)
	}
}

func TestRemaining(t *testing.T) {
	tests := []struct {
		scanned, total int64
		elapsed        time.Duration
		want           time.Duration
	}{
		{0, 100, time.Second, 0},
		{50, 100, time.Second, time.Second},
		{25, 100, time.Second, 3 * time.Second},
		{100, 100, time.Second, 0},
		{120, 100, time.Second, 0},
		{10, 0, time.Second, 0},
	}
	for _, tt := range tests {
		if got := remaining(tt.scanned, tt.total, tt.elapsed); got != tt.want {
			t.Errorf("remaining(%d, %d, %v) = %v, want %v", tt.scanned, tt.total, tt.elapsed, got, tt.want)
		}
	}
}

func TestEstimateUnits(t *testing.T) {
	big := Item{"a": s(strings.Repeat("x", 1500))}
	tests := []struct {
		name string
		in   any
		want float64
	}{
		{"put", &dynamodb.PutItemInput{Item: Item{"a": s("1")}}, 1},
		{"big put", &dynamodb.PutItemInput{Item: big}, 2},
		{"delete", &dynamodb.DeleteItemInput{}, 1},
		{"tx", &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Put: &types.Put{Item: big}}, {Delete: &types.Delete{}}}}, 6},
		{"read", &dynamodb.GetItemInput{}, 0},
	}
	for _, tt := range tests {
		if got := estimateUnits(tt.in); got != tt.want {
			t.Errorf("%s: estimateUnits = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestExampleString(t *testing.T) {
	e := Example{Key: `pk="EMP#1"`, Rekeyed: true,
		Before: Item{"pk": s("EMP#1"), "old": s("x"), "n": n("1")},
		After:  Item{"pk": s("T#a#EMP#1"), "new": s("y"), "n": n("1")}}
	want := "pk=\"EMP#1\" (re-keyed)\n  + new: \"y\"\n  - old: \"x\"\n  ~ pk: \"EMP#1\" -> \"T#a#EMP#1\""
	if got := e.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestKeyText(t *testing.T) {
	if got := keyText(Item{"sk": n("2"), "pk": s("a")}); got != `pk="a" sk=2` {
		t.Errorf("keyText = %s", got)
	}
}

func TestProgressString(t *testing.T) {
	p := Progress{Migration: "m", Scanned: 3, Changed: 2, Skipped: 1, WriteUnits: 4, Requests: 5, Elapsed: time.Second, Remaining: 2 * time.Second}
	if got := p.String(); !strings.Contains(got, "changed 2") || !strings.Contains(got, "about 2s left") {
		t.Errorf("String() = %s", got)
	}
}
