package dynamokit

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Hook is called by a [Client] after each request it sends, once per
// attempt (see [RetryPolicy]), on the goroutine that sent it. It must not
// keep r after it returns, and must be safe for concurrent use.
type Hook func(ctx context.Context, r *Request)

// Request is one request as a [Hook] sees it.
type Request struct {
	// Op is the DynamoDB operation, such as "GetItem" or "Query".
	Op string
	// Input is the SDK input of the request, such as a
	// *dynamodb.GetItemInput. A hook may read it, and must not change it.
	Input any
	// Table is the table of the request, or "" for a batch or transaction
	// over several tables.
	Table string
	// Attempt counts the attempts of the request, from 1; the SDK's own
	// retries (see [RetryPolicy]) are inside one attempt.
	Attempt int
	// Duration is how long the attempt took.
	Duration time.Duration
	// Capacity is the capacity the request consumed, as DynamoDB reported
	// it: one entry per table (with its indexes), none for schema
	// operations or a failed request.
	Capacity []types.ConsumedCapacity
	// Read reports whether the operation reads: its units are read units.
	Read bool
	// Err is the SDK's error, or nil.
	Err error
}

// Units returns the capacity units of r summed over its tables.
func (r *Request) Units() float64 {
	var n float64
	for _, c := range r.Capacity {
		n += units(c.CapacityUnits, c.ReadCapacityUnits, c.WriteCapacityUnits)
	}
	return n
}
