package schema

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit/model"
)

// The NoSQL Workbench data model format (version 3.0), written from AWS's
// documentation ("Editing an existing data model" in the DynamoDB
// developer guide, which shows a model with TableFacets) and checked
// against models exported by the Workbench data modeler in public
// repositories. These structs are the test's own reading of the format,
// kept apart from the ones Workbench writes with, so that a field the
// format does not have fails to decode (DisallowUnknownFields).
type (
	wbFile struct {
		ModelName     string
		ModelMetadata struct {
			Author, DateCreated, DateLastModified, Description, AWSService, Version string
		}
		DataModel []struct {
			TableName        string
			KeyAttributes    wbFileKeys
			NonKeyAttributes []wbFileAttr
			TableFacets      []struct {
				FacetName         string
				KeyAttributeAlias struct{ PartitionKeyAlias, SortKeyAlias string }
				TableData         []json.RawMessage
				NonKeyAttributes  []string
			}
			GlobalSecondaryIndexes []struct {
				IndexName     string
				KeyAttributes wbFileKeys
				Projection    struct {
					ProjectionType   string
					NonKeyAttributes []string
				}
			}
			TableData  []json.RawMessage
			DataAccess struct {
				MySql struct{}
			}
			BillingMode                 string
			ProvisionedCapacitySettings *struct {
				ProvisionedThroughput struct{ ReadCapacityUnits, WriteCapacityUnits int64 }
			}
		}
	}
	wbFileKeys struct {
		PartitionKey wbFileAttr
		SortKey      *wbFileAttr
	}
	wbFileAttr struct{ AttributeName, AttributeType string }
)

// wbTypes are the attribute types Workbench knows.
var wbTypes = []string{"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}

func TestWorkbench(t *testing.T) {
	info := WorkbenchInfo{Name: "org", Author: "dynamokit", Date: time.Date(2026, 1, 12, 22, 14, 0, 0, time.UTC)}
	models := []*model.Model{model.MustOf[deptItem](), model.MustOf[empItem](), model.MustOf[order](), model.MustOf[employee](), model.MustOf[deptItem]()}
	got, err := Workbench(&Options{Namer: model.Prefix("dev-")}, info, models...)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "workbench.json", got)

	dec := json.NewDecoder(bytes.NewReader(got))
	dec.DisallowUnknownFields()
	var f wbFile
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("the output is not a Workbench data model: %v", err)
	}
	if f.ModelName != "org" || f.ModelMetadata.Version != "3.0" || f.ModelMetadata.AWSService != "Amazon DynamoDB" || f.ModelMetadata.DateCreated != "Jan 12, 2026, 10:14 PM" {
		t.Errorf("ModelName, Version, AWSService, DateCreated = %q, %q, %q, %q", f.ModelName, f.ModelMetadata.Version, f.ModelMetadata.AWSService, f.ModelMetadata.DateCreated)
	}
	var tables []string
	facets := map[string]bool{}
	for _, tb := range f.DataModel {
		tables = append(tables, tb.TableName)
		defined := map[string]string{tb.KeyAttributes.PartitionKey.AttributeName: tb.KeyAttributes.PartitionKey.AttributeType}
		if sk := tb.KeyAttributes.SortKey; sk != nil {
			defined[sk.AttributeName] = sk.AttributeType
		}
		for _, a := range tb.NonKeyAttributes {
			if _, dup := defined[a.AttributeName]; dup {
				t.Errorf("table %s: attribute %s defined twice", tb.TableName, a.AttributeName)
			}
			defined[a.AttributeName] = a.AttributeType
		}
		for name, typ := range defined {
			if name == "" || !slices.Contains(wbTypes, typ) {
				t.Errorf("table %s: attribute %q has type %q", tb.TableName, name, typ)
			}
		}
		if len(tb.TableFacets) == 0 {
			t.Errorf("table %s has no facet", tb.TableName)
		}
		for _, fc := range tb.TableFacets {
			if facets[fc.FacetName] {
				t.Errorf("facet %s appears twice: facet names are unique in a model", fc.FacetName)
			}
			facets[fc.FacetName] = true
			if fc.KeyAttributeAlias.PartitionKeyAlias == "" || (fc.KeyAttributeAlias.SortKeyAlias == "") != (tb.KeyAttributes.SortKey == nil) {
				t.Errorf("facet %s: key aliases %+v for a table with sort key %v", fc.FacetName, fc.KeyAttributeAlias, tb.KeyAttributes.SortKey)
			}
			for _, a := range fc.NonKeyAttributes {
				if _, ok := defined[a]; !ok {
					t.Errorf("facet %s: attribute %s is not an attribute of table %s", fc.FacetName, a, tb.TableName)
				}
			}
		}
		for _, idx := range tb.GlobalSecondaryIndexes {
			keys := []*wbFileAttr{&idx.KeyAttributes.PartitionKey, idx.KeyAttributes.SortKey}
			for _, k := range keys {
				if k != nil && defined[k.AttributeName] != k.AttributeType {
					t.Errorf("index %s: key %s %s is not defined so in table %s", idx.IndexName, k.AttributeName, k.AttributeType, tb.TableName)
				}
			}
		}
		if (tb.BillingMode == "PROVISIONED") != (tb.ProvisionedCapacitySettings != nil) || tb.BillingMode != "PROVISIONED" && tb.BillingMode != "PAY_PER_REQUEST" {
			t.Errorf("table %s: billing %s with capacity %v", tb.TableName, tb.BillingMode, tb.ProvisionedCapacitySettings)
		}
	}
	if want := []string{"dev-app", "dev-order", "dev-employee"}; !slices.Equal(tables, want) {
		t.Errorf("tables = %v, want %v", tables, want)
	}
	if want := map[string]bool{"deptItem": true, "empItem": true, "order": true, "employee": true}; len(facets) != len(want) {
		t.Errorf("facets = %v, want %v", facets, want)
	}

	if _, err := Workbench(nil, WorkbenchInfo{}, nil); err == nil {
		t.Error("Workbench(nil model) = nil error, want one")
	}
	if _, err := Workbench(nil, WorkbenchInfo{}, model.MustOf[empItem](), model.MustOf[appOtherKey]()); err == nil {
		t.Error("Workbench of conflicting models = nil error, want one")
	}
}
