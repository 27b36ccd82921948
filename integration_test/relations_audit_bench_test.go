package integration_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
)

// auditChildren and auditParents are the size of BenchmarkAudit's
// relation: 10,000 children in 100 departments.
const (
	auditChildren = 10_000
	auditParents  = 100
)

// BenchmarkAudit measures HasMany.Audit of a relation of 10,000 children
// in 100 parents whose counters all drifted (the children were loaded by
// a writer without the relation): the requests by operation, the read and
// write units DynamoDB reports (dynamokit.WithCapacity), and the time, for
// a report-only audit and for one that repairs every counter. Seeding takes
// most of the run; run it alone:
//
//	go test -run '^$' -bench BenchmarkAudit -benchtime 1x .
func BenchmarkAudit(b *testing.B) {
	e := newEnv(b, must[Department](b), must[Employee](b))
	ctx := b.Context()
	var mu sync.Mutex
	ops := map[string]int{}
	db := graphClient(b, dynamokit.WithHook(func(_ context.Context, r *dynamokit.Request) {
		mu.Lock()
		ops[r.Op]++
		mu.Unlock()
	})).With(dynamokit.WithNamer(e.names))
	depts, err := query.NewTable[Department](db)
	if err != nil {
		b.Fatal(err)
	}
	emps, err := query.NewTable[Employee](db)
	if err != nil {
		b.Fatal(err)
	}
	staff, err := relations.Declare(depts, emps, relations.Spec{Layout: relations.MultiTable, Index: "department-employee-index"})
	if err != nil {
		b.Fatal(err)
	}
	// The loader: a client without the relation.
	bulk, err := query.NewTable[Employee](e.db)
	if err != nil {
		b.Fatal(err)
	}
	for i := range auditParents {
		if err := depts.Create(ctx, &Department{fmt.Sprintf("d-%03d", i), "Dept"}); err != nil {
			b.Fatal(err)
		}
	}
	kids := make([]Employee, auditChildren)
	for i := range kids {
		kids[i] = Employee{fmt.Sprintf("e-%05d", i), "Employee", fmt.Sprintf("d-%03d", i%auditParents)}
	}
	if err := bulk.BatchPut(ctx, kids, nil); err != nil {
		b.Fatal(err)
	}
	measure := func(name string, opts *relations.AuditOptions) {
		mu.Lock()
		clear(ops)
		mu.Unlock()
		var used dynamokit.Capacity
		start := time.Now()
		rep, err := staff.Audit(dynamokit.WithCapacity(ctx, &used), opts)
		took := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Checked != auditParents || rep.Scanned != auditChildren || len(rep.Drift) != auditParents {
			b.Fatalf("%s: checked %d, scanned %d, drift %d; want %d, %d, %d", name, rep.Checked, rep.Scanned, len(rep.Drift), auditParents, auditChildren, auditParents)
		}
		mu.Lock()
		n := 0
		for _, v := range ops {
			n += v
		}
		b.Logf("%s of %d children in %d parents: %d requests %v, %.1f read units, %.1f write units, %v",
			name, auditChildren, auditParents, n, ops, used.Total().Read, used.Total().Write, took.Round(time.Millisecond))
		b.ReportMetric(float64(n), name+"-requests")
		b.ReportMetric(took.Seconds(), name+"-s")
		mu.Unlock()
	}
	for b.Loop() {
		measure("audit", nil)
	}
	measure("audit+repair", &relations.AuditOptions{Repair: true})
}
