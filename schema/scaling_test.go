package schema

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

// fakeScaling is an in-memory Application Auto Scaling for DynamoDB. As
// moto does, it does not delete a target's policies with the target, and
// matches DescribeScalingPolicies' ResourceId as a substring.
type fakeScaling struct {
	mu       sync.Mutex
	targets  map[[2]string]astypes.ScalableTarget // by resource ID and dimension
	policies map[[3]string]astypes.ScalingPolicy  // by resource ID, dimension and name
	calls    []string
}

var _ AutoScalingAPI = (*fakeScaling)(nil)

func newFakeScaling() *fakeScaling {
	return &fakeScaling{targets: map[[2]string]astypes.ScalableTarget{}, policies: map[[3]string]astypes.ScalingPolicy{}}
}

func (f *fakeScaling) record(op string, id *string, dim astypes.ScalableDimension) {
	f.calls = append(f.calls, op+" "+aws.ToString(id)+" "+string(dim))
}

func (f *fakeScaling) DescribeScalableTargets(_ context.Context, in *applicationautoscaling.DescribeScalableTargetsInput, _ ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScalableTargetsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &applicationautoscaling.DescribeScalableTargetsOutput{}
	for _, k := range slices.SortedFunc(maps.Keys(f.targets), func(a, b [2]string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) }) {
		if len(in.ResourceIds) == 0 || slices.Contains(in.ResourceIds, k[0]) {
			out.ScalableTargets = append(out.ScalableTargets, f.targets[k])
		}
	}
	return out, nil
}

func (f *fakeScaling) DescribeScalingPolicies(_ context.Context, in *applicationautoscaling.DescribeScalingPoliciesInput, _ ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScalingPoliciesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &applicationautoscaling.DescribeScalingPoliciesOutput{}
	for _, k := range slices.SortedFunc(maps.Keys(f.policies), func(a, b [3]string) int { return strings.Compare(strings.Join(a[:], " "), strings.Join(b[:], " ")) }) {
		if strings.Contains(aws.ToString(in.ResourceId), k[0]) {
			out.ScalingPolicies = append(out.ScalingPolicies, f.policies[k])
		}
	}
	return out, nil
}

func (f *fakeScaling) RegisterScalableTarget(_ context.Context, in *applicationautoscaling.RegisterScalableTargetInput, _ ...func(*applicationautoscaling.Options)) (*applicationautoscaling.RegisterScalableTargetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("RegisterScalableTarget", in.ResourceId, in.ScalableDimension)
	k := [2]string{aws.ToString(in.ResourceId), string(in.ScalableDimension)}
	t := f.targets[k]
	t.ServiceNamespace, t.ResourceId, t.ScalableDimension = in.ServiceNamespace, in.ResourceId, in.ScalableDimension
	if in.MinCapacity != nil {
		t.MinCapacity = in.MinCapacity
	}
	if in.MaxCapacity != nil {
		t.MaxCapacity = in.MaxCapacity
	}
	f.targets[k] = t
	return &applicationautoscaling.RegisterScalableTargetOutput{}, nil
}

func (f *fakeScaling) PutScalingPolicy(_ context.Context, in *applicationautoscaling.PutScalingPolicyInput, _ ...func(*applicationautoscaling.Options)) (*applicationautoscaling.PutScalingPolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("PutScalingPolicy", in.ResourceId, in.ScalableDimension)
	if _, ok := f.targets[[2]string{aws.ToString(in.ResourceId), string(in.ScalableDimension)}]; !ok {
		return nil, errors.New("ObjectNotFoundException: no scalable target")
	}
	f.policies[[3]string{aws.ToString(in.ResourceId), string(in.ScalableDimension), aws.ToString(in.PolicyName)}] = astypes.ScalingPolicy{
		PolicyName: in.PolicyName, ServiceNamespace: in.ServiceNamespace, ResourceId: in.ResourceId, ScalableDimension: in.ScalableDimension,
		PolicyType: in.PolicyType, TargetTrackingScalingPolicyConfiguration: in.TargetTrackingScalingPolicyConfiguration,
	}
	return &applicationautoscaling.PutScalingPolicyOutput{}, nil
}

func (f *fakeScaling) DeleteScalingPolicy(_ context.Context, in *applicationautoscaling.DeleteScalingPolicyInput, _ ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DeleteScalingPolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("DeleteScalingPolicy", in.ResourceId, in.ScalableDimension)
	k := [3]string{aws.ToString(in.ResourceId), string(in.ScalableDimension), aws.ToString(in.PolicyName)}
	if _, ok := f.policies[k]; !ok {
		return nil, errors.New("ObjectNotFoundException: no scaling policy")
	}
	delete(f.policies, k)
	return &applicationautoscaling.DeleteScalingPolicyOutput{}, nil
}

