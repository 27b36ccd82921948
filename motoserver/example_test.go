package motoserver_test

import (
	"context"
	"fmt"
	"log"

	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/motoserver"
)

// Start a private moto server, connect to it and stop it at the end.
func ExampleStart() {
	ctx := context.Background()
	srv, err := motoserver.Start(ctx, nil) // installs moto on first use
	if err != nil {
		log.Fatal(err) // motoserver.ErrNoPython when there is no Python 3
	}
	defer srv.Close()

	db, err := connect.Endpoint(ctx, srv.Endpoint)
	if err != nil {
		log.Fatal(err)
	}
	tables, err := db.ListTables().All(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(tables), "tables")
}

// The pip requirement that the cache's environment holds.
func Example_requirement() {
	fmt.Println(motoserver.Requirement)
	// Output: moto[server]==5.2.5
}
