package connect_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/motoserver"
)

func TestOpenEndpointFromEnv(t *testing.T) {
	noCredentials(t)
	fake := newFakeDynamo(t)
	t.Setenv(connect.EnvEndpoint, fake.URL)
	var logged strings.Builder
	// AWS is ignored: DYNAMODB_ENDPOINT wins.
	db, eng, err := connect.Open(t.Context(), &connect.Options{AWS: true, Log: &logged})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.Endpoint != fake.URL {
		t.Errorf("Engine.Endpoint = %q, want %q", eng.Endpoint, fake.URL)
	}
	want := "connect: engine: " + connect.EnvEndpoint + "=" + fake.URL + "\n"
	if got := logged.String(); got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
	if got, want := eng.String(), connect.EnvEndpoint+"="+fake.URL; got != want {
		t.Errorf("Engine.String() = %q, want %q", got, want)
	}
	listTables(t, db)
	if auth := fake.last(t).Header.Get("Authorization"); !strings.Contains(auth, "Credential=dummy/") {
		t.Errorf("Authorization = %q, want dummy credentials", auth)
	}
}

func TestOpenAWS(t *testing.T) {
	isolateAWS(t)
	fake := newFakeDynamo(t)
	t.Setenv("AWS_REGION", "eu-central-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	var logged strings.Builder
	db, eng, err := connect.Open(t.Context(), &connect.Options{AWS: true, Log: &logged},
		dynamokit.WithNamer(model.Prefix("dev-")))
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.Endpoint != "" {
		t.Errorf("Engine.Endpoint = %q, want the SDK's own", eng.Endpoint)
	}
	if got, want := logged.String(), "connect: engine: DynamoDB in eu-central-1, from the AWS configuration\n"; got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
	if got := db.Namer()("users"); got != "dev-users" {
		t.Errorf("Namer()(users) = %q, want dev-users: the caller's options were not applied", got)
	}
	// The same configuration with an endpoint of the SDK's own: the client
	// signs with the configured credentials.
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.URL)
	db, eng, err = connect.Open(t.Context(), &connect.Options{AWS: true})
	if err != nil {
		t.Fatal(err)
	}
	if eng.Endpoint != fake.URL {
		t.Errorf("Engine.Endpoint = %q, want %q", eng.Endpoint, fake.URL)
	}
	listTables(t, db)
	if auth := fake.last(t).Header.Get("Authorization"); !strings.Contains(auth, "Credential=AKIDEXAMPLE/") {
		t.Errorf("Authorization = %q, want the configured credentials", auth)
	}
}

// An endpoint set in the AWS SDK's own variables is an engine asked for:
// Open uses the AWS configuration without Options.AWS.
func TestOpenAWSEndpointConfigured(t *testing.T) {
	for _, name := range []string{"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"} {
		t.Run(name, func(t *testing.T) {
			isolateAWS(t)
			fake := newFakeDynamo(t)
			t.Setenv("AWS_REGION", "eu-west-1")
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
			t.Setenv(name, fake.URL)
			var logged strings.Builder
			db, eng, err := connect.Open(t.Context(), &connect.Options{Log: &logged, Moto: noMoto(t)})
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			want := fmt.Sprintf("connect: engine: DynamoDB in eu-west-1, from the AWS configuration, at %s (%s)\n", fake.URL, name)
			if got := logged.String(); got != want {
				t.Errorf("log = %q, want %q", got, want)
			}
			listTables(t, db)
			auth := fake.last(t).Header.Get("Authorization")
			if !strings.Contains(auth, "Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/eu-west-1/dynamodb/") {
				t.Errorf("Authorization = %q, want the configured credentials and region", auth)
			}
		})
	}
}

func TestOpenAWSNoRegion(t *testing.T) {
	isolateAWS(t)
	_, eng, err := connect.Open(t.Context(), &connect.Options{AWS: true})
	if err == nil || !strings.Contains(err.Error(), "region") {
		t.Fatalf("Open error = %v, want one about the region", err)
	}
	if eng != nil {
		t.Errorf("Open returned an engine (%v) with its error", eng)
	}
}

func TestOpenNoPython(t *testing.T) {
	isolateAWS(t)
	_, _, err := connect.Open(t.Context(), &connect.Options{Moto: noMoto(t)})
	if !errors.Is(err, motoserver.ErrNoPython) {
		t.Fatalf("Open error = %v, want motoserver.ErrNoPython", err)
	}
	for _, way := range []string{"python3-venv", connect.EnvEndpoint, "connect.Options.AWS"} {
		if !strings.Contains(err.Error(), way) {
			t.Errorf("Open error = %q, want it to name %q", err, way)
		}
	}
}

func TestOpenCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := connect.Open(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a canceled context: error = %v, want context.Canceled", err)
	}
}

// TestOpenMoto runs Open against real moto servers: the one DYNAMODB_ENDPOINT
// names, and, without it, a private one that Close stops.
func TestOpenMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto servers")
	}
	// Not isolateAWS: moto answers every request with an error when
	// AWS_PROFILE is set but empty.
	unsetenv(t, connect.EnvEndpoint, "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB")
	ctx := t.Context()
	shared, err := motoserver.Start(ctx, nil)
	skipWithoutPython(t, err)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()

	t.Setenv(connect.EnvEndpoint, shared.Endpoint)
	db, eng, err := connect.Open(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if eng.Endpoint != shared.Endpoint {
		t.Fatalf("with %s set, Engine.Endpoint = %q, want %q", connect.EnvEndpoint, eng.Endpoint, shared.Endpoint)
	}
	createTable(t, db, "open-shared")
	if err := eng.Close(); err != nil { // stops nothing: the server is not Open's
		t.Fatal(err)
	}
	if got := tableNames(t, db); !slices.Equal(got, []string{"open-shared"}) {
		t.Fatalf("tables on %s after Engine.Close = %q, want [open-shared]", connect.EnvEndpoint, got)
	}

	t.Setenv(connect.EnvEndpoint, "")
	var logged strings.Builder
	db, eng, err = connect.Open(ctx, &connect.Options{Log: &logged})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.Endpoint == "" || eng.Endpoint == shared.Endpoint {
		t.Fatalf("without %s, Engine.Endpoint = %q, want a server of its own", connect.EnvEndpoint, eng.Endpoint)
	}
	want := fmt.Sprintf("connect: engine: moto %s, a private server at %s\n", motoserver.Version, eng.Endpoint)
	if !strings.Contains(logged.String(), want) {
		t.Errorf("log = %q, want it to hold %q", logged.String(), want)
	}
	if got := tableNames(t, db); len(got) != 0 {
		t.Fatalf("tables on the private server = %q, want none", got)
	}
	createTable(t, db, "open-private")
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := motoserver.WaitReady(short, eng.Endpoint); err == nil {
		t.Fatal("the private server still answers after Engine.Close")
	}
	if err := eng.Close(); err != nil { // twice is fine
		t.Fatal(err)
	}
}

// unsetenv unsets the environment variables names for the test.
func unsetenv(t *testing.T, names ...string) {
	for _, name := range names {
		t.Setenv(name, "") // restores the value when the test ends
		os.Unsetenv(name)
	}
}

// noMoto returns moto options that cannot find Python, so a test fails
// rather than starts a server when Open would fall back to moto.
func noMoto(t *testing.T) *motoserver.Options {
	return &motoserver.Options{Python: "no-such-python-dynamokit", CacheDir: t.TempDir()}
}

// skipWithoutPython skips the test when err says Python is missing, except
// under CI=true.
func skipWithoutPython(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, motoserver.ErrNoPython) {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); !ci {
			t.Skip(err)
		}
	}
}

// createTable creates a table keyed by a string "id".
func createTable(t *testing.T, c *dynamokit.Client, name string) {
	t.Helper()
	_, err := sdkClient(t, c).CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable %s: %v", name, err)
	}
}

// tableNames lists the engine's tables.
func tableNames(t *testing.T, c *dynamokit.Client) []string {
	t.Helper()
	out, err := sdkClient(t, c).ListTables(t.Context(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatalf("ListTables: %v", err)
	}
	return out.TableNames
}

// ExampleOpen gives a program its engine: DYNAMODB_ENDPOINT when it is set,
// real DynamoDB through the AWS configuration with -aws, and otherwise a
// private moto server (installed on first use), stopped at the end.
func ExampleOpen() {
	useAWS := flag.Bool("aws", false, "use real DynamoDB, through the AWS configuration")
	flag.Parse()

	ctx := context.Background()
	c, eng, err := connect.Open(ctx, &connect.Options{AWS: *useAWS, Log: os.Stderr},
		dynamokit.WithNamer(model.Prefix("dev-")))
	if err != nil {
		log.Fatal(err) // without Python: motoserver.ErrNoPython, and the ways out
	}
	defer eng.Close() // stops the moto server, if Open started one

	_, err = c.Executor().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(c.Namer()("users"))})
	fmt.Println(errors.Is(err, dynamokit.ErrTableNotFound))
}
