package schema

import (
	"strings"
	"unicode"
)

// cloudFormationTable returns t as an AWS::DynamoDB::Table resource, from
// req, the CreateTable request Create sends.
func cloudFormationTable(t *Definition, req createTableRequest) resourceJSON {
	p := propertiesJSON{tableJSON: req.tableJSON}
	if s := req.StreamSpecification; s != nil && s.StreamEnabled {
		p.StreamSpecification = &cfnStreamJSON{StreamViewType: s.StreamViewType}
	}
	if s := req.SSESpecification; s != nil {
		p.SSESpecification = &cfnSSEJSON{SSEEnabled: s.Enabled, SSEType: s.SSEType, KMSMasterKeyID: s.KMSMasterKeyID}
	}
	if t.TTL != "" {
		p.TimeToLiveSpecification = &ttlJSON{AttributeName: t.TTL, Enabled: true}
	}
	if t.PointInTimeRecovery {
		p.PointInTimeRecoverySpecification = &cfnPITRJSON{PointInTimeRecoveryEnabled: true}
	}
	return resourceJSON{Type: "AWS::DynamoDB::Table", Properties: p}
}

// cloudFormationTemplate returns a template holding the table resource res
// under id, and the auto scaling of t.
func cloudFormationTemplate(t *Definition, id string, res resourceJSON) map[string]any {
	resources := map[string]any{id: res}
	for _, s := range scalingTargets(t) {
		target := id + s.name(true) + "ScalableTarget"
		resources[target] = map[string]any{
			"Type": "AWS::ApplicationAutoScaling::ScalableTarget",
			"Properties": map[string]any{
				"MinCapacity":       s.Scaling.Min,
				"MaxCapacity":       s.Scaling.Max,
				"ResourceId":        map[string]string{"Fn::Sub": "table/${" + id + "}" + s.resourceSuffix()},
				"ScalableDimension": s.Dimension,
				"ServiceNamespace":  "dynamodb",
			},
		}
		resources[id+s.name(true)+"ScalingPolicy"] = map[string]any{
			"Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
			"Properties": map[string]any{
				"PolicyName":      s.policyName(t.Name),
				"PolicyType":      "TargetTrackingScaling",
				"ScalingTargetId": map[string]string{"Ref": target},
				"TargetTrackingScalingPolicyConfiguration": map[string]any{
					"PredefinedMetricSpecification": map[string]string{"PredefinedMetricType": s.Metric},
					"TargetValue":                   s.Scaling.Target(),
				},
			},
		}
	}
	return map[string]any{"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
}

// pascal turns a name into PascalCase letters and digits: "by-status" gives
// "ByStatus".
func pascal(s string) string {
	var b strings.Builder
	upper := true
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