func (f *fakeScaling) DeregisterScalableTarget(_ context.Context, in *applicationautoscaling.DeregisterScalableTargetInput, _ ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DeregisterScalableTargetOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("DeregisterScalableTarget", in.ResourceId, in.ScalableDimension)
	k := [2]string{aws.ToString(in.ResourceId), string(in.ScalableDimension)}
	if _, ok := f.targets[k]; !ok {
		return nil, errors.New("ObjectNotFoundException: no scalable target")
	}
	delete(f.targets, k)
	return &applicationautoscaling.DeregisterScalableTargetOutput{}, nil
}

// state returns the targets and policies as sorted lines, such as
// "table/t/index/g dynamodb:index:ReadCapacityUnits 1..10 t-index-g-read-scaling=70".
func (f *fakeScaling) state() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k, t := range f.targets {
		line := fmt.Sprintf("%s %s %d..%d", k[0], k[1], aws.ToInt32(t.MinCapacity), aws.ToInt32(t.MaxCapacity))
		for pk, p := range f.policies {
			if pk[0] == k[0] && pk[1] == k[1] {
				line += fmt.Sprintf(" %s=%g", pk[2], aws.ToFloat64(p.TargetTrackingScalingPolicyConfiguration.TargetValue))
			}
		}
		out = append(out, line)
	}
	for k := range f.policies {
		if _, ok := f.targets[[2]string{k[0], k[1]}]; !ok {
			out = append(out, "orphan policy "+strings.Join(k[:], " "))
		}
	}
	slices.Sort(out)
	return out
}

// scaledTable is a provisioned table with one global index, scaled as as.
func scaledTable(as *model.AutoScaling, indexes ...string) *Definition {
	t := &Definition{Name: "t", Hash: KeyAttr{"id", model.String}, Billing: model.Provisioned(5, 5)}
	for _, name := range indexes {
		t.GSIs = append(t.GSIs, Index{Name: name, Hash: KeyAttr{name, model.String}, Projection: model.All, Throughput: t.Billing})
	}
	t.AutoScaling = as
	return t
}

func TestDiffAutoScaling(t *testing.T) {
	read := &model.AutoScaling{Read: model.Scaling{Min: 1, Max: 10}}
	both := &model.AutoScaling{Read: model.Scaling{Min: 1, Max: 10}, Write: model.Scaling{Min: 2, Max: 20, TargetUtilization: 50}}
	live := func(ts ...ScalingTarget) []ScalingTarget { return append([]ScalingTarget{}, ts...) }
	tableRead := ScalingTarget{Min: 1, Max: 10, TargetUtilization: 70, Policy: "t-read-scaling"}
	indexRead := ScalingTarget{Index: "g", Min: 1, Max: 10, TargetUtilization: 70, Policy: "t-index-g-read-scaling"}
	tests := []struct {
		name       string
		want, have *Definition
		lines      []string
	}{
		{"new table", scaledTable(both, "g"), nil, []string{
			"+ create table: hash id S; global index g (hash g S; projection ALL); provisioned 5/5",
			"+ add auto scaling: read 1 to 10 units, target 70%",
			"+ add auto scaling: write 2 to 20 units, target 50%",
			"+ add auto scaling of index g: read 1 to 10 units, target 70%",
			"+ add auto scaling of index g: write 2 to 20 units, target 50%",
		}},
		{"in line", scaledTable(read, "g"), withScaling(scaledTable(nil, "g"), live(tableRead, indexRead)), nil},
		{"live scaling not read", scaledTable(read, "g"), scaledTable(nil, "g"), nil},
		{"added to a live table", scaledTable(read, "g"), withScaling(scaledTable(nil, "g"), live()), []string{
			"+ add auto scaling: read 1 to 10 units, target 70%",
			"+ add auto scaling of index g: read 1 to 10 units, target 70%",
		}},
		{"bounds and target change", scaledTable(&model.AutoScaling{Read: model.Scaling{Min: 2, Max: 10, TargetUtilization: 40}}, "g"),
			withScaling(scaledTable(nil, "g"), live(tableRead, ScalingTarget{Index: "g", Min: 1, Max: 5, TargetUtilization: 40, Policy: "p"})), []string{
				"~ update auto scaling: read min 1 → 2, target 70% → 40%",
				"~ update auto scaling of index g: read min 1 → 2, max 5 → 10",
			}},
		{"a target without a policy gets one", scaledTable(read), withScaling(scaledTable(nil), live(ScalingTarget{Min: 1, Max: 10})), []string{
			"~ update auto scaling: read target 70% (no target-tracking policy)",
		}},
		{"removed, before the billing changes", func() *Definition {
			t := scaledTable(nil, "g")
			t.Billing = model.Billing{}
			t.GSIs[0].Throughput = t.Billing
			return t
		}(),
			withScaling(scaledTable(nil, "g"), live(tableRead, indexRead)), []string{
				"- remove auto scaling: read 1 to 10 units, target 70% (not in any model)",
				"- remove auto scaling of index g: read 1 to 10 units, target 70% (not in any model)",
				"~ update billing: provisioned 5/5 → on-demand",
			}},
		{"index deleted after its scaling", scaledTable(read), withScaling(scaledTable(nil, "g"), live(tableRead, indexRead)), []string{
			"- remove auto scaling of index g: read 1 to 10 units, target 70% (not in any model)",
			"- delete index g: hash g S; projection ALL (not in any model) [destructive]",
		}},
		{"index re-created with its scaling", func() *Definition { t := scaledTable(read, "g"); t.GSIs[0].Projection = model.KeysOnly; return t }(),
			withScaling(scaledTable(nil, "g"), live(tableRead, indexRead)), []string{
				"- remove auto scaling of index g: read 1 to 10 units, target 70% (the index is re-created)",
				"- delete index g: hash g S; projection ALL (to re-create it with hash g S; projection KEYS_ONLY) [destructive]",
				"+ add index g: hash g S; projection KEYS_ONLY (re-created, was hash g S; projection ALL)",
				"+ add auto scaling of index g: read 1 to 10 units, target 70% (the index is re-created)",
			}},
		{"on-demand to provisioned, then scaling", scaledTable(read),
			withScaling(func() *Definition { t := scaledTable(nil); t.Billing = model.Billing{}; return t }(), live()), []string{
				"~ update billing: on-demand → provisioned 5/5",
				"+ add auto scaling: read 1 to 10 units, target 70%",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := Diff(tt.want, tt.have)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range changes {
				got = append(got, c.String())
			}
			if diff := cmp.Diff(tt.lines, got); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
		})
	}
}

