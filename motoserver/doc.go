// Package motoserver installs and runs moto, the open-source AWS emulator,
// as a local DynamoDB engine for tests and examples.
//
// [Start] installs moto [Version] and the few packages its DynamoDB server
// needs ([Requirements]) into a virtual environment in the user's cache on
// first use (it needs only Python 3 and a Python package index),
// starts it on a free loopback port and returns once ListTables answers.
// Later starts reuse the installation and need no network.
//
// moto's own server (moto_server) handles each request on its own thread,
// and moto does not isolate concurrent transactions from each other: two
// TransactWriteItems calls can interleave and both succeed where DynamoDB
// would cancel one. The server started here runs moto for one request at a
// time, so transactions, conditions and optimistic locking behave as they
// do on DynamoDB. Connections are still accepted concurrently.
//
// A program seldom calls Start itself:
// [github.com/dynamokit/dynamokit/connect.Open] starts a server here when
// neither DYNAMODB_ENDPOINT nor the AWS configuration names another engine,
// and tests get theirs from the dynamotest module.
package motoserver
