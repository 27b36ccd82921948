package schema

import (
	"errors"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
)

// Options adjusts how schema talks to DynamoDB. A nil *Options, like the
// zero value, means the defaults.
type Options struct {
	// Namer maps each model's base table name to the real one for the
	// functions that take no client, [Export] and [Definitions]; nil keeps it.
	// Create, Drop, Plan and Apply use the namer of their client and
	// refuse Options with a Namer, so that the namer is given once.
	Namer model.Namer
	// PollInterval is how often a wait asks DynamoDB for the table status;
	// zero means 200ms.
	PollInterval time.Duration
	// WaitTimeout bounds each wait for one table or index to reach a state
	// (ACTIVE, or deleted), even under a context without a deadline; zero
	// means 30 minutes. A wait that gives up returns an error
	// matching context.DeadlineExceeded that says what the table last
	// looked like. Raise it to add indexes to large tables, whose backfill
	// can take hours.
	WaitTimeout time.Duration
	// Progress, when set, is called as each step of a long operation starts
	// and ends. It must not block.
	Progress func(Event)
	// AllowDestructive lets [Plan] and [Apply] delete global indexes (to
	// remove them or to re-create them with another key or projection),
	// disable a stream or point-in-time recovery, and turn deletion
	// protection off.
	// Without it such changes are refused. No option lets schema delete a
	// table or its data: that is [Drop], called explicitly.
	AllowDestructive bool
	// AutoScalingClient is the Application Auto Scaling client through
	// which schema manages the auto scaling that models declare
	// ([model.AutoScaling]), usually applicationautoscaling.NewFromConfig
	// with the aws.Config of the DynamoDB client. [Create] registers the
	// scalable targets and target-tracking policies of the tables it
	// creates, [Plan] reads the live ones of every table it plans and
	// [Apply] changes them, and [Drop] deregisters them. Without it,
	// Create and Plan refuse tables whose models declare auto scaling
	// with [ErrNoAutoScalingClient], and Plan does not look at the live
	// scaling of other tables.
	AutoScalingClient AutoScalingAPI
	// SkipAutoScaling makes schema leave Application Auto Scaling alone,
	// even with an AutoScalingClient: [Create] and [Plan] take tables
	// whose models declare [model.AutoScaling], create and plan them at
	// their provisioned capacity, leave capacity differences to the
	// scaling, and leave the scaling itself to the tool that deploys
	// [Export]'s CloudFormation or Terraform.
	SkipAutoScaling bool
}

// defaultWaitTimeout is the bound of each wait when
// [Options.WaitTimeout] is zero. Creating or deleting a table takes seconds
// to minutes; building a global index on an existing table takes longer
// the more items it holds.
const defaultWaitTimeout = 30 * time.Minute

// Event reports progress of a long operation to [Options.Progress].
type Event struct {
	Table string // the table concerned
	Step  string // what is happening, such as "create table" or "wait for index gsi1"
	Done  bool   // false when the step starts, true when it has finished
}

// clientOptions returns the executor of c, which the functions that send
// requests through c send them with, and opts with the namer of c.
func clientOptions(c *dynamokit.Client, opts *Options) (client, *Options, error) {
	if c == nil {
		return nil, nil, errors.New("schema: nil *dynamokit.Client")
	}
	var o Options
	if opts != nil {
		if opts.Namer != nil {
			return nil, nil, errors.New("schema: Options.Namer is set: Create, Drop, Plan and Apply name tables with the namer of the client (dynamokit.WithNamer)")
		}
		o = *opts
	}
	o.Namer = c.Namer()
	x, err := executor(c)
	if err != nil {
		return nil, nil, err
	}
	return x, &o, nil
}

func (o *Options) namer() model.Namer {
	if o == nil {
		return nil
	}
	return o.Namer
}

func (o *Options) poll() time.Duration {
	if o == nil || o.PollInterval <= 0 {
		return 200 * time.Millisecond
	}
	return o.PollInterval
}

func (o *Options) waitTimeout() time.Duration {
	if o == nil || o.WaitTimeout <= 0 {
		return defaultWaitTimeout
	}
	return o.WaitTimeout
}

func (o *Options) allowDestructive() bool { return o != nil && o.AllowDestructive }

func (o *Options) progress(e Event) {
	if o != nil && o.Progress != nil {
		o.Progress(e)
	}
}
