package itemcodec

import (
	"reflect"
	"testing"
	"time"
)

// BenchmarkTime encodes and decodes one time field in each layout, through
// a one-field struct so the time dominates.
func BenchmarkTime(b *testing.B) {
	at := time.Date(2024, 3, 4, 5, 6, 7, 123456789, time.UTC)
	for _, tc := range []struct {
		name string
		typ  reflect.Type
		v    any
	}{
		{"layout=default", reflect.TypeFor[struct {
			At time.Time `dynamo:"at"`
		}](), &struct {
			At time.Time `dynamo:"at"`
		}{at}},
		{"layout=pynamodb", reflect.TypeFor[struct {
			At time.Time `dynamo:"at,layout=pynamodb"`
		}](), &struct {
			At time.Time `dynamo:"at,layout=pynamodb"`
		}{at}},
	} {
		c, err := Compile(tc.typ)
		if err != nil {
			b.Fatal(err)
		}
		v := reflect.ValueOf(tc.v).Elem()
		item, err := c.Encode(v, 0)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("op=Encode/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Encode(v, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("op=Decode/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Decode(item, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
