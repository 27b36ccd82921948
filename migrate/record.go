package migrate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/internal/clientlink"
)

// The record of a migration: one item, described on [Runner].
const (
	recordPrefix = "_dynamokit#migration#"

	attrID          = "mg_id"
	attrDescription = "mg_description"
	attrState       = "mg_state"
	attrOwner       = "mg_owner"
	attrLease       = "mg_lease_until"
	attrSegments    = "mg_segments"
	attrSegPrefix   = "mg_seg_"
	attrScanned     = "mg_scanned"
	attrChanged     = "mg_changed"
	attrSkipped     = "mg_skipped"
	attrFailed      = "mg_failed"
	attrFailures    = "mg_failures"
	attrFinished    = "mg_finished"

	stateRunning = "running"
	stateFailed  = "failed"
	stateDone    = "done"
	segDone      = "done"
)

// isRecord reports whether item is a migration record.
func isRecord(item Item) bool {
	_, id := item[attrID]
	_, state := item[attrState]
	return id && state
}

// records is where a runner keeps its records: a table and its key
// attribute names.
type records struct {
	table string
	keys  []string
}

// recordTableSuffix names the default record table: the migrated table's
// name followed by it.
const recordTableSuffix = "_migrations"

// records describes the record table (one DescribeTable), creating the
// default one when it is missing.
func (r *Runner) records(ctx context.Context) (records, error) {
	table := r.opts.RecordTable
	if table == "" {
		table = r.table + recordTableSuffix
	}
	out, err := r.c.Executor().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if errors.Is(err, dynamokit.ErrTableNotFound) && r.opts.RecordTable == "" {
		if err = r.createRecords(ctx, table); err == nil {
			out, err = r.c.Executor().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		}
	}
	if err != nil {
		return records{}, fmt.Errorf("migrate: describe the record table: %w", err)
	}
	rec := records{table: table}
	for _, k := range out.Table.KeySchema {
		name := aws.ToString(k.AttributeName)
		for _, d := range out.Table.AttributeDefinitions {
			if aws.ToString(d.AttributeName) == name && d.AttributeType != types.ScalarAttributeTypeS {
				return records{}, fmt.Errorf("migrate: table %s keeps no migration record: its key attribute %s is not a string (set Options.RecordTable to a table keyed by strings)", table, name)
			}
		}
		rec.keys = append(rec.keys, name)
	}
	return rec, nil
}

// createRecords creates the default record table: a string hash key id,
// billed on demand, and waits until it is active.
func (r *Runner) createRecords(ctx context.Context, table string) error {
	_, err := r.c.Executor().CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          types.BillingModePayPerRequest,
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) { // another runner made it
		return fmt.Errorf("migrate: create the record table %s (or set Options.RecordTable to a table keyed by strings): %w", table, err)
	}
	w := dynamodb.NewTableExistsWaiter(r.c.Executor())
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}, 5*time.Minute); err != nil {
		return fmt.Errorf("migrate: wait for the record table %s: %w", table, err)
	}
	return nil
}

// key returns the key of the record of migration id of table.
func (rc records) key(table, id string) Item {
	v := &types.AttributeValueMemberS{Value: recordPrefix + table + "#" + id}
	k := make(Item, len(rc.keys))
	for _, n := range rc.keys {
		k[n] = v
	}
	return k
}

// record is what a runner reads of a record when it takes the lease.
type record struct {
	done     bool
	segments int
	starts   []Item // each segment's checkpoint (nil: from the start)
	finished []bool // segments done
}

// lease is a runner's hold on one migration's record.
type lease struct {
	r     *Runner
	rc    records
	key   Item
	owner string
	ttl   time.Duration
}

func nowMillis(t time.Time) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixMilli(), 10)}
}

