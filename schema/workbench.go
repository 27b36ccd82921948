package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"time"

	"github.com/dynamokit/dynamokit/internal/mapping"
	"github.com/dynamokit/dynamokit/model"
)

// WorkbenchInfo names and describes a NoSQL Workbench data model
// ([Workbench]'s ModelName and ModelMetadata).
type WorkbenchInfo struct {
	// Name is the model's name in Workbench; "" means "dynamokit".
	Name string
	// Author and Description are shown by Workbench; both may be "".
	Author, Description string
	// Date is written as the model's creation and last change date;
	// the zero time writes none, which keeps the output the same from run
	// to run.
	Date time.Time
}

// workbenchDate is how NoSQL Workbench writes a date: "Jan 12, 2023, 10:14 AM".
const workbenchDate = "Jan 02, 2006, 03:04 PM"

// Workbench returns the tables of models, grouped as by [Definitions] and named
// with opts.Namer, as a data model for AWS's NoSQL Workbench (the JSON file
// its data modeler imports and exports, format version 3.0), indented and
// deterministic. It does no I/O.
//
// Each table lists its key attributes, the other attributes of its models
// with their DynamoDB types, its global secondary indexes, and one facet
// per model: the model's access pattern, named after its Go type, whose
// key aliases are the key templates ("DEPT#{department_id}") or, for a
// plain key, the attribute's name. Workbench shows a facet's items with
// those aliases as column heads.
//
// The format holds less than a model: an attribute whose values decide
// their own type (an interface field, a type whose MarshalDynamo picks the
// type) is left out, since Workbench needs one type per attribute; an
// attribute that two models sharing a table give different types gets the
// type of the first; local secondary indexes and TTL are not written.
// Export and Plan have them all. A global index whose key has more than
// one attribute of a role (a multi-attribute key) cannot be written, as
// the format's index key is one partition and one sort attribute:
// Workbench returns an error naming the index, and [Export] writes it.
func Workbench(opts *Options, info WorkbenchInfo, models ...*model.Model) ([]byte, error) {
	ms := make([]*mapping.Model, 0, len(models))
	for _, m := range models {
		if m == nil || m.Type() == nil {
			return nil, errors.New("schema: workbench: nil model")
		}
		mm, err := mapping.For(m.Type())
		if err != nil {
			return nil, fmt.Errorf("schema: workbench: %w", err)
		}
		if !slices.Contains(ms, mm) {
			ms = append(ms, mm)
		}
	}
	groups, err := group(ms, opts.namer())
	if err != nil {
		return nil, err
	}
	out := wbModel{
		ModelName: info.Name,
		ModelMetadata: wbMetadata{
			Author:      info.Author,
			Description: info.Description,
			AWSService:  "Amazon DynamoDB",
			Version:     "3.0",
		},
		DataModel: []wbTable{},
	}
	if out.ModelName == "" {
		out.ModelName = "dynamokit"
	}
	if !info.Date.IsZero() {
		out.ModelMetadata.DateCreated = info.Date.Format(workbenchDate)
		out.ModelMetadata.DateLastModified = out.ModelMetadata.DateCreated
	}
	for _, g := range groups {
		for _, idx := range g.want.GSIs {
			if idx.multi() {
				return nil, fmt.Errorf("schema: workbench: index %s of table %s has a multi-attribute key (%s), which the NoSQL Workbench format cannot express; export it with Export (CreateTable, CloudFormation or Terraform) instead", idx.Name, g.want.Name, indexKeyString(idx))
			}
		}
	}
	facets := facetNames(ms)
	for _, g := range groups {
		out.DataModel = append(out.DataModel, workbenchTable(g, facets))
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("schema: workbench: %w", err)
	}
	return append(b, '\n'), nil
}

// workbenchTable is one table of the data model.
func workbenchTable(g *table, facets map[*mapping.Model]string) wbTable {
	t := g.want
	wt := wbTable{
		TableName:        t.Name,
		KeyAttributes:    wbKeysOf(t.Hash, t.Range),
		NonKeyAttributes: []wbAttr{},
		TableFacets:      []wbFacet{},
		TableData:        []json.RawMessage{},
		BillingMode:      "PAY_PER_REQUEST",
	}
	if !t.Billing.OnDemand() {
		wt.BillingMode = "PROVISIONED"
		wt.ProvisionedCapacitySettings = &wbCapacity{ProvisionedThroughput: wbThroughput{
			ReadCapacityUnits: t.Billing.ReadUnits, WriteCapacityUnits: t.Billing.WriteUnits,
		}}
	}
	isKey := func(name string) bool { return name == t.Hash.Name || t.Range.Name != "" && name == t.Range.Name }
	seen := map[string]bool{}
	for _, m := range g.models {
		f := wbFacet{
			FacetName:         facets[m],
			KeyAttributeAlias: wbAlias{PartitionKeyAlias: alias(m.Key.Hash)},
			TableData:         []json.RawMessage{},
			NonKeyAttributes:  []string{},
		}
		if m.Key.Range != nil {
			f.KeyAttributeAlias.SortKeyAlias = alias(m.Key.Range)
		}
		for _, a := range m.Attributes {
			typ := a.ValueType()
			if isKey(a.Name) || typ == "" {
				continue
			}
			f.NonKeyAttributes = append(f.NonKeyAttributes, a.Name)
			if !seen[a.Name] {
				seen[a.Name] = true
				wt.NonKeyAttributes = append(wt.NonKeyAttributes, wbAttr{AttributeName: a.Name, AttributeType: typ})
			}
		}
		wt.TableFacets = append(wt.TableFacets, f)
	}
	for _, idx := range t.GSIs {
		p := wbProjection{ProjectionType: string(mapping.ProjectAll)}
		if idx.Projection.Type != "" {
			p.ProjectionType = string(idx.Projection.Type)
		}
		if idx.Projection.Type == mapping.ProjectInclude {
			p.NonKeyAttributes = idx.Projection.NonKey
		}
		wt.GlobalSecondaryIndexes = append(wt.GlobalSecondaryIndexes, wbIndex{
			IndexName:     idx.Name,
			KeyAttributes: wbKeysOf(idx.Hash, idx.Range),
			Projection:    p,
		})
	}
	return wt
}

