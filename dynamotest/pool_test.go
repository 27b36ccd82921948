package dynamotest_test

import (
	"testing"

	"github.com/dynamokit/dynamokit/dynamotest"
)

// namedTB is t under another top-level test's name: another test of the
// same process holding an engine of the pool.
type namedTB struct {
	testing.TB
	name string
}

func (n namedTB) Name() string { return n.name }

// TestPoolSubtestFirst: EndpointURL's doc promises that "the test, its
// subtests and every later call for them get that same engine". When a
// subtest is the first to ask, the engine is released as that subtest
// ends, so a later call of the parent (or of a sibling) may get another
// engine of the pool, where the tables made on the first are not. Forced
// with another test holding the first engine (run with
// DYNAMOKIT_ENGINES=2 or more; the default on 2 CPUs).
func TestPoolSubtestFirst(t *testing.T) {
	var first string
	t.Run("setup", func(t *testing.T) { first = dynamotest.EndpointURL(t) })
	// Another top-level test, running in parallel, now uses that engine.
	dynamotest.EndpointURL(namedTB{TB: t, name: "TestSomeOtherTest"})
	if got := dynamotest.EndpointURL(t); got != first {
		t.Errorf("Endpoint(parent) after its subtest = %s, want the subtest's engine %s", got, first)
	}
}
