package schema

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/dynamokit/dynamokit/model"
)

// AutoScalingAPI is the part of the Application Auto Scaling API that
// schema calls for the auto scaling of tables ([model.AutoScaling]). The
// SDK's *applicationautoscaling.Client satisfies it; make one from the
// aws.Config of the DynamoDB client, with applicationautoscaling.NewFromConfig,
// and give it as [Options.AutoScalingClient].
type AutoScalingAPI interface {
	DescribeScalableTargets(context.Context, *applicationautoscaling.DescribeScalableTargetsInput, ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScalableTargetsOutput, error)
	DescribeScalingPolicies(context.Context, *applicationautoscaling.DescribeScalingPoliciesInput, ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScalingPoliciesOutput, error)
	RegisterScalableTarget(context.Context, *applicationautoscaling.RegisterScalableTargetInput, ...func(*applicationautoscaling.Options)) (*applicationautoscaling.RegisterScalableTargetOutput, error)
	PutScalingPolicy(context.Context, *applicationautoscaling.PutScalingPolicyInput, ...func(*applicationautoscaling.Options)) (*applicationautoscaling.PutScalingPolicyOutput, error)
	DeleteScalingPolicy(context.Context, *applicationautoscaling.DeleteScalingPolicyInput, ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DeleteScalingPolicyOutput, error)
	DeregisterScalableTarget(context.Context, *applicationautoscaling.DeregisterScalableTargetInput, ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DeregisterScalableTargetOutput, error)
}

var _ AutoScalingAPI = (*applicationautoscaling.Client)(nil)

// ErrNoAutoScalingClient is returned (wrapped) by [Create] and [Plan],
// before any request, for a table whose models declare
// [model.AutoScaling] when [Options.AutoScalingClient] is nil and
// [Options.SkipAutoScaling] is not set, and by [Apply] and [Drop] when
// their work needs the client and it is nil.
var ErrNoAutoScalingClient = errors.New("schema: auto scaling needs Options.AutoScalingClient")

// The changes of a table's auto scaling that [Diff] finds. They are
// requests to Application Auto Scaling, not to DynamoDB, and each holds
// one or two of them.
const (
	AddAutoScaling    ChangeKind = "add auto scaling"    // RegisterScalableTarget, then PutScalingPolicy
	UpdateAutoScaling ChangeKind = "update auto scaling" // RegisterScalableTarget for new bounds, PutScalingPolicy for a new target utilisation
	RemoveAutoScaling ChangeKind = "remove auto scaling" // DeleteScalingPolicy, then DeregisterScalableTarget
)

// ScalingTarget is one capacity of a live table or of one of its global
// indexes that Application Auto Scaling moves, as [Plan] reads it: a
// scalable target and its target-tracking policy.
type ScalingTarget struct {
	// Index is the global index whose capacity scales, "" for the table's.
	Index string
	// Write is set for the write capacity units, else they are the read
	// capacity units.
	Write bool
	// Min and Max bound the capacity units.
	Min, Max int64
	// TargetUtilization is the target value of the target-tracking policy
	// on the capacity's utilisation (DynamoDBReadCapacityUtilization or
	// DynamoDBWriteCapacityUtilization); 0 when there is none.
	TargetUtilization float64
	// Policy is that policy's name, "" when there is none.
	Policy string
}

// scalingTarget is one capacity Application Auto Scaling moves: the
// table's or a global index's read or write units.
type scalingTarget struct {
	Index     string // the global index, or "" for the table
	Read      bool   // read units, else write units
	Scaling   model.Scaling
	Dimension string // such as "dynamodb:table:ReadCapacityUnits"
	Metric    string // the predefined metric, such as "DynamoDBReadCapacityUtilization"
}