// alias is a key's alias in a facet: its template, or its name.
func alias(a *mapping.Attribute) string {
	if a.Computed() {
		return a.Template.Source
	}
	return a.Name
}

// facetNames names each model's facet after its Go type, prefixed with its
// package's name when two types share a name. Facet names are unique in a
// data model.
func facetNames(ms []*mapping.Model) map[*mapping.Model]string {
	count := map[string]int{}
	for _, m := range ms {
		count[m.Type.Name()]++
	}
	out := make(map[*mapping.Model]string, len(ms))
	used := map[string]bool{}
	for _, m := range ms {
		name := m.Type.Name()
		if count[name] > 1 {
			name = path.Base(m.Type.PkgPath()) + "." + name
		}
		for base, n := name, 2; used[name]; n++ {
			name = fmt.Sprintf("%s%d", base, n)
		}
		used[name] = true
		out[m] = name
	}
	return out
}

func wbKeysOf(hash, rng KeyAttr) wbKeys {
	k := wbKeys{PartitionKey: wbAttr{AttributeName: hash.Name, AttributeType: string(hash.Type)}}
	if rng.Name != "" {
		k.SortKey = &wbAttr{AttributeName: rng.Name, AttributeType: string(rng.Type)}
	}
	return k
}

// The JSON shape of a NoSQL Workbench data model, version 3.0, as the
// Workbench data modeler exports it.
type (
	wbModel struct {
		ModelName     string     `json:"ModelName"`
		ModelMetadata wbMetadata `json:"ModelMetadata"`
		DataModel     []wbTable  `json:"DataModel"`
	}
	wbMetadata struct {
		Author           string `json:"Author"`
		DateCreated      string `json:"DateCreated"`
		DateLastModified string `json:"DateLastModified"`
		Description      string `json:"Description"`
		AWSService       string `json:"AWSService"`
		Version          string `json:"Version"`
	}
	wbTable struct {
		TableName                   string            `json:"TableName"`
		KeyAttributes               wbKeys            `json:"KeyAttributes"`
		NonKeyAttributes            []wbAttr          `json:"NonKeyAttributes"`
		TableFacets                 []wbFacet         `json:"TableFacets"`
		GlobalSecondaryIndexes      []wbIndex         `json:"GlobalSecondaryIndexes,omitempty"`
		TableData                   []json.RawMessage `json:"TableData"`
		DataAccess                  wbDataAccess      `json:"DataAccess"`
		BillingMode                 string            `json:"BillingMode"`
		ProvisionedCapacitySettings *wbCapacity       `json:"ProvisionedCapacitySettings,omitempty"`
	}
	wbKeys struct {
		PartitionKey wbAttr  `json:"PartitionKey"`
		SortKey      *wbAttr `json:"SortKey,omitempty"`
	}
	wbAttr struct {
		AttributeName string `json:"AttributeName"`
		AttributeType string `json:"AttributeType"`
	}
	wbFacet struct {
		FacetName         string            `json:"FacetName"`
		KeyAttributeAlias wbAlias           `json:"KeyAttributeAlias"`
		TableData         []json.RawMessage `json:"TableData"`
		NonKeyAttributes  []string          `json:"NonKeyAttributes"`
	}
	wbAlias struct {
		PartitionKeyAlias string `json:"PartitionKeyAlias"`
		SortKeyAlias      string `json:"SortKeyAlias,omitempty"`
	}
	wbIndex struct {
		IndexName     string       `json:"IndexName"`
		KeyAttributes wbKeys       `json:"KeyAttributes"`
		Projection    wbProjection `json:"Projection"`
	}
	wbProjection struct {
		ProjectionType   string   `json:"ProjectionType"`
		NonKeyAttributes []string `json:"NonKeyAttributes,omitempty"`
	}
	wbDataAccess struct {
		MySQL struct{} `json:"MySql"`
	}
	wbCapacity struct {
		ProvisionedThroughput wbThroughput `json:"ProvisionedThroughput"`
	}
	wbThroughput struct {
		ReadCapacityUnits  int64 `json:"ReadCapacityUnits"`
		WriteCapacityUnits int64 `json:"WriteCapacityUnits"`
	}
)
