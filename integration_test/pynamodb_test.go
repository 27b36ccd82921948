package integration_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/motoserver"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/google/go-cmp/cmp"
)

// pynamodbRequirement is the pynamodb release the interoperability test
// runs, installed next to moto.
const pynamodbRequirement = "pynamodb==6.1.0"

// PyOrder is the Go side of the script's pynamodb Order: one attribute of
// each kind pynamodb writes.
type PyOrder struct {
	OrderID   string    `dynamo:"order_id,hash"`
	OrderedAt time.Time `dynamo:"ordered_at,layout=pynamodb"` // UTCDateTimeAttribute
	Total     float64   `dynamo:"total"`                      // NumberAttribute
	Count     int       `dynamo:"count"`                      // NumberAttribute
	Tags      []string  `dynamo:"tags,set"`                   // UnicodeSetAttribute
	Scores    []int     `dynamo:"scores,set"`                 // NumberSetAttribute
	Lines     []string  `dynamo:"lines"`                      // ListAttribute(of=UnicodeAttribute)
	Address   PyAddress `dynamo:"address"`                    // a MapAttribute subclass
	Note      string    `dynamo:"note,omitempty"`             // UnicodeAttribute(null=True)
	Version   int64     `dynamo:"version" dynamokit:"version"`
	Expires   time.Time `dynamo:"expires" dynamokit:"ttl"` // TTLAttribute
}

func (PyOrder) TableName() string { return "order" }

// PyAddress is the script's Address MapAttribute.
type PyAddress struct {
	Street string `dynamo:"street"`
	City   string `dynamo:"city"`
}

// pyRead is what the script prints in read mode.
type pyRead struct {
	Departments  []pyDepartment      `json:"departments"`
	Employees    []pyEmployee        `json:"employees"`
	ByDepartment map[string][]string `json:"by_department"`
	Order        pyOrderJSON         `json:"order"`
}

type pyDepartment struct {
	DepartmentID   string `json:"department_id"`
	DepartmentName string `json:"department_name"`
}

type pyEmployee struct {
	EmployeeID   string `json:"employee_id"`
	EmployeeName string `json:"employee_name"`
	DepartmentID string `json:"department_id"`
}

type pyOrderJSON struct {
	OrderID      string            `json:"order_id"`
	OrderedAt    string            `json:"ordered_at"`
	OrderedAtRaw string            `json:"ordered_at_raw"`
	Total        float64           `json:"total"`
	Count        int               `json:"count"`
	Tags         []string          `json:"tags"`
	Scores       []int             `json:"scores"`
	Lines        []string          `json:"lines"`
	Address      map[string]string `json:"address"`
	Note         *string           `json:"note"`
	Version      int64             `json:"version"`
	Expires      int64             `json:"expires"`
}

// pynamodb is the script's runner: the venv's Python, the engine and the
// table names.
type pynamodb struct {
	python string
	args   []string
}

// newPynamoDB installs pynamodb (once, next to moto) and returns its runner.
// Without Python it skips the test, except under CI=true.
func newPynamoDB(t *testing.T, endpoint string, tables ...string) pynamodb {
	t.Helper()
	python, err := motoserver.InstallPackage(t.Context(), &motoserver.Options{Log: os.Stderr}, pynamodbRequirement)
	if errors.Is(err, motoserver.ErrNoPython) {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); !ci {
			t.Skipf("the pynamodb interoperability test needs Python 3 to install %s: %v", pynamodbRequirement, err)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = connect.DefaultRegion
	}
	return pynamodb{python: python, args: append([]string{endpoint, region}, tables...)}
}

// run runs the script in mode and decodes its JSON output into out.
func (p pynamodb) run(t *testing.T, mode string, out any) {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "pynamodb_interop.py"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), p.python, append([]string{script, mode}, p.args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pynamodb %s: %v\n%s", mode, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("pynamodb %s printed %q: %v", mode, stdout.String(), err)
	}
}

