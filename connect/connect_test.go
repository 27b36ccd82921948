package connect_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
)

// fakeDynamo is a minimal stand-in for DynamoDB that answers ListTables and
// records the requests it receives.
type fakeDynamo struct {
	*httptest.Server

	mu       sync.Mutex
	requests []*http.Request
}

// newFakeDynamo starts a fakeDynamo that is closed when the test ends.
func newFakeDynamo(t *testing.T) *fakeDynamo {
	t.Helper()
	f := &fakeDynamo{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, r)
		f.mu.Unlock()
		if r.Header.Get("X-Amz-Target") != "DynamoDB_20120810.ListTables" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = io.WriteString(w, `{"TableNames":["fake"]}`)
	}))
	t.Cleanup(f.Close)
	return f
}

// last returns the last request the fake received.
func (f *fakeDynamo) last(t *testing.T) *http.Request {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		t.Fatal("fake DynamoDB received no request")
	}
	return f.requests[len(f.requests)-1]
}

// listTables calls ListTables and fails the test unless it returns the fake's table.
func listTables(t *testing.T, c *dynamokit.Client) {
	t.Helper()
	out, err := sdkClient(t, c).ListTables(t.Context(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatalf("ListTables: %v", err)
	}
	if names := out.TableNames; len(names) != 1 || names[0] != "fake" {
		t.Fatalf("ListTables = %q, want [fake]", names)
	}
}

// sdkClient returns the SDK client of c.
func sdkClient(t *testing.T, c *dynamokit.Client) *dynamodb.Client {
	t.Helper()
	client, ok := c.API().(*dynamodb.Client)
	if !ok {
		t.Fatalf("c.API() is %T, want *dynamodb.Client", c.API())
	}
	return client
}

// options returns the options of db's underlying SDK client.
func options(t *testing.T, c *dynamokit.Client) dynamodb.Options {
	t.Helper()
	return sdkClient(t, c).Options()
}

// noCredentials clears the environment that would make Endpoint use
// configured credentials instead of dummy ones.
func noCredentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_PROFILE", "")
}

func TestEndpoint(t *testing.T) {
	noCredentials(t)
	t.Setenv("AWS_REGION", "")
	fake := newFakeDynamo(t)
	db, err := connect.Endpoint(t.Context(), fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	o := options(t, db)
	if o.BaseEndpoint == nil || *o.BaseEndpoint != fake.URL {
		t.Errorf("BaseEndpoint = %v, want %s", o.BaseEndpoint, fake.URL)
	}
	if o.Region != connect.DefaultRegion {
		t.Errorf("Region = %q, want %q", o.Region, connect.DefaultRegion)
	}
	if !o.DisableValidateResponseChecksum {
		t.Error("DisableValidateResponseChecksum = false, want true")
	}
	listTables(t, db)
	auth := fake.last(t).Header.Get("Authorization")
	if !strings.Contains(auth, "Credential=dummy/") || !strings.Contains(auth, "/us-east-1/dynamodb/") {
		t.Errorf("Authorization = %q, want dummy credentials scoped to us-east-1", auth)
	}
}

func TestEndpointConfiguredCredentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "eu-west-1")
	fake := newFakeDynamo(t)
	db, err := connect.Endpoint(t.Context(), fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	listTables(t, db)
	auth := fake.last(t).Header.Get("Authorization")
	if !strings.Contains(auth, "Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/eu-west-1/dynamodb/") {
		t.Errorf("Authorization = %q, want the configured credentials scoped to eu-west-1", auth)
	}
}

func TestEndpointRegionFromEnv(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-3")
	db, err := connect.Endpoint(t.Context(), "http://127.0.0.1:8000")
	if err != nil {
		t.Fatal(err)
	}
	if got := options(t, db).Region; got != "eu-west-3" {
		t.Errorf("Region = %q, want eu-west-3", got)
	}
}

func TestEndpointCallerOptionsWin(t *testing.T) {
	fake := newFakeDynamo(t)
	var calls int
	counting := &countingClient{next: http.DefaultClient, calls: &calls}
	db, err := connect.Endpoint(t.Context(), "http://127.0.0.1:1", dynamokit.WithSDKOptions(func(o *dynamodb.Options) {
		o.BaseEndpoint = &fake.URL
		o.Region = "ap-south-1"
		o.HTTPClient = counting
	}))
	if err != nil {
		t.Fatal(err)
	}
	listTables(t, db)
	if calls != 1 {
		t.Errorf("custom HTTP client saw %d requests, want 1", calls)
	}
	if auth := fake.last(t).Header.Get("Authorization"); !strings.Contains(auth, "/ap-south-1/dynamodb/") {
		t.Errorf("Authorization = %q, want scope ap-south-1", auth)
	}
}

