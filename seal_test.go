package dynamokit_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// outsideProgram is a program of another module that tries the two ways
// around the seal of dynamokit's write plumbing: it builds an action with
// the zero Key (made through a generic function, since the type cannot be
// named outside this module) and sends a Rules that is not dynamokit's.
const outsideProgram = `package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
)

type Item struct {
	ID string ` + "`dynamo:\"id,hash\"`" + `
}

func (Item) TableName() string { return "items" }

// call calls f with the zero value of its argument's type.
func call[K, W any](f func(K) (W, error)) error {
	var k K
	_, err := f(k)
	return err
}

func main() {
	c := dynamokit.New(aws.Config{Region: "us-east-1"})
	items, err := query.NewTable[Item](c)
	if err != nil {
		panic(err)
	}
	a := items.TxAdd(Item{ID: "a"}, "n", 1)
	fmt.Println("TxWrite:", call(a.TxWrite))
	_ = context.Background()
}
`

// TestSealOutsideModule builds and runs outsideProgram as a module of its
// own: the zero Key is refused, and nothing else of the plumbing can be
// named (the program could not import dynamokit's internal packages).
func TestSealOutsideModule(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a program")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	goMod := "module example.com/outside\n\ngo 1.26\n\nrequire github.com/dynamokit/dynamokit v0.0.0\n\nreplace github.com/dynamokit/dynamokit => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"go.mod": []byte(goMod), "go.sum": sum, "main.go": []byte(outsideProgram)} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (string, error) {
		cmd := exec.CommandContext(t.Context(), "go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("run", ".")
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	if !strings.Contains(out, "TxWrite: dynamokit: transaction actions are built and sent by Client.WriteTx") {
		t.Errorf("an action built outside dynamokit with the zero Key was not refused:\n%s", out)
	}
	// The internal package cannot be imported from another module.
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nimport _ \"github.com/dynamokit/dynamokit/internal/txn\"\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = run("build", ".")
	if err == nil || !strings.Contains(out, "use of internal package") {
		t.Errorf("importing internal/txn from another module: %v\n%s", err, out)
	}
}
