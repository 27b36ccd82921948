package query

import (
	"context"
	"math"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// countFunc sends one Select COUNT request for at most limit items (nil: no
// limit) starting after start, and returns the count and the next position.
type countFunc func(ctx context.Context, start map[string]types.AttributeValue, limit *int32) (n int, lek map[string]types.AttributeValue, err error)

// countPages adds up the counts of every page, stopping at max items (0: no
// maximum); pageLimit is the Limit of each request (nil: none).
func countPages(ctx context.Context, max int, pageLimit *int32, send countFunc) (int, error) {
	var start map[string]types.AttributeValue
	n := 0
	for {
		limit := pageLimit
		if max > 0 && (limit == nil || int(*limit) > max-n) {
			limit = aws.Int32(int32(min(max-n, math.MaxInt32)))
		}
		got, lek, err := send(ctx, start, limit)
		if err != nil {
			return 0, err
		}
		n += got
		if len(lek) == 0 || (max > 0 && n >= max) {
			return n, nil
		}
		start = lek
	}
}
