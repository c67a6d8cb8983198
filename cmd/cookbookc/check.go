package main

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/lang/diag"
)

func init() { register(newCheckCmd) }

func newCheckCmd() *cobra.Command {
	var flags recipeFlags
	var strict bool
	cmd := &cobra.Command{
		Use:   "check [flags] PATH...",
		Short: "Check recipes and report every problem with its source location",
		Long: `Check parses and checks each recipe (a .hcl or .hcl.json file, or a
directory of them) against the stage catalog and the registered adapters,
without running anything or reading data sets. Every problem is printed as
file:line:col: error[CODE]: summary, a detail sentence and the source line;
--format json prints a JSON array instead (see SPEC.md §8).

Exit status: 0 when there are no errors (warnings are allowed unless
--strict), 1 when there are errors, 2 for usage errors.`,
		Example: `  cookbookc check examples/sl_basic.hcl
  cookbookc check --format json examples/*.hcl
  cookbookc check my_recipe_dir/          # a directory is one recipe
  cookbookc check --manifest prod --var model=Qwen/Qwen3-8B recipe.hcl`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("check needs at least one PATH\nSee 'cookbookc check --help'.")
			}
			opts, err := flags.options()
			if err != nil {
				return err
			}
			var all hcl.Diagnostics
			src := diag.Sources{}
			for _, path := range args {
				res, diags := compiler.Check(path, opts)
				for name, b := range res.Sources {
					src[name] = b
				}
				all = append(all, diags...)
			}
			out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
			if flags.format == "json" {
				if err := printDiagnostics(out, "json", all, src); err != nil {
					return failf("writing diagnostics: %v", err)
				}
			} else {
				if err := printDiagnostics(errOut, "text", all, src); err != nil {
					return failf("writing diagnostics: %v", err)
				}
			}
			errs, warns := diag.Count(all)
			if flags.format == "text" {
				fmt.Fprintf(errOut, "checked %d %s: %s\n", len(args), plural(len(args), "path"), summary(all))
			}
			if errs > 0 || (strict && warns > 0) {
				return silentExit(exitFailure)
			}
			return nil
		},
	}
	flags.register(cmd, true)
	cmd.Flags().BoolVar(&strict, "strict", false, "treat warnings as errors (exit 1)")
	return cmd
}
