package itemcodec_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/benchmodel"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/guregu/dynamo/v2"
)

type Employee = benchmodel.Employee

var benchEmployee = benchmodel.Sample("d-1", 0)

// BenchmarkDecode decodes one Employee item with each library. Compare the
// libraries with: benchstat -col /lib.
func BenchmarkDecode(b *testing.B) {
	item := benchmodel.Encode(&benchEmployee)
	m := model.MustOf[Employee]()
	libs := []struct {
		name   string
		decode func(*Employee) error
	}{
		{"hand", func(e *Employee) error { return benchmodel.Decode(item, e) }},
		{"guregu", func(e *Employee) error { return dynamo.UnmarshalItem(item, e) }},
		{"attributevalue", func(e *Employee) error { return attributevalue.UnmarshalMap(item, e) }},
		{"dynamokit", func(e *Employee) error { return m.Decode(item, e) }},
	}
	for _, lib := range libs {
		b.Run("lib="+lib.name, func(b *testing.B) {
			var e Employee
			if err := lib.decode(&e); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := lib.decode(&e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncode encodes one Employee with each library.
func BenchmarkEncode(b *testing.B) {
	m := model.MustOf[Employee]()
	e := benchEmployee
	libs := []struct {
		name   string
		encode func(*Employee) (map[string]types.AttributeValue, error)
	}{
		{"hand", func(e *Employee) (map[string]types.AttributeValue, error) { return benchmodel.Encode(e), nil }},
		{"guregu", func(e *Employee) (map[string]types.AttributeValue, error) { return dynamo.MarshalItem(e) }},
		{"attributevalue", func(e *Employee) (map[string]types.AttributeValue, error) { return attributevalue.MarshalMap(e) }},
		{"dynamokit", func(e *Employee) (map[string]types.AttributeValue, error) { return m.Encode(e) }},
	}
	for _, lib := range libs {
		b.Run("lib="+lib.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := lib.encode(&e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBenchmarksAgree checks that the benchmarked libraries write and read
// the same item, so BenchmarkDecode and BenchmarkEncode compare like with
// like.
func TestBenchmarksAgree(t *testing.T) {
	m := model.MustOf[Employee]()
	want := benchmodel.Encode(&benchEmployee)
	encoders := map[string]func() (map[string]types.AttributeValue, error){
		"guregu":         func() (map[string]types.AttributeValue, error) { return dynamo.MarshalItem(benchEmployee) },
		"attributevalue": func() (map[string]types.AttributeValue, error) { return attributevalue.MarshalMap(benchEmployee) },
		"dynamokit":      func() (map[string]types.AttributeValue, error) { return m.Encode(benchEmployee) },
	}
	for name, encode := range encoders {
		got, err := encode()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberSS{})); diff != "" {
			t.Errorf("%s item differs from the hand-written one (-hand +%s):\n%s", name, name, diff)
		}
	}
	decoders := map[string]func(*Employee) error{
		"hand":           func(e *Employee) error { return benchmodel.Decode(want, e) },
		"guregu":         func(e *Employee) error { return dynamo.UnmarshalItem(want, e) },
		"attributevalue": func(e *Employee) error { return attributevalue.UnmarshalMap(want, e) },
		"dynamokit":      func(e *Employee) error { return m.Decode(want, e) },
	}
	for name, decode := range decoders {
		var got Employee
		if err := decode(&got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(benchEmployee, got); diff != "" {
			t.Errorf("%s decodes a different value (-want +got):\n%s", name, diff)
		}
	}
}
