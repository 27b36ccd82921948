package surface_test

import (
	"fmt"
	"testing"

	"github.com/dynamokit/dynamokit/internal/surface"
)

// budget is the most names and methods the public packages (the root
// module's, dynamotest's and otel's) may export together. It is a ratchet: lower it when the surface shrinks,
// and raise it only with a reason in the commit that does.
const budget = 507

// TestSurfaceBudget reports the public surface per package and fails when
// it grows past budget.
func TestSurfaceBudget(t *testing.T) {
	pkgs, err := surface.Count("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, mod := range []string{"dynamotest", "otel"} { // modules of their own
		more, err := surface.Count("../../" + mod)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range more {
			p.Path = mod + "/" + p.Path
			pkgs = append(pkgs, p)
		}
	}
	total := 0
	for _, p := range pkgs {
		t.Logf("%-22s %3d names, %3d methods", p.Path, len(p.Names), len(p.Methods))
		total += p.Size()
	}
	t.Logf("total %d (budget %d)", total, budget)
	if total > budget {
		t.Errorf("the public surface is %d names and methods, over the budget of %d: remove what a user does not need, or raise the budget with a reason", total, budget)
	}
}

func ExampleCount() {
	pkgs, err := surface.Count("../../model")
	if err != nil {
		panic(err)
	}
	fmt.Println(len(pkgs), pkgs[0].Path)
	// Output: 1 .
}
