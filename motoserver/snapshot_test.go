package motoserver

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestSnapshotCases attacks the transaction snapshot of serve.py
// with what TestTransactionRollsBack leaves out: a table with a range key
// and a GSI, actions on several partitions, an Update that creates an item
// in a partition that did not exist, a Put that adds an item to an
// existing partition, and a transaction refused midway by a
// ValidationException (two actions on one item) after earlier actions
// were applied. Every cancelled transaction must leave items, the index
// and the stream as they were; a committed one must apply fully.
func TestSnapshotCases(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a moto server")
	}
	srv := startOrSkip(t)
	defer srv.Close()
	const table = "snap"
	call(t, srv.Endpoint, "CreateTable", `{"TableName": "snap", "BillingMode": "PAY_PER_REQUEST",
		"KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
		"AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"}, {"AttributeName": "g", "AttributeType": "S"}],
		"GlobalSecondaryIndexes": [{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
		"StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}`, http.StatusOK)
	for _, k := range [][2]string{{"p0", "0"}, {"p0", "1"}, {"p1", "2"}, {"p2", "3"}} {
		call(t, srv.Endpoint, "PutItem", fmt.Sprintf(`{"TableName": "snap", "Item": {"p": {"S": %q}, "s": {"N": %q}, "g": {"S": "G"}, "n": {"N": "1"}}}`, k[0], k[1]), http.StatusOK)
	}
	state := func() string {
		return call(t, srv.Endpoint, "Scan", `{"TableName": "snap", "ConsistentRead": true}`, http.StatusOK) +
			call(t, srv.Endpoint, "Query", `{"TableName": "snap", "IndexName": "byg", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "G"}}}`, http.StatusOK) +
			call(t, srv.Endpoint, "Query", `{"TableName": "snap", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "p9"}}}`, http.StatusOK)
	}
	key := func(p, s string) string { return fmt.Sprintf(`"p": {"S": %q}, "s": {"N": %q}`, p, s) }
	tx := `{"TransactItems": [
		{"Update": {"TableName": "snap", "Key": {` + key("p9", "9") + `}, "UpdateExpression": "SET n = :v, g = :g", "ExpressionAttributeValues": {":v": {"N": "7"}, ":g": {"S": "G"}}}},
		{"Put": {"TableName": "snap", "Item": {` + key("p0", "5") + `, "g": {"S": "G"}}}},
		{"Update": {"TableName": "snap", "Key": {` + key("p1", "2") + `}, "UpdateExpression": "SET n = n + :one, g = :h", "ExpressionAttributeValues": {":one": {"N": "1"}, ":h": {"S": "H"}}}},
		{"Delete": {"TableName": "snap", "Key": {` + key("p0", "1") + `}}},
		{"Put": {"TableName": "snap", "Item": {` + key("p2", "3") + `, "g": {"S": "G"}, "n": {"N": "5"}}}},
		{"ConditionCheck": {"TableName": "snap", "Key": {` + key("p0", "0") + `}, "ConditionExpression": "attribute_not_exists(n)"}}]}`

	before, records := state(), streamRecords(t, srv.Endpoint, table)
	call(t, srv.Endpoint, "TransactWriteItems", tx, http.StatusBadRequest)
	if after := state(); after != before {
		t.Errorf("after a cancelled transaction:\n%s\nwant as before:\n%s", after, before)
	}
	if got := streamRecords(t, srv.Endpoint, table); got != records {
		t.Errorf("stream records after a cancelled transaction: %d, want %d", got, records)
	}

	// Refused midway: the third action acts on the item the first created.
	dup := `{"TransactItems": [
		{"Update": {"TableName": "snap", "Key": {` + key("p8", "8") + `}, "UpdateExpression": "SET n = :v", "ExpressionAttributeValues": {":v": {"N": "7"}}}},
		{"Delete": {"TableName": "snap", "Key": {` + key("p2", "3") + `}}},
		{"Put": {"TableName": "snap", "Item": {` + key("p8", "8") + `}}}]}`
	call(t, srv.Endpoint, "TransactWriteItems", dup, http.StatusBadRequest)
	if after := state(); after != before {
		t.Errorf("after a transaction refused midway:\n%s\nwant as before:\n%s", after, before)
	}
	if got := streamRecords(t, srv.Endpoint, table); got != records {
		t.Errorf("stream records after a transaction refused midway: %d, want %d", got, records)
	}

	// Committed: every action applies, and 5 stream records are added.
	call(t, srv.Endpoint, "TransactWriteItems", strings.Replace(tx, "attribute_not_exists(n)", "attribute_exists(n)", 1), http.StatusOK)
	got := call(t, srv.Endpoint, "Scan", `{"TableName": "snap", "ConsistentRead": true, "Select": "COUNT"}`, http.StatusOK)
	if !strings.Contains(got, `"Count":5`) {
		t.Errorf("items after the committed transaction: %s, want 5 (4 + 2 created - 1 deleted)", got)
	}
	if got := call(t, srv.Endpoint, "GetItem", `{"TableName": "snap", "Key": {`+key("p9", "9")+`}}`, http.StatusOK); !strings.Contains(got, `"n":{"N":"7"}`) {
		t.Errorf("item created by the committed Update: %s", got)
	}
	if got := call(t, srv.Endpoint, "GetItem", `{"TableName": "snap", "Key": {`+key("p1", "2")+`}}`, http.StatusOK); !strings.Contains(got, `"n":{"N":"2"}`) {
		t.Errorf("item updated by the committed transaction: %s", got)
	}
	// moto writes two records for an Update that creates an item (an
	// INSERT of the bare key, then a MODIFY), in a transaction or not: the
	// plain UpdateItem below measures it.
	upsert := streamRecords(t, srv.Endpoint, table)
	call(t, srv.Endpoint, "UpdateItem", `{"TableName": "snap", "Key": {`+key("p7", "7")+`}, "UpdateExpression": "SET n = :v", "ExpressionAttributeValues": {":v": {"N": "7"}}}`, http.StatusOK)
	upsert = streamRecords(t, srv.Endpoint, table) - upsert
	if want := records + 4 + upsert; streamRecords(t, srv.Endpoint, table)-upsert != want {
		t.Errorf("stream records after the committed transaction: %d, want %d", streamRecords(t, srv.Endpoint, table)-upsert, want)
	}
	t.Logf("moto: an UpdateItem that creates an item writes %d stream records", upsert)
	// A cancelled transaction after the commit still rolls back the table
	// that replaced the original (the snapshot of the first rollback).
	before, records = state(), streamRecords(t, srv.Endpoint, table)
	call(t, srv.Endpoint, "TransactWriteItems", strings.Replace(strings.Replace(tx, `"9"`, `"19"`, 1), "attribute_exists(n)", "attribute_not_exists(n)", 1), http.StatusBadRequest)
	if after := state(); after != before {
		t.Errorf("after a second cancelled transaction:\n%s\nwant as before:\n%s", after, before)
	}
	if got := streamRecords(t, srv.Endpoint, table); got != records {
		t.Errorf("stream records after a second cancelled transaction: %d, want %d", got, records)
	}
}
