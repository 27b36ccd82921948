package itemcodec_test

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/internal/itemcodec"
)

func Example() {
	type Book struct {
		ISBN    string   `dynamo:"isbn,hash"`
		Title   string   `dynamo:"title"`
		Authors []string `dynamo:"authors,set"`
		Pages   int      `dynamo:"pages,omitempty"`
	}
	c, err := itemcodec.Compile(reflect.TypeFor[Book]())
	if err != nil {
		fmt.Println(err)
		return
	}
	b := Book{ISBN: "978-0134190440", Title: "The Go Programming Language", Authors: []string{"Donovan", "Kernighan"}}
	item, err := c.Encode(reflect.ValueOf(&b).Elem(), 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range item {
			if !yield(k) {
				return
			}
		}
	}) {
		switch av := item[name].(type) {
		case *types.AttributeValueMemberS:
			fmt.Printf("%s S %q\n", name, av.Value)
		case *types.AttributeValueMemberSS:
			fmt.Printf("%s SS %q\n", name, av.Value)
		}
	}
	var back Book
	if err := c.Decode(item, reflect.ValueOf(&back).Elem()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reflect.DeepEqual(back, b))
	// Output:
	// authors SS ["Donovan" "Kernighan"]
	// isbn S "978-0134190440"
	// title S "The Go Programming Language"
	// true
}
