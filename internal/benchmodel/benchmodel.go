// Package benchmodel is the struct dynamokit's benchmarks measure, with the
// hand-written encoder and decoder they use as the baseline. See
// docs/performance.md.
package benchmodel

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Employee has seven fields of the common kinds. It is tagged for both
// guregu/dynamo (and so dynamokit) and the SDK's attributevalue package, so
// every library writes the same item. A department's employees share a
// partition, so a Query returns them.
type Employee struct {
	Dept   string    `dynamo:"dept,hash" dynamodbav:"dept"`
	ID     string    `dynamo:"id,range" dynamodbav:"id"`
	Name   string    `dynamo:"name" dynamodbav:"name"`
	Age    int       `dynamo:"age" dynamodbav:"age"`
	Salary float64   `dynamo:"salary" dynamodbav:"salary"`
	Skills []string  `dynamo:"skills,set" dynamodbav:"skills,stringset"`
	Hired  time.Time `dynamo:"hired" dynamodbav:"hired"`
}

// TableName returns the base name of the benchmark table.
func (Employee) TableName() string { return "bench_employee" }

// Sample returns the i-th employee of dept.
func Sample(dept string, i int) Employee {
	return Employee{
		Dept:   dept,
		ID:     fmt.Sprintf("e-%03d", i),
		Name:   "Ada Lovelace",
		Age:    36 + i,
		Salary: 98765.25 + float64(i),
		Skills: []string{"go", "sql", "dynamodb"},
		Hired:  time.Date(2021, 3, 4, 5, 6, 7, 890000000, time.UTC).AddDate(0, 0, i),
	}
}

// Key returns the primary key of the employee id of dept.
func Key(dept, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"dept": &types.AttributeValueMemberS{Value: dept},
		"id":   &types.AttributeValueMemberS{Value: id},
	}
}

// Encode is the baseline encoder: what one writes for this struct without
// a library.
func Encode(e *Employee) map[string]types.AttributeValue {
	item := make(map[string]types.AttributeValue, 7)
	item["dept"] = &types.AttributeValueMemberS{Value: e.Dept}
	item["id"] = &types.AttributeValueMemberS{Value: e.ID}
	item["name"] = &types.AttributeValueMemberS{Value: e.Name}
	item["age"] = &types.AttributeValueMemberN{Value: strconv.Itoa(e.Age)}
	item["salary"] = &types.AttributeValueMemberN{Value: strconv.FormatFloat(e.Salary, 'f', -1, 64)}
	item["skills"] = &types.AttributeValueMemberSS{Value: slices.Clone(e.Skills)}
	item["hired"] = &types.AttributeValueMemberS{Value: e.Hired.Format(time.RFC3339Nano)}
	return item
}

// Decode is the baseline decoder.
func Decode(item map[string]types.AttributeValue, e *Employee) error {
	var err error
	if v, ok := item["dept"].(*types.AttributeValueMemberS); ok {
		e.Dept = v.Value
	}
	if v, ok := item["id"].(*types.AttributeValueMemberS); ok {
		e.ID = v.Value
	}
	if v, ok := item["name"].(*types.AttributeValueMemberS); ok {
		e.Name = v.Value
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
