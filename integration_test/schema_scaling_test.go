package integration_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/connect"
	"github.com/dynamokit/dynamokit/dynamotest"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
)

// meterV1 is a provisioned table with a global index, both scaled on
// reads and writes.
type meterV1 struct {
	ID   string `dynamo:"id,hash"`
	Site string `dynamo:"site" index:"by-site,hash"`
}

func (meterV1) TableName() string { return "meter" }
func (meterV1) TableOptions() model.Options {
	return model.Options{
		Billing: model.Provisioned(5, 5),
		AutoScaling: &model.AutoScaling{
			Read:  model.Scaling{Min: 1, Max: 10},
			Write: model.Scaling{Min: 5, Max: 50, TargetUtilization: 50},
		},
	}
}

// meterV2 changes the read bounds and target and stops scaling writes.
type meterV2 struct{ meterV1 }

func (meterV2) TableOptions() model.Options {
	return model.Options{
		Billing:     model.Provisioned(5, 5),
		AutoScaling: &model.AutoScaling{Read: model.Scaling{Min: 2, Max: 20, TargetUtilization: 60}},
	}
}

// meterV3 scales nothing.
type meterV3 struct{ meterV1 }

func (meterV3) TableOptions() model.Options { return model.Options{Billing: model.Provisioned(5, 5)} }

// meterOnDemand asks for auto scaling without provisioned billing.
type meterOnDemand struct{ meterV1 }

func (meterOnDemand) TableOptions() model.Options {
	return model.Options{AutoScaling: &model.AutoScaling{Read: model.Scaling{Min: 1, Max: 10}}}
}

// meterPlain is meter's table on demand, without scaling.
type meterPlain struct{ meterV1 }

func (meterPlain) TableOptions() model.Options { return model.Options{} }

// scalingClient returns an Application Auto Scaling client for t's
// engine, configured as connect.Endpoint configures the DynamoDB client.
// moto serves every service on one endpoint; on real AWS the service has
// an endpoint of its own, which the SDK resolves. An engine given with
// DYNAMODB_ENDPOINT that does not serve Application Auto Scaling (DynamoDB
// Local) skips t; the moto that dynamotest starts must serve it.
func scalingClient(t *testing.T) *applicationautoscaling.Client {
	t.Helper()
	endpoint := dynamotest.EndpointURL(t)
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = connect.DefaultRegion
	}
	o := applicationautoscaling.Options{Region: region, Credentials: credentials.NewStaticCredentialsProvider("dummy", "dummy", "")}
	if os.Getenv("AWS_ACCESS_KEY_ID") != "" || os.Getenv("AWS_PROFILE") != "" {
		cfg, err := config.LoadDefaultConfig(t.Context(), config.WithRegion(region))
		if err != nil {
			t.Fatal(err)
		}
		o.Credentials = cfg.Credentials
	}
	if u, err := url.Parse(endpoint); err != nil || !strings.HasSuffix(u.Hostname(), ".amazonaws.com") {
		o.BaseEndpoint = aws.String(endpoint)
	}
	c := applicationautoscaling.New(o)
	_, err := c.DescribeScalableTargets(t.Context(), &applicationautoscaling.DescribeScalableTargetsInput{ServiceNamespace: astypes.ServiceNamespaceDynamodb, MaxResults: aws.Int32(1)})
	if err != nil {
		if os.Getenv(connect.EnvEndpoint) != "" {
			t.Skipf("the engine at %s does not serve Application Auto Scaling: %v", endpoint, err)
		}
		t.Fatalf("Application Auto Scaling on %s: %v", endpoint, err)
	}
	return c
}

