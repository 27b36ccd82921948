package integration_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	mig "github.com/dynamokit/dynamokit/migrate"
	"github.com/dynamokit/dynamokit/relations"
)

// costMeter counts a client's requests and write units: those DynamoDB
// reported, or, where it reported none (moto, for transactions), what
// DynamoDB would charge (1 unit per KB written, twice in a transaction;
// the items here are under 1 KB).
type costMeter struct {
	mu       sync.Mutex
	requests int
	writes   float64
	reads    float64
}

func (m *costMeter) hook(_ context.Context, r *dynamokit.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests++
	if r.Read {
		m.reads += r.Units()
		return
	}
	u := r.Units()
	if len(r.Capacity) == 0 && r.Err == nil {
		switch in := r.Input.(type) {
		case *dynamodb.TransactWriteItemsInput:
			u = float64(2 * len(in.TransactItems))
		case *dynamodb.PutItemInput, *dynamodb.DeleteItemInput, *dynamodb.UpdateItemInput:
			u = 1
		}
	}
	m.writes += u
}

// TestMigrateCost measures a migration of MIGRATE_COST employees (say
// 1000) against a hand-written scan-and-rewrite of the same change (Scan,
// then PutItem of the new item and DeleteItem of the old, unconditional,
// without the relation), and logs requests, write units and time per
// 1,000 items. It runs only when MIGRATE_COST is set.
func TestMigrateCost(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("MIGRATE_COST"))
	if n <= 0 {
		t.Skip("set MIGRATE_COST=1000 to measure a migration against a hand-written rewrite")
	}
	const depts = 10
	per := func(x float64) float64 { return x * 1000 / float64(n) }
	type row struct {
		name          string
		requests      int
		writes, reads float64
		elapsed       time.Duration
	}
	var rows []row
	for _, way := range []string{"hand-written", "migrate (no rules)", "migrate (relation kept)"} {
		t.Run(way, func(t *testing.T) {
			e := newEnv(t, must[MigDept](t), must[MigEmpV2](t))
			ctx := context.Background()
			table := mustTable[MigEmpV1](t, e.db).TableName()
			// Populate directly: departments with their counters, employees
			// in the old shape, in batches.
			plain := dynamokit.NewFromClient(e.db.API(), dynamokit.WithNamer(e.names))
			v1, deptsT := mustTable[MigEmpV1](t, plain), mustTable[MigDept](t, plain)
			var emps []MigEmpV1
			for i := range n {
				emps = append(emps, MigEmpV1{EmployeeID: fmt.Sprintf("e-%05d", i), Name: "Employee " + strconv.Itoa(i), DepartmentID: fmt.Sprintf("d%d", i%depts)})
			}
			if err := v1.BatchPut(ctx, emps, nil); err != nil {
				t.Fatal(err)
			}
			var ds []MigDept
			for d := range depts {
				ds = append(ds, MigDept{DepartmentID: fmt.Sprintf("d%d", d)})
			}
			if err := deptsT.BatchPut(ctx, ds, nil); err != nil {
				t.Fatal(err)
			}
			for d := range depts {
				_, err := plain.Executor().UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table),
					Key:              map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: fmt.Sprintf("DEPT#d%d", d)}, "sk": &types.AttributeValueMemberS{Value: "#META"}},
					UpdateExpression: aws.String("SET employees = :n"), ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: strconv.Itoa(n / depts)}}})
				if err != nil {
					t.Fatal(err)
				}
			}
			var m costMeter
			start := time.Now()
			switch way {
			case "hand-written":
				handRewrite(t, plain.With(dynamokit.WithHook(m.hook)), table)
			default:
				// The hook is on the client the relation is declared on too,
				// so the reads its rules make are counted.
				c := plain.With(dynamokit.WithHook(m.hook))
				if way == "migrate (relation kept)" {
					c = graphClient(t, dynamokit.WithNamer(e.names), dynamokit.WithHook(m.hook))
					if _, err := relations.Declare(mustTable[MigDept](t, c), mustTable[MigEmpV2](t, c), relations.Spec{Layout: relations.InvertedIndex, Index: "gsi1", Counter: "employees"}); err != nil {
						t.Fatal(err)
					}
				}
				r := newRunner[MigEmpV2](t, c, &mig.Options{Segments: 4}, addTenant)
				p, err := r.Run(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if p[0].Changed != int64(n) {
					t.Fatalf("changed %d, want %d", p[0].Changed, n)
				}
			}
			rows = append(rows, row{way, m.requests, m.writes, m.reads, time.Since(start)})
			// The result is the same either way.
			got := 0
			for _, it := range rawItems(t, plain, table) {
				if sOf(it["entity"]) == "Emp" && sOf(it["tenant_id"]) == "acme" {
					got++
				}
			}
			if got != n {
				t.Errorf("%d employees migrated, want %d", got, n)
			}
			_ = dynamokit.ErrNotFound
		})
	}
	t.Logf("per 1,000 items migrated (%d items, moto, one machine):", n)
	t.Logf("%-26s %10s %12s %10s %10s", "", "requests", "write units", "read units", "time")
	for _, r := range rows {
		t.Logf("%-26s %10.0f %12.0f %10.1f %10s", r.name, per(float64(r.requests)), per(r.writes), per(r.reads), time.Duration(per(float64(r.elapsed))).Round(time.Millisecond))
	}
}

// handRewrite is the change as one would write it by hand: scan, put the
// new item, delete the old one.
func handRewrite(t *testing.T, c *dynamokit.Client, table string) {
	t.Helper()
	ctx := context.Background()
	var start map[string]types.AttributeValue
	for {
		page, err := c.Executor().Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), ExclusiveStartKey: start, Limit: aws.Int32(100)})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			if sOf(it["entity"]) != "Emp" || it["tenant_id"] != nil {
				continue
			}
			next := make(map[string]types.AttributeValue, len(it)+1)
			for k, v := range it {
				next[k] = v
			}
			next["tenant_id"] = &types.AttributeValueMemberS{Value: "acme"}
			next["pk"] = &types.AttributeValueMemberS{Value: "T#acme#EMP#" + sOf(it["employee_id"])}
			if _, err := c.Executor().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: next}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Executor().DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{"pk": it["pk"], "sk": it["sk"]}}); err != nil {
				t.Fatal(err)
			}
		}
		if start = page.LastEvaluatedKey; start == nil {
			return
		}
	}
}
