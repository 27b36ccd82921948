package mapping

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// KeyText renders an encoded key as name=value pairs in name order, for
// messages and reports: department_id=d-1, or pk=DEPT#1, sk=EMP#7.
func KeyText(key Item) string {
	names := make([]string, 0, len(key))
	for n := range key {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		var v string
		switch av := key[n].(type) {
		case *types.AttributeValueMemberS:
			v = av.Value
		case *types.AttributeValueMemberN:
			v = av.Value
		case *types.AttributeValueMemberB:
			v = base64.StdEncoding.EncodeToString(av.Value)
		default:
			v = fmt.Sprintf("%T", av)
		}
		parts[i] = n + "=" + v
	}
	return strings.Join(parts, ", ")
}
