// Command cookbookc checks, compiles, formats and runs cookbookc recipes:
// declarative HCL pipelines for LLM fine-tuning.
//
// Exit codes: 0 success; 1 the recipe has errors or the run failed; 2 the
// command line was wrong; 130 the run was interrupted.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	_ "github.com/cookbookc/cookbookc/adapters/all" // register every adapter
	_ "github.com/cookbookc/cookbookc/stdlib/all"   // register every stage kind
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// exitError carries an exit code out of a command. Its message, if any,
// has not been printed yet.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// failf returns an exitError with code exitFailure and a message.
func failf(format string, args ...any) error {
	return &exitError{code: exitFailure, msg: fmt.Sprintf(format, args...)}
}

// usagef returns an exitError with code exitUsage and a message.
func usagef(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// silentExit returns an exitError whose output was already printed.
func silentExit(code int) error { return &exitError{code: code} }

// commands holds the constructors of the subcommands; each command file
// adds its own in an init function.
var commands []func() *cobra.Command

func register(newCmd func() *cobra.Command) { commands = append(commands, newCmd) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "cookbookc",
		Short: "Check, compile and run declarative LLM fine-tuning recipes",
		Long: `cookbookc is a declarative pipeline language for LLM fine-tuning recipes.

A recipe (HCL) declares datasets, renderers (chat templates), experiments and
their stages. cookbookc checks it before anything runs, lowers it to a
versioned plan (IR), and runs the plan against the adapters a manifest
chooses: the embedded default trains a small model locally and offline;
--manifest prod runs the same recipe on the remote training service.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%v\nSee '%s --help'.", err, c.CommandPath())
	})
	for _, newCmd := range commands {
		root.AddCommand(newCmd())
	}
	return root
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the CLI and returns the process exit code. Tests call it
// in-process as well as through the built binary.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "cookbookc:", ee.msg)
		}
		return ee.code
	}
	// Errors cobra produces itself (unknown command, bad arguments) are
	// usage errors.
	fmt.Fprintf(stderr, "cookbookc: %v\nRun 'cookbookc --help' for usage.\n", err)
	return exitUsage
}
