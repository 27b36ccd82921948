// Package schemacmd is a command line for a module's own models: plan and
// apply their tables, export them for other tools, and draw them.
//
// Models are Go types, so no separate binary can read them: the command
// is a few lines of the module's own, usually cmd/schema/main.go, that
// lists the models (and, for the diagram, the relations and collections)
// and hands over to [Command.Run]:
//
//	func main() {
//		cmd := &schemacmd.Command{
//			Models:  []*model.Model{model.MustOf[app.Department](), model.MustOf[app.Employee]()},
//			Connect: func(ctx context.Context) (*dynamokit.Client, func(), error) {
//				db, err := connect.FromEnv(ctx)
//				return db, func() {}, err
//			},
//		}
//		os.Exit(cmd.Run(context.Background(), os.Args[1:]))
//	}
//
// It gives these subcommands:
//
//	plan     show what would change, one line per change: + add, ~ change, - remove
//	apply    make those changes, with a line per table and step and its elapsed time
//	export   write the tables for other tools (-format createtable, cloudformation, terraform, workbench)
//	diagram  print the models, relations and collections as a Mermaid ER diagram
//
// plan and apply call [schema.Plan] and [schema.Apply]; deleting an index
// needs -allow-destructive, as [schema.Options.AllowDestructive] does.
// export and diagram make no request and need no engine: [Command.Connect]
// is called only by plan and apply.
package schemacmd