// liveScaling returns the scalable targets and policies of table as
// sorted lines, read with the SDK's own calls, such as
// "table/x/index/by-site dynamodb:index:ReadCapacityUnits 1..10 x-index-by-site-read-scaling DynamoDBReadCapacityUtilization 70".
func liveScaling(t *testing.T, c *applicationautoscaling.Client, table string) []string {
	t.Helper()
	ids := []string{"table/" + table, "table/" + table + "/index/by-site"}
	out, err := c.DescribeScalableTargets(t.Context(), &applicationautoscaling.DescribeScalableTargetsInput{ServiceNamespace: astypes.ServiceNamespaceDynamodb, ResourceIds: ids})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, st := range out.ScalableTargets {
		lines = append(lines, fmt.Sprintf("%s %s %d..%d", aws.ToString(st.ResourceId), st.ScalableDimension, aws.ToInt32(st.MinCapacity), aws.ToInt32(st.MaxCapacity)))
	}
	for _, id := range ids {
		ps, err := c.DescribeScalingPolicies(t.Context(), &applicationautoscaling.DescribeScalingPoliciesInput{ServiceNamespace: astypes.ServiceNamespaceDynamodb, ResourceId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps.ScalingPolicies {
			if aws.ToString(p.ResourceId) != id { // moto matches a prefix too
				continue
			}
			tt := p.TargetTrackingScalingPolicyConfiguration
			lines = append(lines, fmt.Sprintf("policy %s %s %s %s %s %g", id, p.ScalableDimension, aws.ToString(p.PolicyName), p.PolicyType,
				tt.PredefinedMetricSpecification.PredefinedMetricType, aws.ToFloat64(tt.TargetValue)))
		}
	}
	slices.Sort(lines)
	return lines
}

// TestSchemaAutoScaling runs its cases on one engine: moto loads its
// Application Auto Scaling backend on the first request, which takes
// seconds.
func TestSchemaAutoScaling(t *testing.T) {
	t.Parallel()
	t.Run("lifecycle", testAutoScalingLifecycle)
	t.Run("from on-demand", testAutoScalingFromOnDemand)
}

func testAutoScalingLifecycle(t *testing.T) {
	t.Parallel()
	v1, v2, v3 := must[meterV1](t), must[meterV2](t), must[meterV3](t)
	as := scalingClient(t)
	db := dynamotest.Client(t, dynamokit.WithNamer(model.Prefix(dynamotest.TablePrefix(t))))
	opts := &schema.Options{PollInterval: 20 * time.Millisecond, AutoScalingClient: as}
	name := db.TableName(v1)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := schema.Drop(ctx, db, opts, v1); err != nil {
			t.Errorf("drop: %v", err)
		}
	})
	ctx := t.Context()
	check := func(when string, want ...string) {
		t.Helper()
		slices.Sort(want)
		if got := liveScaling(t, as, name); !slices.Equal(got, want) {
			t.Fatalf("%s: live scaling\n%s\nwant\n%s", when, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}

	if err := schema.Create(ctx, db, opts, v1); err != nil {
		t.Fatal(err)
	}
	tbl, idx := "table/"+name, "table/"+name+"/index/by-site"
	check("after create",
		tbl+" dynamodb:table:ReadCapacityUnits 1..10",
		tbl+" dynamodb:table:WriteCapacityUnits 5..50",
		idx+" dynamodb:index:ReadCapacityUnits 1..10",
		idx+" dynamodb:index:WriteCapacityUnits 5..50",
		"policy "+tbl+" dynamodb:table:ReadCapacityUnits "+name+"-read-scaling TargetTrackingScaling DynamoDBReadCapacityUtilization 70",
		"policy "+tbl+" dynamodb:table:WriteCapacityUnits "+name+"-write-scaling TargetTrackingScaling DynamoDBWriteCapacityUtilization 50",
		"policy "+idx+" dynamodb:index:ReadCapacityUnits "+name+"-index-by-site-read-scaling TargetTrackingScaling DynamoDBReadCapacityUtilization 70",
		"policy "+idx+" dynamodb:index:WriteCapacityUnits "+name+"-index-by-site-write-scaling TargetTrackingScaling DynamoDBWriteCapacityUtilization 50",
	)
	if cs, err := schema.Plan(ctx, db, opts, v1); err != nil || !cs.Empty() {
		t.Fatalf("plan after create = %v, %v; want no changes", cs, err)
	}

	// Changed bounds and target, and writes no longer scaled.
	cs, err := schema.Plan(ctx, db, opts, v2)
	if err != nil {
		t.Fatal(err)
	}
	want := "table " + name + `
  - remove auto scaling: write 5 to 50 units, target 50% (not in any model)
  - remove auto scaling of index by-site: write 5 to 50 units, target 50% (not in any model)
  ~ update auto scaling: read min 1 → 2, max 10 → 20, target 70% → 60%
  ~ update auto scaling of index by-site: read min 1 → 2, max 10 → 20, target 70% → 60%
`
	if got := cs.String(); got != want {
		t.Fatalf("plan v2:\n%swant\n%s", got, want)
	}
	if err := schema.Apply(ctx, db, cs, opts); err != nil {
		t.Fatal(err)
	}
	check("after apply v2",
		tbl+" dynamodb:table:ReadCapacityUnits 2..20",
		idx+" dynamodb:index:ReadCapacityUnits 2..20",
		"policy "+tbl+" dynamodb:table:ReadCapacityUnits "+name+"-read-scaling TargetTrackingScaling DynamoDBReadCapacityUtilization 60",
		"policy "+idx+" dynamodb:index:ReadCapacityUnits "+name+"-index-by-site-read-scaling TargetTrackingScaling DynamoDBReadCapacityUtilization 60",
	)
	if cs, err := schema.Plan(ctx, db, opts, v2); err != nil || !cs.Empty() {
		t.Fatalf("plan after apply v2 = %v, %v; want no changes", cs, err)
	}

	// No scaling at all: removed, and the capacity is the model's again.
	cs, err = schema.Plan(ctx, db, opts, v3)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []schema.ChangeKind
	for _, c := range cs.Changes {
		kinds = append(kinds, c.Kind)
	}
	if !slices.Equal(kinds, []schema.ChangeKind{schema.RemoveAutoScaling, schema.RemoveAutoScaling}) {
		t.Fatalf("plan v3:\n%s", cs)
	}
	if err := schema.Apply(ctx, db, cs, opts); err != nil {
		t.Fatal(err)
	}
	check("after apply v3")

	// Back to v1, then Drop removes what DynamoDB leaves behind.
	if cs, err = schema.Plan(ctx, db, opts, v1); err != nil {
		t.Fatal(err)
	}
	if err := schema.Apply(ctx, db, cs, opts); err != nil {
		t.Fatal(err)
	}
	if got := liveScaling(t, as, name); len(got) != 8 {
		t.Fatalf("after apply v1: %d targets and policies, want 8:\n%s", len(got), strings.Join(got, "\n"))
	}
	// Another writer removes a policy and a target after Drop has read
	// them (as does a retry whose first attempt's answer was lost): Drop
	// removes the rest and counts what is gone as removed.
	raced := *opts
	raced.Progress = func(e schema.Event) {
		if e.Step != "delete table" || e.Done {
			return
		}
		if _, err := as.DeleteScalingPolicy(ctx, &applicationautoscaling.DeleteScalingPolicyInput{
			ServiceNamespace: astypes.ServiceNamespaceDynamodb, ResourceId: aws.String(tbl),
			ScalableDimension: astypes.ScalableDimensionDynamoDBTableReadCapacityUnits, PolicyName: aws.String(name + "-read-scaling"),
		}); err != nil {
			t.Error(err)
		}
		if _, err := as.DeregisterScalableTarget(ctx, &applicationautoscaling.DeregisterScalableTargetInput{
			ServiceNamespace: astypes.ServiceNamespaceDynamodb, ResourceId: aws.String(idx),
			ScalableDimension: astypes.ScalableDimensionDynamoDBIndexWriteCapacityUnits,
		}); err != nil {
			t.Error(err)
		}
	}
	if err := schema.Drop(ctx, db, &raced, v1); err != nil {
		t.Fatal(err)
	}
	check("after drop")
}

func TestSchemaAutoScalingRefused(t *testing.T) {
	t.Parallel()
	m := must[vaultScaled](t)
	db, opts := schemaEnv(t, m)
	ctx := t.Context()
	err := schema.Create(ctx, db, opts, m)
	if !errors.Is(err, schema.ErrNoAutoScalingClient) || !strings.Contains(err.Error(), "Options.AutoScalingClient") || !strings.Contains(err.Error(), "Options.SkipAutoScaling") {
		t.Fatalf("Create = %v, want ErrNoAutoScalingClient naming AutoScalingClient and SkipAutoScaling", err)
	}
	if _, err := db.Executor().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(db.TableName(m))}); !errors.Is(err, dynamokit.ErrTableNotFound) {
		t.Fatalf("after a refused Create, DescribeTable = %v, want ErrTableNotFound", err)
	}
	if _, err := schema.Plan(ctx, db, opts, m); !errors.Is(err, schema.ErrNoAutoScalingClient) {
		t.Fatalf("Plan = %v, want ErrNoAutoScalingClient", err)
	}

	// Auto scaling needs provisioned billing: such a model is refused
	// before schema sees it.
	if _, err := model.Of[meterOnDemand](); err == nil || !strings.Contains(err.Error(), "needs provisioned Billing") || !strings.Contains(err.Error(), "model.Provisioned") {
		t.Fatalf("model.Of an on-demand model with auto scaling = %v, want an error naming model.Provisioned", err)
	}

	skip := &schema.Options{PollInterval: opts.PollInterval, SkipAutoScaling: true}
	if err := schema.Create(ctx, db, skip, m); err != nil {
		t.Fatal(err)
	}
	if cs, err := schema.Plan(ctx, db, skip, m); err != nil || !cs.Empty() {
		t.Fatalf("Plan with SkipAutoScaling = %v, %v; want no changes", cs, err)
	}
}