// scalingTargets lists the capacities t's auto scaling moves: the table's,
// then each global index's, read before write.
func scalingTargets(t *Definition) []scalingTarget {
	as := t.AutoScaling
	if as == nil || t.Billing.OnDemand() {
		return nil
	}
	var out []scalingTarget
	add := func(index string) {
		if as.Read != (model.Scaling{}) {
			out = append(out, newScalingTarget(index, false, as.Read))
		}
		if as.Write != (model.Scaling{}) {
			out = append(out, newScalingTarget(index, true, as.Write))
		}
	}
	add("")
	for _, idx := range t.GSIs {
		add(idx.Name)
	}
	return out
}

func newScalingTarget(index string, write bool, s model.Scaling) scalingTarget {
	kind, rw := "table", "Read"
	if index != "" {
		kind = "index"
	}
	if write {
		rw = "Write"
	}
	return scalingTarget{index, !write, s, "dynamodb:" + kind + ":" + rw + "CapacityUnits", "DynamoDB" + rw + "CapacityUtilization"}
}

// resourceSuffix is what follows "table/<name>" in the target's resource
// ID: "" or "/index/<index>".
func (s scalingTarget) resourceSuffix() string {
	if s.Index == "" {
		return ""
	}
	return "/index/" + s.Index
}

// name names the target in logical IDs and resource names: "Read" or
// "IndexByStatusWrite" (CloudFormation) and "read" or "index_by_status_write"
// (Terraform).
func (s scalingTarget) name(cloudFormation bool) string {
	rw := "write"
	if s.Read {
		rw = "read"
	}
	if cloudFormation {
		id := ""
		if s.Index != "" {
			id = "Index" + pascal(s.Index)
		}
		return id + pascal(rw)
	}
	if s.Index == "" {
		return rw
	}
	return "index_" + snake(s.Index) + "_" + rw
}

// policyName is the name of the target-tracking policy that schema puts
// and that Export declares, such as "prod-ledger-index-by-day-read-scaling".
func (s scalingTarget) policyName(table string) string {
	return table + "-" + strings.ReplaceAll(s.name(false), "_", "-") + "-scaling"
}

// key identifies the target within its table.
func (s scalingTarget) key() scalingKey { return scalingKey{s.Index, !s.Read} }

type scalingKey struct {
	index string
	write bool
}

func (k scalingKey) dimension() string {
	return newScalingTarget(k.index, k.write, model.Scaling{}).Dimension
}
func (k scalingKey) metric() string {
	return newScalingTarget(k.index, k.write, model.Scaling{}).Metric
}

func (k scalingKey) resourceID(table string) string {
	if k.index == "" {
		return "table/" + table
	}
	return "table/" + table + "/index/" + k.index
}

// String names the capacity in a change: "read" or "write" (the change
// names the index).
func (k scalingKey) String() string {
	rw := "read"
	if k.write {
		rw = "write"
	}
	return rw
}

// checkScaling reports auto scaling that Application Auto Scaling cannot
// take for t: any on an on-demand table, or bounds beyond its range.
// Models are checked by model.Validate already; this guards tables built by
// hand for [Diff].
func checkScaling(t *Definition) error {
	as := t.AutoScaling
	if as == nil {
		return nil
	}
	if t.Billing.OnDemand() {
		return fmt.Errorf("schema: table %s: auto scaling needs provisioned billing, and the table is on-demand: "+
			"set the model's Billing to model.Provisioned(read, write) within the scaling's bounds, or remove AutoScaling", t.Name)
	}
	for _, s := range []model.Scaling{as.Read, as.Write} {
		if s != (model.Scaling{}) && (s.Min < 1 || s.Max < s.Min || s.Max > math.MaxInt32) {
			return fmt.Errorf("schema: table %s: auto scaling needs 1 <= Min <= Max <= %d, have %d and %d", t.Name, math.MaxInt32, s.Min, s.Max)
		}
	}
	return nil
}

