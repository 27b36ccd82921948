package schemacmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dynamokit/dynamokit"
	"github.com/dynamokit/dynamokit/model"
	"github.com/dynamokit/dynamokit/query"
	"github.com/dynamokit/dynamokit/relations"
	"github.com/dynamokit/dynamokit/schema"
	"github.com/dynamokit/dynamokit/schema/diagram"
)

// Exit codes of [Command.Run].
const (
	ExitOK    = 0 // the subcommand did what it was asked
	ExitError = 1 // it failed; the error is on Stderr
	ExitUsage = 2 // the command line was wrong; the usage is on Stderr
)

// Command is the schema command line of a module: its models, relations
// and collections, and how to reach DynamoDB. The zero value is not
// useful: set Models at least. A Command is used by one Run at a time.
type Command struct {
	// Name is the program's name in messages; "" means the base name of
	// os.Args[0].
	Name string
	// Models are the models whose tables plan, apply and export work on,
	// and that diagram draws.
	Models []*model.Model
	// Relations and Collections are drawn by diagram, besides Models:
	// the values relations.Declare, relations.DeclareEdge and
	// query.NewCollection return.
	Relations   []relations.Describer
	Collections []*query.Collection
	// Connect returns the client plan and apply send their requests
	// through, and a function that releases it. Only plan and apply call
	// it, so export and diagram need no engine. The client's namer names
	// the tables (see dynamokit.WithNamer).
	Connect func(ctx context.Context) (*dynamokit.Client, func(), error)
	// Namer names the tables for export and diagram, which have no client;
	// give it the namer of the client Connect returns. nil keeps the base
	// names.
	Namer model.Namer
	// Formats are the formats of export; nil means [DefaultFormats]. To
	// add one, append it to DefaultFormats().
	Formats []Format
	// Stdout and Stderr receive the output and the messages; nil means
	// os.Stdout and os.Stderr. Colours and a live progress line are used
	// only when Stdout is a terminal and NO_COLOR is not set.
	Stdout, Stderr io.Writer
	// Options adjust plan and apply (PollInterval, WaitTimeout); nil means
	// the defaults. Progress and AllowDestructive are set by the command.
	Options *schema.Options

	// now is the clock of the progress display; nil means time.Now.
	now func() time.Time
}

// subcommand is one subcommand of a Command.
type subcommand struct {
	name, help string
	run        func(cmd *Command, ctx context.Context, args []string) error
}

var subcommands = []subcommand{
	{"plan", "show the changes that bring the tables in line with the models", (*Command).plan},
	{"apply", "make those changes, showing each step as it runs", (*Command).apply},
	{"export", "write the tables in another tool's format (-format)", (*Command).export},
	{"diagram", "print the models, relations and collections as a Mermaid ER diagram", (*Command).diagram},
}

// errUsage is returned by a subcommand whose flags are wrong; the flag
// package has printed why.
var errUsage = errors.New("usage")

// Run runs the subcommand args[0] with the flags that follow it, writes
// its output to Stdout and its messages to Stderr, and returns the exit
// code: [ExitOK], [ExitError] or [ExitUsage]. It never calls os.Exit.
func (cmd *Command) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		cmd.usage(cmd.stderr())
		return ExitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		cmd.usage(cmd.stdout())
		return ExitOK
	}
	for _, sc := range subcommands {
		if sc.name != args[0] {
			continue
		}
		err := sc.run(cmd, ctx, args[1:])
		switch {
		case err == nil || errors.Is(err, flag.ErrHelp):
			return ExitOK
		case errors.Is(err, errUsage):
			return ExitUsage
		}
		fmt.Fprintf(cmd.stderr(), "%s %s: %v\n", cmd.name(), sc.name, err)
		return ExitError
	}
	fmt.Fprintf(cmd.stderr(), "%s: unknown command %q\n", cmd.name(), args[0])
	cmd.usage(cmd.stderr())
	return ExitUsage
}

func (cmd *Command) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s <command> [flags]\n\ncommands:\n", cmd.name())
	for _, sc := range subcommands {
		fmt.Fprintf(w, "  %-8s %s\n", sc.name, sc.help)
	}
	fmt.Fprintf(w, "\nRun %s <command> -h for the flags of a command.\n", cmd.name())
}

// flags returns the flag set of a subcommand, writing to Stderr.
func (cmd *Command) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.name()+" "+name, flag.ContinueOnError)
	fs.SetOutput(cmd.stderr())
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s %s %s\n", cmd.name(), name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args into fs and refuses arguments that are not flags.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

func (cmd *Command) name() string {
	if cmd.Name != "" {
		return cmd.Name
	}
	return filepath.Base(os.Args[0])
}

func (cmd *Command) stdout() io.Writer {
	if cmd.Stdout == nil {
		return os.Stdout
	}
	return cmd.Stdout
}

func (cmd *Command) stderr() io.Writer {
	if cmd.Stderr == nil {
		return os.Stderr
	}
	return cmd.Stderr
}

func (cmd *Command) clock() func() time.Time {
	if cmd.now == nil {
		return time.Now
	}
	return cmd.now
}

// connect returns the client of plan and apply.
func (cmd *Command) connect(ctx context.Context) (*dynamokit.Client, func(), error) {
	if cmd.Connect == nil {
		return nil, nil, errors.New("Command.Connect is not set: plan and apply need a client")
	}
	db, release, err := cmd.Connect(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("connect: %w", err)
	}
	if release == nil {
		release = func() {}
	}
	return db, release, nil
}

