// Package migrate changes the items a table already holds when their
// model changes: a key template gains a tenant, an index gets a new key
// attribute, an attribute is renamed, copied or dropped. Package schema
// changes the table; this package changes the items.
//
// A [Migration] is a Go value: an ID, a description, and a [Step] that
// takes an item as stored and returns it as it should be. A step is a
// function on the model type ([Typed], which re-renders the item's
// computed keys from the current model) or on raw attribute maps
// ([Func]), or a ready-made one: [RenderKeys], [Rename], [Copy], [Drop],
// [Fill], and [Also] for items that live beside the migrated ones (such
// as uniqueness records); [Chain] runs several.
//
//	r, err := migrate.New[Employee](db, &migrate.Options{WriteUnitsPerSecond: 50})
//	err = r.Register(migrate.Migration{
//		ID:          "2026-12-employee-tenant",
//		Description: "employees join tenant acme; pk = T#{tenant_id}#EMP#{employee_id}",
//		Step: migrate.Typed(func(ctx context.Context, e *Employee) error {
//			e.TenantID = "acme"
//			return nil
//		}),
//	})
//	progress, err := r.Run(ctx)
//
// A [Runner] runs the migrations registered on it in order, each once:
// the record of each is an item of the table <table>_migrations (or of
// [Options.RecordTable]) that holds a lease with an expiry, so two
// processes never run one migration at the same time and a crashed
// runner blocks it only until its lease expires, the checkpoint of each
// scan segment, so a run resumes where it stopped, and whether it is done.
// The table is read by a parallel Scan ([Options.Segments],
// [Options.Concurrency]); each item the step changes is written on
// condition that it is still as read (else read again and migrated
// again), through the runner's client, so the write rules it enforces
// (the relations of a relations.Graph) apply to every rewrite: an item
// whose key changes is deleted and created in one transaction, and its
// parent's children counter nets to no change. A re-keyed parent that has
// children is refused by those rules, and left as it was with a failure
// that names the relation. An edge of a many-to-many relation is
// rewritten as a Put that replaces it, which keeps its ends' counters; a
// step that changes an edge's ends or key cannot rewrite that edge
// (docs/migrations.md).
//
// [Options.WriteUnitsPerSecond] caps the write capacity a run spends, from
// the consumed capacity DynamoDB reports; [Options.Progress] receives the
// counts (scanned, changed, skipped, failed), the units spent and an
// estimate of the time left; [Runner.DryRun] reports what the migrations
// would change, with examples of items before and after, and writes
// nothing. While a migration runs, an application reads items of both
// shapes with [Upgrade], which applies the migration's step to an item
// read in the old shape.
//
// docs/migrations.md in the repository walks through a zero-downtime
// change of a key template.
package migrate