// scalingChanges returns the changes that give have the auto scaling want
// declares: the removals, which must come before the indexes they scale
// are deleted and before the billing changes, and the additions and
// updates, which must come after the indexes are added. recreated names
// the global indexes that are deleted and added again: their scaling is
// removed and added again too. have.Scaling nil means the live scaling
// was not read, and gives no change; a nil have is a table to create.
func scalingChanges(want, have *Definition, recreated map[string]bool) (removals, additions []Change) {
	wants := scalingTargets(want)
	if have == nil {
		for _, w := range wants {
			additions = append(additions, addScaling(want.Name, w, ""))
		}
		return nil, additions
	}
	if have.Scaling == nil {
		return nil, nil
	}
	byKey := map[scalingKey]scalingTarget{}
	for _, w := range wants {
		byKey[w.key()] = w
	}
	live := map[scalingKey]ScalingTarget{}
	for _, h := range have.Scaling {
		k := scalingKey{h.Index, h.Write}
		live[k] = h
		switch _, ok := byKey[k]; {
		case !ok:
			removals = append(removals, removeScaling(want.Name, h, "not in any model"))
		case recreated[h.Index]:
			removals = append(removals, removeScaling(want.Name, h, "the index is re-created"))
		}
	}
	for _, w := range wants {
		h, ok := live[w.key()]
		switch {
		case !ok:
			additions = append(additions, addScaling(want.Name, w, ""))
		case recreated[w.Index]:
			additions = append(additions, addScaling(want.Name, w, "the index is re-created"))
		default:
			if c, ok := updateScaling(want.Name, w, h); ok {
				additions = append(additions, c)
			}
		}
	}
	return removals, additions
}

// scalingStep is the request of an auto scaling change: the Application
// Auto Scaling requests to send, in this order, those that are set.
type scalingStep struct {
	deletePolicy *applicationautoscaling.DeleteScalingPolicyInput
	deregister   *applicationautoscaling.DeregisterScalableTargetInput
	register     *applicationautoscaling.RegisterScalableTargetInput
	putPolicy    *applicationautoscaling.PutScalingPolicyInput
}

func registerInput(table string, w scalingTarget) *applicationautoscaling.RegisterScalableTargetInput {
	return &applicationautoscaling.RegisterScalableTargetInput{
		ServiceNamespace:  astypes.ServiceNamespaceDynamodb,
		ResourceId:        aws.String(w.key().resourceID(table)),
		ScalableDimension: astypes.ScalableDimension(w.Dimension),
		MinCapacity:       aws.Int32(int32(w.Scaling.Min)),
		MaxCapacity:       aws.Int32(int32(w.Scaling.Max)),
	}
}

func putPolicyInput(table, policy string, w scalingTarget) *applicationautoscaling.PutScalingPolicyInput {
	return &applicationautoscaling.PutScalingPolicyInput{
		PolicyName:        aws.String(policy),
		ServiceNamespace:  astypes.ServiceNamespaceDynamodb,
		ResourceId:        aws.String(w.key().resourceID(table)),
		ScalableDimension: astypes.ScalableDimension(w.Dimension),
		PolicyType:        astypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &astypes.TargetTrackingScalingPolicyConfiguration{
			TargetValue:                   aws.Float64(w.Scaling.Target()),
			PredefinedMetricSpecification: &astypes.PredefinedMetricSpecification{PredefinedMetricType: astypes.MetricType(w.Metric)},
		},
	}
}

func addScaling(table string, w scalingTarget, why string) Change {
	detail := w.key().String() + " " + scalingString(w.Scaling.Min, w.Scaling.Max, w.Scaling.Target())
	if why != "" {
		detail += " (" + why + ")"
	}
	return Change{Table: table, Kind: AddAutoScaling, Index: w.Index, Detail: detail, in: &scalingStep{
		register:  registerInput(table, w),
		putPolicy: putPolicyInput(table, w.policyName(table), w),
	}}
}