// countingClient is an HTTP client that counts the requests it sends.
type countingClient struct {
	next  *http.Client
	calls *int
}

// Do counts the request and sends it with the wrapped client.
func (c *countingClient) Do(r *http.Request) (*http.Response, error) {
	*c.calls++
	return c.next.Do(r)
}

func TestEndpointInvalid(t *testing.T) {
	for _, endpoint := range []string{"", "127.0.0.1:8000", "localhost:8000", "ftp://127.0.0.1", "http://", "http://[::1", "/just/a/path"} {
		_, err := connect.Endpoint(t.Context(), endpoint)
		if err == nil {
			t.Errorf("Endpoint(%q): got no error", endpoint)
			continue
		}
		if !strings.HasPrefix(err.Error(), "connect: invalid endpoint") {
			t.Errorf("Endpoint(%q) error = %q, want it to start with %q", endpoint, err, "connect: invalid endpoint")
		}
	}
}

func TestEndpointCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := connect.Endpoint(ctx, "http://127.0.0.1:8000"); err == nil {
		t.Error("Endpoint with a canceled context: got no error")
	}
}

func TestFromEnvLocal(t *testing.T) {
	noCredentials(t)
	fake := newFakeDynamo(t)
	t.Setenv(connect.EnvEndpoint, fake.URL)
	db, err := connect.FromEnv(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	listTables(t, db)
	if auth := fake.last(t).Header.Get("Authorization"); !strings.Contains(auth, "Credential=dummy/") {
		t.Errorf("Authorization = %q, want dummy credentials", auth)
	}
}

func TestFromEnvInvalid(t *testing.T) {
	t.Setenv(connect.EnvEndpoint, "localhost:8000")
	_, err := connect.FromEnv(t.Context())
	if err == nil || !strings.Contains(err.Error(), connect.EnvEndpoint) {
		t.Fatalf("FromEnv error = %v, want one naming %s", err, connect.EnvEndpoint)
	}
}

// isolateAWS points the AWS SDK's configuration chain away from the user's
// own files, credentials and instance metadata.
func isolateAWS(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		connect.EnvEndpoint:           "",
		"AWS_CONFIG_FILE":             dir + "/config",
		"AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_PROFILE":                 "",
		"AWS_DEFAULT_REGION":          "",
		"AWS_REGION":                  "",
		"AWS_ENDPOINT_URL":            "",
		"AWS_ENDPOINT_URL_DYNAMODB":   "",
		"AWS_ACCESS_KEY_ID":           "",
		"AWS_SECRET_ACCESS_KEY":       "",
		"AWS_SESSION_TOKEN":           "",
	} {
		t.Setenv(k, v)
	}
}

func TestFromEnvSDKConfig(t *testing.T) {
	isolateAWS(t)
	fake := newFakeDynamo(t)
	t.Setenv("AWS_REGION", "eu-central-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.URL)
	db, err := connect.FromEnv(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	listTables(t, db)
	auth := fake.last(t).Header.Get("Authorization")
	if !strings.Contains(auth, "Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/eu-central-1/dynamodb/") {
		t.Errorf("Authorization = %q, want the SDK's credentials and region", auth)
	}
}

func TestFromEnvNoRegion(t *testing.T) {
	isolateAWS(t)
	_, err := connect.FromEnv(t.Context())
	if err == nil || !strings.Contains(err.Error(), "region") {
		t.Fatalf("FromEnv error = %v, want one about the region", err)
	}
	// A region set by the caller's options is enough.
	if _, err := connect.FromEnv(t.Context(), dynamokit.WithSDKOptions(func(o *dynamodb.Options) { o.Region = "us-west-2" })); err != nil {
		t.Fatalf("FromEnv with a region option: %v", err)
	}
}

// Example connects to a local engine. Endpoint makes no request, so this runs
// without one; table operations would need DynamoDB Local listening there.
func Example() {
	ctx := context.Background()
	c, err := connect.Endpoint(ctx, "http://127.0.0.1:8000", dynamokit.WithNamer(model.Prefix("dev-")))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Namer()("users"))

	_, err = connect.Endpoint(ctx, "localhost:8000")
	fmt.Println(err)
	// Output:
	// dev-users
	// connect: invalid endpoint "localhost:8000" (want a URL such as http://127.0.0.1:5000): not an http(s) URL with a host
}

// ExampleFromEnv connects the way programs and tests usually do: to the
// engine named by DYNAMODB_ENDPOINT, or else to AWS as configured for the SDK.
func ExampleFromEnv() {
	ctx := context.Background()
	c, err := connect.FromEnv(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Executor().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("users")})
	fmt.Println(errors.Is(err, dynamokit.ErrTableNotFound))
}
