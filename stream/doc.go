// Package stream turns a table's DynamoDB Streams records into typed
// events: the change's kind (insert, modify, remove, and whether a remove
// was TTL's), the item's keys, and its old and new images decoded into
// the model, through the same mapping [query.Table] decodes items with.
// For a single-table design, a [query.Collection]'s decoder gives each
// image as its member's model, and reports one of an unknown entity type
// rather than dropping it.
//
// Records come from two places:
//
//   - An AWS Lambda function subscribed to the stream gets them as a JSON
//     event: [Decoder.Lambda] (or [ParseLambda] then [Decoder.Decode])
//     decodes it, without github.com/aws/aws-lambda-go.
//   - A [Reader] follows the stream itself through the DynamoDB Streams
//     API: it lists the shards, reads a parent shard to its end before its
//     children, takes turns among shards (Options.Concurrency at once),
//     and keeps a [Checkpoint], per shard the last record handled, from
//     which a later reader resumes.
//
// A [Handler] is called once per event, in order within a shard, so the
// changes of one item arrive in the order they were made. The reader
// delivers each record at least once: a resumed reader starts after the
// last event whose handler returned, so a handler that had done its work
// but whose return was not saved in the checkpoint sees its event again.
// See docs/streams.md.
//
// Turn a table's stream on with its StreamSpecification (view type
// NEW_AND_OLD_IMAGES to get both images).
package stream