// updateScaling returns the change that gives the live target h the
// bounds and target utilisation of w, if they differ. A target without a
// target-tracking policy gets one.
func updateScaling(table string, w scalingTarget, h ScalingTarget) (Change, bool) {
	step := &scalingStep{}
	var details []string
	if h.Min != w.Scaling.Min || h.Max != w.Scaling.Max {
		step.register = registerInput(table, w)
		if h.Min != w.Scaling.Min {
			details = append(details, fmt.Sprintf("min %d → %d", h.Min, w.Scaling.Min))
		}
		if h.Max != w.Scaling.Max {
			details = append(details, fmt.Sprintf("max %d → %d", h.Max, w.Scaling.Max))
		}
	}
	if h.Policy == "" || h.TargetUtilization != w.Scaling.Target() {
		policy := h.Policy
		if policy == "" {
			policy = w.policyName(table)
			details = append(details, fmt.Sprintf("target %g%% (no target-tracking policy)", w.Scaling.Target()))
		} else {
			details = append(details, fmt.Sprintf("target %g%% → %g%%", h.TargetUtilization, w.Scaling.Target()))
		}
		step.putPolicy = putPolicyInput(table, policy, w)
	}
	if len(details) == 0 {
		return Change{}, false
	}
	return Change{Table: table, Kind: UpdateAutoScaling, Index: w.Index, Detail: w.key().String() + " " + strings.Join(details, ", "), in: step}, true
}

func removeScaling(table string, h ScalingTarget, why string) Change {
	k := scalingKey{h.Index, h.Write}
	step := &scalingStep{deregister: &applicationautoscaling.DeregisterScalableTargetInput{
		ServiceNamespace:  astypes.ServiceNamespaceDynamodb,
		ResourceId:        aws.String(k.resourceID(table)),
		ScalableDimension: astypes.ScalableDimension(k.dimension()),
	}}
	if h.Policy != "" {
		// Application Auto Scaling deletes a target's policies with the
		// target; deleting ours first leaves nothing behind on engines
		// that do not.
		step.deletePolicy = &applicationautoscaling.DeleteScalingPolicyInput{
			PolicyName:        aws.String(h.Policy),
			ServiceNamespace:  astypes.ServiceNamespaceDynamodb,
			ResourceId:        aws.String(k.resourceID(table)),
			ScalableDimension: astypes.ScalableDimension(k.dimension()),
		}
	}
	return Change{Table: table, Kind: RemoveAutoScaling, Index: h.Index,
		Detail: k.String() + " " + scalingString(h.Min, h.Max, h.TargetUtilization) + " (" + why + ")", in: step}
}

// scalingString describes bounds and a target utilisation: "5 to 100
// units, target 70%", or without "target" when it is 0.
func scalingString(lo, hi int64, target float64) string {
	s := fmt.Sprintf("%d to %d units", lo, hi)
	if target != 0 {
		s += fmt.Sprintf(", target %g%%", target)
	}
	return s
}

// applyScaling sends the requests of an auto scaling change.
func applyScaling(ctx context.Context, api AutoScalingAPI, step *scalingStep) error {
	if api == nil {
		return fmt.Errorf("%w (Application Auto Scaling, for instance applicationautoscaling.NewFromConfig(cfg))", ErrNoAutoScalingClient)
	}
	if in := step.deletePolicy; in != nil {
		if _, err := api.DeleteScalingPolicy(ctx, in); err != nil && !scalingGone(err) {
			return fmt.Errorf("delete scaling policy %s: %w", aws.ToString(in.PolicyName), err)
		}
	}
	if in := step.deregister; in != nil {
		if _, err := api.DeregisterScalableTarget(ctx, in); err != nil && !scalingGone(err) {
			return fmt.Errorf("deregister scalable target %s %s: %w", aws.ToString(in.ResourceId), in.ScalableDimension, err)
		}
	}
	if in := step.register; in != nil {
		if _, err := api.RegisterScalableTarget(ctx, in); err != nil {
			return fmt.Errorf("register scalable target %s %s: %w", aws.ToString(in.ResourceId), in.ScalableDimension, err)
		}
	}
	if in := step.putPolicy; in != nil {
		if _, err := api.PutScalingPolicy(ctx, in); err != nil {
			return fmt.Errorf("put scaling policy %s: %w", aws.ToString(in.PolicyName), err)
		}
	}
	return nil
}

