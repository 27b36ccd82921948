package motoserver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// startOrSkip starts a server, skipping the test when Python 3 is missing
// outside CI.
func startOrSkip(t *testing.T) *Server {
	t.Helper()
	srv, err := Start(t.Context(), &Options{Log: testWriter{t}})
	if errors.Is(err, ErrNoPython) {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); !ci {
			t.Skip(err)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Logf("%s", p); return len(p), nil }

func TestStartAnswersAndCloseStops(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a moto server")
	}
	srv := startOrSkip(t)
	if err := WaitReady(t.Context(), srv.Endpoint); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.done:
	default:
		t.Fatal("process still running after Close")
	}
	if err := srv.Close(); err != nil { // twice is fine
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if err := WaitReady(ctx, srv.Endpoint); err == nil {
		t.Fatal("server still answers after Close")
	}
}

func TestTwoServersAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto servers")
	}
	a := startOrSkip(t)
	defer a.Close()
	b := startOrSkip(t)
	defer b.Close()
	if a.Endpoint == b.Endpoint {
		t.Fatalf("both servers at %s", a.Endpoint)
	}
}

func TestNoPython(t *testing.T) {
	_, err := Install(t.Context(), &Options{Python: "no-such-python-dynamokit", CacheDir: t.TempDir()})
	if !errors.Is(err, ErrNoPython) {
		t.Fatalf("Install with a missing interpreter = %v, want ErrNoPython", err)
	}
}

func TestLockDirSerialises(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x.lock")
	var inside, most atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			unlock, err := lockDir(t.Context(), dir)
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			if n > most.Load() {
				most.Store(n)
			}
			time.Sleep(5 * time.Millisecond)
			inside.Add(-1)
			unlock()
		})
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Fatalf("%d holders at once, want 1", most.Load())
	}
}

func TestLockDirTakesOverStaleLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x.lock")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * lockStale)
	if err := os.Chtimes(dir, old, old); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockDir(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

func TestLockDirHonoursContext(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x.lock")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := lockDir(ctx, dir); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lockDir on a held lock = %v, want DeadlineExceeded", err)
	}
}