// acquire takes the lease of mg, creating its record on the first run. It
// returns the record as it was, with done set for a migration applied
// already (and no lease taken), and an error matching [ErrLeaseHeld]
// when another runner holds an unexpired lease.
func (l *lease) acquire(ctx context.Context, mg *Migration, segments int) (record, error) {
	now := clientlink.Now(l.r.c)
	owner := expression.Name(attrOwner)
	state := expression.Name(attrState)
	cond := expression.Or(
		expression.AttributeNotExists(state),
		expression.And(
			state.NotEqual(expression.Value(stateDone)),
			expression.Or(
				expression.AttributeNotExists(owner),
				owner.Equal(expression.Value(l.owner)),
				expression.Name(attrLease).LessThan(expression.Value(nowMillis(now))),
			),
		),
	)
	upd := expression.Set(expression.Name(attrID), expression.Value(mg.ID)).
		Set(expression.Name(attrDescription), expression.Value(mg.Description)).
		Set(state, expression.Value(stateRunning)).
		Set(owner, expression.Value(l.owner)).
		Set(expression.Name(attrLease), expression.Value(nowMillis(now.Add(l.ttl)))).
		Set(expression.Name(attrSegments), expression.IfNotExists(expression.Name(attrSegments), expression.Value(segments)))
	e, err := expression.NewBuilder().WithCondition(cond).WithUpdate(upd).Build()
	if err != nil {
		return record{}, err
	}
	out, err := l.r.c.Executor().UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(l.rc.table), Key: l.key,
		ConditionExpression: e.Condition(), UpdateExpression: e.Update(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		old := ccf.Item
		if s, _ := old[attrState].(*types.AttributeValueMemberS); s != nil && s.Value == stateDone {
			return record{done: true}, nil
		}
		le := &LeaseError{Migration: mg.ID}
		if o, _ := old[attrOwner].(*types.AttributeValueMemberS); o != nil {
			le.Owner = o.Value
		}
		if n, _ := old[attrLease].(*types.AttributeValueMemberN); n != nil {
			ms, _ := strconv.ParseInt(n.Value, 10, 64)
			le.Until = time.UnixMilli(ms)
		}
		return record{}, le
	}
	if err != nil {
		return record{}, fmt.Errorf("migrate: %s: take the lease: %w", mg.ID, err)
	}
	rec := record{segments: segments}
	if n, ok := out.Attributes[attrSegments].(*types.AttributeValueMemberN); ok {
		if v, err := strconv.Atoi(n.Value); err == nil && v > 0 {
			rec.segments = v
		}
	}
	rec.starts = make([]Item, rec.segments)
	rec.finished = make([]bool, rec.segments)
	for i := range rec.segments {
		switch v := out.Attributes[attrSegPrefix+strconv.Itoa(i)].(type) {
		case *types.AttributeValueMemberM:
			rec.starts[i] = v.Value
		case *types.AttributeValueMemberS:
			rec.finished[i] = v.Value == segDone
		}
	}
	return rec, nil
}

// counts are the counters a checkpoint adds to the record.
type counts struct{ scanned, changed, skipped, failed int64 }

// update writes to the record on condition that this runner still holds
// the lease, and renews it; a lost lease is an error matching
// [ErrLeaseLost].
func (l *lease) update(ctx context.Context, id string, upd expression.UpdateBuilder, release bool) error {
	now := clientlink.Now(l.r.c)
	if release {
		upd = upd.Remove(expression.Name(attrOwner)).Remove(expression.Name(attrLease))
	} else {
		upd = upd.Set(expression.Name(attrLease), expression.Value(nowMillis(now.Add(l.ttl))))
	}
	cond := expression.Name(attrOwner).Equal(expression.Value(l.owner))
	e, err := expression.NewBuilder().WithCondition(cond).WithUpdate(upd).Build()
	if err != nil {
		return err
	}
	_, err = l.r.c.Executor().UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(l.rc.table), Key: l.key,
		ConditionExpression: e.Condition(), UpdateExpression: e.Update(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("migrate: %s: %w", id, ErrLeaseLost)
	}
	if err != nil {
		return fmt.Errorf("migrate: %s: write the record: %w", id, err)
	}
	return nil
}

// checkpoint records that segment seg resumes after start (nil: the
// segment is done), adds n to the counters and renews the lease.
func (l *lease) checkpoint(ctx context.Context, id string, seg int, start Item, n counts) error {
	var v types.AttributeValue = &types.AttributeValueMemberS{Value: segDone}
	if start != nil {
		v = &types.AttributeValueMemberM{Value: start}
	}
	upd := expression.Set(expression.Name(attrSegPrefix+strconv.Itoa(seg)), expression.Value(v))
	upd = addCounts(upd, n)
	return l.update(ctx, id, upd, false)
}

func addCounts(upd expression.UpdateBuilder, n counts) expression.UpdateBuilder {
	for _, c := range []struct {
		name string
		n    int64
	}{{attrScanned, n.scanned}, {attrChanged, n.changed}, {attrSkipped, n.skipped}, {attrFailed, n.failed}} {
		if c.n != 0 {
			upd = upd.Add(expression.Name(c.name), expression.Value(c.n))
		}
	}
	return upd
}

// renew renews the lease.
func (l *lease) renew(ctx context.Context, id string) error {
	return l.update(ctx, id, expression.UpdateBuilder{}, false)
}

// finish marks the migration done, or failed with its failures (its
// checkpoints removed, so that the next run scans every item again), and
// releases the lease.
func (l *lease) finish(ctx context.Context, id string, segments int, failures []Failure) error {
	upd := expression.Set(expression.Name(attrFinished), expression.Value(nowMillis(clientlink.Now(l.r.c))))
	if len(failures) == 0 {
		upd = upd.Set(expression.Name(attrState), expression.Value(stateDone)).Remove(expression.Name(attrFailures))
	} else {
		list := make([]types.AttributeValue, len(failures))
		for i, f := range failures {
			list[i] = &types.AttributeValueMemberS{Value: f.Key + ": " + f.Reason}
		}
		upd = upd.Set(expression.Name(attrState), expression.Value(stateFailed)).
			Set(expression.Name(attrFailures), expression.Value(&types.AttributeValueMemberL{Value: list}))
	}
	for i := range segments {
		upd = upd.Remove(expression.Name(attrSegPrefix + strconv.Itoa(i)))
	}
	return l.update(ctx, id, upd, true)
}

// release gives the lease up, keeping the checkpoints: a run stopped by
// an error resumes from them.
func (l *lease) release(ctx context.Context, id string) error {
	return l.update(ctx, id, expression.UpdateBuilder{}, true)
}
