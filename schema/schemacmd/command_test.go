package schemacmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema"
	"github.com/dynamokit/dynamokit/schema/diagram"
	"github.com/google/go-cmp/cmp"
)

type dept struct {
	_    struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_    struct{} `dynamo:"sk,range" template:"#META"`
	ID   string   `dynamo:"department_id"`
	Name string   `dynamo:"name"`
}

func (dept) TableName() string { return "org" }

type emp struct {
	_      struct{} `dynamo:"pk,hash" template:"DEPT#{department_id}"`
	_      struct{} `dynamo:"sk,range" template:"EMP#{employee_id}"`
	ID     string   `dynamo:"employee_id" index:"by-id,hash"`
	DeptID string   `dynamo:"department_id"`
}

func (emp) TableName() string { return "org" }

type audit struct {
	ID string `dynamo:"id,hash"`
}

func (audit) TableName() string { return "audit" }

// testCommand returns a command over the test models whose output goes to
// the returned buffers.
func testCommand() (*Command, *bytes.Buffer, *bytes.Buffer) {
	var out, errs bytes.Buffer
	cmd := &Command{
		Name:   "schema",
		Models: []*model.Model{model.MustOf[dept](), model.MustOf[emp](), model.MustOf[audit]()},
		Namer:  model.Prefix("dev-"),
		Stdout: &out,
		Stderr: &errs,
		now:    func() time.Time { return time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC) },
	}
	return cmd, &out, &errs
}

func TestRunUsage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // a part of what Run writes to Stdout
		stderr string // a part of what Run writes to Stderr
	}{
		{"no command", nil, ExitUsage, "", "usage: schema <command> [flags]"},
		{"help", []string{"-h"}, ExitOK, "diagram  print the models", ""},
		{"unknown command", []string{"migrate"}, ExitUsage, "", `unknown command "migrate"`},
		{"unknown flag", []string{"diagram", "-x"}, ExitUsage, "", "flag provided but not defined: -x"},
		{"argument", []string{"plan", "extra"}, ExitUsage, "", `unexpected argument "extra"`},
		{"command help", []string{"export", "-h"}, ExitOK, "", "workbench: a NoSQL Workbench data model"},
		{"unknown format", []string{"export", "-format", "yaml"}, ExitUsage, "", `unknown format "yaml": want createtable, cloudformation, terraform, workbench`},
		{"unknown table", []string{"export", "-table", "nope"}, ExitError, "", "schema export: no model has table nope"},
		{"no client", []string{"plan"}, ExitError, "", "schema plan: Command.Connect is not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd, out, errs := testCommand()
			if code := cmd.Run(t.Context(), tc.args); code != tc.code {
				t.Errorf("Run(%q) = %d, want %d; stderr:\n%s", tc.args, code, tc.code, errs)
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("Run(%q) stdout = %q, want it to hold %q", tc.args, out, tc.stdout)
			}
			if !strings.Contains(errs.String(), tc.stderr) {
				t.Errorf("Run(%q) stderr = %q, want it to hold %q", tc.args, errs, tc.stderr)
			}
		})
	}
}

func TestConnectError(t *testing.T) {
	cmd, _, errs := testCommand()
	cmd.Connect = func(context.Context) (*dynamokit.Client, func(), error) { return nil, nil, errors.New("no engine") }
	if code := cmd.Run(t.Context(), []string{"apply"}); code != ExitError || !strings.Contains(errs.String(), "schema apply: connect: no engine") {
		t.Errorf("Run(apply) = %d, stderr %q; want %d and the connect error", code, errs, ExitError)
	}
}

func TestDiagram(t *testing.T) {
	cmd, out, _ := testCommand()
	if code := cmd.Run(t.Context(), []string{"diagram", "-markdown"}); code != ExitOK {
		t.Fatalf("Run(diagram) = %d", code)
	}
	want, err := diagram.Mermaid(diagram.Graph{Models: cmd.Models, Namer: cmd.Namer})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(out.String(), "```mermaid\n"+want+"```\n"); diff != "" {
		t.Errorf("diagram output (-got +want):\n%s", diff)
	}
}