// TestServerEndsWithProcess kills a process that started a server, without
// giving it a chance to call Close, and checks that the server goes too.
func TestServerEndsWithProcess(t *testing.T) {
	if os.Getenv("MOTOSERVER_CHILD") == "1" {
		srv, err := Start(context.Background(), nil)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("endpoint:", srv.Endpoint)
		time.Sleep(time.Minute) // killed long before
		return
	}
	if testing.Short() {
		t.Skip("starts a moto server")
	}
	startOrSkip(t).Close() // installs moto, or skips without Python
	cmd := exec.Command(os.Args[0], "-test.run=^TestServerEndsWithProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MOTOSERVER_CHILD=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	endpoint, ok := strings.CutPrefix(strings.TrimSpace(line), "endpoint: ")
	if err != nil || !ok {
		_ = cmd.Process.Kill()
		t.Fatalf("child said %q (%v), want its endpoint", line, err)
	}
	if err := WaitReady(t.Context(), endpoint); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(3 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		err := WaitReady(ctx, endpoint)
		cancel()
		if err != nil {
			return // gone
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server at %s still answers 3 s after its process was killed", endpoint)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPythonWithoutVenv checks that an interpreter without ensurepip, as
// Debian's python3 is without python3-venv, counts as no Python: the test
// suites then skip, saying what to install, instead of failing to install.
func TestPythonWithoutVenv(t *testing.T) {
	real, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 here")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "ensurepip"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ensurepip", "__init__.py"), []byte("raise ImportError('ensurepip is disabled')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(dir, "python3")
	script := "#!/bin/sh\nPYTHONPATH=" + dir + " exec " + real + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Install(t.Context(), &Options{Python: wrapper, CacheDir: t.TempDir()})
	if !errors.Is(err, ErrNoPython) {
		t.Fatalf("Install with a python3 lacking ensurepip = %v, want ErrNoPython", err)
	}
	if !strings.Contains(err.Error(), "python3-venv") {
		t.Errorf("error %q does not say to install python3-venv", err)
	}
}

func TestInstallPackageWantsPinnedRequirement(t *testing.T) {
	for _, req := range []string{"pynamodb", "pynamodb>=6", "pynamodb==6.1.0 moto", "../x==1"} {
		// Refused before Install, so nothing is installed into this cache.
		if _, err := InstallPackage(t.Context(), &Options{CacheDir: t.TempDir(), Python: "no-such-python"}, req); err == nil || errors.Is(err, ErrNoPython) {
			t.Errorf("InstallPackage(%q) = %v, want an error about the requirement", req, err)
		}
	}
}

func TestRequirementsArePinned(t *testing.T) {
	reqs := Requirements()
	if len(reqs) == 0 || reqs[0] != "moto=="+Version {
		t.Errorf("Requirements() = %q, want moto==%s first", reqs, Version)
	}
	for _, req := range reqs {
		name, version, ok := strings.Cut(req, "==")
		if !ok || name == "" || version == "" || strings.ContainsAny(req, " [;<>") {
			t.Errorf("requirement %q: want name==version, nothing else", req)
		}
	}
}

// Another set of requirements must not reuse an environment installed from
// this one.
func TestEnvNameFollowsRequirements(t *testing.T) {
	name := envName()
	if !strings.HasPrefix(name, "moto-"+Version+"-") || len(name) != len("moto-"+Version+"-")+8 {
		t.Errorf("envName() = %q, want moto-%s-<8 hex digits>", name, Version)
	}
	saved := requirementsFile
	t.Cleanup(func() { requirementsFile = saved })
	requirementsFile = saved + "docker==7.2.0\n"
	if other := envName(); other == name {
		t.Errorf("envName() = %q with another requirement too, want a name other than %q", other, name)
	}
	requirementsFile = "# a comment only\n" + saved
	if same := envName(); same != name {
		t.Errorf("envName() = %q with an added comment, want %q", same, name)
	}
}

// TestServerIgnoresAWSProfile starts a server under an AWS_PROFILE that
// names no profile, empty or unknown: moto needs no profile, and the
// server must answer anyway.
func TestServerIgnoresAWSProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a moto server")
	}
	for _, profile := range []string{"", "no-such-profile"} {
		t.Run("AWS_PROFILE="+profile, func(t *testing.T) {
			t.Setenv("AWS_PROFILE", profile)
			srv := startOrSkip(t)
			defer srv.Close()
			call(t, srv.Endpoint, "CreateTable", `{"TableName": "t", "BillingMode": "PAY_PER_REQUEST",
				"KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
				"AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}]}`, http.StatusOK)
		})
	}
}

// TestTransactionRollsBack checks the server's own snapshot of the tables a
// transaction touches: a cancelled transaction that updated an item in
// place, replaced one, deleted one and created one leaves every item, and
// the stream, as they were, in a table with a sort key and in one without.
func TestTransactionRollsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a moto server")
	}
	srv := startOrSkip(t)
	defer srv.Close()
	for _, tc := range []struct {
		name, keySchema, attrs string
		key                    func(i int) string
	}{
		{"hash", `[{"AttributeName": "p", "KeyType": "HASH"}]`, `[{"AttributeName": "p", "AttributeType": "S"}]`,
			func(i int) string { return fmt.Sprintf(`"p": {"S": "p%d"}`, i) }},
		{"hash and range", `[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}]`,
			`[{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"}]`,
			func(i int) string { return fmt.Sprintf(`"p": {"S": "p%d"}, "s": {"N": "%d"}`, i%3, i) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			table := strings.ReplaceAll(tc.name, " ", "-")
			call(t, srv.Endpoint, "CreateTable", fmt.Sprintf(`{"TableName": %q, "BillingMode": "PAY_PER_REQUEST",
				"KeySchema": %s, "AttributeDefinitions": %s,
				"StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}`, table, tc.keySchema, tc.attrs), http.StatusOK)
			for i := range 6 {
				call(t, srv.Endpoint, "PutItem", fmt.Sprintf(`{"TableName": %q, "Item": {%s, "n": {"N": "1"}}}`, table, tc.key(i)), http.StatusOK)
			}
			before := call(t, srv.Endpoint, "Scan", fmt.Sprintf(`{"TableName": %q}`, table), http.StatusOK)
			records := streamRecords(t, srv.Endpoint, table)
			tx := fmt.Sprintf(`{"TransactItems": [
				{"Update": {"TableName": %[1]q, "Key": {%[2]s}, "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
				{"Put": {"TableName": %[1]q, "Item": {%[3]s, "n": {"N": "9"}}}},
				{"Delete": {"TableName": %[1]q, "Key": {%[4]s}}},
				{"Put": {"TableName": %[1]q, "Item": {%[5]s}}},
				{"ConditionCheck": {"TableName": %[1]q, "Key": {%[6]s}, "ConditionExpression": "attribute_not_exists(n)"}}]}`,
				table, tc.key(0), tc.key(1), tc.key(2), tc.key(100), tc.key(3))
			call(t, srv.Endpoint, "TransactWriteItems", tx, http.StatusBadRequest)
			if after := call(t, srv.Endpoint, "Scan", fmt.Sprintf(`{"TableName": %q}`, table), http.StatusOK); after != before {
				t.Errorf("items after a cancelled transaction:\n%s\nwant as before:\n%s", after, before)
			}
			if got := streamRecords(t, srv.Endpoint, table); got != records {
				t.Errorf("stream records after a cancelled transaction: %d, want %d", got, records)
			}
			// The same transaction without the failing check applies.
			call(t, srv.Endpoint, "TransactWriteItems", strings.Replace(tx, "attribute_not_exists(n)", "attribute_exists(n)", 1), http.StatusOK)
			if got := call(t, srv.Endpoint, "GetItem", fmt.Sprintf(`{"TableName": %q, "Key": {%s}}`, table, tc.key(0)), http.StatusOK); !strings.Contains(got, `"n":{"N":"2"}`) {
				t.Errorf("item updated by a committed transaction: %s, want n 2", got)
			}
		})
	}
}

