package main

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/lang"
	"github.com/cookbookc/cookbookc/lang/diag"
)

func init() { register(newCheckCmd) }

func newCheckCmd() *cobra.Command {
	var flags recipeFlags
	var strict bool
	cmd := &cobra.Command{
		Use:   "check [flags] PATH...",
		Short: "Check recipes and report every problem with its source location",
		Long: `Check parses and checks each recipe (a .hcl or .hcl.json file; a
directory stands for the recipe files directly in it, each checked as its
own recipe) against the stage catalog and the registered adapters,
without running anything. Every problem is printed as
file:line:col: error[CODE]: summary, a detail sentence and the source line;
--format json prints a JSON array instead (see SPEC.md §8).

Exit status: 0 when there are no errors (warnings are allowed unless
--strict), 1 when there are errors, 2 for usage errors.`,
		Example: `  cookbookc check examples/sl_basic.hcl
  cookbookc check --format json examples/*.hcl
  cookbookc check examples/               # every recipe file in the directory
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
			recipes := 0
			for _, path := range args {
				files, diags := lang.RecipeFiles(path)
				all = append(all, diags...)
				for _, file := range files {
					res, diags := compiler.Check(file, opts)
					for name, b := range res.Sources {
						src[name] = b
					}
					all = append(all, diags...)
					recipes++
				}
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
				fmt.Fprintf(errOut, "checked %d %s: %s\n", recipes, plural(recipes, "recipe"), summary(all))
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