// scalingGone reports whether err says that the policy or scalable
// target being removed is not there: removing it is then done, whether
// another writer removed it or an earlier attempt of the same request did
// and its answer was lost. DynamoDB answers ObjectNotFoundException; moto
// answers ValidationException "No scaling policy found ..." or "No
// scalable target found ...".
func scalingGone(err error) bool {
	var notFound *astypes.ObjectNotFoundException
	if errors.As(err, &notFound) {
		return true
	}
	var invalid *astypes.ValidationException
	return errors.As(err, &invalid) &&
		(strings.HasPrefix(invalid.ErrorMessage(), "No scaling policy found") || strings.HasPrefix(invalid.ErrorMessage(), "No scalable target found"))
}

// describeScaling reads the live auto scaling of t, a described table:
// the scalable targets of the table and of its global indexes, each with
// its target-tracking policy on the capacity's utilisation. The result is
// never nil, so that [Diff] knows it was read.
func describeScaling(ctx context.Context, api AutoScalingAPI, t *Definition) ([]ScalingTarget, error) {
	ids := []string{scalingKey{}.resourceID(t.Name)}
	for _, idx := range t.GSIs {
		ids = append(ids, scalingKey{index: idx.Name}.resourceID(t.Name))
	}
	type found struct {
		ScalingTarget
		resource, dimension string
	}
	var targets []found
	in := &applicationautoscaling.DescribeScalableTargetsInput{ServiceNamespace: astypes.ServiceNamespaceDynamodb, ResourceIds: ids}
	for seen := map[string]bool{}; ; {
		out, err := api.DescribeScalableTargets(ctx, in)
		if err != nil {
			return nil, failed(fmt.Sprintf("describe scalable targets of %s", t.Name), err)
		}
		for _, st := range out.ScalableTargets {
			k, ok := parseScalingKey(t.Name, aws.ToString(st.ResourceId), string(st.ScalableDimension))
			if !ok {
				continue
			}
			targets = append(targets, found{
				ScalingTarget: ScalingTarget{Index: k.index, Write: k.write, Min: int64(aws.ToInt32(st.MinCapacity)), Max: int64(aws.ToInt32(st.MaxCapacity))},
				resource:      aws.ToString(st.ResourceId), dimension: string(st.ScalableDimension),
			})
		}
		next := aws.ToString(out.NextToken)
		if next == "" {
			break
		}
		if seen[next] {
			return nil, fmt.Errorf("schema: describe scalable targets of %s: the service repeated the page token %q", t.Name, next)
		}
		seen[next] = true
		in = &applicationautoscaling.DescribeScalableTargetsInput{ServiceNamespace: in.ServiceNamespace, ResourceIds: ids, NextToken: out.NextToken}
	}
	out := make([]ScalingTarget, 0, len(targets))
	policies := map[string][]astypes.ScalingPolicy{} // by resource ID
	for _, f := range targets {
		ps, ok := policies[f.resource]
		if !ok {
			var err error
			if ps, err = describePolicies(ctx, api, t.Name, f.resource); err != nil {
				return nil, err
			}
			policies[f.resource] = ps
		}
		k := scalingKey{f.Index, f.Write}
		ours := newScalingTarget(f.Index, f.Write, model.Scaling{}).policyName(t.Name)
		for _, p := range ps {
			tt := p.TargetTrackingScalingPolicyConfiguration
			if aws.ToString(p.ResourceId) != f.resource || string(p.ScalableDimension) != f.dimension ||
				p.PolicyType != astypes.PolicyTypeTargetTrackingScaling || tt == nil ||
				tt.PredefinedMetricSpecification == nil || string(tt.PredefinedMetricSpecification.PredefinedMetricType) != k.metric() {
				continue
			}
			// schema's own policy wins over one made elsewhere.
			if name := aws.ToString(p.PolicyName); f.Policy == "" || name == ours {
				f.Policy, f.TargetUtilization = name, aws.ToFloat64(tt.TargetValue)
			}
		}
		out = append(out, f.ScalingTarget)
	}
	slices.SortFunc(out, func(a, b ScalingTarget) int {
		if c := strings.Compare(a.Index, b.Index); c != 0 {
			return c
		}
		return boolInt(a.Write) - boolInt(b.Write)
	})
	return out, nil
}

// describePolicies returns the scaling policies of one resource. It keeps
// only those whose resource ID is the one asked for: moto matches the ID
// as a substring.
func describePolicies(ctx context.Context, api AutoScalingAPI, table, resource string) ([]astypes.ScalingPolicy, error) {
	var ps []astypes.ScalingPolicy
	in := &applicationautoscaling.DescribeScalingPoliciesInput{ServiceNamespace: astypes.ServiceNamespaceDynamodb, ResourceId: aws.String(resource)}
	for seen := map[string]bool{}; ; {
		out, err := api.DescribeScalingPolicies(ctx, in)
		if err != nil {
			return nil, failed(fmt.Sprintf("describe scaling policies of %s", table), err)
		}
		for _, p := range out.ScalingPolicies {
			if aws.ToString(p.ResourceId) == resource {
				ps = append(ps, p)
			}
		}
		next := aws.ToString(out.NextToken)
		if next == "" {
			return ps, nil
		}
		if seen[next] {
			return nil, fmt.Errorf("schema: describe scaling policies of %s: the service repeated the page token %q", table, next)
		}
		seen[next] = true
		in = &applicationautoscaling.DescribeScalingPoliciesInput{ServiceNamespace: in.ServiceNamespace, ResourceId: in.ResourceId, NextToken: out.NextToken}
	}
}

// parseScalingKey reads the capacity a scalable target of table moves.
func parseScalingKey(table, resource, dimension string) (scalingKey, bool) {
	rest, ok := strings.CutPrefix(resource, "table/"+table)
	if !ok {
		return scalingKey{}, false
	}
	var k scalingKey
	if rest != "" {
		if k.index, ok = strings.CutPrefix(rest, "/index/"); !ok || k.index == "" {
			return scalingKey{}, false
		}
	}
	kind := "table"
	if k.index != "" {
		kind = "index"
	}
	switch dimension {
	case "dynamodb:" + kind + ":ReadCapacityUnits":
	case "dynamodb:" + kind + ":WriteCapacityUnits":
		k.write = true
	default:
		return scalingKey{}, false
	}
	return k, true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkAutoScaling refuses, before any request, tables whose models
// declare auto scaling when opts has no Application Auto Scaling client
// (and does not skip the scaling), and auto scaling that the service
// cannot take.
func (o *Options) checkAutoScaling(tables []*Definition) error {
	var names []string
	for _, t := range tables {
		if err := checkScaling(t); err != nil {
			return err
		}
		if t.AutoScaling != nil {
			names = append(names, t.Name)
		}
	}
	if len(names) == 0 || o.scalingClient() != nil || o.skipScaling() {
		return nil
	}
	return fmt.Errorf("%w: tables %s declare auto scaling, which is Application Auto Scaling, another AWS service: "+
		"set Options.AutoScalingClient (applicationautoscaling.NewFromConfig with the aws.Config of the DynamoDB client), "+
		"or Options.SkipAutoScaling to create and plan the tables at their provisioned capacity and leave the scaling to another tool (see Export)",
		ErrNoAutoScalingClient, strings.Join(names, ", "))
}

// scalingClient returns the Application Auto Scaling client schema uses,
// nil when it leaves the scaling alone.
func (o *Options) scalingClient() AutoScalingAPI {
	if o == nil || o.SkipAutoScaling {
		return nil
	}
	return o.AutoScalingClient
}

func (o *Options) skipScaling() bool { return o != nil && o.SkipAutoScaling }
