package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// writeStagesMarkdown writes the stage kinds as SPEC.md §5 shows them: per
// kind a heading, its summary and ports, a table of its inputs and a line
// of its outputs. `cookbookc stages --format markdown` prints it and
// TestSpecStageTablesMatchTheCatalog keeps SPEC.md equal to it.
func writeStagesMarkdown(w io.Writer, cat *catalog.Catalog, kinds []string) {
	for _, name := range kinds {
		k := cat.Stages[name]
		ports := "none"
		if len(k.Ports) > 0 {
			ports = strings.Join(k.Ports, ", ")
		}
		fmt.Fprintf(w, "#### `%s`\n\n%s Ports: %s.\n\n", k.Name, k.Summary, ports)
		fmt.Fprintf(w, "| input | type | default | constraint | meaning |\n|---|---|---|---|---|\n")
		for _, f := range k.Inputs {
			def := ""
			if f.Default != nil {
				def = "`" + formatDefault(f.Default) + "`"
			}
			fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s |\n", f.Name, f.Type, def, constraintText(f), cell(f.Doc))
		}
		outs := make([]string, len(k.Outputs))
		for i, o := range k.Outputs {
			outs[i] = fmt.Sprintf("`%s` (%s)", o.Name, o.Type)
		}
		fmt.Fprintf(w, "\nOutputs: %s.\n\n", strings.Join(outs, ", "))
	}
}

// constraintText is a field's constraint cell: required, enum, bounds.
func constraintText(f schema.Field) string {
	var parts []string
	if f.Required {
		parts = append(parts, "**required**")
	}
	if len(f.Enum) > 0 {
		quoted := make([]string, len(f.Enum))
		for i, e := range f.Enum {
			quoted[i] = "`" + e + "`"
		}
		parts = append(parts, "one of "+strings.Join(quoted, ", "))
	}
	parts = append(parts, f.BoundsText()...)
	return strings.Join(parts, "; ")
}

// cell escapes a table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
