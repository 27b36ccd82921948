package schema

import "github.com/dynamokit/dynamokit/model"

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
func scalingTargets(t *Table) []scalingTarget {
	as := t.AutoScaling
	if as == nil || t.Billing.OnDemand() {
		return nil
	}
	var out []scalingTarget
	add := func(index string) {
		kind := "table"
		if index != "" {
			kind = "index"
		}
		if as.Read != (model.Scaling{}) {
			out = append(out, scalingTarget{index, true, as.Read, "dynamodb:" + kind + ":ReadCapacityUnits", "DynamoDBReadCapacityUtilization"})
		}
		if as.Write != (model.Scaling{}) {
			out = append(out, scalingTarget{index, false, as.Write, "dynamodb:" + kind + ":WriteCapacityUnits", "DynamoDBWriteCapacityUtilization"})
		}
	}
	add("")
	for _, idx := range t.GSIs {
		add(idx.Name)
	}
	return out
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
