package dynamotest_test

import (
	"os"
	"testing"

	"github.com/dynamokit/dynamokit/dynamotest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }
