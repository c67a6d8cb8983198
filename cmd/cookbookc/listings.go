package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/interp"
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

func init() {
	register(newAdaptersCmd)
	register(newStagesCmd)
}

func newAdaptersCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "adapters [PORT...]",
		Short: "List the adapters of every port with their config fields",
		Long: `Adapters lists, port by port, the adapters this build of cookbookc has,
the config fields a manifest can set for each (type, default, whether it is
required or a secret), and which built-in manifests bind them. Test fakes
(the adapters of the test manifest) are labelled [test fake].`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cat := interp.Catalog()
			for _, p := range args {
				if !schema.IsPort(p) {
					return usagef("unknown port %q; ports are %s", p, strings.Join(schema.Ports, ", "))
				}
			}
			writeAdapters(cmd.OutOrStdout(), cat, args)
			return nil
		},
	}
}

func writeAdapters(w io.Writer, cat *catalog.Catalog, only []string) {
	first := true
	for _, port := range schema.Ports {
		if len(only) > 0 && !slices.Contains(only, port) {
			continue
		}
		if !first {
			fmt.Fprintln(w)
		}
		first = false
		fmt.Fprintf(w, "%s\n", port)
		names := cat.AdapterNames(port)
		if len(names) == 0 {
			fmt.Fprintf(w, "  (no adapters in this build)\n")
		}
		for _, name := range names {
			a, _ := cat.Adapter(port, name)
			label := ""
			if a.Fake {
				label = " [test fake]"
			}
			fmt.Fprintf(w, "  %s%s: %s\n", name, label, a.Summary)
			if ms := manifestsBinding(cat, port, name); len(ms) > 0 {
				fmt.Fprintf(w, "    bound by manifests: %s\n", strings.Join(ms, ", "))
			}
			for _, f := range a.Config {
				fmt.Fprintf(w, "    %s\n", fieldLine(f))
			}
		}
	}
}

func manifestsBinding(cat *catalog.Catalog, port, adapter string) []string {
	var out []string
	for _, m := range cat.ManifestNames() {
		if b, ok := cat.Manifests[m].Ports[port]; ok && b.Adapter == adapter {
			out = append(out, m)
		}
	}
	return out
}

// fieldLine formats a field: "name (type, default X, required, secret): doc".
func fieldLine(f schema.Field) string {
	attrs := []string{f.Type.String()}
	if f.Required {
		attrs = append(attrs, "required")
	}
	if f.Default != nil {
		attrs = append(attrs, "default "+formatDefault(f.Default))
	}
	if len(f.Enum) > 0 {
		shown := make([]string, len(f.Enum))
		for i, e := range f.Enum {
			shown[i] = e
			if e == "" {
				shown[i] = `""` // otherwise it would print as nothing
			}
		}
		attrs = append(attrs, "one of "+strings.Join(shown, "|"))
	}
	if f.Min != nil || f.Max != nil {
		attrs = append(attrs, strings.Join(f.BoundsText(), " and "))
	}
	if f.Sensitive {
		attrs = append(attrs, "secret: set it with env()")
	}
	return fmt.Sprintf("%s (%s): %s", f.Name, strings.Join(attrs, ", "), f.Doc)
}

func formatDefault(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	default:
		return fmt.Sprint(x)
	}
}

func newStagesCmd() *cobra.Command {
	format := "text"
	cmd := &cobra.Command{
		Use:   "stages [KIND...]",
		Short: "List the stage kinds with their inputs, outputs and ports",
		Long: `Stages lists every stage kind a recipe can use: its inputs (type, default,
whether required), its outputs (what other stages can refer to as
stage.NAME.OUTPUT) and the ports it calls, which the manifest must bind.
--format markdown prints the tables of SPEC.md §5.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "markdown" {
				return usagef("--format must be text or markdown, not %q", format)
			}
			cat := interp.Catalog()
			kinds := cat.StageNames()
			if len(args) > 0 {
				for _, k := range args {
					if _, ok := cat.Stages[k]; !ok {
						return usagef("unknown stage kind %q; kinds are %s", k, strings.Join(kinds, ", "))
					}
				}
				kinds = append([]string(nil), args...)
				slices.Sort(kinds)
			}
			if format == "markdown" {
				writeStagesMarkdown(cmd.OutOrStdout(), cat, kinds)
				return nil
			}
			writeStages(cmd.OutOrStdout(), cat, kinds)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", format, "output format: text or markdown (the tables of SPEC.md)")
	return cmd
}

func writeStages(w io.Writer, cat *catalog.Catalog, kinds []string) {
	for i, name := range kinds {
		k := cat.Stages[name]
		if i > 0 {
			fmt.Fprintln(w)
		}
		impl := ""
		if k, ok := stage.Lookup(name); !ok || !k.Implemented() {
			impl = " [not implemented in this build]"
		}
		fmt.Fprintf(w, "%s%s: %s\n", name, impl, k.Summary)
		if len(k.Ports) > 0 {
			fmt.Fprintf(w, "  ports: %s\n", strings.Join(k.Ports, ", "))
		}
		if len(k.Inputs) > 0 {
			fmt.Fprintf(w, "  inputs:\n")
			for _, f := range k.Inputs {
				fmt.Fprintf(w, "    %s\n", fieldLine(f))
			}
		}
		if len(k.Outputs) > 0 {
			fmt.Fprintf(w, "  outputs:\n")
			for _, o := range k.Outputs {
				fmt.Fprintf(w, "    %s (%s): %s\n", o.Name, o.Type, o.Doc)
			}
		}
	}
}
