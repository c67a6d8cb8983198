package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/atomicfile"
)

func init() { register(newCompileCmd) }

func newCompileCmd() *cobra.Command {
	var flags recipeFlags
	var output string
	cmd := &cobra.Command{
		Use:   "compile [flags] PATH",
		Short: "Check a recipe and write its plan (the versioned IR) as JSON",
		Long: `Compile checks the recipe at PATH (a recipe file, or a directory holding
exactly one) and writes the plan of one experiment: stages in topological
order with every input typed and defaults filled in, a content hash per
stage, secrets as references.
The output is deterministic: the same recipe gives byte-identical plans.

With --format json, diagnostics are a JSON array on standard output (as
for check), unless the plan is written there: then the warnings a
successful compilation may have go to standard error.`,
		Example: `  cookbookc compile examples/chat_sl.hcl -o plan.json
  cookbookc compile --experiment sft --var lr=1e-4 recipes/sft.hcl`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("compile needs exactly one PATH\nSee 'cookbookc compile --help'.")
			}
			opts, err := flags.options()
			if err != nil {
				return err
			}
			res, diags := compiler.Compile(args[0], opts)
			failed := diags.HasErrors() || res.Plan == nil
			toStdout := output == "" || output == "-"
			switch {
			case flags.format == "json" && (failed || !toStdout):
				// SPEC §8: JSON diagnostics go to standard output, an
				// array even when empty, unless the plan goes there.
				if err := printDiagnostics(cmd.OutOrStdout(), "json", diags, res.Sources); err != nil {
					return failf("writing diagnostics: %v", err)
				}
			case len(diags) > 0:
				if err := printDiagnostics(cmd.ErrOrStderr(), flags.format, diags, res.Sources); err != nil {
					return failf("writing diagnostics: %v", err)
				}
			}
			if failed {
				return silentExit(exitFailure)
			}
			data, err := ir.Encode(res.Plan)
			if err != nil {
				return failf("%v", err)
			}
			if toStdout {
				_, err = cmd.OutOrStdout().Write(data)
				return err
			}
			// An existing file keeps its permissions; a new one is
			// world-readable like any other build output.
			perm := os.FileMode(0o644)
			if info, err := os.Stat(output); err == nil {
				perm = info.Mode().Perm()
			}
			if err := atomicfile.Write(output, data, perm); err != nil {
				return failf("%v", err)
			}
			return nil
		},
	}
	flags.register(cmd, true)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the plan to this file (default: standard output)")
	return cmd
}
