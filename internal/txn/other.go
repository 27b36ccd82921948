package txn

import "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

// Other is an attribute of an item that is not an attribute of its model,
// written by one of dynamokit's packages alongside a write of the model's
// item (such as the copies stamp package relations keeps on a parent).
// Only dynamokit's packages can make a *Other: outside this module the
// type cannot be named, and a pointer to another struct type does not
// convert to it.
type Other struct {
	Name  string
	Value types.AttributeValue
}
