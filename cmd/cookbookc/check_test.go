package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run the real binary (cliBinary in run_test.go) on real
// files from the repository.

func repoPath(t *testing.T, parts ...string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(append([]string{"..", ".."}, parts...)...))
	require.NoError(t, err)
	return p
}

func TestCheckExamplesPass(t *testing.T) {
	examples, err := filepath.Glob(repoPath(t, "examples", "*.hcl"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(examples), 2)
	res := runCLI(t, ".", nil, append([]string{"check"}, examples...)...)
	assert.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stderr, "0 errors")

	// A directory stands for its recipe files, each its own recipe (SPEC
	// §1), as for fmt: `check examples/` merged them into one recipe and
	// failed with duplicate declarations.
	res = runCLI(t, ".", nil, "check", repoPath(t, "examples"))
	assert.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stderr, fmt.Sprintf("checked %d recipes: 0 errors", len(examples)))

	// A command that takes one recipe needs it named.
	res = runCLI(t, ".", nil, "compile", repoPath(t, "examples"))
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "error[E106]: Several recipes")
	assert.Contains(t, res.stderr, "chat_sl.hcl, sl_basic.hcl")
}

func TestCheckTextDiagnostics(t *testing.T) {
	fixture := repoPath(t, "compiler", "testdata", "invalid", "enum_lr_schedule.hcl")
	res := runCLI(t, ".", nil, "check", fixture)
	require.Equal(t, 1, res.code, res.stderr)
	first := strings.SplitN(res.stderr, "\n", 2)[0]
	assert.Equal(t, fixture+`:9:19: error[E202]: Invalid value for lr_schedule`, first)
	assert.Contains(t, res.stderr, `Did you mean "cosine"?`)
	assert.Contains(t, res.stderr, "  9 |     lr_schedule = \"cosin\"")
	assert.Regexp(t, regexp.MustCompile(`\n    \|\s+\^{7}\n`), res.stderr, "the value is underlined")
}

func TestCheckJSONDiagnostics(t *testing.T) {
	fixture := repoPath(t, "compiler", "testdata", "invalid", "batch_size_zero.hcl")
	res := runCLI(t, ".", nil, "check", "--format", "json", fixture)
	require.Equal(t, 1, res.code, res.stderr)
	var diags []struct {
		Severity, Code, Summary, Detail string
		Range                           struct {
			Filename   string
			Start, End struct{ Line, Column, Byte int }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &diags), res.stdout)
	require.Len(t, diags, 2)
	for _, d := range diags {
		assert.Equal(t, "error", d.Severity)
		assert.Equal(t, "E201", d.Code)
		assert.NotEmpty(t, d.Summary)
		assert.NotEmpty(t, d.Detail)
		assert.Equal(t, fixture, d.Range.Filename)
		assert.Greater(t, d.Range.End.Byte, d.Range.Start.Byte)
	}
	assert.Equal(t, 9, diags[0].Range.Start.Line)
	assert.Equal(t, 18, diags[0].Range.Start.Column)
}

func TestCheckStrictFailsOnWarnings(t *testing.T) {
	fixture := repoPath(t, "compiler", "testdata", "invalid", "unused_variable.hcl")
	res := runCLI(t, ".", nil, "check", fixture)
	assert.Equal(t, 0, res.code, "warnings alone pass")
	assert.Contains(t, res.stderr, "warning[W100]")
	res = runCLI(t, ".", nil, "check", "--strict", fixture)
	assert.Equal(t, 1, res.code)
}

func TestCheckUsageErrors(t *testing.T) {
	example := repoPath(t, "examples", "sl_basic.hcl")
	for _, args := range [][]string{
		{"check"},
		{"check", "--format", "xml", example},
		{"check", "--var", "novalue", example},
		{"compile"},
		{"compile", example, example},
		{"fmt"},
		{"fmt", "--bogus", example},
	} {
		res := runCLI(t, ".", nil, args...)
		assert.Equal(t, 2, res.code, "%v: %s", args, res.stderr)
	}
}

func TestHelp(t *testing.T) {
	for _, cmd := range []string{"check", "compile", "fmt"} {
		res := runCLI(t, ".", nil, cmd, "--help")
		assert.Equal(t, 0, res.code, cmd)
		assert.Contains(t, res.stdout, "Usage:", cmd)
	}
	// fmt parses its flags by hand; its help still lists them.
	res := runCLI(t, ".", nil, "fmt", "--help")
	assert.Contains(t, res.stdout, "--check")
	assert.Contains(t, res.stdout, "-w, --write")
}

