package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/compiler/ir"
)

func init() { register(newCompileCmd) }

func newCompileCmd() *cobra.Command {
	var flags recipeFlags
	var output string
	cmd := &cobra.Command{
		Use:   "compile [flags] PATH",
		Short: "Check a recipe and write its plan (the versioned IR) as JSON",
		Long: `Compile checks the recipe at PATH (a file or a directory) and writes the
plan of one experiment: stages in topological order with every input typed
and defaults filled in, a content hash per stage, secrets as references.
The output is deterministic: the same recipe gives byte-identical plans.`,
		Example: `  cookbookc compile examples/chat_sl.hcl -o plan.json
  cookbookc compile --experiment sft --var lr=1e-4 recipes/`,
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
			if len(diags) > 0 {
				if err := printDiagnostics(cmd.ErrOrStderr(), flags.format, diags, res.Sources); err != nil {
					return failf("writing diagnostics: %v", err)
				}
			}
			if diags.HasErrors() || res.Plan == nil {
				return silentExit(exitFailure)
			}
			data, err := ir.Encode(res.Plan)
			if err != nil {
				return failf("%v", err)
			}
			if output == "" || output == "-" {
				_, err = cmd.OutOrStdout().Write(data)
				return err
			}
			if err := writeFileAtomic(output, data); err != nil {
				return failf("writing plan: %v", err)
			}
			return nil
		},
	}
	flags.register(cmd, true)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the plan to this file (default: standard output)")
	return cmd
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so a reader never sees half a plan.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("renaming into place: %w", err)
	}
	return nil
}
