package motoserver_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
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

	c, err := connect.Endpoint(ctx, srv.Endpoint)
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("users")})
	fmt.Println(errors.Is(err, dynamokit.ErrTableNotFound)) // a new server has no tables
}

// The pip requirement that the cache's environment holds.
func Example_requirement() {
	fmt.Println(motoserver.Requirement)
	// Output: moto[server]==5.2.5
}
