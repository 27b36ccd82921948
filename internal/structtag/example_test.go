package structtag_test

import (
	"fmt"
	"reflect"

	"github.com/dynamokit/dynamokit/internal/structtag"
)

type Base struct {
	PK string `dynamo:"pk,hash"`
}

type Order struct {
	Base
	At   string   `dynamo:"at,omitempty,layout=utcnano" index:"by-at,range"`
	Tags []string `dynamo:",set"`
	Skip string   `dynamo:"-"`
}

func ExampleFields() {
	fields, _ := structtag.Fields(reflect.TypeFor[Order]())
	for _, f := range fields {
		fmt.Println(f.Index, f.Depth, f.Embedded, f.Tag.Name, f.Tag.Key, f.Tag.Options, f.Tag.LayoutName, f.Tag.Skip, len(f.Tag.Indexes))
	}
	// Output:
	// [0] 0 true Base 0   false 0
	// [0 0] 1 false pk 1   false 0
	// [1] 0 false at 0 omitempty utcnano false 1
	// [2] 0 false Tags 0 set  false 0
	// [3] 0 false - 0   true 0
}
