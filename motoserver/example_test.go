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
	_, err = c.Executor().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("users")})
	fmt.Println(errors.Is(err, dynamokit.ErrTableNotFound)) // a new server has no tables
	// Output: true
}

// The pip requirements that the cache's environment holds.
func ExampleRequirements() {
	for _, req := range motoserver.Requirements() {
		fmt.Println(req)
	}
	// Output:
	// moto==5.2.5
	// flask==3.1.3
	// flask-cors==6.0.5
	// werkzeug==3.1.9
	// py-partiql-parser==0.6.3
}