func TestCompileWritesDeterministicPlan(t *testing.T) {
	dir := t.TempDir()
	recipe := repoPath(t, "examples", "chat_sl.hcl")
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	for _, out := range []string{a, b} {
		res := runCLI(t, ".", nil, "compile", recipe, "-o", out)
		require.Equal(t, 0, res.code, res.stderr)
	}
	first, err := os.ReadFile(a)
	require.NoError(t, err)
	info, err := os.Stat(a)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm(), "a plan is an ordinary readable file")
	second, err := os.ReadFile(b)
	require.NoError(t, err)
	assert.Equal(t, string(first), string(second))
	var plan struct {
		IRVersion string `json:"ir_version"`
		Stages    []struct {
			ID        string   `json:"id"`
			DependsOn []string `json:"depends_on"`
			Hash      string   `json:"hash"`
		}
	}
	require.NoError(t, json.Unmarshal(first, &plan))
	assert.Equal(t, "1", plan.IRVersion)
	require.Len(t, plan.Stages, 2)
	assert.Equal(t, "train", plan.Stages[0].ID)
	assert.Equal(t, []string{"train"}, plan.Stages[1].DependsOn)
	assert.Len(t, plan.Stages[1].Hash, 64)

	res := runCLI(t, ".", nil, "compile", recipe)
	assert.Equal(t, string(first), res.stdout, "stdout and -o agree")

	res = runCLI(t, ".", nil, "compile", repoPath(t, "compiler", "testdata", "invalid", "cycle_two.hcl"))
	assert.Equal(t, 1, res.code)
	assert.Empty(t, res.stdout, "no plan on errors")
	assert.Contains(t, res.stderr, "stage.a -> stage.b -> stage.a")
}

// SPEC §8 puts JSON diagnostics on standard output; compile wrote them to
// standard error.
func TestCompileJSONDiagnosticsOnStdout(t *testing.T) {
	bad := repoPath(t, "compiler", "testdata", "invalid", "cycle_two.hcl")
	res := runCLI(t, ".", nil, "compile", "--format", "json", bad)
	assert.Equal(t, 1, res.code)
	assert.Empty(t, res.stderr)
	var diags []struct{ Code string }
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &diags), res.stdout)
	require.NotEmpty(t, diags)
	assert.Equal(t, "E302", diags[0].Code)

	// With -o FILE the array is on stdout even when empty; with the plan
	// on stdout, stdout holds the plan alone.
	out := filepath.Join(t.TempDir(), "plan.json")
	res = runCLI(t, ".", nil, "compile", "--format", "json", "-o", out, repoPath(t, "examples", "sl_basic.hcl"))
	require.Equal(t, 0, res.code, res.stderr)
	assert.Equal(t, "[]", strings.TrimSpace(res.stdout))
	res = runCLI(t, ".", nil, "compile", "--format", "json", repoPath(t, "examples", "sl_basic.hcl"))
	require.Equal(t, 0, res.code, res.stderr)
	var plan struct{ Experiment string }
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &plan))
	assert.Equal(t, "sl_basic", plan.Experiment)
}

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	messy := filepath.Join(dir, "messy.hcl")
	src, err := os.ReadFile(repoPath(t, "lang", "testdata", "fmt", "messy.input.hcl"))
	require.NoError(t, err)
	golden, err := os.ReadFile(repoPath(t, "lang", "testdata", "fmt", "messy.golden.hcl"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(messy, src, 0o640))

	res := runCLI(t, dir, nil, "fmt", "messy.hcl")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Equal(t, string(golden), res.stdout)

	res = runCLI(t, dir, nil, "fmt", "-check", ".")
	assert.Equal(t, 1, res.code)
	assert.Equal(t, "messy.hcl\n", res.stdout)

	res = runCLI(t, dir, nil, "fmt", "-check", "-w", "messy.hcl")
	assert.Equal(t, 2, res.code, "-check never writes, so -w with it is a usage error")

	res = runCLI(t, dir, nil, "fmt", "-w", "messy.hcl")
	require.Equal(t, 0, res.code, res.stderr)
	after, err := os.ReadFile(messy)
	require.NoError(t, err)
	assert.Equal(t, string(golden), string(after))
	info, err := os.Stat(messy)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), info.Mode().Perm(), "fmt -w keeps the file's permissions")

	res = runCLI(t, dir, nil, "fmt", "--check", "messy.hcl")
	assert.Equal(t, 0, res.code, "formatted files pass -check")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.hcl"), []byte("experiment {\n"), 0o644))
	res = runCLI(t, dir, nil, "fmt", "-w", "broken.hcl")
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "error[E100]")
}