func TestExport(t *testing.T) {
	defs, err := schema.Export(&schema.Options{Namer: model.Prefix("dev-")}, model.MustOf[dept](), model.MustOf[emp](), model.MustOf[audit]())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("createtable", func(t *testing.T) {
		cmd, out, _ := testCommand()
		if code := cmd.Run(t.Context(), []string{"export"}); code != ExitOK {
			t.Fatalf("Run(export) = %d", code)
		}
		dec := json.NewDecoder(out)
		for _, d := range defs {
			var got json.RawMessage
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("table %s: %v", d.Table, err)
			}
			if !bytes.Equal(got, d.CreateTable) {
				t.Errorf("table %s: got %s, want %s", d.Table, got, d.CreateTable)
			}
		}
		if err := dec.Decode(new(json.RawMessage)); err != io.EOF {
			t.Errorf("after %d tables: %v, want EOF", len(defs), err)
		}
	})
	t.Run("one table", func(t *testing.T) {
		cmd, out, _ := testCommand()
		if code := cmd.Run(t.Context(), []string{"export", "-table", "dev-audit"}); code != ExitOK {
			t.Fatalf("Run(export -table) = %d", code)
		}
		if got, want := strings.TrimSpace(out.String()), string(defs[1].CreateTable); got != want {
			t.Errorf("export -table dev-audit = %s, want %s", got, want)
		}
	})
	t.Run("cloudformation", func(t *testing.T) {
		cmd, out, _ := testCommand()
		if code := cmd.Run(t.Context(), []string{"export", "-format", "cloudformation"}); code != ExitOK {
			t.Fatalf("Run(export -format cloudformation) = %d", code)
		}
		var tmpl struct {
			AWSTemplateFormatVersion string
			Resources                map[string]json.RawMessage
		}
		if err := json.Unmarshal(out.Bytes(), &tmpl); err != nil {
			t.Fatal(err)
		}
		if tmpl.AWSTemplateFormatVersion != "2010-09-09" || len(tmpl.Resources) != 2 {
			t.Fatalf("template = %s", out)
		}
		for _, d := range defs {
			var got, want any
			_ = json.Unmarshal(tmpl.Resources[d.LogicalID], &got)
			_ = json.Unmarshal(d.Resource, &want)
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("resource %s (-got +want):\n%s", d.LogicalID, diff)
			}
		}
	})
	t.Run("terraform", func(t *testing.T) {
		cmd, out, _ := testCommand()
		if code := cmd.Run(t.Context(), []string{"export", "-format", "terraform"}); code != ExitOK {
			t.Fatalf("Run(export -format terraform) = %d", code)
		}
		var conf struct {
			Resource struct {
				Table map[string]json.RawMessage `json:"aws_dynamodb_table"`
			} `json:"resource"`
		}
		if err := json.Unmarshal(out.Bytes(), &conf); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		if len(conf.Resource.Table) != len(defs) {
			t.Errorf("aws_dynamodb_table resources %v, want %d", conf.Resource.Table, len(defs))
		}
		for _, d := range defs {
			var one struct {
				Resource struct {
					Table map[string]json.RawMessage `json:"aws_dynamodb_table"`
				} `json:"resource"`
			}
			if err := json.Unmarshal(d.Terraform, &one); err != nil {
				t.Fatal(err)
			}
			var got, want any
			_ = json.Unmarshal(conf.Resource.Table[d.TerraformName], &got)
			_ = json.Unmarshal(one.Resource.Table[d.TerraformName], &want)
			if want == nil || !cmp.Equal(got, want) {
				t.Errorf("aws_dynamodb_table.%s (-got +want):\n%s", d.TerraformName, cmp.Diff(got, want))
			}
		}
	})
	t.Run("workbench", func(t *testing.T) {
		cmd, out, _ := testCommand()
		if code := cmd.Run(t.Context(), []string{"export", "-format", "workbench"}); code != ExitOK {
			t.Fatalf("Run(export -format workbench) = %d", code)
		}
		want, err := schema.Workbench(&schema.Options{Namer: cmd.Namer}, schema.WorkbenchInfo{Name: "schema", Date: cmd.now()}, cmd.Models...)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(out.String(), string(want)); diff != "" {
			t.Errorf("workbench (-got +want):\n%s", diff)
		}
	})
	t.Run("added format", func(t *testing.T) {
		cmd, out, _ := testCommand()
		cmd.Formats = append(DefaultFormats(), Format{Name: "names", Help: "table names", Write: func(w io.Writer, in ExportInput) error {
			tables, err := schema.Definitions(in.Options, in.Models...)
			for _, tb := range tables {
				io.WriteString(w, tb.Name+"\n")
			}
			return err
		}})
		if code := cmd.Run(t.Context(), []string{"export", "-format", "names"}); code != ExitOK || out.String() != "dev-org\ndev-audit\n" {
			t.Errorf("Run(export -format names) = %d, %q; want 0, dev-org and dev-audit", code, out)
		}
	})
}

func TestPrintPlan(t *testing.T) {
	tables, err := schema.Definitions(nil, model.MustOf[dept](), model.MustOf[emp]())
	if err != nil {
		t.Fatal(err)
	}
	want := tables[0]
	create, err := schema.Diff(want, nil)
	if err != nil {
		t.Fatal(err)
	}
	old := *want
	old.GSIs = []schema.Index{{Name: "old", Hash: schema.KeyAttr{Name: "x", Type: model.String}}}
	change, err := schema.Diff(want, &old)
	if err != nil {
		t.Fatal(err)
	}
	for i := range change {
		change[i].Refused = change[i].Destructive
	}
	for _, tc := range []struct {
		name string
		cs   *schema.ChangeSet
		want string
	}{
		{"empty", &schema.ChangeSet{}, "No changes: the tables match the models.\n"},
		{"create", &schema.ChangeSet{Changes: create}, `table org
  ` + create[0].String() + `

Plan: 1 to add, 0 to change, 0 to remove.
Run schema apply to make these changes.
`},
		{"refused", &schema.ChangeSet{Changes: change}, `table org
  ` + strings.Replace(change[0].String(), "Options.AllowDestructive", "-allow-destructive", 1) + `
  ` + change[1].String() + `

Plan: 1 to add, 0 to change, 1 to remove.
1 destructive change refused: run with -allow-destructive to make them.
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd, out, _ := testCommand()
			cmd.printPlan(tc.cs, "apply")
			if diff := cmp.Diff(out.String(), tc.want); diff != "" {
				t.Errorf("printPlan (-got +want):\n%s", diff)
			}
		})
	}
}
