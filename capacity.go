package dynamokit

import (
	"context"
	"maps"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Capacity sums the capacity consumed by the requests made with a context
// it is attached to ([WithCapacity]): every page of a query, every batch
// of a batch write, every transaction. It is safe for concurrent use. The
// zero value is empty and ready to use.
type Capacity struct {
	mu     sync.Mutex
	total  Units
	tables map[string]Units
	index  map[string]Units // by "table/index"
}

// Units are read and write capacity units.
type Units struct {
	Read, Write float64
}

type capacityKey struct{}

// WithCapacity returns a copy of ctx to which the requests made with it add
// their consumed capacity, in c.
//
//	var used dynamokit.Capacity
//	_, err := users.Get(dynamokit.WithCapacity(ctx, &used), key)
//	fmt.Println(used.Total().Read)
func WithCapacity(ctx context.Context, c *Capacity) context.Context {
	return context.WithValue(ctx, capacityKey{}, c)
}

// capacityFrom returns the Capacity attached to ctx, or nil.
func capacityFrom(ctx context.Context) *Capacity {
	c, _ := ctx.Value(capacityKey{}).(*Capacity)
	return c
}

// Total returns the units consumed in all tables and indexes.
func (c *Capacity) Total() Units {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// Tables returns the units consumed by each table itself (not its
// indexes), by table name.
func (c *Capacity) Tables() map[string]Units {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.tables)
}

// Indexes returns the units consumed by each secondary index, by
// "table/index".
func (c *Capacity) Indexes() map[string]Units {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.index)
}

// add adds what DynamoDB reported; read tells whether the units of an
// entry without a read/write split are read units.
func (c *Capacity) add(cc []types.ConsumedCapacity, read bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tables == nil {
		c.tables, c.index = map[string]Units{}, map[string]Units{}
	}
	for _, e := range cc {
		table := aws.ToString(e.TableName)
		c.total = c.total.plus(split(e.CapacityUnits, e.ReadCapacityUnits, e.WriteCapacityUnits, read))
		if e.Table != nil {
			c.tables[table] = c.tables[table].plus(split(e.Table.CapacityUnits, e.Table.ReadCapacityUnits, e.Table.WriteCapacityUnits, read))
		} else if len(e.GlobalSecondaryIndexes)+len(e.LocalSecondaryIndexes) == 0 {
			c.tables[table] = c.tables[table].plus(split(e.CapacityUnits, e.ReadCapacityUnits, e.WriteCapacityUnits, read))
		}
		for _, idx := range []map[string]types.Capacity{e.GlobalSecondaryIndexes, e.LocalSecondaryIndexes} {
			for name, u := range idx {
				k := table + "/" + name
				c.index[k] = c.index[k].plus(split(u.CapacityUnits, u.ReadCapacityUnits, u.WriteCapacityUnits, read))
			}
		}
	}
}

func (u Units) plus(v Units) Units { return Units{u.Read + v.Read, u.Write + v.Write} }

// split returns the units of an entry: its read/write split when DynamoDB
// gave one, else all of them as read or write units.
func split(total, r, w *float64, read bool) Units {
	if r != nil || w != nil {
		return Units{aws.ToFloat64(r), aws.ToFloat64(w)}
	}
	if read {
		return Units{Read: aws.ToFloat64(total)}
	}
	return Units{Write: aws.ToFloat64(total)}
}

// units returns the total of an entry.
func units(total, r, w *float64) float64 {
	if total != nil {
		return *total
	}
	return aws.ToFloat64(r) + aws.ToFloat64(w)
}