// testAutoScalingFromOnDemand plans auto scaling for a live on-demand
// table: the billing mode changes first, then the scaling is added; and
// back.
func testAutoScalingFromOnDemand(t *testing.T) {
	t.Parallel()
	plain, v1 := must[meterPlain](t), must[meterV1](t)
	as := scalingClient(t)
	db, opts := schemaEnv(t, plain)
	opts.AutoScalingClient = as
	ctx := t.Context()
	if err := schema.Create(ctx, db, opts, plain); err != nil {
		t.Fatal(err)
	}
	step := func(m *model.Model, want ...schema.ChangeKind) {
		t.Helper()
		cs, err := schema.Plan(ctx, db, opts, m)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []schema.ChangeKind
		for _, c := range cs.Changes {
			kinds = append(kinds, c.Kind)
		}
		if !slices.Equal(kinds, want) {
			t.Fatalf("plan:\n%swant %v", cs, want)
		}
		if err := schema.Apply(ctx, db, cs, opts); err != nil {
			t.Fatalf("apply:\n%s%v", cs, err)
		}
		if cs, err := schema.Plan(ctx, db, opts, m); err != nil || !cs.Empty() {
			t.Fatalf("plan after apply = %v, %v; want no changes", cs, err)
		}
	}
	add, remove := schema.AddAutoScaling, schema.RemoveAutoScaling
	step(v1, schema.UpdateBilling, add, add, add, add)
	if got := liveScaling(t, as, db.TableName(v1)); len(got) != 8 {
		t.Fatalf("after apply: %d targets and policies, want 8:\n%s", len(got), strings.Join(got, "\n"))
	}
	step(plain, remove, remove, remove, remove, schema.UpdateBilling)
	if got := liveScaling(t, as, db.TableName(v1)); len(got) != 0 {
		t.Fatalf("after apply: %v, want no scaling", got)
	}
}