// TestPynamoDBInterop shares the notebook's tables with the notebook's
// library: pynamodb writes, dynamokit reads, moves an employee and writes,
// pynamodb reads everything back; and optimistic locking holds across the
// two, a stale write from either side being refused.
func TestPynamoDBInterop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[Department](t), must[Employee](t), must[PyOrder](t))
	ctx := t.Context()
	py := newPynamoDB(t, dynamotest.EndpointURL(t), e.names("department"), e.names("employee"), e.names("order"))
	depts, err := query.NewTable[Department](e.db)
	if err != nil {
		t.Fatal(err)
	}
	emps, err := query.NewTable[Employee](e.db)
	if err != nil {
		t.Fatal(err)
	}
	orders, err := query.NewTable[PyOrder](e.db)
	if err != nil {
		t.Fatal(err)
	}
	staff, err := relations.Declare(depts, emps, relations.Spec{Layout: relations.MultiTable, Index: "department-employee-index"})
	if err != nil {
		t.Fatal(err)
	}

	var ok map[string]bool
	py.run(t, "seed", &ok)

	// dynamokit reads what pynamodb wrote.
	gotDepts, err := depts.Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(gotDepts, func(a, b Department) int { return strings.Compare(a.DepartmentID, b.DepartmentID) })
	if diff := cmp.Diff(seedDepartments, gotDepts); diff != "" {
		t.Errorf("departments written by pynamodb (-want +got):\n%s", diff)
	}
	gotEmps, err := emps.Scan().Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(gotEmps, func(a, b Employee) int { return strings.Compare(a.EmployeeID, b.EmployeeID) })
	if diff := cmp.Diff(seedEmployees, gotEmps); diff != "" {
		t.Errorf("employees written by pynamodb (-want +got):\n%s", diff)
	}
	order, err := orders.Get(ctx, PyOrder{OrderID: "o-1"})
	if err != nil {
		t.Fatalf("Get(order written by pynamodb): %v", err)
	}
	want := PyOrder{
		OrderID:   "o-1",
		OrderedAt: time.Date(2024, 3, 4, 5, 6, 7, 123456000, time.UTC),
		Total:     12.5,
		Count:     3,
		Tags:      []string{"a", "b"},
		Scores:    []int{1, 2, 3},
		Lines:     []string{"x", "y"},
		Address:   PyAddress{"1 Main St", "Springfield"},
		Version:   1,
		Expires:   time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	if diff := cmp.Diff(want, sortSets(order)); diff != "" {
		t.Errorf("order written by pynamodb (-want +got):\n%s", diff)
	}

	// dynamokit moves an employee and writes the order.
	if err := staff.Relink(ctx, Employee{EmployeeID: "e-1"}, Department{DepartmentID: "d-2"}); err != nil {
		t.Fatalf("Move(e-1, d-2): %v", err)
	}
	stale := order
	order.OrderedAt = time.Date(2024, 5, 6, 9, 8, 9, 654321987, time.FixedZone("", 2*3600))
	order.Total, order.Count = 20.25, 4
	order.Tags = append(order.Tags, "c")
	order.Scores = append(order.Scores, 4)
	order.Lines = append(order.Lines, "z")
	order.Address.City = "Shelbyville"
	order.Note = "from go"
	order.Expires = time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
	if err := orders.Put(ctx, &order); err != nil {
		t.Fatalf("Put(order): %v", err)
	}
	if order.Version != 2 {
		t.Errorf("version after Put = %d, want 2", order.Version)
	}
	stale.Note = "stale from go"
	if err := orders.Put(ctx, &stale); !errors.Is(err, dynamokit.ErrVersionConflict) {
		t.Errorf("Put(stale order, version 1) = %v, want ErrVersionConflict", err)
	}
	raw, err := e.db.Executor().GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(e.names("order")),
		Key:       map[string]types.AttributeValue{"order_id": &types.AttributeValueMemberS{Value: "o-1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := raw.Item["ordered_at"].(*types.AttributeValueMemberS); !ok || got.Value != "2024-05-06T07:08:09.654321+0000" {
		t.Errorf("ordered_at as dynamokit wrote it = %#v, want S 2024-05-06T07:08:09.654321+0000", raw.Item["ordered_at"])
	}

	// pynamodb reads everything back.
	var back pyRead
	py.run(t, "read", &back)
	wantEmps := []pyEmployee{
		{"e-1", "Alice", "d-2"}, {"e-2", "Bob", "d-1"}, {"e-3", "Cathy", "d-2"}, {"e-4", "David", "d-2"}, {"e-5", "Edward", "d-2"},
	}
	if diff := cmp.Diff([]pyDepartment{{"d-1", "HR"}, {"d-2", "IT"}}, back.Departments); diff != "" {
		t.Errorf("departments as pynamodb reads them (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantEmps, back.Employees); diff != "" {
		t.Errorf("employees as pynamodb reads them (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"d-1": {"e-2"}, "d-2": {"e-1", "e-3", "e-4", "e-5"}}, back.ByDepartment); diff != "" {
		t.Errorf("pynamodb's department-employee-index query (-want +got):\n%s", diff)
	}
	note := "from go"
	wantJSON := pyOrderJSON{
		OrderID:      "o-1",
		OrderedAt:    "2024-05-06T07:08:09.654321+00:00",
		OrderedAtRaw: "2024-05-06T07:08:09.654321+0000",
		Total:        20.25,
		Count:        4,
		Tags:         []string{"a", "b", "c"},
		Scores:       []int{1, 2, 3, 4},
		Lines:        []string{"x", "y", "z"},
		Address:      map[string]string{"street": "1 Main St", "city": "Shelbyville"},
		Note:         &note,
		Version:      2,
		Expires:      order.Expires.Unix(),
	}
	if diff := cmp.Diff(wantJSON, back.Order); diff != "" {
		t.Errorf("order as pynamodb reads it (-want +got):\n%s", diff)
	}

	// Optimistic locking across the two: pynamodb's stale copy is refused,
	// its fresh one wins, and then dynamokit's copy is stale.
	var bump struct {
		StaleRefused bool  `json:"stale_refused"`
		Version      int64 `json:"version"`
	}
	py.run(t, "bump", &bump)
	if !bump.StaleRefused || bump.Version != 3 {
		t.Errorf("pynamodb bump = %+v, want the stale save refused and version 3", bump)
	}
	order.Note = "stale from go"
	if err := orders.Put(ctx, &order); !errors.Is(err, dynamokit.ErrVersionConflict) {
		t.Errorf("Put(order at version 2, after pynamodb's save) = %v, want ErrVersionConflict", err)
	}
	latest, err := orders.Get(ctx, PyOrder{OrderID: "o-1"})
	if err != nil {
		t.Fatal(err)
	}
	if latest.Note != "from python" || latest.Version != 3 || !latest.OrderedAt.Equal(time.Date(2024, 5, 6, 7, 8, 9, 654321000, time.UTC)) {
		t.Errorf("order after pynamodb's save = note %q, version %d, ordered_at %v; want from python, 3, 2024-05-06T07:08:09.654321Z", latest.Note, latest.Version, latest.OrderedAt)
	}
}

// sortSets sorts o's sets, which DynamoDB returns in no given order.
func sortSets(o PyOrder) PyOrder {
	o.Tags = slices.Sorted(slices.Values(o.Tags))
	o.Scores = slices.Sorted(slices.Values(o.Scores))
	return o
}

// TestDecodeErrorNamesItem: an item that cannot be decoded names the field
// and the item's key, through a read of the query package.
func TestDecodeErrorNamesItem(t *testing.T) {
	t.Parallel()
	e := newEnv(t, must[PyOrder](t))
	ctx := t.Context()
	orders, err := query.NewTable[PyOrder](e.db.With(dynamokit.WithNamer(e.names)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Executor().PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(e.names("order")),
		Item: map[string]types.AttributeValue{
			"order_id":   &types.AttributeValueMemberS{Value: "o-1"},
			"ordered_at": &types.AttributeValueMemberS{Value: "04/03/2024"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	_, err = orders.Get(ctx, PyOrder{OrderID: "o-1"})
	var de *model.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("Get = %v, want a *model.DecodeError", err)
	}
	if de.Field != "OrderedAt" || de.Attribute != "ordered_at" {
		t.Errorf("DecodeError names %s (attribute %s), want OrderedAt (ordered_at)", de.Field, de.Attribute)
	}
	if want := `: decode integration_test.PyOrder.OrderedAt (item order_id="o-1"): attribute ordered_at: `; !strings.Contains(err.Error(), want) {
		t.Errorf("Get = %q, want it to contain %q", err, want)
	}
}
