package schemacmd

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
)

// Format is a format of the export subcommand.
type Format struct {
	// Name is the value of -format that picks it, such as "cloudformation".
	Name string
	// Help says what it writes, in a few words, for the usage.
	Help string
	// Write writes the tables of in.Models to w.
	Write func(w io.Writer, in ExportInput) error
}

// ExportInput is what a [Format] writes.
type ExportInput struct {
	// Options name the tables ([schema.Options.Namer]).
	Options *schema.Options
	// Models are the models to export, as [schema.Definitions] groups them.
	Models []*model.Model
	// Name is the command's name, for formats that name what they write.
	Name string
	// Now is the time of the export, for formats that record one.
	Now time.Time
}

// DefaultFormats returns the formats export has when [Command.Formats] is
// nil, the first being the default: createtable, cloudformation,
// terraform and workbench. Each call returns a new slice, which may be appended to.
func DefaultFormats() []Format {
	return []Format{
		{
			Name:  "createtable",
			Help:  "each table's CreateTable request, for aws dynamodb create-table --cli-input-json (one JSON document per table)",
			Write: writeCreateTable,
		},
		{
			Name:  "cloudformation",
			Help:  "a CloudFormation template with an AWS::DynamoDB::Table resource per table",
			Write: writeCloudFormation,
		},
		{
			Name:  "terraform",
			Help:  "a Terraform JSON configuration (.tf.json) with an aws_dynamodb_table resource per table",
			Write: writeTerraform,
		},
		{
			Name:  "workbench",
			Help:  "a NoSQL Workbench data model, one facet per model",
			Write: writeWorkbench,
		},
	}
}

func writeCreateTable(w io.Writer, in ExportInput) error {
	defs, err := schema.Export(in.Options, in.Models...)
	if err != nil {
		return err
	}
	for _, d := range defs {
		if _, err := fmt.Fprintf(w, "%s\n", d.CreateTable); err != nil {
			return err
		}
	}
	return nil
}

func writeCloudFormation(w io.Writer, in ExportInput) error {
	defs, err := schema.Export(in.Options, in.Models...)
	if err != nil {
		return err
	}
	template := struct {
		Version   string                     `json:"AWSTemplateFormatVersion"`
		Resources map[string]json.RawMessage `json:"Resources"`
	}{"2010-09-09", make(map[string]json.RawMessage, len(defs))}
	for _, d := range defs {
		if _, dup := template.Resources[d.LogicalID]; dup {
			return fmt.Errorf("tables %s and another have the same CloudFormation logical ID %s", d.Table, d.LogicalID)
		}
		template.Resources[d.LogicalID] = d.Resource
	}
	b, err := json.MarshalIndent(template, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeTerraform writes one Terraform JSON configuration holding every
// table's resources ([schema.Exported.Terraform]).
func writeTerraform(w io.Writer, in ExportInput) error {
	defs, err := schema.Export(in.Options, in.Models...)
	if err != nil {
		return err
	}
	// resource type -> resource name -> resource
	resources := map[string]map[string]json.RawMessage{}
	for _, d := range defs {
		var conf struct {
			Resource map[string]map[string]json.RawMessage `json:"resource"`
		}
		if err := json.Unmarshal(d.Terraform, &conf); err != nil {
			return fmt.Errorf("terraform of %s: %w", d.Table, err)
		}
		for typ, named := range conf.Resource {
			if resources[typ] == nil {
				resources[typ] = map[string]json.RawMessage{}
			}
			for name, res := range named {
				if _, dup := resources[typ][name]; dup {
					return fmt.Errorf("tables %s and another have the same Terraform resource %s.%s", d.Table, typ, name)
				}
				resources[typ][name] = res
			}
		}
	}
	b, err := json.MarshalIndent(map[string]any{"resource": resources}, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func writeWorkbench(w io.Writer, in ExportInput) error {
	b, err := schema.Workbench(in.Options, schema.WorkbenchInfo{Name: in.Name, Date: in.Now}, in.Models...)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
