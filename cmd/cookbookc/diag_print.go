package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/interp"
	"github.com/cookbookc/cookbookc/lang/diag"
)

// recipeFlags are the flags every command that compiles a recipe shares.
type recipeFlags struct {
	vars       []string
	experiment string
	manifest   string
	ports      []string
	format     string
}

func (f *recipeFlags) register(cmd *cobra.Command, withManifest bool) {
	cmd.Flags().StringArrayVar(&f.vars, "var", nil, "set a variable: NAME=VALUE (repeatable)")
	cmd.Flags().StringVar(&f.experiment, "experiment", "", "the experiment to use when the recipe has several")
	cmd.Flags().StringVar(&f.format, "format", "text", "diagnostics format: text or json")
	if withManifest {
		cmd.Flags().StringVar(&f.manifest, "manifest", "", "also check the port bindings of this manifest (e.g. default, prod)")
		cmd.Flags().StringArrayVar(&f.ports, "port", nil, "override a port binding: PORT=ADAPTER (repeatable)")
	}
}

// options validates the flags and turns them into compiler options.
func (f *recipeFlags) options() (compiler.Options, error) {
	if f.format != "text" && f.format != "json" {
		return compiler.Options{}, usagef("--format must be text or json, not %q", f.format)
	}
	vars, err := parseAssignments("--var", f.vars)
	if err != nil {
		return compiler.Options{}, err
	}
	ports, err := parseAssignments("--port", f.ports)
	if err != nil {
		return compiler.Options{}, err
	}
	return compiler.Options{
		Catalog:    interp.Catalog(),
		Vars:       vars,
		Experiment: f.experiment,
		Manifest:   f.manifest,
		Ports:      ports,
	}, nil
}

// parseAssignments parses NAME=VALUE flag values.
func parseAssignments(flag string, list []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range list {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, usagef("%s %q: expected NAME=VALUE", flag, kv)
		}
		out[name] = value
	}
	return out, nil
}

// printDiagnostics writes diags in the chosen format: text (with
// snippets) or a JSON array.
func printDiagnostics(w io.Writer, format string, diags hcl.Diagnostics, src diag.Sources) error {
	if format == "json" {
		return diag.WriteJSON(w, diags)
	}
	return diag.WriteText(w, diags, src)
}

// summary is the one-line outcome of a check.
func summary(diags hcl.Diagnostics) string {
	errs, warns := diag.Count(diags)
	return fmt.Sprintf("%d %s, %d %s", errs, plural(errs, "error"), warns, plural(warns, "warning"))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
