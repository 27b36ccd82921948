package engine_test

import (
	"context"
	"fmt"
	"os"

	"github.com/dynamokit/dynamokit/examples/internal/engine"
)

// With DYNAMODB_ENDPOINT set, Open connects there and starts nothing; no
// request is made until the example uses the DB.
func ExampleOpen() {
	os.Setenv("DYNAMODB_ENDPOINT", "http://127.0.0.1:5000")
	defer os.Unsetenv("DYNAMODB_ENDPOINT")
	db, release, err := engine.Open(context.Background(), os.Stdout)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer release()
	fmt.Println(db != nil)
	// Output:
	// engine: DYNAMODB_ENDPOINT=http://127.0.0.1:5000
	// true
}