// options returns a copy of cmd.Options with AllowDestructive set as asked.
func (cmd *Command) options(allowDestructive bool) *schema.Options {
	var o schema.Options
	if cmd.Options != nil {
		o = *cmd.Options
	}
	o.AllowDestructive = allowDestructive
	return &o
}

func (cmd *Command) plan(ctx context.Context, args []string) error {
	fs := cmd.flags("plan", "[-allow-destructive]")
	destructive := fs.Bool("allow-destructive", false, "plan changes that delete global indexes")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, release, err := cmd.connect(ctx)
	if err != nil {
		return err
	}
	defer release()
	cs, err := schema.Plan(ctx, db, cmd.options(*destructive), cmd.Models...)
	if err != nil {
		return err
	}
	cmd.printPlan(cs, "apply")
	return nil
}

func (cmd *Command) apply(ctx context.Context, args []string) error {
	fs := cmd.flags("apply", "[-allow-destructive]")
	destructive := fs.Bool("allow-destructive", false, "delete global indexes that no model declares, or whose key or projection changed")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, release, err := cmd.connect(ctx)
	if err != nil {
		return err
	}
	defer release()
	opts := cmd.options(*destructive)
	cs, err := schema.Plan(ctx, db, opts, cmd.Models...)
	if err != nil {
		return err
	}
	cmd.printPlan(cs, "")
	if cs.Empty() {
		return nil
	}
	if refused := cs.Refused(); len(refused) > 0 {
		return fmt.Errorf("%d destructive change(s) refused: nothing was changed; run again with -allow-destructive to make them", len(refused))
	}
	w := cmd.stdout()
	fmt.Fprintln(w)
	p := newProgress(w, isTerminal(w), cmd.clock())
	opts.Progress = p.event
	start := cmd.clock()()
	err = schema.Apply(ctx, db, cs, opts)
	p.close()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nApply complete: %s in %s.\n", count(len(cs.Changes), "change"), elapsed(cmd.clock()().Sub(start)))
	return nil
}

// printPlan prints a change set as a diff, one block per table, and a
// summary. next names the command that makes the changes, "" for none.
func (cmd *Command) printPlan(cs *schema.ChangeSet, next string) {
	w := cmd.stdout()
	if cs.Empty() {
		fmt.Fprintln(w, "No changes: the tables match the models.")
		return
	}
	color := isTerminal(w) && os.Getenv("NO_COLOR") == ""
	var add, change, remove, refused int
	table := ""
	for _, c := range cs.Changes {
		if c.Table != table {
			if table != "" {
				fmt.Fprintln(w)
			}
			table = c.Table
			fmt.Fprintf(w, "table %s\n", table)
		}
		line := c.String()
		switch line[0] {
		case '+':
			add++
		case '-':
			remove++
		default:
			change++
		}
		if c.Refused {
			refused++
			line = strings.Replace(line, "needs Options.AllowDestructive", "needs -allow-destructive", 1)
		}
		fmt.Fprintf(w, "  %s\n", paint(color, line))
	}
	fmt.Fprintf(w, "\nPlan: %d to add, %d to change, %d to remove.\n", add, change, remove)
	switch {
	case refused > 0:
		fmt.Fprintf(w, "%s refused: run with -allow-destructive to make them.\n", count(refused, "destructive change"))
	case next != "":
		fmt.Fprintf(w, "Run %s %s to make these changes.\n", cmd.name(), next)
	}
}

// paint colours a diff line by its first character when color is set.
func paint(color bool, line string) string {
	if !color {
		return line
	}
	code := "33" // ~ yellow
	switch line[0] {
	case '+':
		code = "32"
	case '-':
		code = "31"
	}
	return "\x1b[" + code + "m" + line + "\x1b[0m"
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func (cmd *Command) export(ctx context.Context, args []string) error {
	formats := cmd.Formats
	if formats == nil {
		formats = DefaultFormats()
	}
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.Name
	}
	fs := cmd.flags("export", "[-format "+strings.Join(names, "|")+"] [-table name]")
	var help strings.Builder
	for _, f := range formats {
		fmt.Fprintf(&help, "\n%s: %s", f.Name, f.Help)
	}
	format := fs.String("format", names[0], "the format:"+help.String())
	table := fs.String("table", "", "export only this table (its name with the namer applied)")
	if err := parse(fs, args); err != nil {
		return err
	}
	for _, f := range formats {
		if f.Name != *format {
			continue
		}
		models := cmd.Models
		if *table != "" {
			models = nil
			for _, m := range cmd.Models {
				if m.TableName(cmd.Namer) == *table {
					models = append(models, m)
				}
			}
			if len(models) == 0 {
				return fmt.Errorf("no model has table %s", *table)
			}
		}
		return f.Write(cmd.stdout(), ExportInput{
			Options: &schema.Options{Namer: cmd.Namer},
			Models:  models,
			Name:    cmd.name(),
			Now:     cmd.clock()(),
		})
	}
	fmt.Fprintf(cmd.stderr(), "unknown format %q: want %s\n", *format, strings.Join(names, ", "))
	return errUsage
}

func (cmd *Command) diagram(ctx context.Context, args []string) error {
	fs := cmd.flags("diagram", "[-markdown]")
	markdown := fs.Bool("markdown", false, "wrap the diagram in a ```mermaid block, for Markdown")
	if err := parse(fs, args); err != nil {
		return err
	}
	text, err := diagram.Mermaid(diagram.Graph{
		Models:      cmd.Models,
		Relations:   cmd.Relations,
		Collections: cmd.Collections,
		Namer:       cmd.Namer,
	})
	if err != nil {
		return err
	}
	if *markdown {
		text = "```mermaid\n" + text + "```\n"
	}
	_, err = io.WriteString(cmd.stdout(), text)
	return err
}
