package integration_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/schema/schemacmd"
)

// TestSchemaCmd runs the schema command's plan and apply against the
// engine: a new table is planned and created, an added index is planned
// and built with a progress line per step, and a last plan finds nothing
// to do.
func TestSchemaCmd(t *testing.T) {
	t.Parallel()
	db, opts := schemaEnv(t, must[gadgetV2](t))
	name := must[gadgetV2](t).TableName(db.Namer())
	run := func(models []*model.Model, args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		cmd := &schemacmd.Command{
			Name:   "schema",
			Models: models,
			Connect: func(context.Context) (*dynamokit.Client, func(), error) {
				return db, nil, nil
			},
			Stdout:  &out,
			Stderr:  &errs,
			Options: opts,
		}
		if code := cmd.Run(t.Context(), args); code != schemacmd.ExitOK {
			t.Fatalf("schema %s = %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, &out, &errs)
		}
		return out.String()
	}
	has := func(out string, parts ...string) {
		t.Helper()
		for _, p := range parts {
			if !strings.Contains(out, p) {
				t.Errorf("output lacks %q:\n%s", p, out)
			}
		}
	}
	v1 := []*model.Model{must[gadgetV1](t)}
	v2 := []*model.Model{must[gadgetV2](t)}

	has(run(v1, "plan"), "table "+name+"\n  + create table: hash id S", "Plan: 1 to add, 0 to change, 0 to remove.", "Run schema apply")
	has(run(v1, "apply"),
		"  "+name+": create table ...\n",
		"  "+name+": create table done in ",
		"Apply complete: 1 change in ")
	has(run(v1, "plan"), "No changes: the tables match the models.")

	has(run(v2, "plan"), "  + add index by-name: hash name S", "  + enable ttl", "Plan: 2 to add, 0 to change, 0 to remove.")
	has(run(v2, "apply"),
		"  "+name+": add index by-name ...\n",
		"  "+name+": add index by-name done in ",
		"  "+name+": enable ttl done in ",
		"Apply complete: 2 changes in ")
	has(run(v2, "apply"), "No changes")
}
