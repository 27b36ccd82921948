package stream

import "errors"

// Stop is what a [Handler] returns to end [Reader.Run] without an error:
// the event it was given counts as handled (the checkpoint moves past
// it), and Run returns nil once the handlers already running for other
// shards have returned.
var Stop = errors.New("stream: stop")

// ErrNoStream is returned by [Reader.Run] for a table whose stream is
// not enabled. Turn it on with the table's StreamSpecification
// (UpdateTable, or the model's stream option when schema creates the
// table).
var ErrNoStream = errors.New("stream: the table has no enabled stream")

// ErrOtherStream is returned by [Reader.Run] given a checkpoint of
// another stream than the table's: the stream was turned off and on
// again, which starts a new stream with new shards. Start without the
// checkpoint (Options.Checkpoint nil) to read the new stream from its
// start, or from its end with Options.Latest.
var ErrOtherStream = errors.New("stream: the checkpoint is of another stream")

// ErrTrimmed is returned by [Reader.Run] when records after the
// checkpoint's position in a shard are gone: DynamoDB keeps a stream's
// records for 24 hours, and the reader was stopped longer than that (or
// the shard itself is gone). Those changes cannot be delivered. Set
// Options.SkipTrimmed to go on from the oldest record still there,
// accepting the loss (then rebuild what the stream kept up to date from
// the table, if it matters).
var ErrTrimmed = errors.New("stream: records after the checkpoint were trimmed from the stream")
