package schema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit/model"
)

// ChangeKind is what a [Change] does to a table.
type ChangeKind string

// The changes [Diff] finds. Each is one request to DynamoDB.
const (
	CreateTable   ChangeKind = "create table"   // CreateTable
	DeleteIndex   ChangeKind = "delete index"   // UpdateTable; destructive
	UpdateBilling ChangeKind = "update billing" // UpdateTable
	AddIndex      ChangeKind = "add index"      // UpdateTable
	DisableTTL    ChangeKind = "disable ttl"    // UpdateTimeToLive
	EnableTTL     ChangeKind = "enable ttl"     // UpdateTimeToLive
)

// Change is one step that brings a table in line with its models.
type Change struct {
	// Table is the table's name.
	Table string
	// Kind is what the change does.
	Kind ChangeKind
	// Index is the global index concerned, for AddIndex and DeleteIndex,
	// and for an auto scaling change of an index's capacity.
	Index string
	// Detail says what the change is about, such as
	// "hash department_id S; projection ALL" or "on-demand → provisioned 5/5".
	Detail string
	// Destructive is set for changes that lose something: deleting a global
	// index (to remove it, or to re-create it with another key or projection;
	// queries on it fail until it is re-created), disabling a stream or
	// point-in-time recovery, turning deletion protection off.
	Destructive bool
	// Refused is set by [Plan] on a destructive change when
	// [Options.AllowDestructive] is not set; [Apply] does not run a change
	// set holding one.
	Refused bool

	in any // the request: *dynamodb.CreateTableInput, *dynamodb.UpdateTableInput, *dynamodb.UpdateTimeToLiveInput, one of settings.go, or a *scalingStep
}

// String returns the change as one line of a diff, such as
// "+ add index by-status: hash status S; projection ALL".
func (c Change) String() string {
	var b strings.Builder
	switch c.Kind {
	case CreateTable, AddIndex, EnableTTL, EnableStream, EnablePITR, TagTable, AddAutoScaling:
		b.WriteString("+ ")
	case DeleteIndex, DisableTTL, DisableStream, DisablePITR, UntagTable, RemoveAutoScaling:
		b.WriteString("- ")
	default:
		b.WriteString("~ ")
	}
	b.WriteString(c.step())
	if c.Detail != "" {
		b.WriteString(": " + c.Detail)
	}
	switch {
	case c.Refused:
		b.WriteString(" [destructive: refused, needs Options.AllowDestructive]")
	case c.Destructive:
		b.WriteString(" [destructive]")
	}
	return b.String()
}

// ErrRecreate is returned (wrapped) by [Diff] and [Plan] for a table that
// differs from its models in a way DynamoDB cannot change in place: its
// key schema, the type of a key attribute, or its local indexes. The
// message names the table and every difference, such as "schema: table
// must be recreated: orders: primary key is hash id S, want hash pk S".
// Such a table must be recreated (and its data copied), which schema never
// does.
var ErrRecreate = errors.New("schema: table must be recreated")

// Diff returns the changes that turn have, a table as DynamoDB describes
// it (nil when it does not exist), into want, the table the models describe
// (see [Definitions]). The changes come in the order they must be made: auto
// scaling removals, index deletions, billing, index additions, TTL, the
// other [Settings], then auto scaling additions and updates. Auto scaling
// changes only when have.Scaling was read (see [Definition.Scaling]) or have
// is nil. A table that cannot be changed in place returns an error
// matching [ErrRecreate], and auto scaling on an on-demand table an error
// naming the fix. Diff does no I/O; [Plan] calls it with the live
// description of each table.
func Diff(want, have *Definition) ([]Change, error) {
	if want == nil {
		return nil, errors.New("schema: diff: nil table")
	}
	if err := checkScaling(want); err != nil {
		return nil, err
	}
	if have == nil {
		in := want.CreateInput()
		changes := []Change{{Table: want.Name, Kind: CreateTable, Detail: want.summary(), in: in}}
		if want.TTL != "" {
			changes = append(changes, ttlChange(want.Name, want.TTL, true))
		}
		if want.PointInTimeRecovery {
			changes = append(changes, pitrChange(want.Name, true))
		}
		_, scaling := scalingChanges(want, nil, nil)
		return append(changes, scaling...), nil
	}
	if reasons := recreateReasons(want, have); len(reasons) > 0 {
		return nil, fmt.Errorf("%w: %s: %s", ErrRecreate, want.Name, strings.Join(reasons, "; "))
	}
	var deletes, adds []Change
	var kept []Index // global indexes both have, unchanged
	recreated := map[string]bool{}
	for _, h := range have.GSIs {
		w, ok := findIndex(want.GSIs, h.Name)
		switch {
		case !ok:
			deletes = append(deletes, deleteIndex(want.Name, h, "not in any model"))
		case !sameIndex(w, h):
			deletes = append(deletes, deleteIndex(want.Name, h, "to re-create it with "+w.shape()))
			adds = append(adds, addIndex(want, w, "re-created, was "+h.shape()))
			recreated[h.Name] = true
		default:
			kept = append(kept, h)
		}
	}
	for _, w := range want.GSIs {
		if _, ok := findIndex(have.GSIs, w.Name); !ok {
			adds = append(adds, addIndex(want, w, ""))
		}
	}
	// Scaling goes before the indexes and the billing mode it scales, and
	// comes back after them.
	unscale, scale := scalingChanges(want, have, recreated)
	changes := append(unscale, deletes...)
	if c, ok := billingChange(want, have, kept); ok {
		changes = append(changes, c)
	}
	changes = append(changes, adds...)
	if want.TTL != have.TTL {
		if have.TTL != "" {
			changes = append(changes, ttlChange(want.Name, have.TTL, false))
		}
		if want.TTL != "" {
			changes = append(changes, ttlChange(want.Name, want.TTL, true))
		}
	}
	changes = append(changes, settingsChanges(want, have)...)
	return append(changes, scale...), nil
}

