package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/lang/diag"
	"github.com/cookbookc/cookbookc/lang/template"
)

// TestSpecIsComplete keeps SPEC.md in step with the code: every
// diagnostic code, stage kind, input, output, dataset attribute, template
// variable and filter must be documented there.
func TestSpecIsComplete(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "SPEC.md"))
	require.NoError(t, err)
	spec := string(data)
	mention := func(what, name string) {
		if !strings.Contains(spec, "`"+name+"`") {
			t.Errorf("SPEC.md does not document %s `%s`", what, name)
		}
	}
	for code := range diag.Descriptions {
		mention("diagnostic code", string(code))
	}
	cat := testCatalog()
	for _, k := range cat.Stages {
		mention("stage kind", k.Name)
		for _, f := range k.Inputs {
			if !strings.Contains(spec, "| `"+f.Name+"` |") {
				t.Errorf("SPEC.md has no table row for input %s.%s", k.Name, f.Name)
			}
		}
		for _, o := range k.Outputs {
			mention("output", o.Name)
		}
	}
	for _, f := range cat.DatasetFields {
		mention("dataset attribute", f.Name)
	}
	for _, n := range template.VariableNames() {
		mention("template variable", n)
	}
	for _, n := range template.FilterNames() {
		mention("template filter", n)
	}
	for _, n := range cat.RendererNames() {
		mention("built-in renderer", n)
	}
}