// call sends one DynamoDB request of op with body to endpoint and returns
// its response body, failing t unless the status is want.
func call(t *testing.T, endpoint, op, body string, want int) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	target := "DynamoDB_20120810."
	if strings.HasPrefix(op, "streams.") {
		target, op = "DynamoDBStreams_20120810.", strings.TrimPrefix(op, "streams.")
	}
	req.Header.Set("X-Amz-Target", target+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("Authorization", readyAuth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: read: %v", op, err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s answered %s: %s; want %d", op, resp.Status, got, want)
	}
	var v any
	if json.Unmarshal(got, &v) == nil {
		canonical, _ := json.Marshal(v)
		return string(canonical)
	}
	return string(got)
}

// streamRecords returns how many records table's stream holds.
func streamRecords(t *testing.T, endpoint, table string) int {
	t.Helper()
	var desc struct {
		Table struct{ LatestStreamArn string }
	}
	if err := json.Unmarshal([]byte(call(t, endpoint, "DescribeTable", fmt.Sprintf(`{"TableName": %q}`, table), http.StatusOK)), &desc); err != nil {
		t.Fatal(err)
	}
	var stream struct {
		StreamDescription struct{ Shards []struct{ ShardId string } }
	}
	arn := desc.Table.LatestStreamArn
	if err := json.Unmarshal([]byte(call(t, endpoint, "streams.DescribeStream", fmt.Sprintf(`{"StreamArn": %q}`, arn), http.StatusOK)), &stream); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, shard := range stream.StreamDescription.Shards {
		var it struct{ ShardIterator string }
		_ = json.Unmarshal([]byte(call(t, endpoint, "streams.GetShardIterator",
			fmt.Sprintf(`{"StreamArn": %q, "ShardId": %q, "ShardIteratorType": "TRIM_HORIZON"}`, arn, shard.ShardId), http.StatusOK)), &it)
		var recs struct{ Records []json.RawMessage }
		_ = json.Unmarshal([]byte(call(t, endpoint, "streams.GetRecords", fmt.Sprintf(`{"ShardIterator": %q, "Limit": 1000}`, it.ShardIterator), http.StatusOK)), &recs)
		n += len(recs.Records)
	}
	return n
}
