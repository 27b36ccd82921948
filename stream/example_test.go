package stream_test

import (
	"context"
	"fmt"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/stream"
)

// Employee is the model of the examples' table.
type Employee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	DepartmentID string `dynamo:"department_id"`
}

func (Employee) TableName() string { return "employee" }

// A Lambda function subscribed to the employee table's stream decodes
// its event into the model.
func ExampleDecoder_Lambda() {
	payload := []byte(`{"Records": [{
		"eventID": "1", "eventName": "MODIFY",
		"eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/employee/stream/2026-01-01T00:00:00.000",
		"dynamodb": {
			"ApproximateCreationDateTime": 1765000000,
			"Keys": {"employee_id": {"S": "e-1"}},
			"OldImage": {"employee_id": {"S": "e-1"}, "department_id": {"S": "sales"}},
			"NewImage": {"employee_id": {"S": "e-1"}, "department_id": {"S": "support"}},
			"SequenceNumber": "100", "SizeBytes": 60, "StreamViewType": "NEW_AND_OLD_IMAGES"}}]}`)
	dec, err := stream.NewDecoder[Employee]()
	if err != nil {
		panic(err)
	}
	events, err := dec.Lambda(payload)
	if err != nil {
		panic(err)
	}
	for _, ev := range events {
		fmt.Printf("%s %s: %s -> %s at %s\n", ev.Kind, ev.New.EmployeeID, ev.Old.DepartmentID, ev.New.DepartmentID, ev.Time.Format("2006-01-02 15:04"))
	}
	// Output:
	// MODIFY e-1: sales -> support at 2025-12-06 05:46
}

// A Reader follows the table's stream until the context ends, resuming
// from a saved checkpoint.
func ExampleReader_Run() {
	ctx := context.Background()
	var db *dynamokit.Client // from connect.FromEnv, say
	var saved *stream.Checkpoint
	dec, err := stream.NewDecoder[Employee]()
	if err != nil {
		panic(err)
	}
	r, err := stream.NewReader(db, dec, &stream.Options{Checkpoint: saved})
	if err != nil {
		panic(err)
	}
	err = r.Run(ctx, func(ctx context.Context, ev stream.Event[Employee]) error {
		switch ev.Kind {
		case stream.Insert:
			fmt.Println("hired", ev.New.EmployeeID)
		case stream.Remove:
			fmt.Println("left", ev.Old.EmployeeID)
		}
		return nil
	})
	cp := r.Checkpoint() // save it, to resume from
	_, _ = cp, err
}
