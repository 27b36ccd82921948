package stream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/stream"
)

// Employee is the model of the examples' table.
type Employee struct {
	EmployeeID   string `dynamo:"employee_id,hash"`
	DepartmentID string `dynamo:"department_id"`
}

func (Employee) TableName() string { return "employee" }

// TableOptions turns the table's stream on, with both images.
func (Employee) TableOptions() model.Options {
	return model.Options{Stream: model.StreamNewAndOldImages}
}

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

// A Reader follows the table's stream until the context ends or a
// handler returns Stop. The table here holds what TestMain wrote: e-1 and
// e-2 hired, then e-1 left.
func ExampleReader_Run() {
	ctx := context.Background()
	dec, err := stream.NewDecoder[Employee]()
	if err != nil {
		panic(err)
	}
	r, err := stream.NewReader(db, dec, &stream.Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	n := 0
	err = r.Run(ctx, func(ctx context.Context, ev stream.Event[Employee]) error {
		switch ev.Kind {
		case stream.Insert:
			fmt.Println("hired", ev.New.EmployeeID, "in", ev.New.DepartmentID)
		case stream.Remove:
			fmt.Println("left", ev.Old.EmployeeID)
		}
		if n++; n == 3 {
			return stream.Stop // a service would run until its context ends
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// hired e-1 in sales
	// hired e-2 in support
	// left e-1
	// <nil>
}

// Profile and ShopOrder share one table, told apart by their entity type.
type (
	Profile struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"#PROFILE"`
		_          struct{} `dynamo:"entity" template:"Profile" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		Name       string   `dynamo:"name"`
	}
	ShopOrder struct {
		_          struct{} `dynamo:"pk,hash" template:"CUSTOMER#{customer_id}"`
		_          struct{} `dynamo:"sk,range" template:"ORDER#{order_id}"`
		_          struct{} `dynamo:"entity" template:"Order" dynamokit:"type"`
		CustomerID string   `dynamo:"customer_id"`
		OrderID    string   `dynamo:"order_id"`
		Total      int      `dynamo:"total"`
	}
)

func (Profile) TableName() string   { return "shop" }
func (ShopOrder) TableName() string { return "shop" }

// A collection's decoder gives each image as its member's model, and an
// image of an entity type no member declares as it was read.
func ExampleNewCollectionDecoder() {
	db := dynamokit.NewFromClient(nil) // no request is made
	profiles, err := query.NewTable[Profile](db)
	if err != nil {
		panic(err)
	}
	orders, err := query.NewTable[ShopOrder](db)
	if err != nil {
		panic(err)
	}
	col, err := query.NewCollection("customer", profiles, orders)
	if err != nil {
		panic(err)
	}
	dec, err := stream.NewCollectionDecoder(col)
	if err != nil {
		panic(err)
	}
	events, err := dec.Lambda([]byte(`{"Records": [
		{"eventName": "INSERT", "dynamodb": {"NewImage": {"entity": {"S": "Profile"}, "customer_id": {"S": "c-1"}, "name": {"S": "Ada"}}}},
		{"eventName": "INSERT", "dynamodb": {"NewImage": {"entity": {"S": "Order"}, "customer_id": {"S": "c-1"}, "order_id": {"S": "o-1"}, "total": {"N": "30"}}}},
		{"eventName": "INSERT", "dynamodb": {"NewImage": {"entity": {"S": "Coupon"}, "code": {"S": "WELCOME"}}}}]}`))
	if err != nil {
		panic(err)
	}
	for _, ev := range events {
		switch v := ev.New.Value.(type) {
		case Profile:
			fmt.Println("profile of", v.Name)
		case ShopOrder:
			fmt.Println("order", v.OrderID, "of", v.Total)
		default: // not a member: reported, with the image as read
			fmt.Println("unknown entity type", ev.New.Type, "known:", ev.New.Known())
		}
	}
	// Output:
	// profile of Ada
	// order o-1 of 30
	// unknown entity type Coupon known: false
}

// A Checkpoint is plain data: save it as JSON now and then, and give it
// back to resume after the last record handled. Here a first reader stops
// after two events and a second one resumes from its checkpoint.
func ExampleCheckpoint() {
	ctx := context.Background()
	dec, err := stream.NewDecoder[Employee]()
	if err != nil {
		panic(err)
	}
	var saved []byte // a file, or an item of a table, in a service
	read := func(stopAfter int) {
		var cp *stream.Checkpoint
		if saved != nil {
			cp = new(stream.Checkpoint)
			if err := json.Unmarshal(saved, cp); err != nil {
				panic(err)
			}
		}
		r, err := stream.NewReader(db, dec, &stream.Options{Checkpoint: cp, PollInterval: 50 * time.Millisecond})
		if err != nil {
			panic(err)
		}
		n := 0
		err = r.Run(ctx, func(ctx context.Context, ev stream.Event[Employee]) error {
			if ev.Kind == stream.Remove {
				fmt.Println(ev.Kind, ev.Old.EmployeeID)
			} else {
				fmt.Println(ev.Kind, ev.New.EmployeeID)
			}
			if n++; n == stopAfter {
				return stream.Stop
			}
			return nil
		})
		if err != nil {
			panic(err)
		}
		// The checkpoint holds an event once its handler has returned.
		if saved, err = json.Marshal(r.Checkpoint()); err != nil {
			panic(err)
		}
	}
	read(2)
	fmt.Println("resume")
	read(1)
	// Output:
	// INSERT e-1
	// INSERT e-2
	// resume
	// REMOVE e-1
}
