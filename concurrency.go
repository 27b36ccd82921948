package dynamokit

// DefaultConcurrency is how many requests one call of dynamokit keeps in
// flight at once when its options do not say otherwise: the segments of a
// parallel scan, the requests of a batch, the queries of a relation's
// ChildrenOf, the parents an audit checks, the children a copies fan-out
// rewrites. It is one number for every call because the reason is the
// same for each: the AWS SDK's default HTTP client keeps 10 idle
// connections per host, and staying below that reuses connections instead
// of opening new ones, while leaving a couple to the program's other
// requests. A program that gives the SDK a larger connection pool
// ([WithSDKOptions]) can raise each call's own setting.
const DefaultConcurrency = 8
