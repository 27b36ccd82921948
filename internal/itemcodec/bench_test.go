package itemcodec_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/guregu/dynamo/v2"
)

// Employee is the struct of the performance goals (docs/performance.md):
// seven fields of the common kinds, tagged for both guregu/dynamo and the
// SDK's attributevalue package so all of them write the same item.
type Employee struct {
	ID     string    `dynamo:"id,hash" dynamodbav:"id"`
	Name   string    `dynamo:"name" dynamodbav:"name"`
	Dept   string    `dynamo:"dept" dynamodbav:"dept"`
	Age    int       `dynamo:"age" dynamodbav:"age"`
	Salary float64   `dynamo:"salary" dynamodbav:"salary"`
	Skills []string  `dynamo:"skills,set" dynamodbav:"skills,stringset"`
	Hired  time.Time `dynamo:"hired" dynamodbav:"hired"`
}

func (Employee) TableName() string { return "employee" }

var benchEmployee = Employee{
	ID: "e-42", Name: "Ada Lovelace", Dept: "R&D", Age: 36, Salary: 98765.25,
	Skills: []string{"go", "sql", "dynamodb"},
	Hired:  time.Date(2021, 3, 4, 5, 6, 7, 890000000, time.UTC),
}

// decodeByHand is the baseline decoder: what one writes for this struct
// without a library.
func decodeByHand(item map[string]types.AttributeValue, e *Employee) error {
	var err error
	if v, ok := item["id"].(*types.AttributeValueMemberS); ok {
		e.ID = v.Value
	}
	if v, ok := item["name"].(*types.AttributeValueMemberS); ok {
		e.Name = v.Value
	}
	if v, ok := item["dept"].(*types.AttributeValueMemberS); ok {
		e.Dept = v.Value
	}
	if v, ok := item["age"].(*types.AttributeValueMemberN); ok {
		if e.Age, err = strconv.Atoi(v.Value); err != nil {
			return err
		}
	}
	if v, ok := item["salary"].(*types.AttributeValueMemberN); ok {
		if e.Salary, err = strconv.ParseFloat(v.Value, 64); err != nil {
			return err
		}
	}
	if v, ok := item["skills"].(*types.AttributeValueMemberSS); ok {
		e.Skills = slices.Clone(v.Value)
	}
	if v, ok := item["hired"].(*types.AttributeValueMemberS); ok {
		if e.Hired, err = time.Parse(time.RFC3339Nano, v.Value); err != nil {
			return err
		}
	}
	return nil
}

// encodeByHand is the baseline encoder.
func encodeByHand(e *Employee) map[string]types.AttributeValue {
	item := make(map[string]types.AttributeValue, 7)
	item["id"] = &types.AttributeValueMemberS{Value: e.ID}
	item["name"] = &types.AttributeValueMemberS{Value: e.Name}
	item["dept"] = &types.AttributeValueMemberS{Value: e.Dept}
	item["age"] = &types.AttributeValueMemberN{Value: strconv.Itoa(e.Age)}
	item["salary"] = &types.AttributeValueMemberN{Value: strconv.FormatFloat(e.Salary, 'f', -1, 64)}
	item["skills"] = &types.AttributeValueMemberSS{Value: slices.Clone(e.Skills)}
	item["hired"] = &types.AttributeValueMemberS{Value: e.Hired.Format(time.RFC3339Nano)}
	return item
}

// BenchmarkDecode decodes one Employee item with each library. Compare the
// libraries with: benchstat -col /lib.
func BenchmarkDecode(b *testing.B) {
	item := encodeByHand(&benchEmployee)
	m := model.MustOf[Employee]()
	libs := []struct {
		name   string
		decode func(*Employee) error
	}{
		{"hand", func(e *Employee) error { return decodeByHand(item, e) }},
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
		{"hand", func(e *Employee) (map[string]types.AttributeValue, error) { return encodeByHand(e), nil }},
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
	want := encodeByHand(&benchEmployee)
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
		"hand":           func(e *Employee) error { return decodeByHand(want, e) },
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
