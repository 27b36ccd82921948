package mapping

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

type level string

type valueModel struct {
	ID    string         `dynamo:"id,hash"`
	N8    int8           `dynamo:"n8"`
	U     uint           `dynamo:"u"`
	F32   float32        `dynamo:"f32"`
	Lvl   level          `dynamo:"lvl"`
	Nick  *string        `dynamo:"nick"`
	When  time.Time      `dynamo:"when,unixtime"`
	Set   map[int]bool   `dynamo:"set,set"`
	Any   any            `dynamo:"any"`
	Dur   time.Duration  `dynamo:"dur"`
	Tags  []string       `dynamo:"tags"`
	Empty map[string]int `dynamo:"empty"`
}

func (valueModel) TableName() string { return "values" }

// TestConvert checks which Go values each attribute accepts, and the
// value it converts them to.
func TestConvert(t *testing.T) {
	m, err := Of[valueModel]()
	if err != nil {
		t.Fatal(err)
	}
	nick := "n"
	tests := []struct {
		attr string
		v    any
		want any    // the converted value; nil for no value
		err  string // part of the error, "" for none
	}{
		{"n8", 5, int8(5), ""},
		{"n8", 300, nil, "holds values of type int8: 300 does not fit"},
		{"n8", -128.0, int8(-128), ""},
		{"n8", 1.5, nil, "1.5 does not fit"},
		{"n8", uint64(math.MaxUint64), nil, "does not fit"},
		{"n8", "5", nil, "holds values of type int8, not string"},
		{"u", 3, uint(3), ""},
		{"u", -1, nil, "-1 does not fit"},
		{"f32", 1, float32(1), ""},
		{"f32", 1e300, nil, "does not fit"},
		{"lvl", "high", level("high"), ""},
		{"lvl", level("low"), level("low"), ""},
		{"nick", "n", &nick, ""},
		{"nick", &nick, &nick, ""},
		{"nick", (*string)(nil), (*string)(nil), ""},
		{"nick", nil, nil, ""},
		{"when", time.Unix(5, 0), time.Unix(5, 0), ""},
		{"when", 5, nil, "holds values of type time.Time, not int"},
		{"dur", 5, time.Duration(5), ""},
		{"dur", time.Second, time.Second, ""},
		{"any", 3, 3, ""},
		{"tags", []string{"a"}, []string{"a"}, ""},
		{"tags", []any{"a"}, nil, "not []interface {}"},
		{"set", map[int]bool{1: true}, map[int]bool{1: true}, ""},
	}
	for _, tt := range tests {
		a := m.Attribute(tt.attr)
		got, err := a.Convert(tt.v)
		if tt.err != "" {
			var ve *ValueError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Convert(%s, %#v) error = %v, want a *ValueError containing %q", tt.attr, tt.v, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Convert(%s, %#v) error = %v", tt.attr, tt.v, err)
			continue
		}
		if tt.want == nil {
			if got.IsValid() {
				t.Errorf("Convert(%s, %#v) = %v, want no value", tt.attr, tt.v, got)
			}
			continue
		}
		if !got.IsValid() || got.Type() != a.GoType || !reflect.DeepEqual(got.Interface(), reflect.ValueOf(tt.want).Convert(a.GoType).Interface()) {
			t.Errorf("Convert(%s, %#v) = %#v, want %#v of type %s", tt.attr, tt.v, got, tt.want, a.GoType)
		}
	}
}

// TestElements builds sets and lists of the field's own type.
func TestElements(t *testing.T) {
	m, err := Of[valueModel]()
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Attribute("set").Elements([]any{1, map[int]bool{2: true, 3: false}, "4"})
	if err == nil {
		t.Errorf("Elements(int8) = %v, want an error", got)
	}
	got, err = m.Attribute("set").Elements([]any{1, map[int]bool{2: true, 3: false}})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int]bool{1: true, 2: true}; !reflect.DeepEqual(got.Interface(), want) {
		t.Errorf("Elements() = %v, want %v", got, want)
	}
	av, err := m.Attribute("set").EncodeOperand(got)
	if err != nil || av == nil {
		t.Errorf("EncodeOperand(set) = %v, %v", av, err)
	}
	if _, err := m.Attribute("n8").Elements([]any{1}); err == nil {
		t.Error("Elements() of a number attribute: no error")
	}
	if _, err := m.Attribute("empty").Elements([]any{1}); err == nil {
		t.Error("Elements() of a map that is not a set: no error")
	}
}
