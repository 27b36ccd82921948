package mapping

import (
	"reflect"
	"testing"
	"time"
)

type valueTypes struct {
	ID      string            `dynamo:"id,hash"`
	N       int               `dynamo:"n"`
	F       float64           `dynamo:"f"`
	Bytes   []byte            `dynamo:"bytes"`
	Flag    bool              `dynamo:"flag"`
	PFlag   *bool             `dynamo:"pflag"`
	List    []string          `dynamo:"list"`
	Strs    []string          `dynamo:"strs,set"`
	Nums    []int             `dynamo:"nums,set"`
	Bins    [][]byte          `dynamo:"bins,set"`
	MapSet  map[string]bool   `dynamo:"mapset,set"`
	Map     map[string]int    `dynamo:"map"`
	Struct  struct{ A int }   `dynamo:"struct"`
	When    time.Time         `dynamo:"when"`
	Unix    time.Time         `dynamo:"unix,unixtime"`
	Text    valueText         `dynamo:"text"`
	Any     any               `dynamo:"any"`
	Nested  map[string][]byte `dynamo:"nested"`
	Pointer *string           `dynamo:"pointer"`
}

func (valueTypes) TableName() string { return "value_types" }

func TestValueType(t *testing.T) {
	m, err := For(reflect.TypeFor[valueTypes]())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"id": "S", "n": "N", "f": "N", "bytes": "B", "flag": "BOOL", "pflag": "BOOL",
		"list": "L", "strs": "SS", "nums": "NS", "bins": "BS", "mapset": "SS",
		"map": "M", "struct": "M", "when": "S", "unix": "N", "text": "S", "any": "",
		"nested": "M", "pointer": "S",
	}
	for _, a := range m.Attributes {
		if got := a.ValueType(); got != want[a.Name] {
			t.Errorf("%s.ValueType() = %q, want %q", a.Name, got, want[a.Name])
		}
	}
}

type valueText struct{ v string }

func (t valueText) MarshalText() ([]byte, error) { return []byte(t.v), nil }