func withScaling(t *Definition, s []ScalingTarget) *Definition {
	t.Scaling = s
	return t
}

func TestDiffAutoScalingRefused(t *testing.T) {
	onDemand := scaledTable(&model.AutoScaling{Read: model.Scaling{Min: 1, Max: 10}})
	onDemand.Billing = model.Billing{}
	if _, err := Diff(onDemand, nil); err == nil || !strings.Contains(err.Error(), "model.Provisioned") {
		t.Errorf("Diff of an on-demand table with auto scaling = %v, want an error naming model.Provisioned", err)
	}
	huge := scaledTable(&model.AutoScaling{Write: model.Scaling{Min: 1, Max: 1 << 40}})
	if _, err := Diff(huge, nil); err == nil {
		t.Error("Diff of a scaling beyond int32 = nil error")
	}
}

func TestScalingRequests(t *testing.T) {
	want := scaledTable(&model.AutoScaling{Write: model.Scaling{Min: 2, Max: 20, TargetUtilization: 50}}, "by-day")
	changes, err := Diff(want, withScaling(scaledTable(nil, "by-day"), []ScalingTarget{
		{Index: "by-day", Write: true, Min: 2, Max: 20, TargetUtilization: 60, Policy: "made-elsewhere"},
		{Min: 1, Max: 9},
	}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		s := c.in.(*scalingStep)
		if in := s.deletePolicy; in != nil {
			got = append(got, "delete "+aws.ToString(in.ResourceId)+" "+string(in.ScalableDimension)+" "+aws.ToString(in.PolicyName))
		}
		if in := s.deregister; in != nil {
			got = append(got, "deregister "+aws.ToString(in.ResourceId)+" "+string(in.ScalableDimension))
		}
		if in := s.register; in != nil {
			got = append(got, fmt.Sprintf("register %s %s %d..%d", aws.ToString(in.ResourceId), in.ScalableDimension, aws.ToInt32(in.MinCapacity), aws.ToInt32(in.MaxCapacity)))
		}
		if in := s.putPolicy; in != nil {
			tt := in.TargetTrackingScalingPolicyConfiguration
			got = append(got, fmt.Sprintf("put %s %s %s %s %s %g", aws.ToString(in.ResourceId), in.ScalableDimension, aws.ToString(in.PolicyName), in.PolicyType,
				tt.PredefinedMetricSpecification.PredefinedMetricType, aws.ToFloat64(tt.TargetValue)))
		}
	}
	wantReqs := []string{
		// The table's read scaling has no policy to delete.
		"deregister table/t dynamodb:table:ReadCapacityUnits",
		"register table/t dynamodb:table:WriteCapacityUnits 2..20",
		"put table/t dynamodb:table:WriteCapacityUnits t-write-scaling TargetTrackingScaling DynamoDBWriteCapacityUtilization 50",
		// A policy made elsewhere is updated under its own name.
		"put table/t/index/by-day dynamodb:index:WriteCapacityUnits made-elsewhere TargetTrackingScaling DynamoDBWriteCapacityUtilization 50",
	}
	if diff := cmp.Diff(wantReqs, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestDescribeScaling(t *testing.T) {
	f := newFakeScaling()
	ctx := t.Context()
	reg := func(id string, dim astypes.ScalableDimension, lo, hi int32) {
		if _, err := f.RegisterScalableTarget(ctx, &applicationautoscaling.RegisterScalableTargetInput{ResourceId: aws.String(id), ScalableDimension: dim, MinCapacity: aws.Int32(lo), MaxCapacity: aws.Int32(hi)}); err != nil {
			t.Fatal(err)
		}
	}
	put := func(id string, dim astypes.ScalableDimension, name string, metric astypes.MetricType, target float64) {
		in := &applicationautoscaling.PutScalingPolicyInput{PolicyName: aws.String(name), ResourceId: aws.String(id), ScalableDimension: dim, PolicyType: astypes.PolicyTypeTargetTrackingScaling,
			TargetTrackingScalingPolicyConfiguration: &astypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(target), PredefinedMetricSpecification: &astypes.PredefinedMetricSpecification{PredefinedMetricType: metric}}}
		if _, err := f.PutScalingPolicy(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	reg("table/t", astypes.ScalableDimensionDynamoDBTableReadCapacityUnits, 1, 10)
	put("table/t", astypes.ScalableDimensionDynamoDBTableReadCapacityUnits, "console-made", astypes.MetricTypeDynamoDBReadCapacityUtilization, 55)
	put("table/t", astypes.ScalableDimensionDynamoDBTableReadCapacityUnits, "t-read-scaling", astypes.MetricTypeDynamoDBReadCapacityUtilization, 65)
	reg("table/t/index/g", astypes.ScalableDimensionDynamoDBIndexWriteCapacityUnits, 3, 30)
	put("table/t/index/g", astypes.ScalableDimensionDynamoDBIndexWriteCapacityUnits, "other", astypes.MetricTypeDynamoDBWriteCapacityUtilization, 45)
	// Not the table's: another table whose name starts the same, and a
	// policy on another metric.
	reg("table/t2", astypes.ScalableDimensionDynamoDBTableReadCapacityUnits, 1, 2)
	put("table/t/index/g", astypes.ScalableDimensionDynamoDBIndexWriteCapacityUnits, "reads", astypes.MetricTypeDynamoDBReadCapacityUtilization, 20)

	got, err := describeScaling(ctx, f, scaledTable(nil, "g"))
	if err != nil {
		t.Fatal(err)
	}
	want := []ScalingTarget{
		{Min: 1, Max: 10, TargetUtilization: 65, Policy: "t-read-scaling"},
		{Index: "g", Write: true, Min: 3, Max: 30, TargetUtilization: 45, Policy: "other"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("describeScaling (-want +got):\n%s", diff)
	}
	if got, err := describeScaling(ctx, newFakeScaling(), scaledTable(nil)); err != nil || got == nil || len(got) != 0 {
		t.Errorf("describeScaling without targets = %#v, %v; want an empty, non-nil slice", got, err)
	}
}

// scaled is a provisioned table with a global index, scaled on both
// capacities.
type scaled struct {
	ID  string `dynamo:"id,hash"`
	Day string `dynamo:"day" index:"by-day,hash"`
}

func (scaled) TableName() string { return "scaled" }
func (scaled) TableOptions() model.Options {
	return model.Options{Billing: model.Provisioned(5, 5), AutoScaling: &model.AutoScaling{
		Read:  model.Scaling{Min: 1, Max: 10},
		Write: model.Scaling{Min: 5, Max: 50, TargetUtilization: 50},
	}}
}

// scaledLess is scaled with other bounds and no write scaling.
type scaledLess struct{ scaled }

func (scaledLess) TableOptions() model.Options {
	return model.Options{Billing: model.Provisioned(5, 5), AutoScaling: &model.AutoScaling{Read: model.Scaling{Min: 2, Max: 20, TargetUtilization: 60}}}
}

func TestAutoScalingFake(t *testing.T) {
	f, fs := newFake(), newFakeScaling()
	ctx := t.Context()
	opts := &Options{PollInterval: 1, AutoScalingClient: fs}
	m, less := model.MustOf[scaled](), model.MustOf[scaledLess]()
	if err := create(ctx, f, opts, []*model.Model{m}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"table/scaled dynamodb:table:ReadCapacityUnits 1..10 scaled-read-scaling=70",
		"table/scaled dynamodb:table:WriteCapacityUnits 5..50 scaled-write-scaling=50",
		"table/scaled/index/by-day dynamodb:index:ReadCapacityUnits 1..10 scaled-index-by-day-read-scaling=70",
		"table/scaled/index/by-day dynamodb:index:WriteCapacityUnits 5..50 scaled-index-by-day-write-scaling=50",
	}
	if diff := cmp.Diff(want, fs.state()); diff != "" {
		t.Fatalf("after create (-want +got):\n%s", diff)
	}
	if cs, err := plan(ctx, f, opts, []*model.Model{m}); err != nil || !cs.Empty() {
		t.Fatalf("plan after create = %v, %v; want no changes", cs, err)
	}
	// Create again leaves the live targets as they are.
	fs.calls = nil
	if err := create(ctx, f, opts, []*model.Model{less}); err != nil {
		t.Fatal(err)
	}
	if len(fs.calls) != 0 {
		t.Errorf("create of an existing table sent %v", fs.calls)
	}

	cs, err := plan(ctx, f, opts, []*model.Model{less})
	if err != nil {
		t.Fatal(err)
	}
	wantPlan := `table scaled
  - remove auto scaling: write 5 to 50 units, target 50% (not in any model)
  - remove auto scaling of index by-day: write 5 to 50 units, target 50% (not in any model)
  ~ update auto scaling: read min 1 → 2, max 10 → 20, target 70% → 60%
  ~ update auto scaling of index by-day: read min 1 → 2, max 10 → 20, target 70% → 60%
`
	if diff := cmp.Diff(wantPlan, cs.String()); diff != "" {
		t.Fatalf("plan (-want +got):\n%s", diff)
	}
	if err := apply(ctx, f, cs, &Options{PollInterval: 1}); !errors.Is(err, ErrNoAutoScalingClient) {
		t.Fatalf("apply without a scaling client = %v, want ErrNoAutoScalingClient", err)
	}
	if err := apply(ctx, f, cs, opts); err != nil {
		t.Fatal(err)
	}
	want = []string{
		"table/scaled dynamodb:table:ReadCapacityUnits 2..20 scaled-read-scaling=60",
		"table/scaled/index/by-day dynamodb:index:ReadCapacityUnits 2..20 scaled-index-by-day-read-scaling=60",
	}
	if diff := cmp.Diff(want, fs.state()); diff != "" {
		t.Fatalf("after apply (-want +got):\n%s", diff)
	}
	if cs, err := plan(ctx, f, opts, []*model.Model{less}); err != nil || !cs.Empty() {
		t.Fatalf("plan after apply = %v, %v; want no changes", cs, err)
	}
	// SkipAutoScaling leaves the scaling alone, even with a client.
	skip := &Options{PollInterval: 1, AutoScalingClient: fs, SkipAutoScaling: true}
	if cs, err := plan(ctx, f, skip, []*model.Model{m}); err != nil || !cs.Empty() {
		t.Fatalf("plan with SkipAutoScaling = %v, %v; want no changes", cs, err)
	}

	// Drop removes what DynamoDB would leave behind.
	if err := drop(ctx, f, opts, []*model.Model{less}); err != nil {
		t.Fatal(err)
	}
	if got := fs.state(); len(got) != 0 {
		t.Errorf("after drop: %v, want no targets or policies", got)
	}
}

func TestScalingGone(t *testing.T) {
	for _, c := range []struct {
		err  error
		gone bool
	}{
		{&astypes.ObjectNotFoundException{Message: aws.String("No policy")}, true},
		{fmt.Errorf("wrapped: %w", &astypes.ValidationException{Message: aws.String("No scaling policy found for service namespace: dynamodb")}), true},
		{&astypes.ValidationException{Message: aws.String("No scalable target found for service namespace: dynamodb")}, true},
		{&astypes.ValidationException{Message: aws.String("Unsupported service namespace")}, false},
		{errors.New("connection reset"), false},
	} {
		if got := scalingGone(c.err); got != c.gone {
			t.Errorf("scalingGone(%v) = %v, want %v", c.err, got, c.gone)
		}
	}
}
