package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/cookbookc/cookbookc/lang"
	"github.com/cookbookc/cookbookc/lang/atomicfile"
	"github.com/cookbookc/cookbookc/lang/diag"
)

func init() { register(newFmtCmd) }

func newFmtCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fmt [flags] PATH...",
		Short: "Format recipes in the canonical HCL style",
		Long: `Fmt rewrites recipe files (.hcl; a directory means its *.hcl files) in the
canonical HCL layout: indentation, aligned equals signs, spacing.
Formatting is idempotent. Files with syntax errors are reported, not
changed. JSON-syntax files are left alone.

Without flags the formatted text goes to standard output. -w writes the
files in place; -check lists the files that are not formatted and exits 1
if there are any.`,
		Example: `  cookbookc fmt -w examples/
  cookbookc fmt -check recipe.hcl`,
		// Flags are parsed by hand so that the Go-style single-dash
		// spelling -check works as well as --check; they are declared on
		// the command so that --help lists them.
		DisableFlagParsing: true,
	}
	fl := cmd.Flags()
	check := fl.Bool("check", false, "list the files that are not formatted and exit 1 if there are any (also -check)")
	write := fl.BoolP("write", "w", false, "write the formatted text back to the files")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		for i, a := range args {
			if a == "-check" || strings.HasPrefix(a, "-check=") {
				args[i] = "-" + a
			}
		}
		if err := fl.Parse(args); err != nil {
			return usagef("%v\nSee 'cookbookc fmt --help'.", err)
		}
		if help, _ := fl.GetBool("help"); help {
			return cmd.Help()
		}
		if *check && *write {
			return usagef("-check and -w cannot be used together: -check only lists the files that need formatting")
		}
		if fl.NArg() == 0 {
			return usagef("fmt needs at least one PATH\nSee 'cookbookc fmt --help'.")
		}
		return runFmt(cmd, fl.Args(), *check, *write)
	}
	return cmd
}

func runFmt(cmd *cobra.Command, paths []string, check, write bool) error {
	files, err := fmtFiles(paths)
	if err != nil {
		return failf("%v", err)
	}
	var diags hcl.Diagnostics
	src := diag.Sources{}
	unformatted := 0
	for _, name := range files {
		if strings.HasSuffix(name, ".json") {
			fmt.Fprintf(cmd.ErrOrStderr(), "cookbookc fmt: skipping %s (JSON syntax is not formatted)\n", name)
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return failf("%v", err)
		}
		out, d := lang.Format(data, name)
		if d.HasErrors() {
			src[name] = data
			diags = append(diags, d...)
			continue
		}
		changed := !bytes.Equal(out, data)
		switch {
		case check:
			if changed {
				unformatted++
				fmt.Fprintln(cmd.OutOrStdout(), name)
			}
		case write:
			if changed {
				// Keep the file's permissions: formatting changes only
				// its text.
				info, err := os.Stat(name)
				if err != nil {
					return failf("%v", err)
				}
				if err := atomicfile.Write(name, out, info.Mode().Perm()); err != nil {
					return failf("%v", err)
				}
			}
		default:
			cmd.OutOrStdout().Write(out)
		}
	}
	if len(diags) > 0 {
		diag.WriteText(cmd.ErrOrStderr(), diags, src)
		return silentExit(exitFailure)
	}
	if unformatted > 0 {
		return silentExit(exitFailure)
	}
	return nil
}

// fmtFiles expands paths as every command does (lang.RecipeFiles): files
// as given, directories to the recipe files in them; JSON-syntax files
// found in a directory are left out, since fmt does not format them.
func fmtFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		files, diags := lang.RecipeFiles(p)
		if diags.HasErrors() {
			return nil, errors.New(diags[0].Detail)
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if !info.IsDir() || strings.HasSuffix(f, ".hcl") {
				out = append(out, f)
			}
		}
	}
	return out, nil
}
