package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/cookbookc/cookbookc/"

// layerRule forbids packages under from (relative to the module) to import
// packages under any of deny unless they are under one of allow. Test
// imports count too unless nonTestOnly.
type layerRule struct {
	from        string
	deny        []string
	allow       []string
	nonTestOnly bool
	why         string
}

var layerRules = []layerRule{
	{from: "lang/", deny: []string{""}, allow: []string{"lang/"},
		why: "lang/ is the lowest floor: the vocabulary and utilities every other package may import"},
	{from: "adapters/", deny: []string{"compiler/"},
		why: "adapters declare their schemas in lang/schema and never import the compiler"},
	{from: "stdlib/", deny: []string{"compiler/", "interp/", "cmd/"}, allow: []string{"compiler/ir"},
		why: "stage kinds see only the compiler's output, the plan (compiler/ir)"},
	{from: "compiler/", deny: []string{"stdlib/", "adapters/", "interp/", "cmd/"}, nonTestOnly: true,
		why: "the compiler takes the catalog as an input (its tests may assemble the real one)"},
}

// TestPackageLayering checks every package's imports (and test imports)
// against the layering of issue 9: lang/ at the bottom, adapters without
// the compiler, stdlib with only compiler/ir of it, the compiler without
// stdlib or adapters, and no stage kind importing another kind's package.
func TestPackageLayering(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}|{{join .TestImports \" \"}} {{join .XTestImports \" \"}}", "./...")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", exitStderr(err))
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Greater(t, len(lines), 40, "go list listed too few packages")
	var violations []string
	for _, line := range lines {
		parts := strings.SplitN(line, "|", 3)
		require.Len(t, parts, 3, line)
		pkg, ok := strings.CutPrefix(parts[0], module)
		if !ok {
			continue
		}
		violations = append(violations, violationsOf(pkg, strings.Fields(parts[1]), strings.Fields(parts[2]))...)
	}
	require.Empty(t, violations, "layering violations:\n%s", strings.Join(violations, "\n"))
}

// violationsOf returns one message per forbidden import of pkg.
func violationsOf(pkg string, imports, testImports []string) []string {
	var out []string
	check := func(imp string, test bool) {
		dep, ok := strings.CutPrefix(imp, module)
		if !ok || dep == pkg {
			return
		}
		for _, r := range layerRules {
			if !under(pkg, r.from) || (test && r.nonTestOnly) || !underAny(dep, r.deny) || underAny(dep, r.allow) {
				continue
			}
			out = append(out, msg(pkg, dep, test, r.why))
		}
		// A stage kind never imports another kind's package; shared code
		// lives outside stdlib/stages.
		if kind, ok := stageKind(pkg); ok {
			if other, ok := stageKind(dep); ok && other != kind {
				out = append(out, msg(pkg, dep, test, "a stage kind never imports another kind's package"))
			}
		}
	}
	for _, imp := range imports {
		check(imp, false)
	}
	for _, imp := range testImports {
		check(imp, true)
	}
	return out
}

func msg(pkg, dep string, test bool, why string) string {
	what := "imports"
	if test {
		what = "imports in tests"
	}
	return pkg + " " + what + " " + dep + ": " + why
}

// under reports whether pkg is prefix or below it ("" is the whole module).
func under(pkg, prefix string) bool {
	p := strings.TrimSuffix(prefix, "/")
	return prefix == "" || pkg == p || strings.HasPrefix(pkg, p+"/")
}

func underAny(pkg string, prefixes []string) bool {
	for _, p := range prefixes {
		if under(pkg, p) {
			return true
		}
	}
	return false
}

// stageKind returns the kind folder of a package under stdlib/stages.
func stageKind(pkg string) (string, bool) {
	rest, ok := strings.CutPrefix(pkg, "stdlib/stages/")
	if !ok {
		return "", false
	}
	kind, _, _ := strings.Cut(rest, "/")
	return kind, true
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// TestLayeringRulesCatchViolations: each rule reports the imports it is
// meant to forbid (so TestPackageLayering cannot pass by checking nothing).
func TestLayeringRulesCatchViolations(t *testing.T) {
	for _, tc := range []struct {
		pkg        string
		imports    []string
		test       []string
		violations int
	}{
		{"adapters/tinker", []string{module + "compiler/catalog"}, nil, 1},
		{"adapters/tinker", nil, []string{module + "compiler/ir"}, 1},
		{"adapters/tinker", []string{module + "lang/schema", module + "adapters/ports"}, nil, 0},
		{"stdlib/stages/sft", []string{module + "compiler/ir", module + "stdlib/chatsetup"}, nil, 0},
		{"stdlib/stages/sft", []string{module + "compiler/catalog"}, nil, 1},
		{"stdlib/stages/evaluate", []string{module + "stdlib/stages/sft"}, nil, 1},
		{"stdlib/stages/evaluate", nil, []string{module + "stdlib/stages/noop"}, 1},
		{"lang/schema", []string{module + "compiler/ir"}, nil, 1},
		{"lang/atomicfile", []string{module + "lang/failpoint"}, nil, 0},
		{"compiler", []string{module + "stdlib/stage"}, nil, 1},
		{"compiler", nil, []string{module + "stdlib/all"}, 0},
		{"compiler", []string{module + "compiler/catalog", module + "lang/schema"}, nil, 0},
	} {
		got := violationsOf(tc.pkg, tc.imports, tc.test)
		require.Len(t, got, tc.violations, "%s %v %v: %v", tc.pkg, tc.imports, tc.test, got)
	}
}