// recreateReasons lists the differences UpdateTable cannot make.
func recreateReasons(want, have *Definition) []string {
	var out []string
	if !sameAttr(want.Hash, have.Hash) || !sameAttr(want.Range, have.Range) {
		out = append(out, "primary key is "+have.keyString()+", want "+want.keyString())
	}
	for _, h := range have.LSIs {
		w, ok := findIndex(want.LSIs, h.Name)
		switch {
		case !ok:
			out = append(out, "local index "+h.Name+" is not in any model")
		case !sameIndex(w, h):
			out = append(out, "local index "+h.Name+" is ("+h.shape()+"), want ("+w.shape()+")")
		}
	}
	for _, w := range want.LSIs {
		if _, ok := findIndex(have.LSIs, w.Name); !ok {
			out = append(out, "local index "+w.Name+" can only be created with the table")
		}
	}
	return out
}

func findIndex(idxs []Index, name string) (Index, bool) {
	for _, idx := range idxs {
		if idx.Name == name {
			return idx, true
		}
	}
	return Index{}, false
}

func deleteIndex(table string, idx Index, why string) Change {
	return Change{
		Table: table, Kind: DeleteIndex, Index: idx.Name, Destructive: true,
		Detail: idx.shape() + " (" + why + ")",
		in: &dynamodb.UpdateTableInput{
			TableName: aws.String(table),
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{
				Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String(idx.Name)},
			}},
		},
	}
}

// addIndex creates idx on want; the new index takes the table's billing.
func addIndex(want *Definition, idx Index, why string) Change {
	detail := idx.shape()
	if why != "" {
		detail += " (" + why + ")"
	}
	attrs := idx.keyAttrs()
	return Change{
		Table: want.Name, Kind: AddIndex, Index: idx.Name, Detail: detail,
		in: &dynamodb.UpdateTableInput{
			TableName:            aws.String(want.Name),
			AttributeDefinitions: attributeDefinitions(attrs),
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{
				Create: &types.CreateGlobalSecondaryIndexAction{
					IndexName:             aws.String(idx.Name),
					KeySchema:             indexKeySchema(idx),
					Projection:            projection(idx.Projection),
					ProvisionedThroughput: throughput(want.Billing),
				},
			}},
		},
	}
}

// billingChange returns the UpdateTable that sets want's billing mode and
// capacity on have and on the global indexes kept, if anything differs.
// Only what changes is sent: DynamoDB rejects an update that sets the
// capacity a table already has.
func billingChange(want, have *Definition, kept []Index) (Change, bool) {
	in := &dynamodb.UpdateTableInput{TableName: aws.String(want.Name)}
	var details []string
	modeChanges := want.Billing.OnDemand() != have.Billing.OnDemand()
	if want.AutoScaling != nil && !modeChanges {
		return Change{}, false // the capacity is the auto scaling's
	}
	if modeChanges {
		details = append(details, billingString(have.Billing)+" → "+billingString(want.Billing))
		in.BillingMode = types.BillingModeProvisioned
		if want.Billing.OnDemand() {
			in.BillingMode = types.BillingModePayPerRequest
		}
	}
	if !want.Billing.OnDemand() {
		if modeChanges || want.Billing != have.Billing {
			if !modeChanges {
				details = append(details, "table "+units(have.Billing)+" → "+units(want.Billing))
			}
			in.ProvisionedThroughput = throughput(want.Billing)
		}
		for _, idx := range kept {
			if modeChanges || idx.Throughput != want.Billing {
				if !modeChanges {
					details = append(details, "index "+idx.Name+" "+units(idx.Throughput)+" → "+units(want.Billing))
				}
				in.GlobalSecondaryIndexUpdates = append(in.GlobalSecondaryIndexUpdates, types.GlobalSecondaryIndexUpdate{
					Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String(idx.Name), ProvisionedThroughput: throughput(want.Billing)},
				})
			}
		}
	}
	if len(details) == 0 {
		return Change{}, false
	}
	return Change{Table: want.Name, Kind: UpdateBilling, Detail: strings.Join(details, ", "), in: in}, true
}

func units(b model.Billing) string { return fmt.Sprintf("%d/%d", b.ReadUnits, b.WriteUnits) }

func ttlChange(table, attr string, enabled bool) Change {
	kind := DisableTTL
	if enabled {
		kind = EnableTTL
	}
	return Change{Table: table, Kind: kind, Detail: "attribute " + attr, in: ttlInput(table, attr, enabled)}
}

// summary describes a table to create in one line.
func (t *Definition) summary() string {
	parts := []string{t.keyString()}
	for _, idx := range t.GSIs {
		parts = append(parts, "global index "+idx.Name+" ("+idx.shape()+")")
	}
	for _, idx := range t.LSIs {
		parts = append(parts, "local index "+idx.Name+" ("+idx.shape()+")")
	}
	parts = append(parts, billingString(t.Billing))
	return strings.Join(parts, "; ")
}
