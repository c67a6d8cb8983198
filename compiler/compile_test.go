package compiler

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/lang/diag"
)

func compileSrc(t *testing.T, name, src string, opts Options, single bool) (*Result, []diag.Code) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "valid"))
	require.NoError(t, err)
	if opts.Catalog == nil {
		opts.Catalog = testCatalog()
	}
	res, diags := CompileSource(dir, map[string][]byte{name: []byte(src)}, opts, single)
	var codes []diag.Code
	for _, d := range diags {
		codes = append(codes, diag.CodeOf(d))
	}
	return res, codes
}

const twoExperiments = `
experiment "a" {
  stage "noop" "x" {}
}
experiment "b" {
  stage "noop" "y" {}
  stage "noop" "z" { value = stage.y.value }
}
`

func TestExperimentSelection(t *testing.T) {
	res, codes := compileSrc(t, "r.hcl", twoExperiments, Options{}, false)
	assert.Empty(t, codes, "check accepts several experiments")
	require.Len(t, res.Plans, 2)
	assert.Nil(t, res.Plan)

	_, codes = compileSrc(t, "r.hcl", twoExperiments, Options{}, true)
	assert.Equal(t, []diag.Code{diag.ExperimentChoice}, codes, "compile needs --experiment")

	res, codes = compileSrc(t, "r.hcl", twoExperiments, Options{Experiment: "b"}, true)
	require.Empty(t, codes)
	assert.Equal(t, "b", res.Plan.Experiment)
	assert.Equal(t, []string{"y"}, res.Plan.Stages[1].DependsOn)
}

func TestVarFlagsAreParsedPerType(t *testing.T) {
	src := `
variable "steps" {
  type = number
}
variable "tags" {
  type = list(string)
}
variable "name" {
  type = string
}
experiment "e" {
  stage "noop" "a" {
    value = { steps = var.steps, tags = var.tags, name = var.name }
  }
}
`
	res, codes := compileSrc(t, "r.hcl", src, Options{Vars: map[string]string{"steps": "10", "tags": `["a", "b"]`, "name": "[not parsed]"}}, true)
	require.Empty(t, codes)
	var value map[string]any
	require.NoError(t, json.Unmarshal(res.Plan.Stages[0].Inputs["value"].Value, &value))
	assert.Equal(t, map[string]any{"steps": 10.0, "tags": []any{"a", "b"}, "name": "[not parsed]"}, value)

	_, codes = compileSrc(t, "r.hcl", src, Options{Vars: map[string]string{"steps": "ten", "tags": "[]", "name": "x"}}, true)
	assert.Equal(t, []diag.Code{diag.BadVarFlag}, codes)
}

func TestJSONSyntaxDiagnosticsPointIntoTheFile(t *testing.T) {
	src := `{
  "dataset": {"chat": {"source": "chat.jsonl"}},
  "experiment": {"e": {"stage": {"evaluate": {"ev": {
    "model": "m",
    "dataset": "${dataset.chta}",
    "renderer": "${renderer.role_colon}",
    "split": "tset"
  }}}}}
}`
	res, diags := CompileSource(mustAbs(t, "testdata/valid"), map[string][]byte{"r.hcl.json": []byte(src)}, Options{Catalog: testCatalog()}, true)
	require.NotNil(t, res)
	require.Len(t, diags, 2, "%v", diags)
	assert.Equal(t, diag.UndefinedRef, diag.CodeOf(diags[0]))
	assert.Equal(t, 5, diags[0].Subject.Start.Line)
	assert.Equal(t, 19, diags[0].Subject.Start.Column, "at the reference inside the string")
	assert.Equal(t, diag.NotInEnum, diag.CodeOf(diags[1]))
	assert.Equal(t, 7, diags[1].Subject.Start.Line)
}

func TestStageInputsHaveDefaultsAndRefs(t *testing.T) {
	res, diags := Compile(filepath.Join("testdata", "valid", "sl_basic.hcl"), Options{Catalog: testCatalog()})
	require.Empty(t, diags)
	in := res.Plan.Stages[0].Inputs
	assert.Equal(t, "dataset.chat", in["dataset"].Ref)
	assert.Equal(t, "renderer.role_colon", in["renderer"].Ref)
	assert.JSONEq(t, `"linear"`, string(in["lr_schedule"].Value), "default filled in")
	assert.JSONEq(t, `0.0002`, string(in["learning_rate"].Value))
	_, hasMaxSteps := in["max_steps"]
	assert.False(t, hasMaxSteps, "optional inputs without a default stay absent")
	assert.Len(t, res.Plan.Stages[0].Hash, 64)
}

func TestHashIsMerkle(t *testing.T) {
	base := `
dataset "d" {
  source = "chat.jsonl"
}
experiment "e" {
  stage "supervised_train" "t" {
    model    = "m"
    dataset  = dataset.d
    renderer = renderer.role_colon
    batch_size = %s
  }
  stage "evaluate" "ev" {
    checkpoint = stage.t.final_checkpoint
    dataset    = dataset.d
  }
  stage "noop" "other" {}
}
`
	hashes := func(batch string) map[string]string {
		res, codes := compileSrc(t, "r.hcl", sprintf(base, batch), Options{}, true)
		require.Empty(t, codes)
		out := map[string]string{}
		for _, s := range res.Plan.Stages {
			out[s.ID] = s.Hash
		}
		return out
	}
	a, b := hashes("8"), hashes("16")
	assert.NotEqual(t, a["t"], b["t"])
	assert.NotEqual(t, a["ev"], b["ev"], "a change upstream changes the downstream hash")
	assert.Equal(t, a["other"], b["other"])
	c := hashes("8  ")
	assert.Equal(t, a, c, "layout does not change hashes")
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	require.NoError(t, err)
	return abs
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
