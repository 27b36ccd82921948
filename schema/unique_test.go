package schema

import (
	"testing"

	"github.com/dynamokit/dynamokit/model"
	"github.com/google/go-cmp/cmp"
)

// account has a unique email; it shares its table with accountAlias,
// which has none.
type account struct {
	ID    string `dynamo:"id,hash"`
	Email string `dynamo:"email" unique:""`
}

func (account) TableName() string { return "account" }

type accountAlias struct {
	ID string `dynamo:"id,hash"`
}

func (accountAlias) TableName() string { return "account" }

// TestTablesUnique: a table whose models have unique attributes is
// followed by the table of their records, once, named with the namer.
func TestTablesUnique(t *testing.T) {
	opts := &Options{Namer: model.Prefix("dev-")}
	tables, err := Definitions(opts, model.MustOf[employee](), model.MustOf[accountAlias](), model.MustOf[account]())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
	}
	if diff := cmp.Diff([]string{"dev-employee", "dev-account", "dev-account_unique"}, names); diff != "" {
		t.Fatalf("Tables names (-want +got):\n%s", diff)
	}
	u := tables[2]
	if u.Hash != (KeyAttr{Name: "id", Type: model.String}) || u.Range.Name != "" || len(u.GSIs) != 0 || !u.Billing.OnDemand() {
		t.Errorf("records table = %+v, want hash key id S, no range key or index, on demand", u)
	}
	in := u.CreateInput()
	if len(in.AttributeDefinitions) != 1 || len(in.KeySchema) != 1 {
		t.Errorf("CreateTable of the records table = %+v", in)
	}
}
